import Foundation
import HubBus
import HubCore
import HubProtocol
import ReferralsAPI
@testable import ReferralsService
import Testing

/// Every reply type of the referrals contract against the real handlers: a reply decodes into
/// its type, and the type writes it back to the very same JSON (members left out stay left
/// out, nulls stay null), so that the handlers can build their replies from these types
/// without a change on the wire.
@Suite("Referrals reply types")
struct ReferralReplyTypeTests {
    /// Decodes a real reply as `M.Reply` and expects its encoding to be the reply, byte for byte.
    @discardableResult
    static func roundTrip<M: ContractRequest>(_ message: M.Type, _ reply: JSONValue,
                                               sourceLocation: SourceLocation = #_sourceLocation) throws -> M.Reply {
        let typed = try reply.decode(M.Reply.self, fieldPrefix: "reply")
        let again = try JSONValue.from(typed)
        #expect(again.serialized() == reply.serialized(), "\(M.type) writes what the service sent", sourceLocation: sourceLocation)
        return typed
    }

    @Test("Capacity, intake, groups, audit, retention and import replies", arguments: Backend.available)
    func centreReplies(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        let id = try #require(try await h.ok(SubmitReferral.type, referral(), as: Actors.police)["id"]?.stringValue)
        _ = try await h.ok(AssessReferral.type, try JSONValue.from(AssessReferral(id: id, decision: .accept, priority: 1)))

        let one = try Self.roundTrip(ReferralCapacity.self, try await h.ok(ReferralCapacity.type, ["centre": "skaraborg"]))
        let waiting = try #require(one.centres.first?.categories.first { $0.category == .subjectedToViolence })
        #expect(waiting.state == .waitingList && waiting.waitBand != nil)
        let paused = try Self.roundTrip(SetIntake.self, try await h.ok(SetIntake.type, try JSONValue.from(
            SetIntake(centre: "skaraborg", paused: true, message: "Fullt.", alternatives: "Ring kommunen.", categories: [.usedViolence]))))
        #expect(paused.categories.first { $0.category == .usedViolence }?.message == "Fullt.")
        #expect(paused.categories.first { $0.category == .childWitness }.map { $0.state == .open && $0.message == nil && $0.waitBand == nil } == true)
        let all = try Self.roundTrip(ReferralCapacity.self, try await h.ok(ReferralCapacity.type, [:], as: Actors.police))
        #expect(all.centres.count > 1)

        let group = try Self.roundTrip(DefineGroup.self, try await h.ok(DefineGroup.type, try JSONValue.from(
            DefineGroup(centre: "skaraborg", name: "Kvinnogrupp vår", help: "womens-group", min: 1, max: 8, ageMin: 18, ageMax: 99))))
        try Self.roundTrip(DefineGroup.self, try await h.ok(DefineGroup.type, try JSONValue.from(
            DefineGroup(centre: "skaraborg", name: "Barn höst", help: "child-parent-group", min: 2, max: 6, ageMin: 3, ageMax: 9, startsOn: "2026-09-01"))))
        let groups = try Self.roundTrip(ListGroups.self, try await h.ok(ListGroups.type, ["centre": "skaraborg"]))
        #expect(groups.groups.map(\.startsOn) == ["2026-09-01", nil], "by name; null when not set")
        #expect(groups.groups.first { $0.id == group.id }?.candidates.map(\.id) == [id])
        #expect(groups.groups.first { $0.counts == .children }?.candidates == [], "no referral asks for a child-and-parent group")
        let assigned = try Self.roundTrip(AssignGroup.self, try await h.ok(AssignGroup.type, try JSONValue.from(
            AssignGroup(groupId: group.id, referralIds: [id]))))
        #expect(assigned.assigned.map(\.status) == [.inTreatment] && assigned.assigned.first?.action == "group")

        // A search by personnummer is an audit entry without a referral.
        _ = try await h.ok(FindReferrals.type, ["identityNumber": .string(Canary.personnummer), "purpose": "case-handling"])
        let audit = try Self.roundTrip(ListAudit.self, try await h.ok(ListAudit.type, ["centre": "skaraborg"], as: Actors.admin))
        #expect(audit.entries.contains { $0.referralId == nil && $0.action == "search" })
        #expect(audit.entries.contains { $0.referralId == id })

        let declined = try #require(try await h.ok(SubmitReferral.type, referral(client: ["identityNumber": "19701010-1231"]), as: Actors.police)["id"])
        _ = try await h.ok(AssessReferral.type, ["id": declined, "decision": "decline", "reason": "client-declined"])
        h.clock.advance(days: 1096)
        let dry = try Self.roundTrip(RunRetention.self, try await h.ok(RunRetention.type, ["dryRun": true], as: Actors.admin))
        #expect(dry.count == 1 && dry.referrals.first?.status == .declined)

        let imported = try Self.roundTrip(ImportReferralStatistics.self, try await h.ok(ImportReferralStatistics.type,
            ["csv": "centre;year;table;key;count\nskaraborg;2021;category;used-violence;12\nskaraborg;2022;agency;police;4\n"], as: Actors.admin))
        #expect(imported.rows == 2 && imported.years.map(\.year) == [2021, 2022] && !imported.replace)
    }

    @Test("The lists, the search and the full referral, for staff and for the referring agency", arguments: Backend.available)
    func readingReplies(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        let first = try #require(try await h.ok(SubmitReferral.type, referral(), as: Actors.police)["id"]?.stringValue)
        // The same person again, without consent to status and without the agency's reference.
        let again = try #require(try await h.ok(SubmitReferral.type, referral([
            "externalRef": .null, "consent": ["given": true, "scope": ["referral"], "givenAt": "2026-03-01", "recordedBy": "Per Polis"],
        ]), as: Actors.police)["id"]?.stringValue)
        let anonymous = try #require(try await h.ok(SubmitReferral.type, referral(client: ["identityKind": "none", "identityNumber": .null, "name": .null]),
                                                    as: Actors.police)["id"]?.stringValue)
        _ = try await h.ok(AssessReferral.type, try JSONValue.from(AssessReferral(id: first, decision: .accept, priority: 1)))
        _ = try await h.ok(ReceiveReferral.type, try JSONValue.from(ReceiveReferral(id: again)))

        let queue = try #require(try Self.roundTrip(ListReferrals.self, try await h.ok(ListReferrals.type, ["view": "queue", "centre": "skaraborg"])).queue)
        let waiting = try #require(queue.categories.first { $0.category == .subjectedToViolence })
        #expect(waiting.count == 1 && waiting.referrals.first?.summary.id == first && waiting.referrals.first?.place.position == 1)
        #expect(queue.capacity.centre == "skaraborg")
        let open = try #require(try Self.roundTrip(ListReferrals.self, try await h.ok(ListReferrals.type, ["view": "centre"])).open)
        #expect(Set(open.referrals.map(\.id)) == [first, again, anonymous])
        let mine = try #require(try Self.roundTrip(ListReferrals.self, try await h.ok(ListReferrals.type, ["view": "mine"], as: Actors.police)).mine)
        let hidden = try #require(mine.referrals.first { $0.id == again })
        #expect(hidden.status == .submitted && hidden.externalRef == nil && hidden.changedAt == hidden.submittedAt, "no consent to status")

        let staffFound = try Self.roundTrip(FindReferrals.self, try await h.ok(FindReferrals.type, ["limit": 1]))
        #expect(staffFound.nextCursor != nil && staffFound.audited == nil)
        #expect(staffFound.referrals.allSatisfy { if case .handled = $0 { true } else { false } })
        let agencyFound = try Self.roundTrip(FindReferrals.self, try await h.ok(FindReferrals.type, [:], as: Actors.police))
        #expect(agencyFound.nextCursor == nil && agencyFound.referrals.count == 3)
        #expect(agencyFound.referrals.allSatisfy { if case .referred(let r) = $0 { r.changedAt == nil } else { false } })
        let byPerson = try Self.roundTrip(FindReferrals.self, try await h.ok(FindReferrals.type, [
            "identityNumber": .string(Canary.personnummer), "purpose": "case-handling"]))
        #expect(byPerson.audited == true && byPerson.referrals.count == 2)

        let full = try #require(try Self.roundTrip(GetReferral.self, try await h.ok(GetReferral.type, ["id": .string(first), "purpose": "case-handling"])).full)
        #expect(full.details.personal?.name == Canary.name && full.details.linked.map(\.id) == [again])
        #expect(full.details.queue?.position == 1 && full.details.queue?.of == 1 && full.details.history.first?.actor != nil)
        let status = try #require(try Self.roundTrip(GetReferral.self, try await h.ok(GetReferral.type, ["id": .string(again)], as: Actors.police)).statusView)
        #expect(status.status == .submitted && !status.consentToStatus && status.externalRef == nil)
        let noName = try #require(try Self.roundTrip(GetReferral.self, try await h.ok(GetReferral.type, ["id": .string(anonymous), "purpose": "assessment"])).full)
        #expect(noName.details.personal?.name == nil && noName.details.queue == nil && noName.summary.reserveId != nil)

        // Anonymised: the personal data is left out, not null.
        _ = try await h.ok(AssessReferral.type, ["id": .string(anonymous), "decision": "decline", "reason": "client-declined"])
        h.clock.advance(days: 1096)
        _ = try await h.ok(RunRetention.type, ["dryRun": false], as: Actors.admin)
        let anonymised = try await h.ok(GetReferral.type, ["id": .string(anonymous), "purpose": "follow-up"])
        #expect(anonymised["personal"] == nil && anonymised["externalRef"] == .null)
        let typed = try #require(try Self.roundTrip(GetReferral.self, anonymised).full)
        #expect(typed.summary.anonymised == true && typed.details.personal == nil)
    }

    @Test("Statistics in every format and view, masked cells included", arguments: Backend.available)
    func statisticsReplies(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        h.clock.set("2026-02-01T09:00:00.000Z")
        _ = try await h.ok(ImportReferralStatistics.type, ["csv": "centre;year;table;key;count\nskaraborg;2025;category;used-violence;12\nskaraborg;2025;agency;police;9\n"],
                           as: Actors.admin)
        var ids: [JSONValue] = []
        for number in ["19701010-1231", Canary.personnummer] {
            ids.append(try #require(try await h.ok(SubmitReferral.type, referral(client: ["identityNumber": .string(number)]), as: Actors.police)["id"]))
        }
        ids.append(try #require(try await h.ok(SubmitReferral.type, referral(["referrer": ["agency": "social-services", "unit": "IFO", "contactName": "S"]],
                                                                             client: ["identityNumber": .string(QueueGroupsStatisticsTests.numbers[1])]), as: Actors.social)["id"]))
        for id in ids { _ = try await h.ok(AssessReferral.type, ["id": id, "decision": "accept", "priority": 2]) }
        h.clock.set("2026-03-01T09:00:00.000Z")
        _ = try await h.ok(OfferAppointment.type, ["id": ids[0], "date": "2026-03-11", "channel": "phone"])

        let body: JSONValue = ["centre": "skaraborg", "year": 2026]
        guard case .tables(let inside) = try Self.roundTrip(ReferralStatistics.self, try await h.ok(ReferralStatistics.type, body)) else {
            Issue.record("the tables"); return
        }
        #expect(inside.view == "internal" && inside.imported == .init(year: false, previous: true))
        #expect(inside.waitToFirstAppointment.medianDays == 38 && inside.byAgency.rows.first { $0.agency == "police" }?.previous == 9)
        guard case .tables(let shared) = try Self.roundTrip(ReferralStatistics.self, try await h.ok(ReferralStatistics.type, body, as: Actors.board)) else {
            Issue.record("the shared tables"); return
        }
        #expect(shared.view == "shared" && shared.byAgency.rows.contains { $0.count == "<5" })
        #expect(shared.waitToFirstAppointment.medianDays == nil && shared.waitToFirstAppointment.n == "<5")
        guard case .csv(let file) = try Self.roundTrip(ReferralStatistics.self, try await h.ok(ReferralStatistics.type, ["year": 2026, "format": "csv"])) else {
            Issue.record("the CSV"); return
        }
        #expect(file.filename == "statistik-skaraborg-2026.csv" && file.csv.contains("Unika klienter per målgrupp"))
        guard case .report(let report) = try Self.roundTrip(ReferralStatistics.self, try await h.ok(ReferralStatistics.type, ["year": 2026, "format": "report"])) else {
            Issue.record("the report"); return
        }
        #expect(report.markdown.contains("importerade") && report.csv == file.csv)
    }
}
