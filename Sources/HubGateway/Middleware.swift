import HubWeb
import CoreMetrics
import Foundation
import HubProtocol
import HTTPTypes
import HubCore
import Hummingbird
import Logging
import NIOCore

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
        // Nothing leaves the hub in a Referer (personal links carry tokens); within the hub the
        // browser still names the page's origin, which the origin check needs ("no-referrer"
        // would make it send `Origin: null`).
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
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
    /// To draw the menu on an error page: the session is found again from its cookie
    /// (the route's own context, which held it, is gone once the error reached here).
    let credentials: CredentialStore

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
            if request.isAPI || path == "/healthz" || path == "/metrics" || path.hasPrefix("/metrics/") || path == "/openapi.yaml" {
                return ErrorMapping.jsonResponse(error)
            }
            if status == .unauthorized { return Redirect.to("/login") }
            var session = context.session
            if session == nil, let token = request.cookies[SessionMiddleware.cookieName]?.value {
                session = try? await credentials.session(token: token)
            }
            let staleForm = (error as? HubError)?.reason == .staleForm
            return pages.errorPage(status: status, language: context.language, session: session, staleForm: staleForm)
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
                throw HubError(.forbidden, "Missing or wrong CSRF token.", reason: .staleForm)
            }
        }
        let forwarded = request, ctx = context
        let step: String? = request.method == .get ? request.uri.queryParameters.get("klart").map { String($0) } : nil
        return try await PageNotice.$step.withValue(step) {
            try await RequestUser.$current.withValue(session.user) { try await next(forwarded, ctx) }
        }
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

/// `/metrics` is for administrators: an admin's bearer token (for a scraper) or an admin's
/// browser session. Metrics name no people, but they show how the hub is used.
struct AdminOnlyMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let credentials: CredentialStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var user: User?
        if let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer " {
            user = try await credentials.user(apiToken: String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        } else if let token = request.cookies[SessionMiddleware.cookieName]?.value {
            user = try await credentials.session(token: token)?.user
        }
        guard let user else { throw HubError(.unauthenticated, "An administrator's bearer token is required.") }
        guard user.role == .admin else { throw HubError(.forbidden, "Only administrators see the metrics.") }
        return try await next(request, context)
    }
}

/// The API takes JSON only: a body with another media type (`text/plain`, a form) gets
/// 415 before any handler reads it, so nothing is guessed about what the client meant.
/// The one exception is a route that takes a CSV file as it is (`csvRoutes`, `text/csv` only).
struct JSONOnlyMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    static let csvRoutes: Set<String> = ["/api/v1/statistics/import"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.csvRoutes.contains(request.uri.path) {
            if request.method == .post, Self.hasBody(request),
               request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() != "text/csv" {
                throw HubError(.unsupportedMediaType, "The body must be CSV, sent as Content-Type: text/csv.", field: "Content-Type")
            }
            return try await next(request, context)
        }
        if ![.get, .head, .options].contains(request.method), Self.hasBody(request), !Self.isJSON(request.headers[.contentType]) {
            throw HubError(.unsupportedMediaType, "The body must be JSON, sent as Content-Type: application/json.", field: "Content-Type")
        }
        return try await next(request, context)
    }

    static func hasBody(_ request: Request) -> Bool {
        if request.headers[.transferEncoding] != nil { return true }
        return Int(request.headers[.contentLength] ?? "0").map { $0 > 0 } ?? true
    }

    /// `application/json` or `application/<something>+json`, parameters (charset) allowed.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let type = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return type == "application/json" || (type.hasPrefix("application/") && type.hasSuffix("+json"))
    }
}

/// State-changing requests must come from the hub's own pages: when the browser says where
/// a request comes from (`Origin`, else `Referer`), that origin must be the hub's public
/// address. Requests that name no origin (API clients, adapters' tools) pass; the CSRF
/// token and SameSite cookies still guard the pages.
struct OriginCheckMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let allowed: Set<String>

    /// The origins of `publicBaseURL`; when no public URL is configured, also the loopback
    /// names of the development address.
    init(configuration: HubConfiguration.Gateway) {
        var origins: Set<String> = []
        if let o = Self.origin(of: configuration.publicBaseURL) { origins.insert(o) }
        if configuration.publicURL == nil || configuration.publicURL?.isEmpty == true {
            for host in ["127.0.0.1", "localhost", "[::1]"] { origins.insert("http://\(host):\(configuration.port)") }
        }
        allowed = origins
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if ![.get, .head, .options].contains(request.method) {
            var claimed = request.headers[.origin] ?? request.headers[.referer].flatMap(Self.origin(of:))
            // A browser that hides the origin (`null`) but says the request is from the same
            // origin (Fetch metadata) is believed; a cross-site one is refused either way.
            if claimed == "null", request.headers[HTTPField.Name("Sec-Fetch-Site")!] == "same-origin" { claimed = nil }
            if request.headers[HTTPField.Name("Sec-Fetch-Site")!] == "cross-site" { claimed = claimed ?? "cross-site" }
            if let claimed, !allowed.contains(claimed.lowercased()) {
                // The origin is a site's address, never personal data: worth an operator's eye.
                context.logger.notice("refused a request from another origin", metadata: ["hub.origin": .string(String(claimed.prefix(100)))])
                throw HubError(.forbidden, "The request comes from another site.", field: request.headers[.origin] != nil ? "Origin" : "Referer")
            }
        }
        return try await next(request, context)
    }

    /// `scheme://host[:port]` of an absolute URL, lower-cased, with the default port left out.
    static func origin(of url: String) -> String? {
        guard let u = URLComponents(string: url), let scheme = u.scheme?.lowercased(), let host = u.host?.lowercased(), !host.isEmpty else { return nil }
        let h = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        if let port = u.port, !(scheme == "http" && port == 80), !(scheme == "https" && port == 443) { return "\(scheme)://\(h):\(port)" }
        return "\(scheme)://\(h)"
    }
}

/// A method a documented API path does not take is answered 405 with `Allow` (RFC 9110
/// §15.5.6), not 404: the path exists. The paths and methods are the OpenAPI document's,
/// which a test keeps equal to the routes.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let operations: [APIOperation]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/api/v1/") else { return try await next(request, context) }
        // The most specific path first: /referrals/search is not /referrals/{id}.
        let candidates = operations.filter { $0.matches(path) }
        let fewest = candidates.map(\.pathParameters.count).min() ?? 0
        let matching = candidates.filter { $0.pathParameters.count == fewest }
        let method = request.method.rawValue.lowercased()
        guard !matching.isEmpty, !matching.contains(where: { $0.method == method }) else { return try await next(request, context) }
        var response = ErrorMapping.jsonResponse(HubError(HubError.Code("method_not_allowed"), "This path does not take \(request.method.rawValue)."))
        response.status = .methodNotAllowed
        var allowed: [String] = []
        for op in matching where !allowed.contains(op.method.uppercased()) { allowed.append(op.method.uppercased()) }
        response.headers[.allow] = allowed.joined(separator: ", ")
        return response
    }
}

/// In a query (`application/x-www-form-urlencoded`) a '+' stands for a space, as browsers and
/// HTTP clients send it; Hummingbird's query parameters keep it as '+'. The API's query is
/// rewritten with `%20` before any route reads it, so `?q=two+words` is two words.
struct FormQueryMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let path = request.head.path, let mark = path.firstIndex(of: "?"), path[mark...].contains("+") else {
            return try await next(request, context)
        }
        var head = request.head
        head.path = String(path[..<mark]) + path[mark...].replacingOccurrences(of: "+", with: "%20")
        return try await next(Request(head: head, body: request.body), context)
    }
}
