import HubWeb
import Foundation
import HubCore
import HubProtocol
import ReferralsAPI
import Hummingbird

/// Route handlers. They translate HTTP to bus requests and back; no domain logic.
struct Routes: Sendable {
    let server: GatewayServer
    let pages: PageRenderer
    /// The generated /static/hub.css, from the shared part and every module's.
    let stylesheet: String
    /// The services' web modules, for their start-page panels.
    let modules: [WebModule]
    typealias Context = GatewayRequestContext
    static let loginCSRFCookie = "hub_login_csrf"

    // MARK: Machine routes

    @Sendable func healthz(_ request: Request, context: Context) async throws -> Response {
        let report = await health()
        return json(report.json(includeUptime: false), status: report.brokerUp ? .ok : .serviceUnavailable)
    }

    @Sendable func metrics(_ request: Request, context: Context) async throws -> Response {
        text(HubMetrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }

    /// `/metrics/{component}`: the Prometheus text of the broker or a service, fetched
    /// over the bus (`broker.metrics`, `<service>.metrics`), so every process can be
    /// scraped through the gateway without opening its own HTTP port.
    @Sendable func componentMetrics(_ request: Request, context: Context) async throws -> Response {
        let component = context.parameters.get("component") ?? ""
        guard component == "broker" || server.configuration.services.contains(component) else {
            throw HubError(.notFound, "No such component.", field: "component")
        }
        let result = try await server.bus.request("\(component).metrics", body: .object([:]), timeout: .seconds(3))
        return text(result["text"]?.stringValue ?? "", contentType: "text/plain; version=0.0.4; charset=utf-8")
    }

    @Sendable func openapi(_ request: Request, context: Context) async throws -> Response {
        // The values centres, agencies, municipalities and risk questions take are the configured
        // ones, as the referrals service has them; without an answer the document describes any.
        let options = try? await server.bus.request(ReferralOptions.type, body: ReferralOptions().body(), timeout: .seconds(2))
        let reference = (try? options.map(ReferralOptions.reply)).flatMap { $0 }.map(APIReferenceValues.init(referralOptions:)) ?? APIReferenceValues()
        let document = OpenAPIDocument.yaml(modules: modules, reference: reference)
        return text(document, contentType: "application/yaml; charset=utf-8")
    }

    @Sendable func css(_ request: Request, context: Context) async throws -> Response {
        var r = text(stylesheet, contentType: "text/css; charset=utf-8")
        r.headers[.cacheControl] = "public, max-age=3600"
        return r
    }

    // MARK: JSON API

    @Sendable func createToken(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        let body: JSONValue
        do { body = try JSONValue.parse(Array(buffer: buffer)) } catch let e as HubError { throw e } catch {
            throw HubError(.invalidJSON, "The body is not valid JSON.", field: "body")
        }
        struct Credentials: Decodable { var username: String; var password: String }
        let c = try body.decode(Credentials.self, fieldPrefix: "body")
        guard !c.username.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw HubError(.validation, "The username is empty.", field: "body.username")
        }
        guard !c.password.isEmpty else { throw HubError(.validation, "The password is empty.", field: "body.password") }
        let user: User
        switch await authenticationResult(username: c.username, password: c.password, address: Self.address(context)) {
        case .success(let u): user = u
        case .failure(let e): throw e
        }
        let (token, expires) = try await server.credentials.createAPIToken(for: user)
        return json(.object([
            "token": .string(token), "tokenType": .string("Bearer"),
            "expiresAt": .string(Self.iso8601(expires)), "user": Self.userJSON(user),
        ]), status: .created)
    }

    @Sendable func me(_ request: Request, context: Context) async throws -> Response {
        guard let user = context.apiUser else { throw HubError(.unauthenticated, "A bearer token is required.") }
        return json(Self.userJSON(user))
    }

    @Sendable func apiStatus(_ request: Request, context: Context) async throws -> Response {
        let status = try await server.bus.brokerStatus(timeout: .seconds(2))
        return json(await health(status).json(includeUptime: true))
    }

    @Sendable func apiCentres(_ request: Request, context: Context) async throws -> Response {
        // Passed on as the service wrote it (its contract type, `ListCentres.Reply`).
        json(try await server.bus.request(ListCentres.type, body: ListCentres().body(), timeout: server.busTimeout))
    }

    // MARK: Pages

    @Sendable func loginForm(_ request: Request, context: Context) async throws -> Response {
        if let token = request.cookies[SessionMiddleware.cookieName]?.value,
           try await server.credentials.session(token: token) != nil {
            return Redirect.to("/")
        }
        let csrf = request.cookies[Self.loginCSRFCookie]?.value.nilIfEmpty ?? Secrets.randomToken(bytes: 32)
        return loginPage(context: context, csrf: csrf, data: [:], status: .ok)
    }

    @Sendable func login(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let form = try await Forms.read(&request, context: context)
        // Double-submit cookie: the hidden field must equal the cookie set with the form.
        guard let csrfCookie = request.cookies[Self.loginCSRFCookie]?.value, let field = form["csrf"],
              !csrfCookie.isEmpty, Secrets.constantTimeEquals(csrfCookie, field) else {
            throw HubError(.forbidden, "Missing or wrong CSRF token.", reason: .staleForm)
        }
        let lang = context.language
        let username = (form["username"] ?? "").trimmingCharacters(in: .whitespaces)
        let password = form["password"] ?? ""
        var data: [String: Any] = ["username": username]
        if username.isEmpty { data["usernameError"] = lang.t("err_username_required") }
        if password.isEmpty { data["passwordError"] = lang.t("err_password_required") }
        if username.isEmpty || password.isEmpty {
            data["hasFieldErrors"] = true
            return loginPage(context: context, csrf: csrfCookie, data: data, status: .badRequest)
        }
        let user: User
        switch await authenticationResult(username: username, password: password, address: Self.address(context)) {
        case .success(let u):
            user = u
        case .failure(let later as RetryLater):
            data["formError"] = lang.t("err_rate_limited", ["seconds": String(later.seconds)])
            var page = loginPage(context: context, csrf: csrfCookie, data: data, status: .tooManyRequests)
            page.headers[.retryAfter] = String(later.seconds)
            return page
        case .failure(let e as HubError) where e.code == .unauthenticated:
            data["formError"] = lang.t("err_login_failed")
            return loginPage(context: context, csrf: csrfCookie, data: data, status: .unauthorized)
        case .failure(let e):
            throw e
        }
        // A fresh session on every login (no fixation); end the old one if present.
        if let old = request.cookies[SessionMiddleware.cookieName]?.value,
           let session = try await server.credentials.session(token: old) {
            try await server.credentials.deleteSession(tokenHash: session.tokenHash)
        }
        let (token, _) = try await server.credentials.createSession(for: user)
        var response = Redirect.to("/")
        response.setCookie(cookie(SessionMiddleware.cookieName, token, maxAge: Int(server.credentials.sessionSeconds)))
        response.setCookie(cookie(Self.loginCSRFCookie, "", maxAge: 0))
        return response
    }

    @Sendable func logout(_ request: Request, context: Context) async throws -> Response {
        if let session = context.session {
            try await server.credentials.deleteSession(tokenHash: session.tokenHash)
        }
        var response = Redirect.to("/login")
        response.setCookie(cookie(SessionMiddleware.cookieName, "", maxAge: 0))
        return response
    }

    /// The start page answers "what needs me?": each service's panel for this person's role,
    /// in menu order (a service that does not answer leaves its panel out), and for an
    /// administrator the hub's health in one line with a link to the status page.
    @Sendable func start(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.session else { return Redirect.to("/login") }
        let lang = context.language
        let environment = WebEnvironment(bus: server.bus, configuration: server.configuration, pages: pages)
        let panels = await withTaskGroup(of: (Int, String?).self) { group in
            for (index, module) in modules.enumerated() {
                guard let panel = module.startPanel else { continue }
                group.addTask { (index, await panel(environment, session, lang)) }
            }
            var drawn: [(Int, String)] = []
            for await (index, html) in group { if let html { drawn.append((index, html)) } }
            return drawn.sorted { $0.0 < $1.0 }.map(\.1)
        }
        var data: [String: Any] = [
            "greeting": lang.t("greeting", ["user": session.user.username, "role": lang.t("role_" + session.user.role.rawValue)]),
            "panels": panels.joined(separator: "\n"), "hasPanels": !panels.isEmpty,
        ]
        if session.user.role == .admin {
            let report = await health()
            let down = (report.brokerUp ? 0 : 1) + report.services.filter { $0.status != "up" || $0.storageTrouble }.count
                + report.adapters.filter { $0.status != "up" }.count
            data["health"] = down == 0 ? lang.t("health_all_up") : lang.t("health_some_down", ["n": String(down)])
            data["healthTrouble"] = down > 0
        }
        return pages.render("start", title: lang.t("start_title"), language: lang, session: session, data: data)
    }

    /// The hub's status for administrators: broker, services and adapters, up or down, with
    /// their workers and storage, and the configured centres.
    @Sendable func statusPage(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.session else { return Redirect.to("/login") }
        guard session.user.role == .admin else { throw HubError(.forbidden, "Only administrators see the hub's status.") }
        let lang = context.language
        async let reportTask = health()
        async let centresTask: Result<[String], HubError> = {
            do { return .success(try await centreNames()) } catch { return .failure(ErrorMapping.publicError(error)) }
        }()
        let report = await reportTask
        let centresResult = await centresTask

        func row(_ name: String, kind: String, up: Bool, workers: Int?, storage: HealthReport.Component? = nil) -> [String: Any] {
            let storageTrouble = storage?.storageTrouble ?? false
            let status = up && storageTrouble ? lang.t("status_storage_" + (storage?.storage ?? "")) : lang.t(up ? "status_up" : "status_down")
            return ["name": Self.componentName(name, lang), "kind": lang.t(kind), "state": up && !storageTrouble ? "up" : "down",
                    "status": status, "workers": workers.map(String.init) ?? "–"]
        }
        var rows: [[String: Any]] = report.brokers.isEmpty
            ? [row("broker", kind: "kind_broker", up: report.brokerUp, workers: nil)]
            : report.brokers.enumerated().map { index, broker in
                var r = row("broker", kind: "kind_broker", up: broker.status == "up", workers: nil)
                r["name"] = lang.t("component_broker_numbered", ["n": String(index + 1)])
                return r
            }
        rows += report.services.map { row($0.name, kind: "kind_service", up: $0.status == "up", workers: $0.workers, storage: $0) }
        rows += report.adapters.map { row("adapter-" + $0.name, kind: "kind_adapter", up: $0.status == "up", workers: nil) }

        var data: [String: Any] = ["busRows": rows, "busDown": !report.brokerUp]
        switch centresResult {
        case .success(let names):
            data["centres"] = names.map { ["name": $0] }
            data["hasCentres"] = !names.isEmpty
            data["noCentres"] = names.isEmpty
        case .failure(let error):
            context.logger.warning("centres list unavailable", metadata: ["hub.error.code": .string(error.code.rawValue)])
            data["centresError"] = true
        }
        return pages.render("status", title: lang.t("status_title"), language: lang, session: session, data: data)
    }

    /// A part of the hub by its name for people: "Hänvisningar", "Adapter: Polisen".
    static func componentName(_ name: String, _ lang: Language) -> String {
        if name.hasPrefix("adapter-") { return lang.t("component_adapter", ["agency": lang.name("component_agency_", String(name.dropFirst(8)))]) }
        return lang.name("component_", name)
    }

    // MARK: Helpers

    /// The user when the password is right; `unauthenticated` otherwise, and `RetryLater`
    /// (`rate_limited`, with Retry-After) while this address must wait after failures
    /// (`LoginThrottle`). Same answer whether or not the username exists.
    func authenticate(username: String, password: String, address: String) async throws -> User {
        let key = username.trimmingCharacters(in: .whitespaces).lowercased()
        if let wait = server.throttle.retryAfter(username: key, address: address) {
            let seconds = max(1, Int(wait.components.seconds) + (wait.components.attoseconds > 0 ? 1 : 0))
            throw RetryLater(seconds: seconds, error: HubError(.rateLimited, "Too many failed logins; try again in \(seconds) s."))
        }
        guard let user = try await server.users.verify(username: key, password: password) else {
            server.throttle.recordFailure(key, address: address)
            throw HubError(.unauthenticated, "Wrong username or password.")
        }
        server.throttle.recordSuccess(key, address: address)
        return user
    }

    func authenticationResult(username: String, password: String, address: String) async -> Result<User, any Error> {
        do { return .success(try await authenticate(username: username, password: password, address: address)) } catch { return .failure(error) }
    }

    /// The client's address (the peer of the TCP connection; the gateway is not behind a proxy
    /// that it trusts, so `X-Forwarded-For` is not read).
    static func address(_ context: Context) -> String { context.remoteAddress?.ipAddress ?? "unknown" }

    /// The broker's view, then each live service's storage state, asked in parallel
    /// (a service that does not answer within 2 s is "unknown", not "failing").
    func health() async -> HealthReport {
        await health(try? await server.bus.brokerStatus(timeout: .seconds(2)))
    }

    func health(_ status: BrokerStatus?) async -> HealthReport {
        let live = (status?.services ?? []).filter { $0.workers > 0 && server.configuration.services.contains($0.name) }.map(\.name)
        let bus = server.bus
        let storage = await withTaskGroup(of: (String, String?).self) { group in
            for name in live {
                group.addTask {
                    let reply = try? await bus.request("\(name).health", body: .object([:]), timeout: .seconds(2))
                    return (name, reply?["storage"]?.stringValue)
                }
            }
            var states: [String: String] = [:]
            for await (name, state) in group {
                if let state, HealthReport.Component.storageStates.contains(state) { states[name] = state }
            }
            return states
        }
        return HealthReport(configuration: server.configuration, brokerStatus: status, storage: storage, links: bus.brokerLinks)
    }

    /// The configured centres' names, as the referrals service lists them (`ListCentres`).
    func centreNames() async throws(HubError) -> [String] {
        let reply = try await server.bus.request(ListCentres.type, body: ListCentres().body(), timeout: server.busTimeout)
        return try ListCentres.reply(reply).centres.map(\.name)
    }

    func loginPage(context: Context, csrf: String, data: [String: Any], status: HTTPResponse.Status) -> Response {
        var data = data
        data["csrf"] = csrf
        let lang = context.language
        var response = pages.render("login", title: lang.t("login_title"), language: lang, session: nil, data: data, status: status)
        response.setCookie(cookie(Self.loginCSRFCookie, csrf, maxAge: 3600))
        return response
    }

    func cookie(_ name: String, _ value: String, maxAge: Int) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/",
               secure: server.configuration.gateway.cookiesAreSecure, httpOnly: true, sameSite: .strict)
    }

    func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(bytes: value.serialized())))
    }

    func text(_ s: String, contentType: String) -> Response {
        Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: s)))
    }

    static func userJSON(_ u: User) -> JSONValue {
        .object([
            "id": .string(u.id), "username": .string(u.username), "role": .string(u.role.rawValue),
            "agency": u.agency.map { .string($0) } ?? .null, "centre": u.centre.map { .string($0) } ?? .null,
        ])
    }

    static func iso8601(_ seconds: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}

extension APIReferenceValues {
    /// The values the configured centres, agencies, municipalities and risk questions take,
    /// as the referrals service describes them (`ReferralOptions`), for the OpenAPI document.
    init(referralOptions options: ReferralOptions.Reply) {
        self.init()
        centres = options.centres.map(\.id)
        agencies = options.agencies.map(\.id)
        municipalities = Array(Set(options.centres.flatMap(\.municipalities))).sorted()
        served = options.centres.map { (centre: $0.id, municipalities: $0.municipalities) }
        riskQuestions = options.riskQuestions.map { Question(id: $0.id, required: $0.required) }
        riskAnswers = options.riskAnswers
    }
}
