import CoreMetrics
import Foundation
import HubProtocol
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The gateway's request context: language, and the session or API user once known.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    var language: Language = .sv
    var session: SessionInfo?
    var apiUser: User?
    /// The peer's address: the public registration form is rate-limited by it.
    var remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Bodies larger than this get 413.
    public var maxUploadSize: Int { 64 * 1024 }
}

extension Request {
    var isAPI: Bool { uri.path.hasPrefix("/api/") }
}

/// Security headers on every response, whatever happened inside.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    static let csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = ErrorMapping.jsonResponse(error)
        }
        response.headers[.contentSecurityPolicy] = Self.csp
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}

/// Request counter and latency per route pattern, method and status. Labels never
/// hold a concrete URL, ids or query strings.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var status = "500"
        defer {
            let route = context.endpointPath ?? "unmatched"
            let method = request.method.rawValue
            Counter(label: "hub_gateway_http_requests_total",
                    dimensions: [("route", route), ("method", method), ("status", status)]).increment()
            let elapsed = ContinuousClock.now - start
            let nanos = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
            Timer(label: "hub_gateway_http_request_duration_seconds",
                  dimensions: [("route", route), ("method", method)]).recordNanoseconds(nanos)
        }
        let response = try await next(request, context)
        status = String(response.status.code)
        return response
    }
}

/// Turns every error into a response: the JSON error shape for the API and other
/// machine routes, a friendly page (or a redirect to /login) for HTML routes.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let pages: PageRenderer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let status = ErrorMapping.httpStatus(for: error)
            let code = ErrorMapping.publicError(error).code.rawValue
            if status.code >= 500 {
                // Only the code and the error's type: never messages that could carry data.
                context.logger.log(level: status == .internalServerError ? .error : .warning, "request failed", metadata: [
                    "hub.route": .string(context.endpointPath ?? "unmatched"),
                    "hub.error.code": .string(code),
                    "hub.error.type": .string(String(describing: type(of: error))),
                ])
            }
            let path = request.uri.path
            if request.isAPI || path == "/healthz" || path == "/metrics" || path == "/openapi.yaml" {
                return ErrorMapping.jsonResponse(error)
            }
            if status == .unauthorized { return Redirect.to("/login") }
            return pages.errorPage(status: status, language: context.language, session: context.session)
        }
    }
}

/// Picks the page language: `?lang=` (then remembered in a cookie), else the cookie, else Swedish.
struct LanguageMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let secureCookies: Bool
    static let cookieName = "hub_lang"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let fromQuery = request.uri.queryParameters.get("lang").flatMap(Language.init(rawValue:))
        if let fromQuery {
            context.language = fromQuery
        } else if let cookie = request.cookies[Self.cookieName]?.value, let lang = Language(rawValue: cookie) {
            context.language = lang
        }
        var response = try await next(request, context)
        if let fromQuery, !request.isAPI {
            response.setCookie(Cookie(name: Self.cookieName, value: fromQuery.rawValue, maxAge: 365 * 24 * 3600,
                                      path: "/", secure: secureCookies, httpOnly: true, sameSite: .strict))
        }
        return response
    }
}

/// Requires a browser session on HTML routes (else a redirect to /login), and a
/// matching CSRF token on every state-changing request.
struct SessionMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let credentials: CredentialStore
    static let cookieName = "hub_session"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        guard let token = request.cookies[Self.cookieName]?.value,
              let session = try await credentials.session(token: token) else {
            return Redirect.to("/login")
        }
        context.session = session
        var request = request
        if ![.get, .head, .options].contains(request.method) {
            let supplied = try await Forms.csrfToken(in: &request, context: context)
            guard let supplied, Secrets.constantTimeEquals(supplied, session.csrfToken) else {
                throw HubError(.forbidden, "Missing or wrong CSRF token.")
            }
        }
        let forwarded = request, ctx = context
        return try await RequestUser.$current.withValue(session.user) { try await next(forwarded, ctx) }
    }
}

/// Requires `Authorization: Bearer <token>` on API routes. Cookies are ignored there,
/// so the API needs no CSRF protection.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let credentials: CredentialStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        guard let header = request.headers[.authorization], header.count > 7,
              header.prefix(7).lowercased() == "bearer " else {
            throw HubError(.unauthenticated, "A bearer token is required.")
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard let user = try await credentials.user(apiToken: token) else {
            throw HubError(.unauthenticated, "The bearer token is not valid or has expired.")
        }
        context.apiUser = user
        let ctx = context
        return try await RequestUser.$current.withValue(user) { try await next(request, ctx) }
    }
}

/// The signed-in user whose request is being handled (browser session or API token), set
/// by the session and bearer middleware for everything the handler does, so that each bus
/// request names them as `actor` and the service that owns the data decides. Nil on public
/// pages: the services then see a visitor.
enum RequestUser {
    @TaskLocal static var current: User?
}

enum Redirect {
    static func to(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}

/// `application/x-www-form-urlencoded` bodies.
enum Forms {
    static func parse(_ body: String) -> [String: String] {
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
    static func read(_ request: inout Request, context: GatewayRequestContext) async throws -> [String: String] {
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        return parse(String(buffer: buffer))
    }

    /// The CSRF token from the `X-CSRF-Token` header or the form field `csrf`.
    static func csrfToken(in request: inout Request, context: GatewayRequestContext) async throws -> String? {
        if let h = request.headers[HTTPField.Name("X-CSRF-Token")!] { return h }
        let contentType = request.headers[.contentType] ?? ""
        guard contentType.hasPrefix("application/x-www-form-urlencoded") else { return nil }
        return try await read(&request, context: context)["csrf"]
    }
}
