import ArgumentParser
import Foundation
import HubBus
import HubCore
import HubGateway
import HubProtocol
import HubStorage
import Logging
import ReferralsService
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `hub bench referrals`: referrals submitted end to end — HTTP API → gateway → broker →
/// referrals service → committed on embedded SQLite → reply — at a fixed rate (latency,
/// measured from each request's scheduled start so that a stall is not hidden) and
/// flat out (throughput), beside the limit: a bare SQLite insert-and-commit of a row of
/// the same size on the same disk, with the same durability settings.
struct ReferralsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "referrals", abstract: "Measure end-to-end referral submission against bare SQLite.")

    @Option(help: "Requests per second in the fixed-rate run.") var rate = 200
    @Option(help: "Seconds of the fixed-rate run.") var seconds = 10
    @Option(help: "Referrals in the throughput run.") var count = 2000
    @Option(help: "Requests in flight in the throughput run.") var concurrency = 32
    @Option(help: "Write the figures into this Markdown file (section 'hub bench referrals').") var record: String?
    @OptionGroup var options: CommonOptions

    func run() async throws {
        HubLogging.bootstrap(level: .warning)
        HubMetrics.bootstrap()
        let logger = Logger(label: "hub.bench")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hub-bench-ref-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        print("hub bench referrals — \(rate)/s for \(seconds) s, then \(count) with \(concurrency) in flight; SQLite in \(dir)")

        // The limit: bare SQLite, one transaction per row, same size as a sealed referral.
        let bare = try await Self.bareSQLite(path: dir + "/bare.sqlite", count: count, logger: logger)
        print(bare.line("bare SQLite insert+commit  "))

        // The hub: broker, referrals service, gateway, in this process, CURVE on loopback.
        let keysDir = dir + "/keys"
        let brokerKey = try KeyStore.generate(principal: "broker", directory: keysDir)
        let serviceKey = try KeyStore.generate(principal: .service("referrals"), directory: keysDir)
        let gatewayKey = try KeyStore.generate(principal: .gateway, directory: keysDir)
        let policy = try AuthorizationPolicy.load(path: options.config + "/policy.json")
        var config = try options.loadConfiguration()
        config.broker.endpoint = "tcp://127.0.0.1:*"
        let broker = Broker(settings: BrokerSettings(endpoint: config.broker.endpoint, serverKeys: brokerKey.keyPair!,
                                                     trustedKeys: try KeyStore.trustedKeys(in: [keysDir]), policy: policy,
                                                     configuration: config.broker), logger: logger)
        let endpoint = try broker.start()
        let db = try await Databases.open(.sqlite(path: dir + "/referrals.sqlite"), logger: logger)
        let definition = try ReferralsService.definition(configDir: options.config, keys: DataKeyRing(file: DataKeyRing.generateFile()))
        let dispatcher = Dispatcher(definition: definition, database: db, configDir: options.config, logger: logger)
        try await dispatcher.prepare()
        let worker = ServiceWorker(dispatcher: dispatcher, endpoint: BusEndpoint(endpoint: endpoint, brokerPublicKey: brokerKey.publicKey,
                                                                                 keys: serviceKey.keyPair!), logger: logger)
        worker.start()
        let bus = BusClient(endpoint: BusEndpoint(endpoint: endpoint, brokerPublicKey: brokerKey.publicKey, keys: gatewayKey.keyPair!), logger: logger)
        let gatewayDB = try await Databases.open(.sqlite(path: dir + "/gateway.sqlite"), logger: logger)
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
        let http = HTTP(base: base, token: token)

        // Warm-up.
        for _ in 0..<50 { _ = try await http.submit() }

        // Fixed rate: request i is due at start + i/rate; latency counts from when it was due.
        let total = rate * seconds
        let interval = 1.0 / Double(rate)
        let start = ContinuousClock.now
        let fixed = await withTaskGroup(of: (Double, Bool).self) { group -> [(Double, Bool)] in
            for i in 0..<total {
                let due = start + .nanoseconds(Int64(Double(i) * interval * 1e9))
                try? await Task.sleep(until: due, clock: .continuous)
                group.addTask {
                    let ok = (try? await http.submit()) ?? false
                    return (BusBench.micros(ContinuousClock.now - due) / 1000, ok)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let fixedLat = BusBench.Latencies(samples: fixed.map(\.0))
        let fixedFailures = fixed.filter { !$0.1 }.count
        print(String(format: "at %d/s: p50 %.2f ms  p99 %.2f ms  failures %d", rate, fixedLat.p50, fixedLat.p99, fixedFailures))

        // Flat out.
        let perTask = max(1, count / concurrency)
        let t0 = ContinuousClock.now
        let failures = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var failed = 0
                    for _ in 0..<perTask { if !((try? await http.submit()) ?? false) { failed += 1 } }
                    return failed
                }
            }
            return await group.reduce(0, +)
        }
        let elapsed = BusBench.micros(ContinuousClock.now - t0) / 1e6
        let throughput = Double(perTask * concurrency - failures) / elapsed
        print(String(format: "throughput: %.0f referrals/s (%d in flight, %d failures)", throughput, concurrency, failures))
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
                    for _ in 0..<perTask { do { _ = try await bus.request("referrals.submit", body: busBody, timeout: .seconds(30)) } catch { failed += 1 } }
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
            let (reply, _) = await dispatcher.handle(ServiceRequest(envelope: Envelope(type: "referrals.submit", body: busBody), principal: .gateway))
            if reply.error == nil { direct.append(BusBench.micros(ContinuousClock.now - s)) }
        }
        let directLat = BusBench.Latencies(samples: direct)
        print(String(format: "service alone (dispatcher, no sockets): p50 %.2f ms  p99 %.2f ms", directLat.p50 / 1000, directLat.p99 / 1000))
        let stored = try await db.query("SELECT COUNT(*) AS n FROM referrals", [])[0].int("n")
        let expected = 50 + total + 2 * perTask * concurrency - fixedFailures - failures - busFailures + direct.count
        print("stored referrals: \(stored) (expected \(expected))")

        await bus.close()
        await worker.stop()
        await broker.stop()
        await db.close()
        await gatewayDB.close()

        if let record {
            let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
                .split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
            let section = """
            ## hub bench referrals

            Command: `.build/release/hub bench referrals --rate \(rate) --seconds \(seconds) --count \(count) --concurrency \(concurrency) --record docs/benchmarks.md`
            Machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(cpu); measured \(Timestamp.now().prefix(10)).
            Path: HTTP POST /api/v1/referrals (bearer token) → gateway → broker (CURVE) → referrals service (validation, AES-GCM
            sealing, blind index, history, audit row, idempotency record, one SQLite transaction with WAL and synchronous=FULL) → reply.

            | measurement | throughput /s | p50 ms | p99 ms |
            |---|---|---|---|
            | bare SQLite insert + commit of a row of the same size, one transaction each — the limit | \(String(format: "%.0f", bare.throughput)) | \(String(format: "%.2f", bare.p50 / 1000)) | \(String(format: "%.2f", bare.p99 / 1000)) |
            | referral end to end at a fixed \(rate)/s for \(seconds) s (from the scheduled start) | – | \(String(format: "%.2f", fixedLat.p50)) | \(String(format: "%.2f", fixedLat.p99)) |
            | referrals end to end, \(concurrency) in flight | \(String(format: "%.0f", throughput)) | – | – |
            | the same over the bus only (BusClient → broker → service), \(concurrency) in flight | \(String(format: "%.0f", busThroughput)) | – | – |
            | the service's handler alone (dispatcher, no sockets), one at a time | \(String(format: "%.0f", 1e6 / max(directLat.p50, 1))) | \(String(format: "%.2f", directLat.p50 / 1000)) | \(String(format: "%.2f", directLat.p99 / 1000)) |

            Failures: \(fixedFailures) at the fixed rate, \(failures) flat out; stored \(stored) of \(expected).
            Targets: at least 1,000 referrals/s; p99 under 20 ms at 200/s.

            """
            try BenchRecord.write(section: "hub bench referrals", text: section, to: record)
            print("recorded in \(record)")
        }
    }

    struct Bare { var samples: [Double]; var throughput: Double
        var p50: Double { BusBench.Latencies(samples: samples).p50 }
        var p99: Double { BusBench.Latencies(samples: samples).p99 }
        func line(_ name: String) -> String { String(format: "%@ %.0f /s  p50 %.2f ms  p99 %.2f ms", name, throughput, p50 / 1000, p99 / 1000) }
    }

    static func bareSQLite(path: String, count: Int, logger: Logger) async throws -> Bare {
        let db = try await Databases.open(.sqlite(path: path), logger: logger)
        try await db.migrate([Migration(version: 1, name: "t", sql: "CREATE TABLE t (id TEXT PRIMARY KEY, a TEXT NOT NULL, b TEXT NOT NULL, personal BYTEA NOT NULL)")])
        let blob = [UInt8](repeating: 0x5a, count: 700)
        var samples: [Double] = []
        let t0 = ContinuousClock.now
        for _ in 0..<count {
            let s = ContinuousClock.now
            try await db.transaction { tx in
                try await tx.execute("INSERT INTO t (id, a, b, personal) VALUES (?, ?, ?, ?)",
                                     [.text(UUID().uuidString), .text("skaraborg"), .text(Timestamp.now()), .blob(blob)])
            }
            samples.append(BusBench.micros(ContinuousClock.now - s))
        }
        let elapsed = BusBench.micros(ContinuousClock.now - t0) / 1e6
        await db.close()
        return Bare(samples: samples, throughput: Double(count) / elapsed)
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

    /// Posts the same valid referral (a test personnummer, so the blind index links them).
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
        func submit() async throws -> Bool {
            var req = URLRequest(url: URL(string: base + "/api/v1/referrals")!)
            req.httpMethod = "POST"
            req.setValue("application/json", forHTTPHeaderField: "Content-Type")
            req.setValue("Bearer " + token, forHTTPHeaderField: "Authorization")
            req.httpBody = Self.body
            let (_, response) = try await URLSession.shared.data(for: req)
            return (response as? HTTPURLResponse)?.statusCode == 201
        }
    }
}
