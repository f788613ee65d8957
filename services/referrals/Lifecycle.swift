// The life cycle's shared machinery: the status check, coded reasons, one step applied
// (update, history, audit, events, capacity) and the announcement. The handlers are in
// LifecycleQueries.swift, LifecycleSubmit.swift and LifecycleSteps.swift.

import Foundation
import HubBus
import HubCore
import HubProtocol
import ReferralsAPI
import HubStorage

/// The life cycle: submit → receive → assess (accept | redirect | decline) → appointment
/// → treatment → close, and withdraw by the referrer. Each step is a history row, an
/// audit entry, an internal `referral.status.<status>` event and — when the client
/// consented — an `agency.<adapter>.referral.status` event to the referring agency.
enum Lifecycle {
    static let invalidTransition = ReferralsAPI.invalidTransition

    // MARK: Shared steps

    static func require(_ record: ReferralRecord, in allowed: [ReferralStatus], to verb: String) throws(HubError) {
        guard allowed.contains(record.status) else {
            throw HubError(invalidTransition, "A referral that is \(record.status.rawValue) cannot \(verb == "withdraw" ? "be withdrawn" : "be changed that way") (\(verb)); allowed from: \(allowed.map(\.rawValue).joined(separator: ", ")).", field: "status")
        }
        if record.anonymisedAt != nil { throw HubError(invalidTransition, "An anonymised referral cannot change.", field: "status") }
    }

    static func code(_ body: JSONValue, _ key: String, _ list: [CodedReason]) throws(HubError) -> String {
        let value = try Fields.string(body, key, max: 60, required: false)
        guard let value, list.contains(where: { $0.code == value }) else {
            throw HubError(.validation, "A coded reason is required: \(list.map(\.code).joined(separator: ", ")).", field: "body." + key)
        }
        return value
    }

    /// Applies one step: the update (guarded by the version, so a concurrent change
    /// fails instead of being overwritten), the history row, the audit row, the events
    /// and, when the referral entered or left the waiting list, the centre's capacity.
    static func transition(_ env: ReferralsEnvironment, _ context: ServiceContext, _ actor: Actor, _ record: ReferralRecord,
                           to status: ReferralStatus, action: String, reason: String? = nil, priority: Int? = nil,
                           note: String? = nil, set: ReferralStore.StepChanges) async throws(HubError) -> ReferralSummary {
        let now = env.timestamp
        let store = ReferralStore(context.database)
        guard try await store.applyStep(referral: record.id, version: record.version, status: status, changes: set) else {
            throw HubError(.conflict, "The referral was changed by someone else; reload and try again.", field: "body.id")
        }
        let seq = try await store.nextHistorySeq(referral: record.id)
        let sealedNote = try note.map { n throws(HubError) in try env.protector.seal(Array(n.utf8), context: "history:\(record.id):\(seq)") }
        try await store.appendHistory(referral: record.id, .init(seq: seq, status: status.rawValue, action: action, at: now, actor: actor.who,
                                                                 reason: reason, priority: priority, sealedNote: sealedNote))
        try await Privacy.audit(context.database, env, actor, action: action, referral: record.id, centre: record.centre, purpose: "case-handling")
        guard let updated = try await store.referral(record.id) else { throw HubError(.internal, "The referral vanished.") }
        if status != record.status { announce(env, context, updated, action: action, at: now) }
        // Only a referral entering or leaving the waiting list can change the centre's capacity.
        if (record.status == .accepted) != (status == .accepted) {
            try await Queue.publishCapacityIfChanged(env, context, centre: record.centre)
        }
        var reply = updated.summaryReply(env: env)
        reply.action = action
        return reply
    }

    /// Emits the internal status event and, with consent, the referring agency's.
    static func announce(_ env: ReferralsEnvironment, _ context: ServiceContext, _ record: ReferralRecord, action: String, at: String) {
        let changed = ReferralStatusChanged(referralId: record.id, centre: record.centre, status: record.status, category: record.category, at: at)
        if let body = try? JSONValue.from(changed) { context.events.emit(ReferralStatusChanged.topic(record.status), body) }
        guard let agency = record.referrerAgency, let adapter = env.adapter(of: agency) else { return }
        // Without consent to status the agency hears only that the referral arrived.
        guard record.consentsToStatus || record.status == .submitted else { return }
        var event = ReferralStatusEvent(referralId: record.id, reference: record.reference, agency: agency, centre: record.centre,
                                        status: record.status, at: at, externalRef: record.externalRef)
        if record.consentsToOutcome {
            event.reason = record.outcomeReason
            event.treatment = record.treatment.map { t -> TreatmentMode in t.hasPrefix("group:") ? .group : TreatmentMode(rawValue: t) ?? .individual }
        }
        if let body = try? JSONValue.from(event) { context.events.emit(ReferralStatusEvent.topic(adapter: adapter), body) }
    }
}
