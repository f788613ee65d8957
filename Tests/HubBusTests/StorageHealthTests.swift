import Foundation
@testable import HubBus
import HubProtocol
import HubStorage
import HubTestSupport
import Logging
import Testing

/// `<service>.health` must tell a live service whose storage refuses writes from a healthy
/// one: the broker sees both as up.
@Suite("Storage health: a service says when it cannot write")
struct StorageHealthTests {
    /// A real database that claims a nearly full volume.
    struct FullVolume: HubDatabase {
        let base: any HubDatabase
        var dialect: SQLDialect { base.dialect }
        func query(_ sql: String, _ binds: [DatabaseValue]) async throws(HubError) -> [DatabaseRow] { try await base.query(sql, binds) }
        func execute(_ sql: String, _ binds: [DatabaseValue]) async throws(HubError) -> Int { try await base.execute(sql, binds) }
        func transaction<T: Sendable>(_ body: @Sendable (any DatabaseExecutor) async throws -> T) async throws -> T { try await base.transaction(body) }
        func migrate(_ migrations: [Migration]) async throws(HubError) { try await base.migrate(migrations) }
        func close() async { await base.close() }
        func availableBytes() -> Int64? { StorageHealth.minimumFreeBytes - 1 }
    }

    func prepared(_ backend: Backend = .sqlite) async throws -> (Dispatcher, any HubDatabase, ScratchDatabase) {
        let scratch = ScratchDatabase(backend, name: "health")
        let db = try await scratch.open()
        let d = Dispatcher(definition: TestService.definition(), database: db, configDir: scratch.folder ?? FileManager.default.temporaryDirectory.path, logger: TestLogging.quiet("test"))
        try await d.prepare()
        return (d, db, scratch)
    }

    @Test(arguments: Backend.available)
    func healthyStorageIsReportedOkOverTheBuiltinHandler(_ backend: Backend) async throws {
        let (d, db, scratch) = try await prepared(backend)
        for _ in 0..<2 { // the probe's row is written, then rewritten
            let (reply, _) = await d.handle(ServiceRequest(envelope: Envelope(type: "test.health", body: [:]), principal: "gateway"))
            #expect(reply.error == nil)
            #expect(reply.body["storage"]?.stringValue == "ok")
            #expect(await StorageHealth(probeInterval: .zero).check(db) == .ok)
        }
        if backend == .sqlite {
            #expect(db.availableBytes().map { $0 > 0 } == true, "a SQLite file on a local disk knows its free space")
        } else {
            #expect(db.availableBytes() == nil, "a server's disk is not ours to measure")
        }
        await db.close(); await scratch.remove()
    }

    @Test func aDatabaseThatRefusesWritesIsFailing() async throws {
        let (_, db, scratch) = try await prepared()
        let health = StorageHealth(probeInterval: .zero)
        #expect(await health.check(db) == .ok)
        try await db.execute("PRAGMA query_only = ON", [])
        #expect(await health.check(db) == .failing)
        try await db.execute("PRAGMA query_only = OFF", [])
        #expect(await health.check(db) == .ok, "recovers by itself once writes succeed again")
        await db.close(); await scratch.remove()
    }

    @Test func aRecentAnswerIsReusedUntilARequestFailsOnStorage() async throws {
        let (_, db, scratch) = try await prepared()
        let health = StorageHealth(probeInterval: .seconds(3600))
        #expect(await health.check(db) == .ok)
        try await db.execute("PRAGMA query_only = ON", [])
        #expect(await health.check(db) == .ok, "within the interval the last probe's answer stands (no commit per /healthz)")
        health.failed()
        #expect(await health.check(db) == .failing, "a storage failure seen by a request makes the next report probe again")
        try await db.execute("PRAGMA query_only = OFF", [])
        await db.close(); await scratch.remove()
    }

    @Test func aNearlyFullVolumeIsFullWithoutAProbe() async throws {
        let (_, db, scratch) = try await prepared()
        let health = StorageHealth(probeInterval: .zero)
        #expect(await health.check(FullVolume(base: db)) == .full)
        await db.close(); await scratch.remove()
    }

    @Test func aCommandThatFailsOnStorageMakesTheServiceReportFailing() async throws {
        let (d, db, scratch) = try await prepared()
        let health = { await d.handle(ServiceRequest(envelope: Envelope(type: "test.health", body: [:]), principal: "gateway")).0.body["storage"]?.stringValue }
        #expect(await health() == "ok")
        try await db.execute("PRAGMA query_only = ON", [])
        let (reply, _) = await d.handle(ServiceRequest(envelope: Envelope(type: "test.put", body: ["value": "x"]), principal: "gateway"))
        #expect(reply.error?.code == .storage)
        #expect(await health() == "failing", "not the answer cached from before the failure")
        try await db.execute("PRAGMA query_only = OFF", [])
        await db.close(); await scratch.remove()
    }
}
