// `referrals.submit`: a new referral validated, sealed, linked and stored, and the short
// random codes its reference and reserve id are drawn from.

import Foundation
import HubBus
import HubCore
import HubProtocol
import ReferralsAPI
import HubStorage

extension Lifecycle {

    /// `referrals.submit`: validates everything, seals personal data, links the same
    /// person by blind index, and answers with the referral id (or `intake_paused`).
    @Sendable static func submit(_ env: ReferralsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(request, reference: env.reference, service: "referrals")
        let allowed: Set<String>?
        switch actor.role {
        case .admin, .staff: allowed = nil
        case .agency, .adapter: allowed = actor.agencies
        case .board: throw HubError(.forbidden, "Management-group members do not submit referrals.")
        case .visitor: throw HubError(.forbidden, "Referrals are sent by signed-in users and agency adapters.")
        }
        var body = request.body
        if case .object(var o) = body { o.removeValue(forKey: "actor"); body = .object(o) }
        let v = try SubmissionValidator(reference: env.reference, settings: env.settings, risk: env.risk,
                                        allowedAgencies: allowed, today: env.now()).validate(body)
        if actor.role == .staff, actor.centre != v.centreID {
            throw HubError(.forbidden, "Staff register referrals for their own centre's municipalities.", field: "body.municipality")
        }
        // One read before anything is written: the centre's intake switch and, for a known
        // person, the client id their earlier referrals have.
        let personIndex = v.identity.map { env.protector.blindIndex($0.normalized, purpose: "person") }
        let store = ReferralStore(context.database)
        let found = try await store.submissionCheck(centre: v.centreID, personIndex: personIndex)
        if let intake = found.intake, intake.paused {
            if intake.categories.isEmpty || intake.categories.contains(v.category.rawValue) {
                var message = "\(env.centreName(v.centreID)) has paused intake (köstopp)."
                if let m = intake.message { message += " " + m }
                if let a = intake.alternatives { message += " Turn instead to: " + a }
                throw HubError(.intakePaused, message, field: "body.municipality")
            }
        }
        let now = env.timestamp
        let id = UUID().uuidString.lowercased()
        let clientID = found.knownClient ?? UUID().uuidString.lowercased()
        let reserve = v.identityKind == .none ? "RES-" + Codes.random(8) : nil
        let clientAge = v.identity.map { $0.age(on: env.now()) }
        let sealed = try env.protector.seal(Array(try JSONEncoder().encode(v.personal)), context: "referral:\(id)")
        // The reference is a short random code: when it is already taken (about one in a
        // million per thousand referrals stored), another is drawn instead of failing the referral.
        var reference = ""
        for attempt in 1...5 {
            reference = "U" + String(now.prefix(4).suffix(2)) + "-" + Codes.random(6)
            let new = ReferralStore.NewReferral(id: id, reference: reference, reserveID: reserve, clientID: clientID, personIndex: personIndex,
                                                submittedBy: actor.who, clientAge: clientAge, submittedAt: now)
            let stored = try await store.insertSubmitted(new, v, sealedPersonal: sealed)
            if stored { break }
            if attempt == 5 { throw HubError(.internal, "No free referral reference was found; nothing was stored.") }
        }
        // Its first history entry and the audit row in one round trip on PostgreSQL; the record
        // announced is the one just built, not read back.
        try await store.recordSubmission(referral: id, at: now, by: actor.who,
                                         audit: Privacy.auditEntry(env, actor, action: "create", referral: id, centre: v.centreID, purpose: "referral"))
        let record = ReferralRecord(submitted: v, id: id, reference: reference, reserveID: reserve, clientID: clientID, clientAge: clientAge, at: now)
        announce(env, context, record, action: "submit", at: now)
        let dropped = v.droppedFields.isEmpty ? nil : v.droppedFields
        return try JSONValue.encode(SubmissionReceipt(
            id: id, reference: reference, centre: v.centreID, centreName: env.centreName(v.centreID), submittedAt: now,
            reserveId: reserve, externalRef: v.externalRef, droppedFields: dropped,
            notice: dropped == nil ? nil : "The client has a protected identity: name and contact details were not stored."))
    }
}

/// Short random codes for references and reserve ids (no easily confused characters).
enum Codes {
    static let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    static func random(_ length: Int) -> String {
        var g = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int(g.next(upperBound: UInt32(alphabet.count)))] })
    }
}
