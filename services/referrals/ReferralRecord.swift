// The stored referral (`ReferralRecord`) and the summary every view of it shares; its columns
// and how a row is read are in ReferralStore.swift. Apart from the life-cycle handlers so they
// read as steps, not as mapping.

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
