import Foundation
import HubBus
import HubCore
import HubProtocol
import ReferralsAPI
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import AgencyAdapters

let policeKey = "police-test-key-0123456789abcdef"
let psychiatryKey = "psychiatry-test-key-0123456789abcdef"

func policeReferral(_ ref: String, pnr: String = "640823-3234", agency: String = "police", protected: Bool = false) -> JSONValue {
    [
        "externalRef": .string(ref),
        "referrer": ["agency": .string(agency), "unit": "LPO Skövde", "contactName": "Handläggare Test", "contactPhone": "010-1234567"],
        "municipality": "Skövde",
        "category": "subjected-to-violence",
        "help": ["individual-talks"],
        "client": ["identityKind": "personnummer", "identityNumber": .string(pnr), "name": "Testa Testsson",
                   "protectedIdentity": .bool(protected), "phone": "070-0000000", "address": "Hemlig väg 1", "email": "x@example.invalid"],
        "safeContact": ["doNotContact": false, "mayCall": true, "callTimes": "vardagar 9–12", "mayLeaveMessage": false],
        "consent": ["given": true, "scope": ["referral", "status", "outcome"], "givenAt": "2026-11-20", "recordedBy": "Handläggare Test"],
        "urgency": "normal",
        "riskAnswers": ["escalation": "no", "threat-to-kill": "no", "strangulation": "unknown"],
        "notes": "Test.",
    ]
}

extension TestClientProtocol {
    func postJSON(_ path: String, key: String?, body: [UInt8]) async throws -> (HTTPResponse.Status, JSONValue) {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if let key { headers[HTTPField.Name("X-API-Key")!] = key }
        return try await execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: body)) { r in
            (r.status, (try? JSONValue.parse(Array(r.body.readableBytesView))) ?? .null)
        }
    }
}

@Suite("Police adapter", .serialized)
struct PoliceAdapterTests {
    @Test func healthSaysDegradedWhileTheAdaptersOwnDatabaseTakesNoWrites() async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        let police = try await f.adapter("police", environment: ["HUB_ADAPTER_POLICE_API_KEY": policeKey]) as! PoliceAdapter
        let app = Application(router: police.buildRouter())
        try await app.test(.router) { client in
            func health() async throws -> (HTTPResponse.Status, JSONValue) {
                try await client.execute(uri: "/healthz", method: .get) { r in (r.status, (try? JSONValue.parse(Array(r.body.readableBytesView))) ?? .null) }
            }
            try await police.host.database.execute("PRAGMA query_only = ON", [])
            let (status, body) = try await health()
            #expect(status == .ok, "it still answers")
            #expect(body["status"]?.stringValue == "degraded" && body["storage"]?.stringValue == "failing")
            try await police.host.database.execute("PRAGMA query_only = OFF", [])
            try await Task.sleep(for: .milliseconds(2100)) // past the probe's reuse interval
            #expect(try await health().1 == ["status": "ok", "storage": "ok"])
        }
        await f.tearDown()
    }

    @Test func referralThroughBrokerAndServiceWithCallbacksRetriedUntilAcknowledged() async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        try await f.startReferrals()
        let callback = CallbackRecorder(failFirst: 2)
        try await callback.start()
        let police = try await f.adapter("police", environment: ["HUB_ADAPTER_POLICE_API_KEY": policeKey]) { $0.callbackURL = callback.url } as! PoliceAdapter
        let gateway = try f.client()
        let app = Application(router: police.buildRouter())
        try await app.test(.router) { client in
            let (status, body) = try await client.postJSON("/v1/referrals", key: policeKey, body: policeReferral("LPO-1", protected: true).serialized())
            #expect(status == .created)
            let referralID = try #require(body["referralId"]?.stringValue)
            // The protected person's address, phone and e-mail never left the adapter.
            let stored = try await f.referrals(via: gateway)
            #expect(stored.count == 1)
            let client0 = stored.first?["body"]?["client"]
            #expect(client0?["address"] == nil && client0?["phone"] == nil && client0?["email"] == nil)
            #expect(client0?["identityNumber"] == "19640823-3234")

            // Receipt and "submitted" arrive at the callback despite two refusals.
            #expect(try await f.eventually { callback.received.withLock { $0.count } >= 2 })
            _ = try await gateway.request("referrals.test.advance", body: ["id": .string(referralID), "status": "accepted"])
            #expect(try await f.eventually { callback.received.withLock { $0.contains { $0.body["status"] == "accepted" } } })
            let kinds = callback.received.withLock { $0.map { "\($0.body["kind"]?.stringValue ?? "")/\($0.body["status"]?.stringValue ?? "")" } }
            #expect(kinds == ["receipt/submitted", "status/submitted", "status/accepted"])
            #expect(callback.received.withLock { $0.allSatisfy { !$0.id.isEmpty } })

            // State by the police's own reference.
            let state = try await client.execute(uri: "/v1/referrals/LPO-1", method: .get, headers: [HTTPField.Name("X-API-Key")!: policeKey]) { r in
                try JSONValue.parse(Array(r.body.readableBytesView))
            }
            #expect(state["status"] == "accepted")
            #expect(state["history"]?.arrayValue?.count == 2)

            // The same document again: same referral, nothing new stored.
            let (again, againBody) = try await client.postJSON("/v1/referrals", key: policeKey, body: policeReferral("LPO-1", protected: true).serialized())
            #expect(again == .created && againBody["referralId"]?.stringValue == referralID)
            #expect(try await f.referrals(via: gateway).count == 1)
        }
        await callback.stop()
        await f.tearDown()
    }

    @Test func badInputIsRefusedInJSONNothingIsStoredAndTheAdapterKeepsRunning() async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        try await f.startReferrals()
        let police = try await f.adapter("police", environment: ["HUB_ADAPTER_POLICE_API_KEY": policeKey]) { $0.maxBytes = 4096 } as! PoliceAdapter
        let gateway = try f.client()
        let app = Application(router: police.buildRouter())
        try await app.test(.router) { client in
            let good = policeReferral("LPO-2").serialized()
            // No key, and another agency's key.
            #expect(try await client.postJSON("/v1/referrals", key: nil, body: good).0 == .unauthorized)
            #expect(try await client.postJSON("/v1/referrals", key: psychiatryKey, body: good).0 == .unauthorized)
            // Malformed JSON, and JSON that is not an object.
            let (s1, b1) = try await client.postJSON("/v1/referrals", key: policeKey, body: Array("{\"externalRef\": ".utf8))
            #expect(s1 == .badRequest && b1["error"]?["code"] == "invalid_json")
            #expect(try await client.postJSON("/v1/referrals", key: policeKey, body: Array("[1]".utf8)).0 == .badRequest)
            // Wrong encoding (Latin-1 bytes in JSON).
            #expect(try await client.postJSON("/v1/referrals", key: policeKey, body: [0x7B, 0x22, 0xE5, 0x22, 0x3A, 0x31, 0x7D]).0 == .badRequest)
            // Missing field, wrong type, invalid personnummer: 422 naming the field, never the value.
            var missing = policeReferral("LPO-3"); missing = .object(missing.objectValue!.filter { $0.key != "municipality" })
            let (s2, b2) = try await client.postJSON("/v1/referrals", key: policeKey, body: missing.serialized())
            #expect(s2 == .unprocessableContent && b2["error"]?["field"] == "municipality")
            var wrongType = policeReferral("LPO-4").objectValue!; wrongType["help"] = "individual-talks"
            #expect(try await client.postJSON("/v1/referrals", key: policeKey, body: JSONValue.object(wrongType).serialized()).1["error"]?["field"] == "help")
            let (s3, b3) = try await client.postJSON("/v1/referrals", key: policeKey, body: policeReferral("LPO-5", pnr: "640823-3235").serialized())
            #expect(s3 == .unprocessableContent && b3["error"]?["field"] == "client.identityNumber")
            #expect(!(b3.serialized().contains(Array("3235".utf8))))
            var noConsent = policeReferral("LPO-6").objectValue!; noConsent["consent"] = ["given": false]
            #expect(try await client.postJSON("/v1/referrals", key: policeKey, body: JSONValue.object(noConsent).serialized()).1["error"]?["field"] == "consent.given")
            // Acting for another agency.
            let (s4, b4) = try await client.postJSON("/v1/referrals", key: policeKey, body: policeReferral("LPO-7", agency: "kriminalvarden").serialized())
            #expect(s4 == .forbidden && b4["error"]?["field"] == "referrer.agency")
            // Oversized body.
            var big = policeReferral("LPO-8").objectValue!; big["notes"] = .string(String(repeating: "x", count: 5000))
            #expect(try await client.postJSON("/v1/referrals", key: policeKey, body: JSONValue.object(big).serialized()).0 == .contentTooLarge)
            // Nothing half-stored: no outbox entry, no referral.
            #expect(try await police.host.database.query("SELECT message_id FROM outbox", []).isEmpty)
            #expect(try await f.referrals(via: gateway).isEmpty)
            // Still running.
            #expect(try await client.postJSON("/v1/referrals", key: policeKey, body: good).0 == .created)
        }
        await f.tearDown()
    }

    @Test func theServiceRefusingAnAgencyComesBackAsForbidden() async throws {
        // Bypass the adapter's own check: the referrals service checks the broker-stamped principal.
        let f = try AdapterFixture()
        try f.startBroker()
        try await f.startReferrals()
        let police = try await f.adapter("police", environment: ["HUB_ADAPTER_POLICE_API_KEY": policeKey]) as! PoliceAdapter
        var body = policeReferral("LPO-9").objectValue!
        body["referrer"] = ["agency": "kriminalvarden"]
        try await police.host.runtime.enqueue(type: "referrals.submit", body: .object(body), id: "forged-1")
        #expect(try await f.eventually { try await police.host.runtime.outcome(of: "forged-1") != nil })
        #expect(try await police.host.runtime.outcome(of: "forged-1")?.error?.code == .forbidden)
        await f.tearDown()
    }

    @Test func intakeWhileTheBrokerIsDownIsDeliveredOnceWhenItComesBack() async throws {
        let f = try AdapterFixture()
        try f.reservePort() // the broker's port, with no broker on it yet
        let police = try await f.adapter("police", environment: ["HUB_ADAPTER_POLICE_API_KEY": policeKey]) { $0.answerWaitMs = 50 } as! PoliceAdapter
        let app = Application(router: police.buildRouter())
        try await app.test(.router) { client in
            for i in 0..<20 {
                let (status, body) = try await client.postJSON("/v1/referrals", key: policeKey, body: policeReferral("DOWN-\(i)").serialized())
                #expect(status == .accepted && body["status"] == "pending")
            }
            // The same document twice while down is still one referral.
            _ = try await client.postJSON("/v1/referrals", key: policeKey, body: policeReferral("DOWN-0").serialized())
            try f.startBroker()
            try await f.startReferrals()
            let gateway = try f.client()
            #expect(try await f.eventually(30) { try await f.referrals(via: gateway).count >= 20 })
            try await Task.sleep(for: .milliseconds(500))
            let refs = try await f.referrals(via: gateway).compactMap { $0["externalRef"]?.stringValue }
            #expect(refs.count == 20)
            #expect(Set(refs) == Set((0..<20).map { "DOWN-\($0)" }))
            // Stop and start the broker again while more arrive.
            await f.stopBroker()
            for i in 20..<25 {
                _ = try await client.postJSON("/v1/referrals", key: policeKey, body: policeReferral("DOWN-\(i)").serialized())
            }
            try f.startBroker()
            #expect(try await f.eventually(30) { try await f.referrals(via: gateway).count >= 25 })
            try await Task.sleep(for: .milliseconds(500))
            let all = try await f.referrals(via: gateway).compactMap { $0["externalRef"]?.stringValue }
            #expect(all.count == 25 && Set(all).count == 25)
        }
        await f.tearDown()
    }

    @Test func anEventForTheAgencyPublishedWhileItsAdapterIsDownArrivesOnceWhenItIsBack() async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        let serviceDB = try await f.startReferrals(redeliveryDelay: .milliseconds(300), sweepInterval: .milliseconds(100))
        let gateway = try f.client()
        // No police adapter is connected: the broker has no one to give the event to.
        _ = try await gateway.request("referrals.test.publish", body: [
            "topic": .string(ReferralStatusEvent.topic(adapter: "police")), "body": try JSONValue.from(ReferralStatusEvent(
                referralId: "R-down", reference: "U26-AAAAAA", agency: "police", centre: "skaraborg", status: .received, at: Timestamp.now(), externalRef: nil)),
        ])
        _ = try await gateway.request("referrals.test.publish", body: ["topic": "capacity.skaraborg", "body": ["state": "open"]])
        let outbox = { try await serviceDB.query("SELECT topic FROM hub_outbox", []).map { try $0.string("topic") } }
        // The broadcast is published once and let go; the agency's event waits for its adapter.
        #expect(try await f.eventually(5) { try await outbox() == ["agency.police.referral.status"] })
        let police = try await f.adapter("police", environment: ["HUB_ADAPTER_POLICE_API_KEY": policeKey]) as! PoliceAdapter
        // Stored once (the delivered event's payload is dropped; its status row and event id stay).
        let received = { try await police.host.database.query("SELECT event_id FROM referral_status WHERE referral_id = 'R-down'", []) }
        #expect(try await f.eventually(15) { try await received().count == 1 })
        // The adapter acknowledged it, so the service stops sending it; it was stored once.
        #expect(try await f.eventually(10) { try await outbox().isEmpty })
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await received().count == 1)
        // Another adapter cannot acknowledge the police's events.
        _ = try await gateway.request("referrals.test.publish", body: [
            "topic": .string(ReferralStatusEvent.topic(adapter: "police")), "body": try JSONValue.from(ReferralStatusEvent(
                referralId: "R-two", reference: "U26-AAAAAA", agency: "police", centre: "skaraborg", status: .received, at: Timestamp.now(), externalRef: nil)),
        ])
        let municipality = BusClient(endpoint: try f.busEndpoint("adapter:municipality"), logger: f.logger)
        let ids = try await serviceDB.query("SELECT event_id FROM hub_outbox", []).map { try $0.string("event_id") }
        let refused = try await municipality.request("referrals.outbox.ack", body: JSONValue.object(["eventIds": .array(ids.map { JSONValue.string($0) })]))
        #expect(refused["acknowledged"] == 0 || ids.isEmpty)
        await municipality.close()
        await f.tearDown()
    }
}
