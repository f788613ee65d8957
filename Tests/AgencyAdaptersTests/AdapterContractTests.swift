import Foundation
import HubBus
import HubCore
import HubProtocol
import HubTestSupport
import ReferralsAPI
import ReferralsService
import Testing
@testable import AgencyAdapters

/// The adapters build `referrals.submit` through the referrals contract's types; what they
/// build is what the real service takes.
@Suite("Adapters: the referrals contract")
struct AdapterContractTests {
    /// A draft as an agency document fills it (every field the formats know).
    static func draft() -> ReferralDraft {
        var d = ReferralDraft(agency: "police")
        d.externalRef = "CONTRACT-1"; d.unit = "LPO Skövde"; d.contactName = "Kontakt Person"; d.contactPhone = "0501-123 45"
        d.municipality = "Skövde"; d.category = ClientCategory.subjectedToViolence.rawValue; d.help = [HelpKind.individualTalks.rawValue]
        d.identityNumber = "19640823-3234"; d.name = "Test Person"; d.childrenAges = [4]; d.mayCall = true; d.callTimes = "förmiddag"
        d.consentGiven = true; d.consentGivenAt = "2026-03-01"; d.consentRecordedBy = "Kontakt Person"; d.urgency = Urgency.high.rawValue
        d.riskAnswers = ["escalation": RiskAnswer.yes.rawValue, "threat-to-kill": RiskAnswer.no.rawValue, "strangulation": RiskAnswer.unknown.rawValue]; d.notes = "Rad ett."
        return d
    }

    @Test("An adapter's submission decodes in the real service and its receipt in the adapter", arguments: Backend.available)
    func anAdaptersSubmissionDecodesInTheRealService(_ backend: Backend) async throws {
        let config = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path + "/config"
        let reference = try ReferenceData.load(configDir: config)
        let submission = try Self.draft().validatedSubmission(adapter: "police", reference: reference, risk: try repoRiskScreening())
        let body = try JSONValue.from(submission)
        #expect(try body.decode(SubmitReferral.self) == submission)
        #expect(body == (try Self.draft().validatedBody(adapter: "police", reference: reference, risk: try repoRiskScreening())))

        let scratch = ScratchDatabase(backend, name: "adapter_contract")
        let logger = TestLogging.quiet("adapter.contract")
        let db = try await scratch.open(logger: logger)
        defer { Task { await db.close(); await scratch.remove() } }
        let definition = try ReferralsService.definition(configDir: config, keys: DataKeyRing(file: DataKeyRing.generateFile()))
        let dispatcher = Dispatcher(definition: definition, database: db, configDir: config, logger: logger)
        try await dispatcher.prepare()
        let (reply, events) = await dispatcher.handle(ServiceRequest(envelope: Envelope(id: MessageID.make(), type: SubmitReferral.type, body: body),
                                                                     principal: .adapter("police")))
        #expect(reply.error == nil)
        let receipt = try #require(AdapterHost.receipt(reply))
        #expect(receipt.externalRef == "CONTRACT-1" && receipt.status == .submitted)
        let event = try #require(events.first { ReferralStatusEvent.isTopic($0.0) }?.1)
        let update = StatusUpdate(eventID: "e1", event: try event.decode(ReferralStatusEvent.self))
        #expect(update.referralID == receipt.id && update.status == "submitted" && update.externalRef == "CONTRACT-1")
    }

    @Test func theAdaptersCheckCodesAgainstTheContractsVocabulary() {
        #expect(ReferralDraft.categories == Set(ClientCategory.codes))
        #expect(ReferralDraft.helpKinds == Set(HelpKind.codes))
        #expect(ReferralDraft.urgencies == Set(Urgency.codes))
        #expect(ReferralDraft.consentScopes == Set(ConsentScope.codes))
    }

    @Test func theConfiguredRiskAnswersAreTheContractsVocabulary() throws {
        #expect(Set(try repoRiskScreening().answers) == Set(RiskAnswer.codes))
    }
}
