import HubWeb
import Foundation
import HubProtocol
import HubStorage
import Synchronization

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
        // The login before this one is the session's "last visit"; this login becomes the next one's.
        let previous = try await database.query("SELECT last_login_at FROM users WHERE id = ?", [.text(user.id)]).first?.gwInt("last_login_at")
        try await database.execute(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at, created_at, previous_login_at) VALUES (?, ?, ?, ?, ?, ?)",
            [.text(hash), .text(user.id), .text(csrf), .integer(now + sessionSeconds), .integer(now), previous.map { .integer($0) } ?? .null]
        )
        try await database.execute("UPDATE users SET last_login_at = ? WHERE id = ?", [.integer(now), .text(user.id)])
        // Opportunistic clean-up of expired rows; cheap with the index.
        try await database.execute("DELETE FROM sessions WHERE expires_at <= ?", [.integer(now)])
        return (token, SessionInfo(tokenHash: hash, user: user, csrfToken: csrf, previousVisit: previous.map(Self.date)))
    }

    func session(token: String) async throws(HubError) -> SessionInfo? {
        guard token.utf8.count <= 128 else { return nil }
        let hash = Secrets.sha256Hex(token)
        let rows = try await database.query("""
            SELECT s.csrf_token, s.previous_login_at, u.id, u.username, u.role, u.agency, u.centre
            FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.token_hash = ? AND s.expires_at > ?
            """, [.text(hash), .integer(UserStore.now())])
        guard let row = rows.first, let user = UserStore.user(from: row), let csrf = row.gwString("csrf_token") else { return nil }
        return SessionInfo(tokenHash: hash, user: user, csrfToken: csrf, previousVisit: row.gwInt("previous_login_at").map(Self.date))
    }

    static func date(_ unixSeconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(unixSeconds)) }

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

/// Slows down password guessing without letting anyone lock another person out.
///
/// Failures are counted per client address (all usernames together) and per address and
/// username. Once a key has more than its limit of failures (5 for one username, 10 for
/// one address), each further attempt must wait a growing delay after the last failure —
/// 1 s, 2 s, 4 s … up to `maxDelay` — and is refused until then with `Retry-After`. A key forgets
/// its failures `window` after the last one, and a successful login clears that address's
/// and that pair's failures. Nothing is counted per username alone: an attacker elsewhere
/// cannot stop the rightful user, who at worst waits out one delay. Applies to every
/// username alike, so it reveals nothing about which exist.
final class LoginThrottle: Sendable {
    private struct Entry { var failures: Int; var last: ContinuousClock.Instant }
    private let state = Mutex<[String: Entry]>([:])
    let perUsername: Int
    let perAddress: Int
    let window: Duration
    let maxDelay: Duration
    private let maxKeys = 10_000

    init(perUsername: Int = 5, perAddress: Int = 10, window: Duration = .seconds(15 * 60), maxDelay: Duration = .seconds(60)) {
        self.perUsername = perUsername; self.perAddress = perAddress; self.window = window; self.maxDelay = maxDelay
    }

    private func keys(_ username: String, _ address: String) -> [(String, Int)] {
        [("a\u{0}" + address, perAddress), ("u\u{0}" + address + "\u{0}" + username.lowercased(), perUsername)]
    }

    /// The delay a key with `failures` failures imposes after its last one: none up to
    /// `limit`, then 1 s, 2 s, 4 s … up to `maxDelay`.
    func delay(after failures: Int, limit: Int) -> Duration {
        guard failures > limit else { return .zero }
        let exponent = min(failures - limit - 1, 16)
        return min(.seconds(1 << exponent), maxDelay)
    }

    /// How long `address` must wait before trying `username` again; nil when it may try now.
    func retryAfter(username: String, address: String, now: ContinuousClock.Instant = .now) -> Duration? {
        state.withLock { s in
            var wait: Duration = .zero
            for (key, limit) in keys(username, address) {
                guard let e = s[key] else { continue }
                if now - e.last > window { s[key] = nil; continue }
                let until = e.last + delay(after: e.failures, limit: limit)
                if until > now { wait = max(wait, until - now) }
            }
            return wait > .zero ? wait : nil
        }
    }

    func recordFailure(_ username: String, address: String, now: ContinuousClock.Instant = .now) {
        state.withLock { s in
            if s.count >= maxKeys {
                s = s.filter { now - $0.value.last <= window }
                if s.count >= maxKeys { s.removeAll() }
            }
            for (key, _) in keys(username, address) {
                var e = s[key] ?? Entry(failures: 0, last: now)
                if now - e.last > window { e.failures = 0 }
                e.failures += 1
                e.last = now
                s[key] = e
            }
        }
    }

    func recordSuccess(_ username: String, address: String) {
        state.withLock { s in for (key, _) in keys(username, address) { s[key] = nil } }
    }
}
