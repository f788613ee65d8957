import ArgumentParser
import Foundation
import HubBus
import HubCore
import HubGateway
import HubProtocol
import HubStorage
import Logging
import ReferralsAPI
import ReferralsService
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `hub bench referrals`: referrals submitted end to end — HTTP API → gateway → broker →
/// referrals service → committed on embedded SQLite or PostgreSQL (`--database-url`) →
/// reply — at a fixed rate (latency, measured from each request's scheduled start so that
/// a stall is not hidden) and flat out (throughput), beside the limit measured in the same
/// run: a bare insert-and-commit of a row of the same size with the same durability
/// settings (on SQLite one commit after another; on PostgreSQL with the same concurrency).
struct ReferralsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "referrals", abstract: "Measure end-to-end referral submission against bare SQLite.")

    @Option(help: "Requests per second in the fixed-rate run.") var rate = 200
    @Option(help: "Seconds of the fixed-rate run.") var seconds = 10
    @Option(help: "Referrals in the throughput run.") var count = 2000
    @Option(help: "Requests in flight in the throughput run.") var concurrency = 32
    @Option(help: "Write the figures into this Markdown file (section 'hub bench referrals', '… (PostgreSQL)').") var record: String?
    @Option(name: .customLong("database-url"), help: "Run the service on this PostgreSQL server (default: HUB_DATABASE_URL, else SQLite).")
    var databaseURL: String?
    @Option(help: "Seconds the bare insert-and-commit limit is measured.") var limitSeconds = 5.0
    @OptionGroup var options: CommonOptions

    func run() async throws {
        HubLogging.bootstrap(level: .warning)
        HubMetrics.bootstrap()
        let logger = Logger(label: "hub.bench")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hub-bench-ref-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let backend = BenchBackend(databaseURL: databaseURL, folder: dir)
        let version = await backend.serverVersion(logger: logger).map { " \($0)" } ?? ""
        var config = try options.loadConfiguration()
        let pool = backend.isPostgres ? ", pool \(config.databasePoolSize ?? DatabasePoolSize.hostDefault) connections per service" : ""
        print("hub bench referrals — \(rate)/s for \(seconds) s, then \(count) with \(concurrency) in flight; \(backend.name)\(version)\(pool)")

        // The limit: a bare insert-and-commit of a row the size of a sealed referral.
        let limit = try await DatabaseLimit.measure(backend, concurrency: concurrency, seconds: limitSeconds, logger: logger)
        let bare = limit.bare
        let bareLanes = backend.isPostgres ? concurrency : 1
        print(bare.line("bare \(backend.name) insert+commit, \(bareLanes) at once:"))

        // The hub: broker, referrals service, gateway, in this process, CURVE on loopback.
        let keysDir = dir + "/keys"
        let brokerKey = try KeyStore.generate(principal: "broker", directory: keysDir)
        let serviceKey = try KeyStore.generate(principal: .service("referrals"), directory: keysDir)
        let gatewayKey = try KeyStore.generate(principal: .gateway, directory: keysDir)
        let policy = try AuthorizationPolicy.load(path: options.config + "/policy.json")
        config.broker.endpoint = "tcp://127.0.0.1:*"
        let broker = Broker(settings: BrokerSettings(endpoint: config.broker.endpoint, serverKeys: brokerKey.keyPair!,
                                                     trustedKeys: try KeyStore.trustedKeys(in: [keysDir]), policy: policy,
                                                     configuration: config.broker), logger: logger)
        let endpoint = try broker.start()
        let db = try await backend.open("referrals", poolSize: config.databasePoolSize, logger: logger)
        let definition = try ReferralsService.definition(configDir: options.config, keys: DataKeyRing(file: DataKeyRing.generateFile()))
        let dispatcher = Dispatcher(definition: definition, database: db, configDir: options.config, logger: logger)
        try await dispatcher.prepare()
        let worker = ServiceWorker(dispatcher: dispatcher, endpoint: BusEndpoint(endpoint: endpoint, brokerPublicKey: brokerKey.publicKey,
                                                                                 keys: serviceKey.keyPair!), logger: logger)
        worker.start()
        let bus = BusClient(endpoint: BusEndpoint(endpoint: endpoint, brokerPublicKey: brokerKey.publicKey, keys: gatewayKey.keyPair!), logger: logger)
        let gatewayDB = try await backend.open("gateway", poolSize: config.databasePoolSize, logger: logger)
        try await gatewayDB.migrate(UserStore.migrations)
        let password = "bench-" + UUID().uuidString
        _ = try await UserStore(database: gatewayDB, bcryptCost: 4).create(username: "bench-police", password: password, role: "agency", agency: "police")
        config.gateway.port = 0
        let port = Mutex<Int>(0)
        let server = GatewayServer(configuration: config, bus: bus, database: gatewayDB, logger: logger, bcryptCost: 4,
                                   onServerRunning: { p in port.withLock { $0 = p } })
        let serverTask = Task { try await server.run() }
        defer { serverTask.cancel() }
        for _ in 0..<500 where port.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(10)) }
        for _ in 0..<200 {
            if let s = try? await bus.brokerStatus(timeout: .seconds(1)), s.services.contains(where: { $0.name == "referrals" && $0.workers > 0 }) { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let base = "http://127.0.0.1:\(port.withLock { $0 })"
        let token = try await Self.token(base: base, password: password)

        let body = try JSONValue.parse(Array(HTTP.body))
        let httpPort = UInt16(port.withLock { $0 })
        // Warm-up.
        _ = Self.drive(port: httpPort, token: token, body: body, total: 50, connections: 4, rate: nil)

        // Fixed rate: request i is due at start + i/rate; latency counts from when it was due
        // (a late request counts its lateness), over `concurrency` keep-alive connections.
        let total = rate * seconds
        let fixed = Self.drive(port: httpPort, token: token, body: body, total: total, connections: concurrency, rate: Double(rate))
        let fixedLat = BusBench.Latencies(samples: fixed.latencies)
        let fixedFailures = fixed.failures
        print(String(format: "at %d/s: p50 %.2f ms  p99 %.2f ms  failures %d", rate, fixedLat.p50, fixedLat.p99, fixedFailures))

        // Flat out.
        let perTask = max(1, count / concurrency)
        let flat = Self.drive(port: httpPort, token: token, body: body, total: perTask * concurrency, connections: concurrency, rate: nil)
        let failures = flat.failures
        let throughput = Double(perTask * concurrency - failures) / flat.elapsed
        print(String(format: "throughput: %.0f referrals/s (%d in flight, %d failures)", throughput, concurrency, failures))
        let ratio = throughput / bare.perSecond
        print(String(format: "ratio referrals/bare: %.2f", ratio))
        if !flat.failureStatuses.isEmpty {
            print("failed requests by HTTP status (0: no answer): \(flat.failureStatuses.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: ", "))")
        }

        // The same submissions straight over the bus (no HTTP), to see where the time goes.
        let busBody: JSONValue = {
            var o = (try? JSONValue.parse(Array(HTTP.body)))?.objectValue ?? [:]
            o["actor"] = ["user": "bench-police", "role": "agency", "agency": "police"]
            return .object(o)
        }()
        let b0 = ContinuousClock.now
        let busFailures = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var failed = 0
                    for _ in 0..<perTask { do { _ = try await bus.request(SubmitReferral.type, body: busBody, timeout: .seconds(30)) } catch { failed += 1 } }
                    return failed
                }
            }
            return await group.reduce(0, +)
        }
        let busThroughput = Double(perTask * concurrency - busFailures) / (BusBench.micros(ContinuousClock.now - b0) / 1e6)
        print(String(format: "over the bus only: %.0f referrals/s (%d in flight, %d failures)", busThroughput, concurrency, busFailures))
        // And the service's handler alone, called in this process (no sockets), one after another.
        var direct: [Double] = []
        for _ in 0..<500 {
            let s = ContinuousClock.now
            let (reply, _) = await dispatcher.handle(ServiceRequest(envelope: Envelope(type: SubmitReferral.type, body: busBody), principal: .gateway))
            if reply.error == nil { direct.append(BusBench.micros(ContinuousClock.now - s)) }
        }
        let directLat = BusBench.Latencies(samples: direct)
        print(String(format: "service alone (dispatcher, no sockets): p50 %.2f ms  p99 %.2f ms", directLat.p50 / 1000, directLat.p99 / 1000))
        let d0 = ContinuousClock.now
        let directOK = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var ok = 0
                    for _ in 0..<(1000 / concurrency) {
                        let (reply, _) = await dispatcher.handle(ServiceRequest(envelope: Envelope(type: SubmitReferral.type, body: busBody), principal: .gateway))
                        if reply.error == nil { ok += 1 }
                    }
                    return ok
                }
            }
            return await group.reduce(0, +)
        }
        let directThroughput = Double(directOK) / (BusBench.micros(ContinuousClock.now - d0) / 1e6)
        print(String(format: "service alone, %d at once (group commit): %.0f referrals/s", concurrency, directThroughput))
        let stored = try await db.query("SELECT COUNT(*) AS n FROM referrals", [])[0].int("n")
        let expected = 50 + total + 2 * perTask * concurrency - fixedFailures - failures - busFailures + direct.count + directOK
        print("stored referrals: \(stored) (expected \(expected))")

        await bus.close()
        await worker.stop()
        await broker.stop()
        await BenchBackend.discard(db)
        await BenchBackend.discard(gatewayDB)

        let ratioTarget = backend.isPostgres ? 0.3 : 0.8
        let ratioMet = ratio >= ratioTarget && failures == 0
        print(String(format: "target ratio ≥ %.1f with 0 failures: %@", ratioTarget, ratioMet ? "met" : "missed"))
        let rateMet = throughput >= 1000, latencyMet = fixedLat.p99 < 20 && fixedFailures == 0
        let verdict = switch (rateMet, latencyMet) {
        case (true, true): "**Verdict: both targets are met.**"
        case (false, true): String(format: "**Verdict: the latency target is met** (p99 %.1f ms at %d/s, under 20 ms); **the throughput target is missed** (%.0f/s end to end, target 1,000/s).", fixedLat.p99, rate, throughput)
        case (true, false): String(format: "**Verdict: the throughput target is met** (%.0f/s); **the latency target is missed** (p99 %.1f ms at %d/s, target under 20 ms).", throughput, fixedLat.p99, rate)
        case (false, false): String(format: "**Verdict: both targets are missed**: %.0f/s end to end (target 1,000/s), p99 %.1f ms at %d/s (target under 20 ms).", throughput, fixedLat.p99, rate)
        }
        if let record {
            let sectionName = backend.isPostgres ? "hub bench referrals (PostgreSQL)" : "hub bench referrals"
            let urlOption = backend.isPostgres ? " --database-url postgres://…" : ""
            let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
                .split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
            let section = """
            ## \(sectionName)

            Command: `.build/release/hub bench referrals --rate \(rate) --seconds \(seconds) --count \(count) --concurrency \(concurrency)\(urlOption) --record docs/benchmarks.md` (\(backend.name)\(version)\(pool))
            Machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(cpu); measured \(Timestamp.now().prefix(10)).
            Path: HTTP POST /api/v1/referrals (bearer token; a blocking keep-alive client per connection) → gateway → broker (CURVE) → referrals service (validation, AES-GCM
            sealing, blind index, history, audit row, idempotency record, one SQLite transaction with WAL and synchronous=FULL) → reply.

            | measurement | throughput /s | p50 ms | p99 ms |
            |---|---|---|---|
            | bare \(backend.name) insert + commit of a row of the same size, one transaction each, \(bareLanes) at once — the limit | \(String(format: "%.0f", bare.perSecond)) | \(String(format: "%.2f", bare.p50 / 1000)) | \(String(format: "%.2f", bare.p99 / 1000)) |
            | referral end to end at a fixed \(rate)/s for \(seconds) s (from the scheduled start) | – | \(String(format: "%.2f", fixedLat.p50)) | \(String(format: "%.2f", fixedLat.p99)) |
            | referrals end to end, \(concurrency) in flight | \(String(format: "%.0f", throughput)) | – | – |
            | the same over the bus only (BusClient → broker → service), \(concurrency) in flight | \(String(format: "%.0f", busThroughput)) | – | – |
            | the service's handler alone (dispatcher, no sockets), one at a time | \(String(format: "%.0f", 1e6 / max(directLat.p50, 1))) | \(String(format: "%.2f", directLat.p50 / 1000)) | \(String(format: "%.2f", directLat.p99 / 1000)) |
            | the service's handler alone, \(concurrency) at once (group commit) | \(String(format: "%.0f", directThroughput)) | – | – |

            Failures: \(fixedFailures) at the fixed rate, \(failures) flat out; stored \(stored) of \(expected).
            **ratio referrals/bare: \(String(format: "%.2f", ratio))** (end to end, \(concurrency) in flight, against the bare rate above; target ≥ \(String(format: "%.1f", ratioTarget)) with 0 failures: \(ratioMet ? "met" : "missed")).
            Targets: at least 1,000 referrals/s; p99 under 20 ms at 200/s.

            \(verdict)

            Where the time goes: bare SQLite commits well above the target, so the limit is CPU, not the disk.
            Before statements were cached and run without a thread hop each (`Sources/HubStorage/README.md`),
            the same run gave 188/s end to end and a p99 of 2.2 s at 200/s (the hub then sustained only about
            190/s, so that latency was queueing). Now the gap between the rows shows the cost of each layer
            on the same two cores: the HTTP gateway (the end-to-end row against the bus-only row), the bus
            (bus-only against the handler alone), and the handler itself — about a dozen statements per referral
            plus AES-GCM sealing, the blind index, the history and audit rows. Next steps: fewer statements per
            referral (history and audit in one insert each, the record built instead of read back), and the
            envelope's JSON written once instead of through Foundation's encoder at each hop.

            """
            try BenchRecord.write(section: "hub bench referrals", text: section, to: record)
            print("recorded in \(record)")
        }
    }

    static func token(base: String, password: String) async throws -> String {
        var req = URLRequest(url: URL(string: base + "/api/v1/tokens")!)
        req.httpMethod = "POST"
        req.setValue("application/json", forHTTPHeaderField: "Content-Type")
        req.httpBody = Data(#"{"username":"bench-police","password":"\#(password)"}"#.utf8)
        let (data, _) = try await URLSession.shared.data(for: req)
        guard let token = (try JSONValue.parse(Array(data)))["token"]?.stringValue else { throw HubError(.internal, "No token.") }
        return token
    }

    /// Sends `total` referrals over `connections` keep-alive connections, one thread each
    /// (the blocking client of `hub bench registration`, so that an HTTP library is not
    /// what is measured). With a rate, request i is due at start + i/rate.
    static func drive(port: UInt16, token: String, body: JSONValue, total: Int, connections: Int, rate: Double?)
        -> (latencies: [Double], failures: Int, elapsed: Double, failureStatuses: [Int: Int]) {
        let results = Mutex<([Double], Int, [Int: Int])>(([], 0, [:]))
        let start = Date()
        let done = DispatchSemaphore(value: 0)
        for c in 0..<connections {
            let thread = Thread {
                defer { done.signal() }
                guard let conn = try? HTTPConnection(port: port) else {
                    results.withLock { $0.1 += (total - c + connections - 1) / connections }
                    return
                }
                for i in stride(from: c, to: total, by: connections) {
                    var t0 = Date()
                    if let rate {
                        let due = start.addingTimeInterval(Double(i) / rate)
                        let wait = due.timeIntervalSinceNow
                        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
                        t0 = due
                    }
                    let status = (try? conn.json("POST", "/api/v1/referrals", token: token, body: body))?.0 ?? 0
                    let ms = Date().timeIntervalSince(t0) * 1000
                    results.withLock { $0.0.append(ms); if status != 201 { $0.1 += 1; $0.2[status, default: 0] += 1 } }
                }
            }
            thread.start()
        }
        for _ in 0..<connections { done.wait() }
        let r = results.withLock { $0 }
        return (r.0, r.1, Date().timeIntervalSince(start), r.2)
    }

    /// The same valid referral every time (a test personnummer, so the blind index links them).
    struct HTTP: Sendable {
        let base: String
        let token: String
        static let body = Data("""
            {"externalRef":"BENCH","source":"agency","referrer":{"agency":"police","unit":"LPO Skövde","contactName":"Bench"},
             "municipality":"Skövde","category":"subjected-to-violence","help":["individual-talks"],
             "client":{"identityKind":"personnummer","identityNumber":"19640823-3234","name":"Bench Benchsson","phone":"070-1234567"},
             "safeContact":{"doNotContact":false,"mayCall":true,"mayLeaveMessage":false},
             "consent":{"given":true,"scope":["referral","status"],"givenAt":"2026-11-20","recordedBy":"Bench"},
             "urgency":"normal","riskAnswers":{"escalation":"no","threat-to-kill":"no","strangulation":"no"}}
            """.utf8)
    }
}
