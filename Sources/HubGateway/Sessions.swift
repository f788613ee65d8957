import Foundation
import HubProtocol
import HubStorage
import Synchronization

/// A logged-in browser session: the user and the session's CSRF token.
struct SessionInfo: Sendable {
    var tokenHash: String
    var user: User
    var csrfToken: String
}

/// Browser sessions and API bearer tokens. The database holds only SHA-256 hashes of
/// the tokens; the tokens themselves exist only in the cookie or the API client.
struct CredentialStore: Sendable {
    let database: any HubDatabase
    let sessionSeconds: Int64
    static let apiTokenSeconds: Int64 = 30 * 24 * 3600

    /// Creates a session; returns the cookie token (32 random bytes) and the session.
    func createSession(for user: User) async throws(HubError) -> (token: String, session: SessionInfo) {
        let token = Secrets.randomToken(bytes: 32)
        let csrf = Secrets.randomToken(bytes: 32)
        let hash = Secrets.sha256Hex(token)
        let now = UserStore.now()
        try await database.execute(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at, created_at) VALUES (?, ?, ?, ?, ?)",
            [.text(hash), .text(user.id), .text(csrf), .integer(now + sessionSeconds), .integer(now)]
        )
        // Opportunistic clean-up of expired rows; cheap with the index.
        try await database.execute("DELETE FROM sessions WHERE expires_at <= ?", [.integer(now)])
        return (token, SessionInfo(tokenHash: hash, user: user, csrfToken: csrf))
    }

    func session(token: String) async throws(HubError) -> SessionInfo? {
        guard token.utf8.count <= 128 else { return nil }
        let hash = Secrets.sha256Hex(token)
        let rows = try await database.query("""
            SELECT s.csrf_token, u.id, u.username, u.role, u.agency, u.centre
            FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.token_hash = ? AND s.expires_at > ?
            """, [.text(hash), .integer(UserStore.now())])
        guard let row = rows.first, let user = UserStore.user(from: row), let csrf = row.gwString("csrf_token") else { return nil }
        return SessionInfo(tokenHash: hash, user: user, csrfToken: csrf)
    }

    func deleteSession(tokenHash: String) async throws(HubError) {
        try await database.execute("DELETE FROM sessions WHERE token_hash = ?", [.text(tokenHash)])
    }

    /// Issues an API bearer token; returns it with its expiry (Unix seconds).
    func createAPIToken(for user: User) async throws(HubError) -> (token: String, expiresAt: Int64) {
        let token = "uhb_" + Secrets.randomToken(bytes: 32)
        let now = UserStore.now()
        let expires = now + Self.apiTokenSeconds
        try await database.execute(
            "INSERT INTO api_tokens (token_hash, user_id, expires_at, created_at) VALUES (?, ?, ?, ?)",
            [.text(Secrets.sha256Hex(token)), .text(user.id), .integer(expires), .integer(now)]
        )
        try await database.execute("DELETE FROM api_tokens WHERE expires_at <= ?", [.integer(now)])
        return (token, expires)
    }

    func user(apiToken: String) async throws(HubError) -> User? {
        guard apiToken.utf8.count <= 128 else { return nil }
        let rows = try await database.query("""
            SELECT u.id, u.username, u.role, u.agency, u.centre
            FROM api_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_hash = ? AND t.expires_at > ?
            """, [.text(Secrets.sha256Hex(apiToken)), .integer(UserStore.now())])
        return rows.first.flatMap(UserStore.user(from:))
    }
}

/// Slows down guessing: after `limit` failed logins for one username within `window`,
/// further attempts for that username are refused until the window has passed.
/// Applies to every username alike, so it reveals nothing about which exist.
final class LoginThrottle: Sendable {
    private struct Entry { var failures: [ContinuousClock.Instant] }
    private let state = Mutex<[String: Entry]>([:])
    let limit: Int
    let window: Duration
    private let maxKeys = 10_000

    init(limit: Int = 5, window: Duration = .seconds(15 * 60)) {
        self.limit = limit; self.window = window
    }

    func isBlocked(_ username: String) -> Bool {
        let key = username.lowercased(), now = ContinuousClock.now
        return state.withLock { s in
            guard var e = s[key] else { return false }
            e.failures.removeAll { now - $0 > window }
            s[key] = e.failures.isEmpty ? nil : e
            return e.failures.count >= limit
        }
    }

    func recordFailure(_ username: String) {
        let key = username.lowercased(), now = ContinuousClock.now
        state.withLock { s in
            if s.count >= maxKeys {
                s = s.filter { $0.value.failures.contains { now - $0 <= window } }
                if s.count >= maxKeys { s.removeAll() }
            }
            s[key, default: Entry(failures: [])].failures.append(now)
        }
    }

    func recordSuccess(_ username: String) {
        _ = state.withLock { $0.removeValue(forKey: username.lowercased()) }
    }
}
