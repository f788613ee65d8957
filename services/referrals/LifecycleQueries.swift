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
        return try ReferralsService.encodeReply(ReferralOptions.Reply(
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
        var o = record.summary(env: env)
        o["externalRef"] = record.externalRef.map { .string($0) } ?? .null
        o["referrerUnit"] = record.referrerUnit.map { .string($0) } ?? .null
        o["identityKind"] = .string(record.identityKind)
        o["consentScope"] = .array(record.consentScope.map { .string($0) })
        o["mayCall"] = .bool(record.mayCall)
        o["mayLeaveMessage"] = .bool(record.mayLeaveMessage)
        if let personal = try await Privacy.personal(env, context.database, record) {
            var p: [String: JSONValue] = [:]
            if let v = personal.name { p["name"] = .string(v) }
            if let v = personal.identityNumber { p["identityNumber"] = .string(String(v.prefix(8)) + "-" + String(v.suffix(4))) }
            if !record.protectedIdentity {
                if let v = personal.phone { p["phone"] = .string(v) }
                if let v = personal.email { p["email"] = .string(v) }
                if let v = personal.address { p["address"] = .string(v) }
                if let v = personal.callTimes { p["callTimes"] = .string(v) }
            }
            if let v = personal.referrerContactName { p["referrerContactName"] = .string(v) }
            if let v = personal.referrerContactPhone { p["referrerContactPhone"] = .string(v) }
            if let v = personal.referrerContactEmail { p["referrerContactEmail"] = .string(v) }
            if let v = personal.interpreterLanguage { p["interpreterLanguage"] = .string(v) }
            if let v = personal.consentRecordedBy { p["consentRecordedBy"] = .string(v) }
            if let v = personal.notes { p["notes"] = .string(v) }
            p["riskAnswers"] = .object(personal.riskAnswers.mapValues { .string($0) })
            o["personal"] = .object(p)
        }
        o["history"] = try ReferralsService.encodeReply(try await history(env, context.database, record.id, withNotes: true))
        // Other referrals of the same person (linked by the blind index), without personal data.
        let linked = try await ReferralStore(context.database).linkedReferrals(client: record.clientID, excluding: record.id)
        o["linked"] = .array(linked.map { other in
            .object(["id": .string(other.id), "reference": .string(other.reference),
                     "centre": .string(other.centre), "status": .string(other.status),
                     "submittedAt": .string(other.submittedAt)])
        })
        if let position = try await Queue.position(env, context.database, record) { o["queue"] = position }
        return .object(o)
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
        return try ReferralsService.encodeReply(ReferralStatusView(
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
