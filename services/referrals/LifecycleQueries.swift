// The read-only handlers of the life cycle: what a form offers, the full referral for
// staff (audited), the status view for the referring agency, and the history.

import Foundation
import HubBus
import HubCore
import HubProtocol
import ReferralsAPI
import HubStorage

extension Lifecycle {

    /// `referrals.options`: what a referral form offers (categories, kinds of help,
    /// municipalities by centre, reasons, risk questions, each centre's intake).
    @Sendable static func options(_ env: ReferralsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        func reasons(_ list: [CodedReason]) -> [ReferralOptions.Reason] { list.map { .init(code: $0.code, sv: $0.sv, en: $0.en) } }
        let intake = try await ReferralStore(context.database).intakeStates()
        return try JSONValue.encode(ReferralOptions.Reply(
            categories: ClientCategory.allCases, help: HelpKind.allCases, urgency: Urgency.allCases,
            centres: env.reference.centres.map { centre in
                ReferralOptions.Centre(id: centre.id, name: centre.name, municipalities: centre.municipalities,
                                       intake: intake[centre.id].map { .init(paused: $0.paused, categories: $0.categories, message: $0.message,
                                                                             alternatives: $0.alternatives, since: $0.since) })
            },
            agencies: env.reference.agencies.map { .init(id: $0.id, name: $0.name) },
            riskQuestions: env.risk.questions.map { .init(id: $0.id, sv: $0.sv, en: $0.en, required: $0.required) },
            riskAnswers: env.risk.answers,
            declineReasons: reasons(env.settings.declineReasons), redirectReasons: reasons(env.settings.redirectReasons),
            closureReasons: reasons(env.settings.closureReasons), withdrawReasons: reasons(env.settings.withdrawReasons),
            maxFreeTextChars: env.settings.maxFreeTextChars))
    }

    /// `referrals.get {id, purpose}`: the full referral with personal data for the centre's
    /// staff (each such read is audited); the status view for the referring agency.
    @Sendable static func get(_ env: ReferralsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(request, reference: env.reference, service: "referrals")
        let id = try Fields.id(request.body)
        guard let record = try await ReferralStore(context.database).referral(id) else { throw HubError(.notFound, "No such referral.", field: "body.id") }
        if actor.mayFollow(referrerAgency: record.referrerAgency), !actor.mayHandle(centre: record.centre) {
            return try await statusView(env, context.database, record)
        }
        guard actor.mayHandle(centre: record.centre) else { throw HubError(.notFound, "No such referral.", field: "body.id") }
        guard let purpose = try Fields.string(request.body, "purpose", max: 40), Privacy.purposes.contains(purpose) else {
            throw HubError(.validation, "Say why you open the referral: \(Privacy.purposes.sorted().joined(separator: ", ")).", field: "body.purpose")
        }
        // Audit first: no personal data leaves without its audit row.
        try await Privacy.audit(context.database, env, actor, action: purpose == "print" ? "print" : "read", referral: record.id, centre: record.centre, purpose: purpose)
        guard let identityKind = IdentityKind(rawValue: record.identityKind) else { throw HubError(.storage, "A stored referral has an unknown identity kind.") }
        let consentScope = try record.consentScope.map { code throws(HubError) in
            guard let scope = ConsentScope(rawValue: code) else { throw HubError(.storage, "A stored referral has an unknown consent scope.") }
            return scope
        }
        var details = ReferralCase.Details(externalRef: record.externalRef, referrerUnit: record.referrerUnit, identityKind: identityKind,
                                           consentScope: consentScope, mayCall: record.mayCall, mayLeaveMessage: record.mayLeaveMessage,
                                           personal: nil, history: [], linked: [], queue: nil)
        if let personal = try await Privacy.personal(env, context.database, record) {
            var p = ReferralCase.Personal(riskAnswers: personal.riskAnswers)
            p.name = personal.name
            p.identityNumber = personal.identityNumber.map { String($0.prefix(8)) + "-" + String($0.suffix(4)) }
            if !record.protectedIdentity {
                p.phone = personal.phone; p.email = personal.email; p.address = personal.address; p.callTimes = personal.callTimes
            }
            p.referrerContactName = personal.referrerContactName; p.referrerContactPhone = personal.referrerContactPhone
            p.referrerContactEmail = personal.referrerContactEmail; p.interpreterLanguage = personal.interpreterLanguage
            p.consentRecordedBy = personal.consentRecordedBy; p.notes = personal.notes
            details.personal = p
        }
        details.history = try await history(env, context.database, record.id, withNotes: true)
        // Other referrals of the same person (linked by the blind index), without personal data.
        let linked = try await ReferralStore(context.database).linkedReferrals(client: record.clientID, excluding: record.id)
        details.linked = try linked.map { other throws(HubError) in
            guard let status = ReferralStatus(rawValue: other.status) else { throw HubError(.storage, "A stored referral has an unknown status.") }
            return ReferralCase.Linked(id: other.id, reference: other.reference, centre: other.centre, status: status, submittedAt: other.submittedAt)
        }
        details.queue = try await Queue.position(env, context.database, record)
        return try JSONValue.encode(GetReferral.Reply.full(ReferralCase(summary: record.summaryReply(env: env), details: details)))
    }

    /// `referrals.status {id}`: what the referring agency may see (no personal data ever).
    @Sendable static func status(_ env: ReferralsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(request, reference: env.reference, service: "referrals")
        let id = try Fields.id(request.body)
        guard let record = try await ReferralStore(context.database).referral(id),
              actor.mayFollow(referrerAgency: record.referrerAgency) || actor.mayHandle(centre: record.centre) else {
            throw HubError(.notFound, "No such referral.", field: "body.id")
        }
        return try await statusView(env, context.database, record)
    }

    static func statusView(_ env: ReferralsEnvironment, _ db: any DatabaseExecutor, _ record: ReferralRecord) async throws(HubError) -> JSONValue {
        var entries = try await history(env, db, record.id, withNotes: false)
        if !record.consentsToStatus { entries = Array(entries.prefix(1)) }
        if !record.consentsToOutcome {
            entries = entries.map { entry in
                var e = entry
                e.reason = nil; e.priority = nil
                return e
            }
        }
        let outcome = record.consentsToOutcome
        return try JSONValue.encode(ReferralStatusView(
            id: record.id, reference: record.reference, centre: record.centre, centreName: env.centreName(record.centre),
            status: record.consentsToStatus ? record.status : .submitted, submittedAt: record.submittedAt, category: record.category,
            history: entries, consentToStatus: record.consentsToStatus, externalRef: record.externalRef,
            reason: outcome ? record.outcomeReason : nil, treatment: outcome ? record.treatment : nil))
    }

    static func history(_ env: ReferralsEnvironment, _ db: any DatabaseExecutor, _ id: String, withNotes: Bool) async throws(HubError) -> [ReferralHistoryEntry] {
        var out: [ReferralHistoryEntry] = []
        for row in try await ReferralStore(db).history(referral: id) {
            guard let status = ReferralStatus(rawValue: row.status) else { throw HubError(.storage, "A stored history entry has an unknown status.") }
            var entry = ReferralHistoryEntry(status: status, action: row.action, at: row.at, reason: row.reason, priority: row.priority)
            if withNotes {
                entry.actor = row.actor
                if let sealed = row.sealedNote {
                    let text = try env.protector.open(sealed, context: "history:\(id):\(row.seq)")
                    entry.note = String(decoding: text, as: UTF8.self)
                }
            }
            out.append(entry)
        }
        return out
    }
}
