// The staff's and the referrer's steps after submission: receive, assess, appointment,
// treatment, close, withdraw and reprioritise, each one `Lifecycle.transition`.

import Foundation
import HubBus
import HubCore
import HubProtocol
import ReferralsAPI
import HubStorage

extension Lifecycle {
    /// `referrals.receive {id}`: the centre has received the referral.
    @Sendable static func receive(_ env: ReferralsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(request, reference: env.reference, service: "referrals")
        let record = try await ReferralStore(context.database).referralForHandling(try Fields.id(request.body), actor: actor)
        try require(record, in: ReferralAction.receive.allowedFrom, to: "receive")
        return try JSONValue.encode(try await transition(env, context, actor, record, to: .received, action: "receive", set: .init(receivedAt: env.timestamp)))
    }

    /// `referrals.assess {id, decision: accept|redirect|decline, priority, reason, redirectTo}`.
    @Sendable static func assess(_ env: ReferralsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(request, reference: env.reference, service: "referrals")
        var record = try await ReferralStore(context.database).referralForHandling(try Fields.id(request.body), actor: actor)
        let decision = try Fields.string(request.body, "decision", max: 20)
        try require(record, in: ReferralAction.assess.allowedFrom, to: "assess")
        let now = env.timestamp
        if record.status == .submitted {
            _ = try await transition(env, context, actor, record, to: .received, action: "receive", set: .init(receivedAt: now))
            guard let reloaded = try await ReferralStore(context.database).referral(record.id) else { throw HubError(.internal, "The referral vanished.") }
            record = reloaded
        }
        switch decision {
        case "accept":
            let priority = try Fields.int(request.body, "priority", range: 1...3)!
            return try JSONValue.encode(try await transition(env, context, actor, record, to: .accepted, action: "accept", priority: priority,
                                        set: .init(priority: priority, assessedAt: now)))
        case "redirect":
            let reason = try code(request.body, "reason", env.settings.redirectReasons)
            let to = try Fields.string(request.body, "redirectTo", max: 200)!
            return try JSONValue.encode(try await transition(env, context, actor, record, to: .redirected, action: "redirect", reason: reason,
                                        set: .init(assessedAt: now, outcomeReason: reason, redirectTo: to, endedAt: now)))
        case "decline":
            let reason = try code(request.body, "reason", env.settings.declineReasons)
            return try JSONValue.encode(try await transition(env, context, actor, record, to: .declined, action: "decline", reason: reason,
                                        set: .init(assessedAt: now, outcomeReason: reason, endedAt: now)))
        default:
            throw HubError(.validation, "Must be accept, redirect or decline.", field: "body.decision")
        }
    }

    /// `referrals.appointment {id, date, channel}`: the first appointment is offered. The
    /// channel must respect the safe-contact instructions.
    @Sendable static func offerAppointment(_ env: ReferralsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(request, reference: env.reference, service: "referrals")
        let record = try await ReferralStore(context.database).referralForHandling(try Fields.id(request.body), actor: actor)
        guard let date = try Fields.string(request.body, "date", max: 10), LocalTime.isDate(date) else {
            throw HubError(.validation, "Not a date (YYYY-MM-DD).", field: "body.date")
        }
        let channel = try Fields.string(request.body, "channel", max: 20)
        // A channel this referral's safe-contact instructions (or its lack of a referrer) rule
        // out is refused by the referral's state, not by the body: 409 conflict.
        switch channel {
        case "via-referrer":
            guard record.referrerAgency != nil else { throw HubError(.conflict, "A self-referral has no referrer to go through.", field: "body.channel") }
        case "phone":
            guard !record.doNotContact, record.mayCall else {
                throw HubError(.conflict, "The safe-contact instructions forbid calling the client.", field: "body.channel")
            }
        case "letter", "in-person":
            guard !record.doNotContact, !record.protectedIdentity else {
                throw HubError(.conflict, record.doNotContact ? "The client must not be contacted: go through the referrer."
                                                              : "No address is kept for a protected identity: go through the referrer.", field: "body.channel")
            }
        default:
            throw HubError(.validation, "Must be phone, letter, in-person or via-referrer.", field: "body.channel")
        }
        try require(record, in: ReferralAction.appointment.allowedFrom, to: "offer an appointment for")
        let now = env.timestamp
        return try JSONValue.encode(try await transition(env, context, actor, record, to: .appointmentOffered, action: "appointment", reason: channel,
                                    set: .init(appointmentDate: date, appointmentOfferedAt: now, leftQueueAt: now)))
    }

    /// `referrals.treatment.start {id, mode: individual|group, groupId}`.
    @Sendable static func startTreatment(_ env: ReferralsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(request, reference: env.reference, service: "referrals")
        let record = try await ReferralStore(context.database).referralForHandling(try Fields.id(request.body), actor: actor)
        let mode = try Fields.string(request.body, "mode", max: 20)
        var set = ReferralStore.StepChanges()
        switch mode {
        case "individual": set.treatment = "individual"
        case "group":
            let groupID = try Fields.id(request.body, "groupId")
            let group = try await ReferralStore(context.database).group(groupID)
            guard group.centre == record.centre else { throw HubError(.notFound, "No such group at this centre.", field: "body.groupId") }
            set.treatment = "group:" + group.name; set.groupID = group.id
        default: throw HubError(.validation, "Must be individual or group.", field: "body.mode")
        }
        try require(record, in: ReferralAction.treatment.allowedFrom, to: "start treatment for")
        let now = env.timestamp
        set.treatmentStartedAt = now
        if record.status == .accepted { set.leftQueueAt = now }
        return try JSONValue.encode(try await transition(env, context, actor, record, to: .inTreatment, action: "treatment", reason: set.treatment, set: set))
    }

    /// `referrals.close {id, reason}` with a coded closure reason.
    @Sendable static func close(_ env: ReferralsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(request, reference: env.reference, service: "referrals")
        let record = try await ReferralStore(context.database).referralForHandling(try Fields.id(request.body), actor: actor)
        let reason = try code(request.body, "reason", env.settings.closureReasons)
        try require(record, in: ReferralAction.close.allowedFrom, to: "close")
        let now = env.timestamp
        var set = ReferralStore.StepChanges(outcomeReason: reason, endedAt: now)
        if record.status == .accepted { set.leftQueueAt = now }
        return try JSONValue.encode(try await transition(env, context, actor, record, to: .closed, action: "close", reason: reason, note: try Fields.string(request.body, "note", max: env.settings.maxFreeTextChars, required: false), set: set))
    }

    /// `referrals.withdraw {id, reason}`: the referring agency (or staff) withdraws.
    @Sendable static func withdraw(_ env: ReferralsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(request, reference: env.reference, service: "referrals")
        let id = try Fields.id(request.body)
        guard let record = try await ReferralStore(context.database).referral(id),
              actor.mayHandle(centre: record.centre) || actor.mayFollow(referrerAgency: record.referrerAgency) else {
            throw HubError(.notFound, "No such referral.", field: "body.id")
        }
        let reason = try code(request.body, "reason", env.settings.withdrawReasons)
        try require(record, in: ReferralAction.withdraw.allowedFrom, to: "withdraw")
        let now = env.timestamp
        var set = ReferralStore.StepChanges(outcomeReason: reason, endedAt: now)
        if record.status == .accepted { set.leftQueueAt = now }
        return try JSONValue.encode(try await transition(env, context, actor, record, to: .withdrawn, action: "withdraw", reason: reason, set: set))
    }

    /// `referrals.reprioritise {id, priority, reason}`: the reason is kept (sealed) in the history.
    @Sendable static func reprioritise(_ env: ReferralsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(request, reference: env.reference, service: "referrals")
        let record = try await ReferralStore(context.database).referralForHandling(try Fields.id(request.body), actor: actor)
        let priority = try Fields.int(request.body, "priority", range: 1...3)!
        let reason = try Fields.string(request.body, "reason", max: 500)!
        try require(record, in: ReferralAction.reprioritise.allowedFrom, to: "reprioritise")
        return try JSONValue.encode(try await transition(env, context, actor, record, to: .accepted, action: "reprioritise", priority: priority, note: reason,
                                    set: .init(priority: priority)))
    }
}
