import Foundation

/// A logged-in browser session: the user and the session's CSRF token.
package struct SessionInfo: Sendable {
    package var tokenHash: String
    package var user: User
    package var csrfToken: String

    package init(tokenHash: String, user: User, csrfToken: String) {
        self.tokenHash = tokenHash; self.user = user; self.csrfToken = csrfToken
    }
}
