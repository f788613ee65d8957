import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
@testable import ReferralsService
import Testing

@Suite("Referrals: waiting list, intake, capacity, groups and statistics")
struct QueueGroupsStatisticsTests {
    @Test("A paused centre answers new referrals with its message and where to turn; the broadcast says paused", arguments: Backend.available)
    func intakePause(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        let (reply, events) = await h.call("referrals.intake.set", ["centre": "skaraborg", "paused": true,
                                                                   "message": "Köstopp till 1 maj.", "alternatives": "Kvinnojouren Skövde, 0500-123 456"])
        #expect(reply.error == nil)
        let capacity = try #require(events.first { $0.0 == "capacity.skaraborg" }?.1)
        #expect(capacity["categories"]?.arrayValue?.allSatisfy { $0["state"] == "paused" } == true)
        let e = await h.failure("referrals.submit", referral(), as: Actors.police)
        #expect(e.code == .intakePaused)
        #expect(e.message.contains("Köstopp till 1 maj.") && e.message.contains("Kvinnojouren"))
        #expect(try await h.count("referrals") == 0)
        // Another centre is unaffected.
        let other = try await h.ok("referrals.submit", referral(municipality: "Borås"), as: Actors.police)
        #expect(other["centre"] == "sodra-alvsborg")
        // Staff of another centre cannot pause this one.
        #expect(await h.failure("referrals.intake.set", ["centre": "skaraborg", "paused": false], as: Actors.staffBoras).code == .forbidden)
        let (_, reopened) = await h.call("referrals.intake.set", ["centre": "skaraborg", "paused": false])
        #expect(reopened.first { $0.0 == "capacity.skaraborg" }?.1["categories"]?.arrayValue?.allSatisfy { $0["state"] == "open" } == true)
    }

    @Test("Capacity is published only when a state or wait band changes", arguments: Backend.available)
    func capacityBroadcastOnChange(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        var published: [JSONValue] = []
        for i in 0..<8 {
            let id = try await h.ok("referrals.submit", referral(client: ["identityKind": "none", "identityNumber": .null, "name": .null]), as: Actors.police)["id"]!
            let (_, events) = await h.call("referrals.assess", ["id": id, "decision": "accept", "priority": 2])
            published += events.filter { $0.0 == "capacity.skaraborg" }.map(\.1)
            _ = i
        }
        // Fallback 5 days per position: 1st accept → waiting list under a month; the 6th (31 days) → 1–3 months.
        let bands = published.compactMap { $0["categories"]?.arrayValue?.first { $0["category"] == "subjected-to-violence" }?["waitBand"]?.stringValue }
        #expect(bands == ["under-1-month", "1-3-months"])
        let page = try await h.ok("referrals.capacity", [:], as: Actors.police)
        #expect(page["centres"]?.arrayValue?.count == 2)
    }

    @Test("The child-and-parent group is ready when enough children of the right age wait, and assignment respects its maximum", arguments: Backend.available)
    func childParentGroup(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        let g = try await h.ok("referrals.groups.define", ["centre": "skaraborg", "name": "Barn och förälder vår", "help": "child-parent-group",
                                                          "min": 4, "max": 5, "ageMin": 6, "ageMax": 9])["id"]!
        var ids: [JSONValue] = []
        for (i, ages) in [[6, 8], [7], [3], [9]].enumerated() {
            let body = referral(["category": "child-witness", "help": ["child-parent-group"], "referrer": Self.socialReferrer],
                                client: ["identityKind": "none", "identityNumber": .null, "name": .null, "childrenAges": .array(ages.map { .number(Double($0)) })])
            let id = try await h.ok("referrals.submit", body, as: Actors.social.merging(i))["id"]!
            _ = try await h.ok("referrals.assess", ["id": id, "decision": "accept", "priority": 2])
            ids.append(id)
        }
        let list = try await h.ok("referrals.groups.list", ["centre": "skaraborg"])
        let group = try #require(list["groups"]?.arrayValue?.first)
        #expect(group["matchingWaiting"] == 4) // 6, 8, 7, 9 — the 3-year-old does not match
        #expect(group["readyToStart"] == true)
        #expect(group["candidates"]?.arrayValue?.count == 3)
        let tooYoung = await h.failure("referrals.groups.assign", ["groupId": g, "referralIds": [ids[2]]])
        #expect(tooYoung.field == "body.referralIds[0]")
        let unknown = await h.failure("referrals.groups.assign", ["groupId": g, "referralIds": [ids[0], "no-such-referral"]])
        #expect(unknown.code == .conflict && unknown.field == "body.referralIds[1]", "the group exists; the id is no candidate of it")
        let assigned = try await h.ok("referrals.groups.assign", ["groupId": g, "referralIds": [ids[0], ids[1], ids[3]]])
        #expect(assigned["assigned"]?.arrayValue?.allSatisfy { $0["status"] == "in-treatment" } == true)
        // A sixth child would exceed the maximum of five.
        let more = referral(["category": "child-witness", "help": ["child-parent-group"], "referrer": Self.socialReferrer],
                            client: ["identityKind": "none", "identityNumber": .null, "name": .null, "childrenAges": [6, 7]])
        let extra = try await h.ok("referrals.submit", more, as: Actors.social)["id"]!
        _ = try await h.ok("referrals.assess", ["id": extra, "decision": "accept", "priority": 2])
        let full = await h.failure("referrals.groups.assign", ["groupId": g, "referralIds": [extra]])
        #expect(full.field == "body.referralIds")
    }

    @Test("Statistics: unique clients per category against last year, by agency and municipality, waits and queue; small numbers masked when shared",
          arguments: Backend.available)
    func statistics(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        h.clock.set("2025-05-01T09:00:00.000Z")
        _ = try await h.ok("referrals.submit", referral(), as: Actors.police)
        h.clock.set("2026-02-01T09:00:00.000Z")
        var ids: [JSONValue] = []
        // Six referrals by the police, one by social services, the same person twice.
        for i in 0..<6 {
            let id = try await h.ok("referrals.submit", referral(client: ["identityNumber": i == 5 ? "640823-3234" : .string(Self.numbers[i])]), as: Actors.police)["id"]!
            ids.append(id)
        }
        ids.append(try await h.ok("referrals.submit", referral(["referrer": ["agency": "social-services", "unit": "IFO", "contactName": "S"]],
                                                                client: ["identityNumber": "19701010-1231"]), as: Actors.social)["id"]!)
        for id in ids { _ = try await h.ok("referrals.assess", ["id": id, "decision": "accept", "priority": 2]) }
        h.clock.set("2026-03-01T09:00:00.000Z")
        _ = try await h.ok("referrals.appointment", ["id": ids[0], "date": "2026-03-11", "channel": "phone"])

        let inside = try await h.ok("referrals.statistics", ["centre": "skaraborg", "year": 2026])
        #expect(inside["view"] == "internal")
        let row = inside["uniqueClients"]?["rows"]?.arrayValue?.first { $0["category"] == "subjected-to-violence" }
        #expect(row?["year"] == 6) // 7 referrals, 6 people
        #expect(row?["previous"] == 1)
        #expect(row?["difference"] == 5)
        let agencies = inside["byAgency"]?["rows"]?.arrayValue ?? []
        #expect(agencies.first { $0["agency"] == "police" }?["count"] == 6)
        #expect(agencies.first { $0["agency"] == "social-services" }?["count"] == 1)
        #expect(inside["waitToFirstAppointment"]?["medianDays"] == 38)
        let queue = inside["queueOverTime"]?.arrayValue ?? []
        #expect(queue.contains { $0["length"] == 7 })

        let shared = try await h.ok("referrals.statistics", ["centre": "skaraborg", "year": 2026], as: Actors.board)
        #expect(shared["view"] == "shared")
        let sharedAgencies = shared["byAgency"]?["rows"]?.arrayValue ?? []
        #expect(sharedAgencies.first { $0["agency"] == "social-services" }?["count"] == "<5")
        // One masked cell: the next smallest is hidden too, so the total does not reveal it.
        #expect(sharedAgencies.first { $0["agency"] == "police" }?["count"] == "x")
        #expect(shared["byAgency"]?["total"] == 7)
        #expect(shared["waitToFirstAppointment"]?["medianDays"] == .null)
        let text = String(decoding: shared.serialized(), as: UTF8.self)
        #expect(!text.contains("\"count\":1"))
        #expect(await h.failure("referrals.statistics", ["centre": "skaraborg", "view": "internal"], as: Actors.board).code == .forbidden)
    }

    static let socialReferrer: JSONValue = ["agency": "social-services", "unit": "IFO Skövde", "contactName": "Siv Socionom"]

    static let numbers = ["19701010-1231", "19800101-0004", "19900215-0009", "19851224-0002", "19751111-0006"].map(validated)

    /// Makes a valid personnummer from a date by computing its check digit.
    static func validated(_ s: String) -> String {
        let digits = s.filter(\.isNumber).dropFirst(2).prefix(9).map { Int(String($0))! }
        return String(s.prefix(13).dropLast()) + String(PersonalIdentityNumber.luhnCheckDigit(digits))
    }

    @Test func masking() {
        let m = Masker(threshold: 5, active: true)
        let (cells, total) = m.table([12, 3, 0, 20])
        #expect(cells == [.string("x"), .string("<5"), .number(0), .number(20)])
        #expect(total == 35)
        let (c2, _) = m.table([2, 3, 10])
        #expect(c2 == [.string("<5"), .string("<5"), .number(10)])
        let off = Masker(threshold: 5, active: false).table([1, 2])
        #expect(off.cells == [1, 2] && off.total == 3)
    }

    @Test func theYearIsStockholmsAReferralJustAfterNewYearsMidnightCountsInTheNewYear() async throws {
        let h = try await Harness.make(.sqlite)
        defer { Task { await h.close() } }
        h.clock.set("2026-12-31T23:30:00.000Z") // 00:30 on 1 January 2027 in Stockholm
        _ = try await h.ok("referrals.submit", referral(), as: Actors.police)
        let row2027 = try await h.ok("referrals.statistics", ["centre": "skaraborg", "year": 2027])["uniqueClients"]?["rows"]?.arrayValue?
            .first { $0["category"] == "subjected-to-violence" }
        #expect(row2027?["year"] == 1)
        #expect(row2027?["previous"] == 0)
        #expect(LocalTime.yearBounds(2027) == ("2026-12-31T23:00:00.000Z", "2027-12-31T23:00:00.000Z"))
    }
}

extension JSONValue {
    /// The same agency actor with a distinct user (the merge index makes tests readable).
    func merging(_ i: Int) -> JSONValue {
        guard case .object(var o) = self else { return self }
        o["user"] = .string("user\(i)")
        return .object(o)
    }

}
