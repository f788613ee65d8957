import Foundation
@testable import HubBus
import HubCore
import HubProtocol
import HubStorage
import Logging
import Testing

/// Handlers are plain functions of a request and a context: these tests call the
/// dispatcher directly, without sockets.
@Suite("Service runtime: dispatch, idempotency, errors")
struct DispatcherTests {
    func makeDispatcher() async throws -> (Dispatcher, any HubDatabase, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dispatch-\(UUID().uuidString)").path
        let db = try await Databases.open(.sqlite(path: dir + "/test.sqlite"), logger: Logger(label: "test"))
        let d = Dispatcher(definition: TestService.definition(), database: db, configDir: dir, logger: Logger(label: "test"))
        try await d.prepare()
        return (d, db, dir)
    }

    func request(_ type: String, _ body: JSONValue, id: String = MessageID.make(), principal: Principal = "gateway") -> ServiceRequest {
        ServiceRequest(envelope: Envelope(id: id, type: type, body: body), principal: principal)
    }

    @Test func unknownTypeIsAnsweredWithUnknownType() async throws {
        let (d, db, _) = try await makeDispatcher()
        let (reply, _) = await d.handle(request("test.nosuch", [:]))
        #expect(reply.error?.code == .unknownType)
        #expect(reply.error?.field == "type")
        await db.close()
    }

    @Test func failedCommandStoresNothingAndNamesTheField() async throws {
        let (d, db, _) = try await makeDispatcher()
        let (reply, events) = await d.handle(request("test.put", ["value": ""]))
        #expect(reply.error == HubError(.validation, "A value is required.", field: "body.value"))
        #expect(events.isEmpty)
        let rows = try await db.query("SELECT COUNT(*) AS n FROM items", [])
        #expect(try rows[0].int("n") == 0)
        let processed = try await db.query("SELECT COUNT(*) AS n FROM hub_processed", [])
        #expect(try processed[0].int("n") == 0) // a failed command may be retried with the same id
        await db.close()
    }

    @Test func idempotencyRecordsArePurgedAfterTheirRetentionAndTheWALIsEmptied() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dispatch-\(UUID().uuidString)").path
        let db = try await Databases.open(.sqlite(path: dir + "/test.sqlite"), logger: Logger(label: "test"))
        let d = Dispatcher(definition: TestService.definition(), database: db, configDir: dir, logger: Logger(label: "test"),
                           processedRetention: .seconds(3600))
        try await d.prepare()
        let id = MessageID.make()
        let canary = "Canary Purgesson"
        let (first, _) = await d.handle(request("test.put", ["value": .string(canary)], id: id))
        #expect(first.error == nil)
        // Within the retention a redelivery gets the first reply and changes nothing.
        #expect(try await d.purgeProcessed() == 0)
        let (again, _) = await d.handle(request("test.put", ["value": .string(canary)], id: id))
        #expect(again.body == first.body)
        #expect(try await db.query("SELECT COUNT(*) AS n FROM items", [])[0].int("n") == 1)
        // Past it the record and its reply are gone, from the WAL file too.
        #expect(try await d.purgeProcessed(now: Date().addingTimeInterval(3601)) == 1)
        #expect(try await db.query("SELECT COUNT(*) AS n FROM hub_processed", [])[0].int("n") == 0)
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: dir + "/test.sqlite-wal"))) ?? Data()
        #expect(wal.count == 0)
        await db.close()
    }

    @Test func storedFirstRepliesAreSealedAndStillAnswerARedelivery() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dispatch-\(UUID().uuidString)").path
        let db = try await Databases.open(.sqlite(path: dir + "/test.sqlite"), logger: Logger(label: "test"))
        let ring = try DataKeyRing(file: DataKeyRing.generateFile())
        let d = Dispatcher(definition: TestService.definition(), database: db, configDir: dir, logger: Logger(label: "test"),
                           replySealer: DataProtector(ring: ring))
        try await d.prepare()
        let id = MessageID.make()
        let (first, _) = await d.handle(request("test.put", ["value": "Canary Sealsson"], id: id))
        #expect(first.error == nil)
        let stored = try await db.query("SELECT reply FROM hub_processed WHERE message_id = ?", [.text(id)])[0].blob("reply")
        #expect(stored.first != UInt8(ascii: "{"), "sealed, not JSON")
        let (again, _) = await d.handle(request("test.put", ["value": "Canary Sealsson"], id: id))
        #expect(again.body == first.body, "a redelivery gets the first reply")
        // A record written in clear before sealing (an older version) still answers.
        let legacy = MessageID.make()
        try await db.execute("INSERT INTO hub_processed (message_id, type, principal, reply, processed_at) VALUES (?, 'test.put', 'gateway', ?, ?)",
                             [.text(legacy), .blob(Envelope.reply(to: Envelope(id: legacy, type: "test.put", body: [:]), result: ["old": true]).encoded()),
                              .text(Timestamp.now())])
        let (old, _) = await d.handle(request("test.put", ["value": "x"], id: legacy))
        #expect(old.body["old"] == .bool(true))
        let itemID = try #require(first.body["id"]?.stringValue)
        #expect(!String(decoding: stored, as: UTF8.self).contains(itemID), "the reply's content is not readable at rest")
        await db.close()
    }

    @Test func missingBodyFieldIsAValidationErrorNamingIt() async throws {
        let (d, db, _) = try await makeDispatcher()
        let (reply, _) = await d.handle(request("test.put", ["other": 1]))
        #expect(reply.error?.code == .validation)
        #expect(reply.error?.field == "body.value")
        await db.close()
    }

    @Test func commandEmitsEventsOnceAndRedeliveryEmitsNone() async throws {
        let (d, db, _) = try await makeDispatcher()
        let id = MessageID.make()
        let (first, events1) = await d.handle(request("test.put", ["value": "a"], id: id))
        let (second, events2) = await d.handle(request("test.put", ["value": "a"], id: id))
        #expect(first.body == second.body)
        #expect(events1.map(\.0) == ["agency.police.item"])
        #expect(events2.isEmpty)
        await db.close()
    }

    @Test func concurrentRedeliveriesApplyOnce() async throws {
        let (d, db, _) = try await makeDispatcher()
        let id = MessageID.make()
        let replies = await withTaskGroup(of: Envelope.self) { g in
            for _ in 0..<10 { g.addTask { await d.handle(self.request("test.put", ["value": "x"], id: id)).0 } }
            return await g.reduce(into: [Envelope]()) { $0.append($1) }
        }
        #expect(Set(replies.map(\.body)).count == 1)
        let rows = try await db.query("SELECT COUNT(*) AS n FROM items", [])
        #expect(try rows[0].int("n") == 1)
        await db.close()
    }

    @Test func typeFrameMustMatchEnvelopeType() async throws {
        let (d, db, _) = try await makeDispatcher()
        let env = Envelope(type: "test.count", body: [:])
        let (reply, _) = await d.handle(type: "test.put", principal: "gateway", envelopeBytes: env.encoded())
        #expect(reply.error?.code == .malformed)
        await db.close()
    }

    @Test func infoReportsSchemaVersionAndTypes() async throws {
        let (d, db, _) = try await makeDispatcher()
        let (reply, _) = await d.handle(request("test.info", [:]))
        #expect(reply.body["schemaVersion"]?.numberValue == 1)
        #expect(reply.body["types"]?.arrayValue?.contains("test.put") == true)
        await db.close()
    }

    @Test func metricsBuiltinReturnsPrometheusTextWithoutPayloadData() async throws {
        HubMetrics.bootstrap()
        let (d, db, _) = try await makeDispatcher()
        _ = await d.handle(request("test.put", ["value": "canary-640823-3234"]))
        let (reply, _) = await d.handle(request("test.metrics", [:]))
        let text = try #require(reply.body["text"]?.stringValue)
        #expect(text.contains("hub_service_requests_total"))
        #expect(!text.contains("canary"))
        await db.close()
    }
}

@Suite("Service runtime: events survive a crash between commit and publish")
struct EventOutboxTests {
    @Test func aCommandsEventsAreCommittedToTheOutboxWithTheChangeAndRemovedWhenPublished() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID().uuidString)").path
        let db = try await Databases.open(.sqlite(path: dir + "/test.sqlite"), logger: Logger(label: "test"))
        let d = Dispatcher(definition: TestService.definition(), database: db, configDir: dir, logger: Logger(label: "test"), redeliveryDelay: .zero)
        try await d.prepare()
        let id = MessageID.make()
        let (_, events) = await d.handleEnvelopes(ServiceRequest(envelope: Envelope(id: id, type: "test.put", body: ["value": "a"]), principal: "gateway"))
        #expect(events.count == 1)
        #expect(events.first?.correlationID == id)
        // Committed with the change, before anything was published.
        let rows = try await db.query("SELECT event_id, topic FROM hub_outbox", [])
        #expect(try rows.map { try $0.string("event_id") } == events.map(\.id))
        // A worker that died here leaves them; the sweeper finds them with the same ids.
        #expect(await d.unpublished(olderThan: .seconds(0)).map(\.id) == events.map(\.id))
        await d.published(events.map(\.id))
        // Marked events are never swept again, even before their rows are gone.
        #expect(await d.unpublished(olderThan: .seconds(0)).isEmpty)
        #expect(try await db.query("SELECT COUNT(*) AS n FROM hub_outbox", [])[0].int("n") == 0)
        // A failed command leaves nothing in the outbox.
        _ = await d.handle(ServiceRequest(envelope: Envelope(type: "test.put", body: ["value": ""]), principal: "gateway"))
        #expect(try await db.query("SELECT COUNT(*) AS n FROM hub_outbox", [])[0].int("n") == 0)
        await db.close()
        try? FileManager.default.removeItem(atPath: dir)
    }

    @Test func anEventForAnAgencyIsPublishedAgainUntilThatAgencysAdapterAcknowledgesIt() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID().uuidString)").path
        let db = try await Databases.open(.sqlite(path: dir + "/test.sqlite"), logger: Logger(label: "test"))
        let d = Dispatcher(definition: TestService.definition(), database: db, configDir: dir, logger: Logger(label: "test"),
                           redeliveryDelay: .zero, maxRedeliveryDelay: .zero)
        try await d.prepare()
        let (_, events) = await d.handleEnvelopes(ServiceRequest(envelope: Envelope(type: "test.put", body: ["value": "a"]), principal: "gateway"))
        #expect(events.map(\.type) == ["agency.police.item"])
        // Handed to the broker: for an agency's event that is not enough.
        await d.published(events)
        await d.flushPublished()
        #expect(await d.unpublished(olderThan: .zero).map(\.id) == events.map(\.id))
        await d.republished(events)
        #expect(try await db.query("SELECT attempts FROM hub_outbox", [])[0].int("attempts") == 1)
        func ack(_ principal: Principal, _ ids: [String]) async -> Envelope {
            await d.handle(ServiceRequest(envelope: Envelope(type: "test.outbox.ack", body: ["eventIds": .array(ids.map { .string($0) })]),
                                          principal: principal)).0
        }
        // Only the police's adapter acknowledges the police's events.
        #expect(await ack("gateway", events.map(\.id)).error?.code == .forbidden)
        #expect(await ack("adapter:municipality", events.map(\.id)).body["acknowledged"] == 0)
        #expect(await ack("adapter:police", ["not an id"]).error?.field == "body.eventIds[0]")
        #expect(await ack("adapter:police", events.map(\.id)).body["acknowledged"] == 1)
        #expect(await d.unpublished(olderThan: .zero).isEmpty)
        #expect(try await db.query("SELECT COUNT(*) AS n FROM hub_outbox", [])[0].int("n") == 0)
        await db.close()
        try? FileManager.default.removeItem(atPath: dir)
    }

    @Test func theWaitBeforePublishingAgainDoublesUpToItsCap() async throws {
        let d = Dispatcher(definition: TestService.definition(), database: try await Databases.open(.sqlite(path: FileManager.default.temporaryDirectory
            .appendingPathComponent("outbox-\(UUID().uuidString).sqlite").path), logger: Logger(label: "test")), configDir: "", logger: Logger(label: "test"))
        #expect([1, 2, 3, 7, 20].map { d.redeliverySeconds(after: $0) } == [10, 20, 40, 600, 600])
    }

    @Test func publishedEventsRowsAreDeletedByTheNextCommandsCommitNotOneByOne() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID().uuidString)").path
        let db = try await Databases.open(.sqlite(path: dir + "/test.sqlite"), logger: Logger(label: "test"))
        let d = Dispatcher(definition: TestService.definition(), database: db, configDir: dir, logger: Logger(label: "test"))
        try await d.prepare()
        let (_, first) = await d.handleEnvelopes(ServiceRequest(envelope: Envelope(type: "test.put", body: ["value": "a"]), principal: "gateway"))
        await d.published(first.map(\.id))
        // Marking alone writes nothing.
        #expect(try await db.query("SELECT COUNT(*) AS n FROM hub_outbox", [])[0].int("n") == 1)
        // A command that fails rolls back, and the mark survives for the next one.
        _ = await d.handle(ServiceRequest(envelope: Envelope(type: "test.put", body: ["value": ""]), principal: "gateway"))
        #expect(try await db.query("SELECT COUNT(*) AS n FROM hub_outbox", [])[0].int("n") == 1)
        let (_, second) = await d.handleEnvelopes(ServiceRequest(envelope: Envelope(type: "test.put", body: ["value": "b"]), principal: "gateway"))
        let rows = try await db.query("SELECT event_id FROM hub_outbox", [])
        #expect(try rows.map { try $0.string("event_id") } == second.map(\.id))
        await d.published(second.map(\.id))
        await d.flushPublished()
        #expect(try await db.query("SELECT COUNT(*) AS n FROM hub_outbox", [])[0].int("n") == 0)
        await db.close()
        try? FileManager.default.removeItem(atPath: dir)
    }
}

@Suite("Broker connection: reconnect back-off")
struct ReconnectBackoffTests {
    typealias Outcome = BrokerConnection.Outcome

    @Test func silenceDoublesTheWaitButAConnectionTheBrokerAnsweredStartsAgainFromTheFirst() {
        let first = Duration.seconds(1), cap = Duration.seconds(32)
        // A long outage: every attempt unanswered, the wait doubles to the cap.
        var delay = first
        var waits: [Duration] = []
        for _ in 0..<7 {
            let (wait, next) = BrokerConnection.backoff(after: .brokerDead(heard: false), current: delay, first: first, max: cap)
            waits.append(wait)
            delay = next
        }
        #expect(waits == [1, 2, 4, 8, 16, 32, 32].map { Duration.seconds($0) })
        // Then the broker answered on a connection, which later went silent: a short blip
        // costs the first wait again, not the 32 s left over from the outage.
        #expect(BrokerConnection.backoff(after: .brokerDead(heard: true), current: delay, first: first, max: cap) == (first, .seconds(2)))
    }
}
