// The stored referral row (`ReferralRecord`): its columns, how it is read and the summary
// every view of it shares. Apart from the life-cycle handlers so they read as steps, not as SQL mapping.

import Foundation
import HubBus
import HubCore
import HubProtocol
import ReferralsAPI
import HubStorage

/// One referral as stored, without its sealed personal data.
struct ReferralRecord: Sendable {
    var id: String
    var reference: String
    var reserveID: String?
    var clientID: String
    var centre: String
    var municipality: String
    var category: String
    var help: [String]
    var source: String
    var referrerAgency: String?
    var referrerUnit: String?
    var externalRef: String?
    var identityKind: String
    var protectedIdentity: Bool
    var doNotContact: Bool
    var mayCall: Bool
    var mayLeaveMessage: Bool
    var consentScope: [String]
    var urgency: String
    var clientAge: Int?
    var childrenAges: [Int]
    var riskScore: Int
    var status: ReferralStatus
    var priority: Int?
    var groupID: String?
    var treatment: String?
    var outcomeReason: String?
    var redirectTo: String?
    var appointmentDate: String?
    var submittedAt: String
    var receivedAt: String?
    var endedAt: String?
    var anonymisedAt: String?
    var version: Int

    static let columns = """
        id, reference, reserve_id, client_id, centre_id, municipality, category, help, source, referrer_agency, referrer_unit,
        external_ref, identity_kind, protected_identity, do_not_contact, may_call, may_leave_message, consent_scope, urgency,
        client_age, children_ages, risk_score, status, priority, group_id, treatment, outcome_reason, redirect_to,
        appointment_date, submitted_at, received_at, ended_at, anonymised_at, version
        """

    init(row: DatabaseRow) throws(HubError) {
        id = try row.string("id"); reference = try row.string("reference"); reserveID = try row.optionalString("reserve_id")
        clientID = try row.string("client_id"); centre = try row.string("centre_id"); municipality = try row.string("municipality")
        category = try row.string("category"); help = Fields.list(try row.string("help")); source = try row.string("source")
        referrerAgency = try row.optionalString("referrer_agency"); referrerUnit = try row.optionalString("referrer_unit")
        externalRef = try row.optionalString("external_ref"); identityKind = try row.string("identity_kind")
        protectedIdentity = try row.bool("protected_identity"); doNotContact = try row.bool("do_not_contact")
        mayCall = try row.bool("may_call"); mayLeaveMessage = try row.bool("may_leave_message")
        consentScope = Fields.list(try row.string("consent_scope")); urgency = try row.string("urgency")
        clientAge = try row.optionalInt("client_age"); childrenAges = Fields.list(try row.string("children_ages")).compactMap { Int($0) }
        riskScore = try row.int("risk_score")
        guard let s = ReferralStatus(rawValue: try row.string("status")) else { throw HubError(.storage, "A stored referral has an unknown status.") }
        status = s
        priority = try row.optionalInt("priority"); groupID = try row.optionalString("group_id"); treatment = try row.optionalString("treatment")
        outcomeReason = try row.optionalString("outcome_reason"); redirectTo = try row.optionalString("redirect_to")
        appointmentDate = try row.optionalString("appointment_date"); submittedAt = try row.string("submitted_at")
        receivedAt = try row.optionalString("received_at"); endedAt = try row.optionalString("ended_at")
        anonymisedAt = try row.optionalString("anonymised_at"); version = try row.int("version")
    }

    /// The record of a submission just stored (status `submitted`, version 1), as a read-back would give it.
    init(submitted submission: ValidSubmission, id: String, reference: String, reserveID: String?, clientID: String, clientAge: Int?, at: String) {
        self.id = id; self.reference = reference; self.reserveID = reserveID; self.clientID = clientID; centre = submission.centreID
        municipality = submission.municipality; category = submission.category.rawValue; help = submission.help.map(\.rawValue); source = submission.source
        referrerAgency = submission.referrerAgency; referrerUnit = submission.referrerUnit; externalRef = submission.externalRef; identityKind = submission.identityKind.rawValue
        protectedIdentity = submission.protectedIdentity; doNotContact = submission.doNotContact; mayCall = submission.mayCall; mayLeaveMessage = submission.mayLeaveMessage
        consentScope = submission.consentScope.map(\.rawValue); urgency = submission.urgency.rawValue; self.clientAge = clientAge; childrenAges = submission.childrenAges
        riskScore = submission.riskScore; status = .submitted; priority = nil; groupID = nil; treatment = nil; outcomeReason = nil; redirectTo = nil
        appointmentDate = nil; submittedAt = at; receivedAt = nil; endedAt = nil; anonymisedAt = nil; version = 1
    }

    static func load(_ db: any DatabaseExecutor, id: String) async throws(HubError) -> ReferralRecord? {
        guard let row = try await db.queryFirst("SELECT \(columns) FROM referrals WHERE id = ?", [.text(id)]) else { return nil }
        return try ReferralRecord(row: row)
    }

    /// The record the actor may handle, or not_found (never revealing that it exists elsewhere).
    static func loadForHandling(_ db: any DatabaseExecutor, id: String, actor: Actor) async throws(HubError) -> ReferralRecord {
        guard let r = try await load(db, id: id), actor.mayHandle(centre: r.centre) else {
            throw HubError(.notFound, "No such referral.", field: "body.id")
        }
        return r
    }

    /// What the referrer may learn: status always (with consent to status), reasons only with consent to outcome.
    var consentsToStatus: Bool { consentScope.contains("status") || consentScope.contains("outcome") }
    var consentsToOutcome: Bool { consentScope.contains("outcome") }

    /// The non-personal summary every handler view shares (the contract's `ReferralSummary`).
    func summaryReply(env: ReferralsEnvironment) -> ReferralSummary {
        var o = ReferralSummary(
            id: id, reference: reference, centre: centre, centreName: env.centreName(centre), municipality: municipality, category: category,
            help: help, source: source, status: status, urgency: urgency, submittedAt: submittedAt, protectedIdentity: protectedIdentity,
            doNotContact: doNotContact, riskScore: riskScore, highRisk: riskScore >= env.risk.highRiskAt, childrenAges: childrenAges, version: version)
        o.referrerAgency = referrerAgency; o.priority = priority; o.reserveId = reserveID; o.receivedAt = receivedAt; o.clientAge = clientAge
        o.treatment = treatment; o.groupId = groupID; o.reason = outcomeReason; o.redirectTo = redirectTo; o.appointmentDate = appointmentDate
        o.endedAt = endedAt
        if anonymisedAt != nil { o.anonymised = true }
        return o
    }

    /// What the referring agency sees of it in its lists (`referrals.list` `mine`, `referrals.find`):
    /// the status only with consent to status.
    func agencyReply(env: ReferralsEnvironment, changedAt: String? = nil) throws(HubError) -> AgencyReferral {
        guard let code = ClientCategory(rawValue: category) else { throw HubError(.storage, "A stored referral has an unknown category.") }
        return AgencyReferral(id: id, reference: reference, centre: centre, centreName: env.centreName(centre), category: code,
                              status: consentsToStatus ? status : .submitted, submittedAt: submittedAt, changedAt: changedAt, externalRef: externalRef)
    }
}
