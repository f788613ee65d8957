import Foundation
import HubCore
import HubProtocol
import HubStorage
import HubWeb
import Hummingbird
import MeetingsWeb
import NetworksWeb
import ReferralsWeb
import TrainingWeb
import Logging

/// The HTTP face of the hub: HTML pages, the JSON API under /api/v1, /healthz,
/// /metrics and /openapi.yaml. It owns users, sessions and API tokens; everything
/// else it asks of the services over the bus.
public struct GatewayServer: Sendable {
    let configuration: HubConfiguration
    let bus: any BusRequester
    let database: any HubDatabase
    let logger: Logger
    let users: UserStore
    let credentials: CredentialStore
    let throttle: LoginThrottle
    let connections = ConnectionCounter()
    let onServerRunning: @Sendable (Int) async -> Void

    /// - Parameters:
    ///   - bcryptCost: bcrypt rounds for new password hashes; 10 unless in tests.
    ///   - onServerRunning: called with the bound port once the server listens (useful with port 0).
    public init(
        configuration: HubConfiguration,
        bus: any BusRequester,
        database: any HubDatabase,
        logger: Logger,
        bcryptCost: UInt8 = 10,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.bus = bus
        self.database = database
        self.logger = logger
        self.users = UserStore(database: database, bcryptCost: bcryptCost)
        self.credentials = CredentialStore(database: database, sessionSeconds: Int64(configuration.gateway.sessionMinutes) * 60)
        self.throttle = LoginThrottle()
        self.onServerRunning = onServerRunning
    }

    /// Runs the server until SIGTERM or SIGINT (or the surrounding task is cancelled), then
    /// shuts down gracefully: no new connections, in-flight requests are answered first.
    public func run() async throws {
        let app = try await buildApplication()
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    /// The Hummingbird application (for `app.test(.router)` in tests, or to run yourself).
    public func buildApplication() async throws -> some ApplicationProtocol {
        let router = try await buildRouter()
        let hook = onServerRunning
        let logger = logger
        let g = configuration.gateway
        let limits = ConnectionLimits(headerTimeout: .seconds(g.headerTimeoutSeconds), bodyTimeout: .seconds(g.bodyTimeoutSeconds),
                                      maxConnectionsPerAddress: g.maxConnectionsPerAddress)
        let counter = connections
        return Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [ConnectionGuard(limits: limits, counter: counter)])),
            configuration: .init(address: .hostname(configuration.gateway.host, port: configuration.gateway.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("gateway listening", metadata: ["hub.port": .stringConvertible(port)])
                await hook(port)
            },
            logger: logger
        )
    }

    /// Migrates the gateway's database and builds the router with every route.
    public func buildRouter() async throws -> Router<GatewayRequestContext> {
        HubMetrics.bootstrap()
        try await database.migrate(UserStore.migrations)
        let modules = Self.modules
        var templates = GatewayTemplates.all
        for module in modules { templates.merge(module.templates) { own, _ in own } }
        let pages = try PageRenderer(templates: templates, menu: modules.flatMap(\.menu) + Self.menu)
        let routes = Routes(server: self, pages: pages,
                            stylesheet: ([SharedTemplates.css] + modules.map(\.css)).joined(separator: "\n"), modules: modules)

        let router = Router(context: GatewayRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: RequestMetricsMiddleware())
        router.add(middleware: ErrorMiddleware(pages: pages, credentials: credentials))
        router.add(middleware: LanguageMiddleware(secureCookies: configuration.gateway.cookiesAreSecure))
        router.add(middleware: OriginCheckMiddleware(configuration: configuration.gateway))
        router.add(middleware: MethodNotAllowedMiddleware(operations: OpenAPIDocument.allOperations(modules: modules)))

        // Machine routes: health and the API description for anyone, metrics for administrators.
        router.get("/healthz", use: routes.healthz)
        let metrics = router.group().add(middleware: AdminOnlyMiddleware(credentials: credentials))
        metrics.get("/metrics", use: routes.metrics)
        metrics.get("/metrics/:component", use: routes.componentMetrics)
        router.get("/openapi.yaml", use: routes.openapi)
        router.get("/static/hub.css", use: routes.css)

        // JSON API: bearer tokens only, JSON bodies only.
        let api = router.group("/api/v1").add(middleware: FormQueryMiddleware()).add(middleware: JSONOnlyMiddleware())
        api.post("/tokens", use: routes.createToken)
        let authed = api.group().add(middleware: BearerAuthMiddleware(credentials: credentials))
        authed.get("/me", use: routes.me)
        authed.get("/status", use: routes.apiStatus)
        authed.get("/centres", use: routes.apiCentres)

        // HTML pages.
        router.get("/login", use: routes.loginForm)
        router.post("/login", use: routes.login)
        let pagesGroup = router.group().add(middleware: SessionMiddleware(credentials: credentials))
        pagesGroup.get("/", use: routes.start)
        pagesGroup.get("/driftstatus", use: routes.statusPage)
        pagesGroup.post("/logout", use: routes.logout)

        // Each service's pages and API, from its own web module (services/<name>/Web).
        let environment = WebEnvironment(bus: bus, configuration: configuration, pages: pages)
        let routers = WebModule.Routers(open: router, api: authed, pages: pagesGroup)
        for module in modules { module.mount(environment, routers) }
        return router
    }

    /// The gateway's own menu entries, after the modules'.
    static let menu = [MenuEntry(path: "/driftstatus", labelKey: "nav_status", roles: [.admin])]

    /// The services' web modules, in menu order. Their strings are installed once, on first use.
    static let modules: [WebModule] = {
        let modules = [ReferralsWeb.module, NetworksWeb.module, TrainingWeb.module, MeetingsWeb.module]
        for module in modules { Strings.install(swedish: module.swedish, english: module.english) }
        return modules
    }()

    var busTimeout: Duration { .milliseconds(configuration.broker.requestTimeoutMs) }
}
