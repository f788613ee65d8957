import HubWeb
import Foundation
import HubProtocol
import HubStorage
import HummingbirdBcrypt
import Synchronization

/// The gateway's users, with bcrypt password hashes, in the gateway's own database.
///
/// `migrations` also creates the session and API-token tables the gateway uses.
public struct UserStore: Sendable {
    let database: any HubDatabase
    let bcryptCost: UInt8

    /// - Parameter bcryptCost: 10 in production; tests may pass fewer rounds (minimum 4).
    public init(database: any HubDatabase, bcryptCost: UInt8 = 10) {
        self.database = database
        self.bcryptCost = max(4, bcryptCost)
    }

    /// The gateway's schema: users, sessions and API tokens (only hashes of tokens).
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "gateway users, sessions, api tokens", sql: """
            CREATE TABLE users (
                id TEXT PRIMARY KEY,
                username TEXT NOT NULL UNIQUE,
                password_hash TEXT NOT NULL,
                role TEXT NOT NULL,
                agency TEXT,
                centre TEXT,
                created_at BIGINT NOT NULL
            );
            CREATE TABLE sessions (
                token_hash TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                csrf_token TEXT NOT NULL,
                expires_at BIGINT NOT NULL,
                created_at BIGINT NOT NULL
            );
            CREATE INDEX sessions_user ON sessions(user_id);
            CREATE INDEX sessions_expires ON sessions(expires_at);
            CREATE TABLE api_tokens (
                token_hash TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                expires_at BIGINT NOT NULL,
                created_at BIGINT NOT NULL
            );
            CREATE INDEX api_tokens_user ON api_tokens(user_id)
            """),
        // "What changed since my last visit": each login remembers the one before it.
        Migration(version: 2, name: "previous login per session", sql: """
            ALTER TABLE users ADD COLUMN last_login_at BIGINT;
            ALTER TABLE sessions ADD COLUMN previous_login_at BIGINT
            """),
    ]

    static let minPasswordLength = 12
    /// bcrypt only reads the first 72 bytes; refuse longer ones rather than truncate silently.
    static let maxPasswordBytes = 72

    /// Creates a user. Validation errors name the field (`username`, `password`, `role`, `agency`, `centre`).
    @discardableResult
    public func create(username: String, password: String, role: String, agency: String? = nil, centre: String? = nil) async throws(HubError) -> User {
        let username = username.trimmingCharacters(in: .whitespaces).lowercased()
        try Self.validateUsername(username)
        try Self.validatePassword(password)
        guard let role = UserRole(rawValue: role) else {
            throw HubError(.validation, "Unknown role; use admin, staff, agency or board.", field: "role")
        }
        let agency = agency?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        let centre = centre?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        switch role {
        case .admin:
            break
        case .staff, .board:
            guard let centre, Self.isIdentifier(centre) else {
                throw HubError(.validation, "A \(role.rawValue) user needs a centre id.", field: "centre")
            }
        case .agency:
            guard let agency, Self.isIdentifier(agency) else {
                throw HubError(.validation, "An agency user needs an agency id.", field: "agency")
            }
        }
        if try await findRow(username: username) != nil {
            throw HubError(.conflict, "That username is taken.", field: "username")
        }
        let user = User(
            id: MessageID.make(), username: username, role: role,
            agency: role == .agency ? agency : nil,
            centre: (role == .staff || role == .board) ? centre : nil
        )
        let hash = Bcrypt.hash(password, cost: bcryptCost)
        do {
            try await database.execute(
                "INSERT INTO users (id, username, password_hash, role, agency, centre, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [.text(user.id), .text(user.username), .text(hash), .text(role.rawValue),
                 user.agency.map { .text($0) } ?? .null, user.centre.map { .text($0) } ?? .null, .integer(Self.now())]
            )
        } catch let e where e.code == .conflict {
            throw HubError(.conflict, "That username is taken.", field: "username")
        }
        return user
    }

    /// Creates user `admin` with a random 20-character password when no admin exists.
    /// Returns that password (to show once); nil when an admin already exists.
    public func ensureAdmin() async throws(HubError) -> String? {
        let rows = try await database.query("SELECT id FROM users WHERE role = ? LIMIT 1", [.text(UserRole.admin.rawValue)])
        guard rows.isEmpty else { return nil }
        let password = Secrets.randomPassword(length: 20)
        try await create(username: "admin", password: password, role: UserRole.admin.rawValue)
        return password
    }

    /// The user when `password` is right; nil otherwise (whether or not the username
    /// exists — a dummy hash is checked so that both take the same time).
    public func verify(username: String, password: String) async throws(HubError) -> User? {
        let username = username.trimmingCharacters(in: .whitespaces).lowercased()
        guard !username.isEmpty, !password.isEmpty, password.utf8.count <= 1024 else { return nil }
        guard let row = try await findRow(username: username), let hash = row.gwString("password_hash") else {
            _ = Bcrypt.verify(password, hash: dummyHash)
            return nil
        }
        guard Bcrypt.verify(password, hash: hash) else { return nil }
        return Self.user(from: row)
    }

    /// The user with this id, if any.
    public func find(id: String) async throws(HubError) -> User? {
        let rows = try await database.query("SELECT id, username, role, agency, centre FROM users WHERE id = ?", [.text(id)])
        return rows.first.flatMap(Self.user(from:))
    }

    /// All users, by username.
    public func list() async throws(HubError) -> [User] {
        try await database.query("SELECT id, username, role, agency, centre FROM users ORDER BY username", [])
            .compactMap(Self.user(from:))
    }

    /// Sets a new password and ends every session and API token of the user.
    public func setPassword(username: String, password: String) async throws(HubError) {
        try Self.validatePassword(password)
        guard let row = try await findRow(username: username.lowercased()), let id = row.gwString("id") else {
            throw HubError(.notFound, "No such user.", field: "username")
        }
        try await database.execute("UPDATE users SET password_hash = ? WHERE id = ?", [.text(Bcrypt.hash(password, cost: bcryptCost)), .text(id)])
        try await database.execute("DELETE FROM sessions WHERE user_id = ?", [.text(id)])
        try await database.execute("DELETE FROM api_tokens WHERE user_id = ?", [.text(id)])
    }

    // MARK: - Helpers

    private var dummyHash: String { Self.dummyHashes.hash(cost: bcryptCost) }
    private static let dummyHashes = DummyHashes()

    private func findRow(username: String) async throws(HubError) -> DatabaseRow? {
        try await database.query(
            "SELECT id, username, password_hash, role, agency, centre FROM users WHERE username = ?", [.text(username)]
        ).first
    }

    static func user(from row: DatabaseRow) -> User? {
        guard let id = row.gwString("id"), let name = row.gwString("username"),
              let role = row.gwString("role").flatMap(UserRole.init(rawValue:)) else { return nil }
        return User(id: id, username: name, role: role, agency: row.gwString("agency"), centre: row.gwString("centre"))
    }

    static func validateUsername(_ u: String) throws(HubError) {
        guard (3...64).contains(u.count) else {
            throw HubError(.validation, "A username has 3–64 characters.", field: "username")
        }
        guard u.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0) }) else {
            throw HubError(.validation, "A username may contain a–z, 0–9, '.', '_' and '-'.", field: "username")
        }
    }

    static func validatePassword(_ p: String) throws(HubError) {
        guard p.count >= minPasswordLength else {
            throw HubError(.validation, "A password needs at least \(minPasswordLength) characters.", field: "password")
        }
        guard p.utf8.count <= maxPasswordBytes else {
            throw HubError(.validation, "A password may be at most \(maxPasswordBytes) bytes.", field: "password")
        }
    }

    static func isIdentifier(_ s: String) -> Bool {
        (1...64).contains(s.count) && s.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._-:".unicodeScalars.contains($0)
        }
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}

/// One bcrypt hash per cost, made once, for timing-equal failed logins.
final class DummyHashes: Sendable {
    private let cache = Mutex<[UInt8: String]>([:])
    func hash(cost: UInt8) -> String {
        cache.withLock { cache in
            if let h = cache[cost] { return h }
            let h = Bcrypt.hash(Secrets.randomToken(bytes: 16), cost: cost)
            cache[cost] = h
            return h
        }
    }
}

extension DatabaseRow {
    /// The column as text (nil when NULL or absent). Local helper so the gateway
    /// does not depend on how other code reads rows.
    func gwString(_ column: String) -> String? {
        guard let i = columns.firstIndex(of: column) else { return nil }
        switch values[i] {
        case .text(let s): return s
        case .integer(let n): return String(n)
        case .blob(let b): return String(decoding: b, as: UTF8.self)
        default: return nil
        }
    }

    func gwInt(_ column: String) -> Int64? {
        guard let i = columns.firstIndex(of: column) else { return nil }
        switch values[i] {
        case .integer(let n): return n
        case .real(let d): return Int64(d)
        case .text(let s): return Int64(s)
        default: return nil
        }
    }
}
