import Foundation
import HTTPTypes
import HubProtocol
import Hummingbird
import NIOCore

/// The gateway's request context: language, and the session or API user once known.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    package var language: Language = .sv
    package var session: SessionInfo?
    package var apiUser: User?
    /// The peer's address: the public registration form is rate-limited by it.
    package var remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Bodies larger than this get 413.
    public var maxUploadSize: Int { 64 * 1024 }
}

package extension Request {
    package var isAPI: Bool { uri.path.hasPrefix("/api/") }
}

/// The signed-in user whose request is being handled (browser session or API token), set
/// by the session and bearer middleware for everything the handler does, so that each bus
/// request names them as `actor` and the service that owns the data decides. Nil on public
/// pages: the services then see a visitor.
package enum RequestUser {
    @TaskLocal package static var current: User?
}

/// "A message after every action" (issue 14): an action's handler redirects with
/// `?klart=<step>`, and the page it lands on says what was done, from the string
/// `done_<step>` in the reader's language. The address carries only the code, never text;
/// a code without such a string shows nothing. The session middleware sets it for each page
/// request, and `PageRenderer` draws it above the page.
package enum PageNotice {
    @TaskLocal package static var step: String?

    /// The message for the current request's `?klart=` step, if the strings have one.
    package static func text(_ lang: Language) -> String? {
        guard let step, step.utf8.count <= 40, step.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "_" || $0 == "-") }) else { return nil }
        return lang.strings["done_" + step]
    }

    /// The address of `path` with `?klart=<step>` (or `&klart=` when it has a query already).
    package static func after(_ step: String, at path: String) -> String {
        path + (path.contains("?") ? "&" : "?") + "klart=" + step
    }
}

package enum Redirect {
    package static func to(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// 301 to the address a page has moved to. Page addresses are Swedish (issue 14: one
    /// language); the English ones they had before stay as permanent redirects, because
    /// invitations already mailed and people's bookmarks carry them.
    package static func moved(_ location: String) -> Response {
        Response(status: .movedPermanently, headers: [.location: location])
    }
}

extension Router where Context == GatewayRequestContext {
    /// Answers GET on an old page address (`/register/:dayId`) with a permanent redirect to its
    /// new one (`/anmalan/:dayId`), the path parameters and the query string carried over.
    package func moved(_ old: String, to new: String) {
        get(RouterPath(old)) { request, context -> Response in
            var target = new
            for (name, value) in context.parameters {
                let safe = (String(value).removingPercentEncoding ?? "").addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
                target = target.replacingOccurrences(of: ":" + String(name), with: safe)
            }
            if let query = request.uri.query, !query.isEmpty { target += "?" + query }
            return Redirect.moved(target)
        }
    }
}

/// `application/x-www-form-urlencoded` bodies.
package enum Forms {
    package static func parse(_ body: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            let key = decode(parts[0])
            if out[key] == nil { out[key] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return out
    }

    /// Reads the whole body (kept in the request for the handler) as a form.
    package static func read(_ request: inout Request, context: GatewayRequestContext) async throws -> [String: String] {
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        return parse(String(buffer: buffer))
    }

    /// The CSRF token from the `X-CSRF-Token` header or the form field `csrf`.
    package static func csrfToken(in request: inout Request, context: GatewayRequestContext) async throws -> String? {
        if let h = request.headers[HTTPField.Name("X-CSRF-Token")!] { return h }
        let contentType = request.headers[.contentType] ?? ""
        guard contentType.hasPrefix("application/x-www-form-urlencoded") else { return nil }
        return try await read(&request, context: context)["csrf"]
    }
}
