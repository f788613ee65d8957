import Foundation

/// A logged-in browser session: the user and the session's CSRF token.
package struct SessionInfo: Sendable {
    package var tokenHash: String
    package var user: User
    package var csrfToken: String
    /// When this user logged in before this session (nil on the first login): the start page
    /// marks what changed since then.
    package var previousVisit: Date?

    package init(tokenHash: String, user: User, csrfToken: String, previousVisit: Date? = nil) {
        self.tokenHash = tokenHash; self.user = user; self.csrfToken = csrfToken; self.previousVisit = previousVisit
    }
}
