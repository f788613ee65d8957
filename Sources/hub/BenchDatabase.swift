import Foundation
import HubProtocol
import HubStorage
import Logging
import Synchronization

/// Which database a benchmark runs the hub on: embedded SQLite (the default) or the
/// PostgreSQL server of `--database-url` / `HUB_DATABASE_URL`, where every run gets its
/// own schemas (`bench_<random>_<component>`), dropped at the end.
struct BenchBackend: Sendable {
    /// nil: SQLite files in `folder`.
    let url: String?
    let folder: String
    let run = String(UUID().uuidString.lowercased().prefix(8))

    init(databaseURL: String?, folder: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        url = (databaseURL?.isEmpty == false ? databaseURL : nil) ?? environment["HUB_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        self.folder = folder
    }

    var isPostgres: Bool { url != nil }
    var name: String { isPostgres ? "PostgreSQL" : "SQLite" }

    /// A component's database for this run: `<folder>/<component>.sqlite`, or schema `bench_<run>_<component>`.
    func open(_ component: String, poolSize: Int? = nil, logger: Logger) async throws -> any HubDatabase {
        if let url {
            return try await Databases.open(.postgres(url: url, schema: "bench_\(run)_\(component)"), poolSize: poolSize, logger: logger)
        }
        return try await Databases.open(.sqlite(path: "\(folder)/\(component).sqlite"), logger: logger)
    }

    /// Closes `database`, first dropping its schema on PostgreSQL (a benchmark leaves nothing behind).
    static func discard(_ database: any HubDatabase) async {
        if let pg = database as? PostgresDatabase {
            _ = try? await pg.execute("DROP SCHEMA IF EXISTS \"\(pg.schema)\" CASCADE", [])
        }
        await database.close()
    }

    /// The PostgreSQL server version, for the record.
    func serverVersion(logger: Logger) async -> String? {
        guard isPostgres, let db = try? await open("version", poolSize: 1, logger: logger) else { return nil }
        let version = try? await db.queryFirst("SHOW server_version", [])?.string("server_version")
        await Self.discard(db)
        return version
    }
}

/// The database's own limit, measured in the same run with the same concurrency: what a
/// benchmark's figures are divided by.
enum DatabaseLimit {
    struct Rate: Sendable {
        var perSecond: Double
        var p50: Double
        var p99: Double
        var count: Int
        func line(_ name: String) -> String {
            String(format: "%@ %.0f /s  p50 %.2f ms  p99 %.2f ms", name, perSecond, p50 / 1000, p99 / 1000)
        }
    }

    /// Bare single-row insert-and-commit (a row of `bytes` bytes, as a sealed referral is)
    /// and a hot-row update (`taken = taken + 1` on one row, what a seat must serialise on),
    /// each for `seconds` with `concurrency` at once, one autocommitted statement each.
    /// On SQLite each is measured one commit after another (the bare single-commit rate).
    static func measure(_ backend: BenchBackend, concurrency: Int, seconds: Double, bytes: Int = 700,
                        logger: Logger) async throws -> (bare: Rate, hotRow: Rate) {
        let db = try await backend.open("limit", poolSize: concurrency, logger: logger)
        do {
            try await db.migrate([Migration(version: 1, name: "limit", sql: """
                CREATE TABLE bare (id TEXT PRIMARY KEY, a TEXT NOT NULL, b TEXT NOT NULL, personal BYTEA NOT NULL);
                CREATE TABLE hot (id BIGINT PRIMARY KEY, taken BIGINT NOT NULL);
                INSERT INTO hot (id, taken) VALUES (1, 0)
                """)])
            let blob = [UInt8](repeating: 0x5a, count: bytes)
            let lanes = backend.isPostgres ? concurrency : 1
            // Open every pooled connection before the clock starts.
            if backend.isPostgres {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<concurrency { group.addTask { _ = try await db.query("SELECT pg_sleep(0.01)", []) } }
                    try await group.waitForAll()
                }
            }
            let bare = try await rate(lanes: lanes, seconds: seconds) {
                try await db.execute("INSERT INTO bare (id, a, b, personal) VALUES (?, ?, ?, ?)",
                                     [.text(UUID().uuidString), .text("skaraborg"), .text(Timestamp.now()), .blob(blob)])
            }
            let hot = try await rate(lanes: lanes, seconds: seconds) {
                try await db.execute("UPDATE hot SET taken = taken + 1 WHERE id = 1", [])
            }
            await BenchBackend.discard(db)
            return (bare, hot)
        } catch {
            await BenchBackend.discard(db)
            throw error
        }
    }

    /// Runs `statement` in `lanes` loops for `seconds`; the rate of completed statements.
    static func rate(lanes: Int, seconds: Double, _ statement: @escaping @Sendable () async throws -> Void) async throws -> Rate {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        let started = ContinuousClock.now
        let samples = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<lanes {
                group.addTask {
                    var local: [Double] = []
                    while ContinuousClock.now < deadline {
                        let t0 = ContinuousClock.now
                        try await statement()
                        local.append(BusBench.micros(ContinuousClock.now - t0))
                    }
                    return local
                }
            }
            return try await group.reduce(into: [Double]()) { $0 += $1 }
        }
        let elapsed = BusBench.micros(ContinuousClock.now - started) / 1e6
        let latencies = BusBench.Latencies(samples: samples)
        return Rate(perSecond: Double(samples.count) / elapsed, p50: latencies.p50, p99: latencies.p99, count: samples.count)
    }
}
