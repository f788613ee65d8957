import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
@testable import ReferralsService
import Testing

@Suite("Referrals: the closed loop from submission to closure")
struct ReferralLifecycleTests {
    @Test("An agency referral reaches the right centre's queue, is accepted, gets an appointment, is treated and closes; the agency hears each step",
          arguments: Backend.available)
    func closedLoop(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        let (reply, events) = await h.call("referrals.submit", referral(), as: Actors.police)
        let submitted = try #require(reply.error == nil ? reply.body : nil)
        let id = try #require(submitted["id"]?.stringValue)
        #expect(submitted["centre"] == "skaraborg")
        #expect(submitted["status"] == "submitted")
        #expect(events.map(\.0).contains("agency.police.referral.status"))

        _ = try await h.ok("referrals.receive", ["id": .string(id)])
        let (accepted, acceptEvents) = await h.call("referrals.assess", ["id": .string(id), "decision": "accept", "priority": 1])
        #expect(accepted.body["status"] == "accepted")
        #expect(acceptEvents.contains { $0.0 == "capacity.skaraborg" }) // the queue went from open to waiting list
        let queue = try await h.ok("referrals.list", ["view": "queue"])
        let subjected = queue["categories"]?.arrayValue?.first { $0["category"] == "subjected-to-violence" }
        #expect(subjected?["referrals"]?.arrayValue?.first?["id"] == .string(id))
        #expect(subjected?["referrals"]?.arrayValue?.first?["position"] == 1)

        _ = try await h.ok("referrals.appointment", ["id": .string(id), "date": "2026-03-20", "channel": "phone"])
        _ = try await h.ok("referrals.treatment.start", ["id": .string(id), "mode": "individual"])
        let (closed, closeEvents) = await h.call("referrals.close", ["id": .string(id), "reason": "completed"])
        #expect(closed.body["status"] == "closed")
        let agencyEvent = try #require(closeEvents.first { $0.0 == "agency.police.referral.status" }?.1)
        #expect(agencyEvent["status"] == "closed")
        #expect(agencyEvent["reason"] == "completed")
        #expect(agencyEvent["externalRef"] == "POL-2026-0042")
        #expect(agencyEvent["name"] == nil && agencyEvent["phone"] == nil)

        // The agency's own view: every status, no personal data.
        let view = try await h.ok("referrals.status", ["id": .string(id)], as: Actors.police)
        #expect(view["history"]?.arrayValue?.compactMap { $0["status"]?.stringValue }
                == ["submitted", "received", "accepted", "appointment-offered", "in-treatment", "closed"])
        #expect(!String(decoding: view.serialized(), as: UTF8.self).contains("Kanarie"))
        let mine = try await h.ok("referrals.list", ["view": "mine"], as: Actors.police)
        #expect(mine["referrals"]?.arrayValue?.count == 1)
        // Its start page marks what changed since the last visit: the time of the latest step.
        let latestStep = try #require(view["history"]?.arrayValue?.compactMap { $0["at"]?.stringValue }.max())
        #expect(mine["referrals"]?.arrayValue?.first?["changedAt"] == .string(latestStep))
    }

    @Test("A status change the life cycle does not allow is refused and changes nothing", arguments: Backend.available)
    func invalidTransition(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        let id = try await h.ok("referrals.submit", referral(), as: Actors.police)["id"]!
        let e = await h.failure("referrals.close", ["id": id, "reason": "completed"])
        #expect(e.code == HubError.Code("invalid_transition"))
        #expect(e.field == "status")
        let e2 = await h.failure("referrals.appointment", ["id": id, "date": "2026-04-01", "channel": "phone"])
        #expect(e2.code == HubError.Code("invalid_transition"))
        let rows = try await h.database.query("SELECT status FROM referrals", [])
        #expect(try rows[0].string("status") == "submitted")
        #expect(try await h.count("referral_history") == 1)
    }

    @Test("A resubmission with the same message id returns the first result and stores one referral", arguments: Backend.available)
    func resubmission(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        let mid = MessageID.make()
        let (first, _) = await h.call("referrals.submit", referral(), as: Actors.police, id: mid)
        let (second, events) = await h.call("referrals.submit", referral(), as: Actors.police, id: mid)
        #expect(first.error == nil)
        #expect(first.body == second.body)
        #expect(events.isEmpty)
        #expect(try await h.count("referrals") == 1)
    }

    @Test func aNumberNoWholeNumberCanHoldIsAClearErrorNotACrash() async throws {
        let h = try await Harness.make(.sqlite)
        defer { Task { await h.close() } }
        let id = try await h.ok("referrals.submit", referral(), as: Actors.police)["id"]!
        for priority: JSONValue in [.number(1e300), .number(2.5), "1"] {
            let e = await h.failure("referrals.assess", ["id": id, "decision": "accept", "priority": priority])
            #expect(e.code == .validation && e.field == "body.priority")
        }
        #expect(try await h.database.query("SELECT status FROM referrals", [])[0].string("status") == "submitted")
    }

    @Test("Decline and redirect always carry a coded reason", arguments: Backend.available)
    func codedReasons(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        let id = try await h.ok("referrals.submit", referral(), as: Actors.police)["id"]!
        let e = await h.failure("referrals.assess", ["id": id, "decision": "decline"])
        #expect(e.field == "body.reason")
        let e2 = await h.failure("referrals.assess", ["id": id, "decision": "redirect", "reason": "no-such-code", "redirectTo": "Psykiatrin"])
        #expect(e2.field == "body.reason")
        let ok = try await h.ok("referrals.assess", ["id": id, "decision": "redirect", "reason": "needs-psychiatric-care", "redirectTo": "VO Psykiatri Skövde"])
        #expect(ok["status"] == "redirected")
        #expect(ok["reason"] == "needs-psychiatric-care")
    }

    @Test("The referrer can withdraw; another agency cannot", arguments: Backend.available)
    func withdraw(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        let id = try await h.ok("referrals.submit", referral(), as: Actors.police)["id"]!
        let other = await h.failure("referrals.withdraw", ["id": id, "reason": "sent-by-mistake"], as: Actors.social)
        #expect(other.code == .notFound)
        let done = try await h.ok("referrals.withdraw", ["id": id, "reason": "sent-by-mistake"], as: Actors.police)
        #expect(done["status"] == "withdrawn")
    }

    @Test("Reprioritising keeps the reason in the history and reorders the queue", arguments: Backend.available)
    func reprioritise(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        let a = try await h.ok("referrals.submit", referral(client: ["identityNumber": "19701010-1231", "name": "A"]), as: Actors.police)["id"]!
        h.clock.advance(days: 1)
        let b = try await h.ok("referrals.submit", referral(client: ["identityNumber": "640823-3234"]), as: Actors.police)["id"]!
        for id in [a, b] { _ = try await h.ok("referrals.assess", ["id": id, "decision": "accept", "priority": 2]) }
        _ = try await h.ok("referrals.reprioritise", ["id": b, "priority": 1, "reason": "Akut hotbild enligt polisen"])
        let queue = try await h.ok("referrals.list", ["view": "queue"])
        let ids = queue["categories"]?.arrayValue?.first { $0["category"] == "subjected-to-violence" }?["referrals"]?.arrayValue?.map { $0["id"]! }
        #expect(ids == [b, a])
        let full = try await h.ok("referrals.get", ["id": b, "purpose": "case-handling"])
        #expect(full["history"]?.arrayValue?.last?["note"] == "Akut hotbild enligt polisen")
        // The note is sealed at rest.
        let raw = try await h.database.query("SELECT note FROM referral_history WHERE note IS NOT NULL", [])
        #expect(!String(decoding: try raw[0].blob("note"), as: UTF8.self).contains("hotbild"))
    }

    @Test("Safe contact: a client who must not be contacted is reached only through the referrer", arguments: Backend.available)
    func doNotContact(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        let id = try await h.ok("referrals.submit", referral(["safeContact": ["doNotContact": true]]), as: Actors.police)["id"]!
        _ = try await h.ok("referrals.assess", ["id": id, "decision": "accept", "priority": 2])
        for channel in ["phone", "letter", "in-person"] {
            let e = await h.failure("referrals.appointment", ["id": id, "date": "2026-03-20", "channel": .string(channel)])
            #expect(e.field == "body.channel")
        }
        let ok = try await h.ok("referrals.appointment", ["id": id, "date": "2026-03-20", "channel": "via-referrer"])
        #expect(ok["status"] == "appointment-offered")
    }
}
