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
        let found = try await context.database.queryFirst("""
            SELECT i.paused, i.message, i.alternatives, i.categories,
                   (SELECT client_id FROM referrals WHERE person_index = ? LIMIT 1) AS known_client
            FROM (SELECT 1 AS one) AS x LEFT JOIN intake i ON i.centre_id = ?
            """, [personIndex.map { .text($0) } ?? .null, .text(v.centreID)])
        if let found, try found.optionalInt("paused") == 1 {
            let categories = Fields.list(try found.optionalString("categories") ?? "")
            if categories.isEmpty || categories.contains(v.category.rawValue) {
                var message = "\(env.centreName(v.centreID)) has paused intake (köstopp)."
                if let m = try found.optionalString("message") { message += " " + m }
                if let a = try found.optionalString("alternatives") { message += " Turn instead to: " + a }
                throw HubError(.intakePaused, message, field: "body.municipality")
            }
        }
        let now = env.timestamp
        let id = UUID().uuidString.lowercased()
        let clientID = try found?.optionalString("known_client") ?? UUID().uuidString.lowercased()
        let reserve = v.identityKind == .none ? "RES-" + Codes.random(8) : nil
        let clientAge = v.identity.map { $0.age(on: env.now()) }
        let sealed = try env.protector.seal(Array(try JSONEncoder().encode(v.personal)), context: "referral:\(id)")
        // The reference is a short random code: when it is already taken (about one in a
        // million per thousand referrals stored), another is drawn instead of failing the referral.
        var reference = ""
        for attempt in 1...5 {
            reference = "U" + String(now.prefix(4).suffix(2)) + "-" + Codes.random(6)
            let stored = try await context.database.execute("""
                INSERT INTO referrals (id, reference, reserve_id, client_id, person_index, centre_id, municipality, category, help, source,
                    referrer_agency, referrer_unit, submitted_by, external_ref, identity_kind, protected_identity, do_not_contact, may_call,
                    may_leave_message, consent_scope, consent_given_at, urgency, client_age, children_ages, risk_score, status, submitted_at,
                    personal, version)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'submitted', ?, ?, 1)
                ON CONFLICT (reference) DO NOTHING
                """, [.text(id), .text(reference), reserve.map { .text($0) } ?? .null, .text(clientID), personIndex.map { .text($0) } ?? .null,
                      .text(v.centreID), .text(v.municipality), .text(v.category.rawValue), .text(v.help.map(\.rawValue).joined(separator: ",")),
                      .text(v.source), v.referrerAgency.databaseValue, v.referrerUnit.databaseValue, .text(actor.who), v.externalRef.databaseValue,
                      .text(v.identityKind.rawValue), v.protectedIdentity.databaseValue, v.doNotContact.databaseValue, v.mayCall.databaseValue,
                      v.mayLeaveMessage.databaseValue, .text(v.consentScope.map(\.rawValue).joined(separator: ",")), v.consentGivenAt.databaseValue,
                      .text(v.urgency.rawValue), clientAge.databaseValue,
                      .text(v.childrenAges.map(String.init).joined(separator: ",")), v.riskScore.databaseValue, .text(now), .blob(sealed)])
            if stored == 1 { break }
            if attempt == 5 { throw HubError(.internal, "No free referral reference was found; nothing was stored.") }
        }
        // Its first history entry and the audit row in one round trip on PostgreSQL; the record
        // announced is the one just built, not read back.
        try await context.database.execute(all: [
            SQLStatement("""
                INSERT INTO referral_history (referral_id, seq, status, action, at, actor, reason, priority, note)
                VALUES (?, 1, 'submitted', 'submit', ?, ?, NULL, NULL, NULL)
                """, [.text(id), .text(now), .text(actor.who)]),
            Privacy.auditStatement(env, actor, action: "create", referral: id, centre: v.centreID, purpose: "referral"),
        ])
        let record = ReferralRecord(submitted: v, id: id, reference: reference, reserveID: reserve, clientID: clientID, clientAge: clientAge, at: now)
        announce(env, context, record, action: "submit", at: now)
        let dropped = v.droppedFields.isEmpty ? nil : v.droppedFields
        return try ReferralsService.encodeReply(SubmissionReceipt(
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
