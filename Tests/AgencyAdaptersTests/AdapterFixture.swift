import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
import HubTestSupport
import ReferralsAPI
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import ReferralsAPI
import ReferralsService
import ZeroMQ
@testable import AgencyAdapters

/// The repository's config/ folder (real policy, centres and agencies).
let repoConfig = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path + "/config"
/// The repository's risk-screening questions.
func repoRiskScreening() throws -> RiskScreening {
    try ConfigFile.decode(RiskScreening.self, path: repoConfig + "/" + RiskScreening.file).validated()
}

/// A real broker (see `TestBroker`) with the real config/policy.json on an ephemeral tcp
/// port, a test `referrals` service implementing the referrals contract, and adapters
/// wired to it, each with its own CURVE identity. The broker can be stopped and
/// started again on the same port.
final class AdapterFixture: TestBroker, @unchecked Sendable {
    let reference: ReferenceData
    let risk: RiskScreening
    /// The adapters' data key ring, made for the test.
    let dataKeys = try! DataKeyRing(file: DataKeyRing.generateFile())

    init() throws {
        reference = try ReferenceData.load(configDir: repoConfig)
        risk = try repoRiskScreening()
        try super.init(folder: "adapters", principals: ["gateway", "service:referrals"] + AgencyAdapters.names.map { "adapter:\($0)" },
                       policy: try AuthorizationPolicy.load(path: repoConfig + "/policy.json"), maxReconnectDelay: .milliseconds(300))
    }

    /// A free port for a broker that is not started yet.
    func reservePort() throws {
        try startBroker()
        let sem = DispatchSemaphore(value: 0)
        Task { await self.stopBroker(); sem.signal() }
        sem.wait()
    }

    /// Starts the test referrals service as a worker; returns its database.
    @discardableResult
    func startReferrals(redeliveryDelay: Duration = .seconds(10), sweepInterval: Duration = .seconds(5)) async throws -> any HubDatabase {
        let db = try await database("referrals")
        try await worker(StubReferrals.definition(reference: reference), database: db, configDir: repoConfig,
                         redeliveryDelay: redeliveryDelay, sweepInterval: sweepInterval)
        return db
    }

    /// Starts the real referrals service (services/referrals) as a worker.
    func startRealReferrals() async throws {
        let definition = try ReferralsService.definition(configDir: repoConfig, keys: DataKeyRing(file: DataKeyRing.generateFile()))
        try await worker(definition, database: try await database("referrals-real"), configDir: repoConfig)
    }

    /// Makes an adapter with its own bus identity and database (a fresh SQLite one unless
    /// `database` is given), not yet prepared or running; `settings` tweak the defaults.
    func makeAdapter(_ name: String, database: (any HubDatabase)? = nil, environment: [String: String] = [:], principal: String? = nil,
                     _ configure: (inout AdapterSettings) -> Void = { _ in }) async throws -> any AgencyAdapter {
        let bus = BusClient(endpoint: try busEndpoint(principal ?? "adapter:\(name)"), logger: logger)
        onTearDown { await bus.close() }
        let db: any HubDatabase
        if let database { db = database } else { db = try await self.database("adapter-\(name)") }
        let runtime = AdapterRuntime(agency: name, bus: bus, database: db, keys: dataKeys, logger: logger, attemptTimeout: .seconds(2))
        var settings = AdapterSettings()
        settings.pollMs = 50
        settings.retryBaseMs = 50
        settings.retryMaxMs = 200
        settings.answerWaitMs = 3000
        configure(&settings)
        return try AgencyAdapters.make(AdapterEnvironment(name: name, runtime: runtime, database: db, reference: reference, risk: risk,
                                                          settings: settings, dataDir: dir, logger: logger, environment: environment))
    }

    /// Makes an adapter (see `makeAdapter`) and runs its loops in a ServiceGroup, as under
    /// `hub run adapter-<name>`, until the tear-down cancels them (the graceful shutdown has
    /// its own test, AdapterShutdownTests).
    func adapter(_ name: String, environment: [String: String] = [:], principal: String? = nil,
                 _ configure: (inout AdapterSettings) -> Void = { _ in }) async throws -> any AgencyAdapter {
        let adapter = try await makeAdapter(name, environment: environment, principal: principal, configure)
        try await adapter.prepare()
        let group = ServiceGroup(configuration: .init(services: adapter.services.map { .init(service: $0) }, logger: logger))
        let running = Task { try await group.run() }
        onTearDown {
            running.cancel()
            _ = await running.result
        }
        return adapter
    }

    /// Referrals stored by the test service.
    func referrals(via client: BusClient) async throws -> [JSONValue] {
        try await client.request("referrals.test.list", body: [:]).arrayValue ?? []
    }

    /// Polls `condition` every 50 ms for up to `seconds`.
    func eventually(_ seconds: Double = 10, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        // A condition that throws (the hub still restarting, a timeout on a loaded machine)
        // counts as "not yet"; only the deadline ends the wait.
        while Date() < deadline {
            if (try? await condition()) == true { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }
}

/// A test-only `referrals` service answering through the referrals contract's types
/// (services/referrals/API), so it cannot drift from the real service's shapes:
/// `referrals.submit` decodes a `ReferralSubmission`, answers a `SubmissionReceipt` and
/// publishes a `ReferralStatusEvent` (it checks the stamped principal against
/// config/agencies.json and answers `intake_paused` for Gullspång), and test hooks
/// `referrals.test.advance` / `referrals.test.list`.
enum StubReferrals {
    static func definition(reference: ReferenceData) -> ServiceDefinition {
        ServiceDefinition(
            name: ReferralsAPI.service,
            migrations: [Migration(version: 1, name: "referrals", sql: """
                CREATE TABLE referrals (id TEXT PRIMARY KEY, reference TEXT NOT NULL, adapter TEXT NOT NULL, agency TEXT NOT NULL, external_ref TEXT,
                    centre TEXT NOT NULL, status TEXT NOT NULL, body BYTEA NOT NULL, history BYTEA NOT NULL)
                """)],
            handlers: [
                SubmitReferral.type: MessageHandler(.command) { req, ctx in
                    guard req.principal.kind == "adapter", let adapter = req.principal.qualifier.map(String.init) else {
                        throw HubError(.forbidden, "Only adapters submit here.")
                    }
                    let submission = try req.body.decode(SubmitReferral.self)
                    let agency = submission.referrer?.agency ?? ""
                    guard reference.agencies.contains(where: { $0.id == agency && $0.adapter == adapter }) else {
                        throw HubError(.forbidden, "This adapter may not act for that agency.", field: "body.referrer.agency")
                    }
                    guard let m = submission.municipality, let centre = reference.centre(serving: m) else {
                        throw HubError(.validation, "Unknown municipality.", field: "body.municipality")
                    }
                    if m == "Gullspång" { throw HubError(ReferralsAPI.intakePaused, "Intake is paused; turn to the social services on call.") }
                    if let n = submission.client?.identityNumber, (try? PersonalIdentityNumber(n)) == nil {
                        throw HubError(.validation, "Invalid identity number.", field: "body.client.identityNumber")
                    }
                    let id = "R-" + UUID().uuidString.prefix(8).lowercased()
                    let ref = "U26-" + UUID().uuidString.prefix(6).uppercased()
                    let now = Timestamp.now()
                    let history: JSONValue = [["status": "submitted", "at": .string(now)]]
                    // What is stored (and listed) is the submission as the contract reads it.
                    try await ctx.database.execute("INSERT INTO referrals VALUES (?, ?, ?, ?, ?, ?, 'submitted', ?, ?)", [
                        .text(id), .text(ref), .text(adapter), .text(agency), submission.externalRef.map { .text($0) } ?? .null,
                        .text(centre.id), .blob(try JSONValue.from(submission).serialized()), .blob(history.serialized()),
                    ])
                    ctx.events.emit(ReferralStatusEvent.topic(adapter: adapter), try JSONValue.from(ReferralStatusEvent(
                        referralId: id, reference: ref, agency: agency, centre: centre.id, status: .submitted, at: now,
                        externalRef: submission.externalRef)))
                    return try JSONValue.from(SubmitReferral.Reply(id: id, reference: ref, centre: centre.id, centreName: centre.name,
                                                                   submittedAt: now, externalRef: submission.externalRef))
                },
                "referrals.test.advance": MessageHandler(.command) { req, ctx in
                    let id = req.body["id"]?.stringValue ?? ""
                    guard let status = req.body["status"]?.stringValue.flatMap(ReferralStatus.init(rawValue:)) else {
                        throw HubError(.validation, "Not a status of the contract.", field: "body.status")
                    }
                    guard let row = try await ctx.database.query("SELECT * FROM referrals WHERE id = ?", [.text(id)]).first else {
                        throw HubError(.notFound, "No such referral.")
                    }
                    let now = Timestamp.now()
                    try await ctx.database.execute("UPDATE referrals SET status = ? WHERE id = ?", [.text(status.rawValue), .text(id)])
                    let event = ReferralStatusEvent(
                        referralId: id, reference: try row.string("reference"), agency: try row.string("agency"), centre: try row.string("centre"),
                        status: status, at: now, externalRef: try row.optionalString("external_ref"),
                        reason: req.body["reason"]?.stringValue, treatment: req.body["treatment"]?.stringValue.flatMap(TreatmentMode.init(rawValue:)))
                    ctx.events.emit(ReferralStatusEvent.topic(adapter: try row.string("adapter")), try JSONValue.from(event))
                    return ["id": .string(id), "status": .string(status.rawValue)]
                },
                "referrals.test.publish": MessageHandler(.command) { req, ctx in
                    ctx.events.emit(req.body["topic"]?.stringValue ?? "", req.body["body"] ?? [:])
                    return [:]
                },
                "referrals.test.list": MessageHandler(.query) { _, ctx in
                    let rows = try await ctx.database.query("SELECT id, adapter, agency, external_ref, body FROM referrals ORDER BY id", [])
                    return .array(try rows.map { r in
                        .object(["id": .string(try r.string("id")), "adapter": .string(try r.string("adapter")),
                                 "agency": .string(try r.string("agency")), "externalRef": .string(try r.optionalString("external_ref") ?? ""),
                                 "body": try JSONValue.parse(try r.blob("body"))])
                    })
                },
            ])
    }
}

/// A tiny HTTP server that records what is POSTed to it and refuses the first `failFirst` posts.
final class CallbackRecorder: @unchecked Sendable {
    let received = Mutex<[(id: String, body: JSONValue)]>([])
    let refusals = Mutex<Int>(0)
    private var task: Task<Void, any Error>?
    private(set) var port = 0

    init(failFirst: Int) { refusals.withLock { $0 = failFirst } }

    func start() async throws {
        let router = Router()
        router.post("/callback") { request, _ -> Response in
            let refuse = self.refusals.withLock { r -> Bool in if r > 0 { r -= 1; return true }; return false }
            if refuse { return Response(status: .serviceUnavailable) }
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let body = (try? JSONValue.parse(Array(buffer.readableBytesView))) ?? .null
            let id = request.headers[HTTPField.Name("X-Utvag-Delivery-Id")!] ?? ""
            self.received.withLock { $0.append((id, body)) }
            return Response(status: .noContent)
        }
        let (ports, cont) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { cont.yield($0.localAddress?.port ?? 0) })
        task = Task { try await app.run() }
        var it = ports.makeAsyncIterator()
        port = await it.next() ?? 0
    }

    var url: String { "http://127.0.0.1:\(port)/callback" }

    func stop() async {
        task?.cancel()
        _ = await task?.result
    }
}
