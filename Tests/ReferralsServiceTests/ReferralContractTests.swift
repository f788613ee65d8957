import Foundation
import HubBus
import HubCore
import HubProtocol
import ReferralsAPI
@testable import ReferralsService
import Testing

/// The referrals contract (services/referrals/API) against the real service: every message
/// has a contract type, and what the handlers answer and publish decodes into those types.
@Suite("Referrals contract")
struct ReferralContractTests {
    @Test func everyMessageTypeInTheHandlerTableHasAContractType() throws {
        let definition = try ReferralsService.definition(configDir: TestPaths.configDir, keys: DataKeyRing(file: DataKeyRing.generateFile()))
        #expect(Set(definition.handlers.keys) == Set(ReferralsAPI.messageTypes))
        #expect(ReferralsAPI.messageTypes.count == Set(ReferralsAPI.messageTypes).count, "each type once")
        #expect(definition.name == ReferralsAPI.service)
    }

    @Test("A submission, its receipt, the agency's status event and the step replies decode into their contract types", arguments: Backend.available)
    func repliesFromTheRealHandlersDecodeIntoTheirTypes(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        let (reply, events) = await h.call(SubmitReferral.type, referral(), as: Actors.police)
        let receipt = try reply.body.decode(SubmitReferral.Reply.self)
        #expect(receipt.status == .submitted && receipt.centre == "skaraborg" && receipt.externalRef == "POL-2026-0042")
        let status = try #require(events.first { $0.0 == ReferralStatusEvent.topic(adapter: "police") }?.1)
        let event = try status.decode(ReferralStatusEvent.self)
        #expect(event.referralId == receipt.id && event.reference == receipt.reference && event.status == .submitted)
        #expect(try JSONValue.from(event) == status, "the event type writes exactly what the service sent")
        let changed = try #require(events.first { $0.0 == ReferralStatusChanged.topic(.submitted) }?.1)
        #expect(try changed.decode(ReferralStatusChanged.self).referralId == receipt.id)
        #expect(try JSONValue.from(receipt) == reply.body, "the receipt type writes exactly what the service sent")

        let accepted = try await h.ok(AssessReferral.type, try JSONValue.from(AssessReferral(id: receipt.id, decision: .accept, priority: 1)))
        #expect(try accepted.decode(ReferralSummary.self).status == .accepted)
        #expect(try JSONValue.from(try accepted.decode(ReferralSummary.self)) == accepted, "a step's reply type writes exactly what the service sent")
        _ = try await h.ok(OfferAppointment.type, try JSONValue.from(OfferAppointment(id: receipt.id, date: "2026-03-20", channel: .phone)))
        let (treated, treatEvents) = await h.call(StartTreatment.type, try JSONValue.from(StartTreatment(id: receipt.id, mode: .individual)))
        #expect(try treated.body.decode(ReferralSummary.self).action == "treatment")
        let treatment = try #require(treatEvents.first { $0.0 == ReferralStatusEvent.topic(adapter: "police") }?.1)
        #expect(try treatment.decode(ReferralStatusEvent.self).treatment == .individual)

        let view = try await h.ok(ReferralStatusQuery.type, try JSONValue.from(ReferralStatusQuery(id: receipt.id)), as: Actors.police)
        let decoded = try view.decode(ReferralStatusView.self)
        #expect(decoded.status == .inTreatment && decoded.history.first?.status == .submitted)
        #expect(try JSONValue.from(decoded) == view, "the status view type writes exactly what the service sent")
        #expect(decoded.history.allSatisfy { $0.actor == nil && $0.note == nil }, "no staff names or notes for the referrer")

        let options = try await h.ok(ReferralOptions.type)
        let typed = try options.decode(ReferralOptions.Reply.self)
        #expect(typed.categories == ClientCategory.allCases)
        #expect(try JSONValue.from(typed) == options)
        let centres = try await h.ok(ListCentres.type)
        #expect(try JSONValue.from(try centres.decode(ListCentres.Reply.self)) == centres)
        let capacity = try await h.ok(ReferralCapacity.type, try JSONValue.from(ReferralCapacity(centre: "skaraborg")))
        _ = capacity
    }

    @Test("An unknown field is refused, naming it", arguments: Backend.available)
    func anUnknownFieldIsRefusedNamingIt(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        let error = await h.failure(FindReferrals.type, ["status": "accepted", "colour": "red", "zebra": 1])
        #expect(error.code == .validation && error.message == "Unknown field.")
        #expect(error.field == "body.colour", "the first unknown field in sorted order")
        // Every field the contract lists is known.
        var all = FindReferrals()
        all.status = .accepted
        _ = try await h.ok(FindReferrals.type, try JSONValue.from(all))
        // The check alone: `actor` (stamped by the gateway) is always known.
        let body: JSONValue = ["order": "newest", "actor": ["user": "x"], "extra": true]
        do {
            try body.refuseUnknownFields(FindReferrals.fields)
            Issue.record("an unknown field was let through")
        } catch { #expect(error.field == "body.extra") }
        let known: JSONValue = ["order": "newest", "actor": ["user": "x"]]
        #expect(throws: Never.self) { try known.refuseUnknownFields(FindReferrals.fields) }
        // The check the service makes, through the contract type, is the same for this flat request.
        #expect(throws: HubError(.validation, "Unknown field.", field: "body.extra")) { try FindReferrals.refuseUnknownFields(in: body) }
        #expect(throws: Never.self) { try FindReferrals.refuseUnknownFields(in: known) }
    }

    @Test func theVocabularyNamesEveryCodeInBothLanguages() {
        for type in ReferralVocabulary.all {
            let sv = type.strings("sv"), en = type.strings("en")
            #expect(Set(sv.keys) == Set(en.keys))
            #expect(!sv.values.contains(""), "\(type)")
            #expect(!en.values.contains(""), "\(type)")
        }
        #expect(ReferralStatus.accepted.name("sv") == "I kö" && ReferralStatus.accepted.name("en") == "In the queue")
    }
}
