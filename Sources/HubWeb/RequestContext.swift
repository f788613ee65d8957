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

package enum Redirect {
    package static func to(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
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
