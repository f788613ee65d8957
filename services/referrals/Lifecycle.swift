import Foundation
import HubBus
import HubCore
import HubProtocol
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
    init(submitted v: ValidSubmission, id: String, reference: String, reserveID: String?, clientID: String, clientAge: Int?, at: String) {
        self.id = id; self.reference = reference; self.reserveID = reserveID; self.clientID = clientID; centre = v.centreID
        municipality = v.municipality; category = v.category.rawValue; help = v.help.map(\.rawValue); source = v.source
        referrerAgency = v.referrerAgency; referrerUnit = v.referrerUnit; externalRef = v.externalRef; identityKind = v.identityKind.rawValue
        protectedIdentity = v.protectedIdentity; doNotContact = v.doNotContact; mayCall = v.mayCall; mayLeaveMessage = v.mayLeaveMessage
        consentScope = v.consentScope.map(\.rawValue); urgency = v.urgency.rawValue; self.clientAge = clientAge; childrenAges = v.childrenAges
        riskScore = v.riskScore; status = .submitted; priority = nil; groupID = nil; treatment = nil; outcomeReason = nil; redirectTo = nil
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

    /// The non-personal summary every handler view shares.
    func summary(env: ReferralsEnvironment) -> [String: JSONValue] {
        var o: [String: JSONValue] = [
            "id": .string(id), "reference": .string(reference), "centre": .string(centre), "centreName": .string(env.centreName(centre)),
            "municipality": .string(municipality), "category": .string(category), "help": .array(help.map { .string($0) }),
            "source": .string(source), "status": .string(status.rawValue), "urgency": .string(urgency),
            "submittedAt": .string(submittedAt), "protectedIdentity": .bool(protectedIdentity), "doNotContact": .bool(doNotContact),
            "riskScore": .number(Double(riskScore)), "highRisk": .bool(riskScore >= env.risk.highRiskAt),
            "childrenAges": .array(childrenAges.map { .number(Double($0)) }), "version": .number(Double(version)),
        ]
        if let a = referrerAgency { o["referrerAgency"] = .string(a) }
        if let p = priority { o["priority"] = .number(Double(p)) }
        if let r = reserveID { o["reserveId"] = .string(r) }
        if let r = receivedAt { o["receivedAt"] = .string(r) }
        if let a = clientAge { o["clientAge"] = .number(Double(a)) }
        if let t = treatment { o["treatment"] = .string(t) }
        if let g = groupID { o["groupId"] = .string(g) }
        if let r = outcomeReason { o["reason"] = .string(r) }
        if let r = redirectTo { o["redirectTo"] = .string(r) }
        if let d = appointmentDate { o["appointmentDate"] = .string(d) }
        if let e = endedAt { o["endedAt"] = .string(e) }
        if anonymisedAt != nil { o["anonymised"] = .bool(true) }
        return o
    }
}

/// The life cycle: submit → receive → assess (accept | redirect | decline) → appointment
/// → treatment → close, and withdraw by the referrer. Each step is a history row, an
/// audit entry, an internal `referral.status.<status>` event and — when the client
/// consented — an `agency.<adapter>.referral.status` event to the referring agency.
enum Lifecycle {
    static let invalidTransition = HubError.Code("invalid_transition")

    // MARK: Queries

    /// `referrals.options`: what a referral form offers (categories, kinds of help,
    /// municipalities by centre, reasons, risk questions, each centre's intake).
    @Sendable static func options(_ env: ReferralsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        func reasons(_ list: [CodedReason]) -> JSONValue {
            .array(list.map { .object(["code": .string($0.code), "sv": .string($0.sv), "en": .string($0.en)]) })
        }
        let intake = try await Queue.intakeStates(c.database)
        return .object([
            "categories": .array(ClientCategory.allCases.map { .string($0.rawValue) }),
            "help": .array(HelpKind.allCases.map { .string($0.rawValue) }),
            "urgency": .array(Urgency.allCases.map { .string($0.rawValue) }),
            "centres": .array(env.reference.centres.map { centre in
                var o: [String: JSONValue] = ["id": .string(centre.id), "name": .string(centre.name),
                                              "municipalities": .array(centre.municipalities.map { .string($0) })]
                if let p = intake[centre.id] { o["intake"] = p.json }
                return .object(o)
            }),
            "agencies": .array(env.reference.agencies.map { .object(["id": .string($0.id), "name": .string($0.name)]) }),
            "riskQuestions": .array(env.risk.questions.map {
                .object(["id": .string($0.id), "sv": .string($0.sv), "en": .string($0.en), "required": .bool($0.required)])
            }),
            "riskAnswers": .array(env.risk.answers.map { .string($0) }),
            "declineReasons": reasons(env.settings.declineReasons), "redirectReasons": reasons(env.settings.redirectReasons),
            "closureReasons": reasons(env.settings.closureReasons), "withdrawReasons": reasons(env.settings.withdrawReasons),
            "maxFreeTextChars": .number(Double(env.settings.maxFreeTextChars)),
        ])
    }

    /// `referrals.get {id, purpose}`: the full referral with personal data for the centre's
    /// staff (each such read is audited); the status view for the referring agency.
    @Sendable static func get(_ env: ReferralsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "referrals")
        let id = try Fields.id(r.body)
        guard let record = try await ReferralRecord.load(c.database, id: id) else { throw HubError(.notFound, "No such referral.", field: "body.id") }
        if actor.mayFollow(referrerAgency: record.referrerAgency), !actor.mayHandle(centre: record.centre) {
            return try await statusView(env, c.database, record)
        }
        guard actor.mayHandle(centre: record.centre) else { throw HubError(.notFound, "No such referral.", field: "body.id") }
        guard let purpose = try Fields.string(r.body, "purpose", max: 40), Privacy.purposes.contains(purpose) else {
            throw HubError(.validation, "Say why you open the referral: \(Privacy.purposes.sorted().joined(separator: ", ")).", field: "body.purpose")
        }
        // Audit first: no personal data leaves without its audit row.
        try await Privacy.audit(c.database, env, actor, action: purpose == "print" ? "print" : "read", referral: record.id, centre: record.centre, purpose: purpose)
        var o = record.summary(env: env)
        o["externalRef"] = record.externalRef.map { .string($0) } ?? .null
        o["referrerUnit"] = record.referrerUnit.map { .string($0) } ?? .null
        o["identityKind"] = .string(record.identityKind)
        o["consentScope"] = .array(record.consentScope.map { .string($0) })
        o["mayCall"] = .bool(record.mayCall)
        o["mayLeaveMessage"] = .bool(record.mayLeaveMessage)
        if let personal = try await Privacy.personal(env, c.database, record) {
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
        o["history"] = .array(try await history(env, c.database, record.id, withNotes: true))
        // Other referrals of the same person (linked by the blind index), without personal data.
        let linked = try await c.database.query(
            "SELECT id, reference, centre_id, status, submitted_at FROM referrals WHERE client_id = ? AND id <> ? ORDER BY submitted_at",
            [.text(record.clientID), .text(record.id)])
        o["linked"] = .array(try linked.map { row throws(HubError) in
            .object(["id": .string(try row.string("id")), "reference": .string(try row.string("reference")),
                     "centre": .string(try row.string("centre_id")), "status": .string(try row.string("status")),
                     "submittedAt": .string(try row.string("submitted_at"))])
        })
        if let position = try await Queue.position(env, c.database, record) { o["queue"] = position }
        return .object(o)
    }

    /// `referrals.status {id}`: what the referring agency may see (no personal data ever).
    @Sendable static func status(_ env: ReferralsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "referrals")
        let id = try Fields.id(r.body)
        guard let record = try await ReferralRecord.load(c.database, id: id),
              actor.mayFollow(referrerAgency: record.referrerAgency) || actor.mayHandle(centre: record.centre) else {
            throw HubError(.notFound, "No such referral.", field: "body.id")
        }
        return try await statusView(env, c.database, record)
    }

    static func statusView(_ env: ReferralsEnvironment, _ db: any DatabaseExecutor, _ record: ReferralRecord) async throws(HubError) -> JSONValue {
        var entries = try await history(env, db, record.id, withNotes: false)
        if !record.consentsToStatus { entries = Array(entries.prefix(1)) }
        if !record.consentsToOutcome {
            entries = entries.map { e in
                guard case .object(var o) = e else { return e }
                o.removeValue(forKey: "reason"); o.removeValue(forKey: "priority"); o.removeValue(forKey: "group")
                return .object(o)
            }
        }
        let visibleStatus = record.consentsToStatus ? record.status.rawValue : ReferralStatus.submitted.rawValue
        var o: [String: JSONValue] = [
            "id": .string(record.id), "reference": .string(record.reference), "centre": .string(record.centre),
            "centreName": .string(env.centreName(record.centre)), "status": .string(visibleStatus),
            "submittedAt": .string(record.submittedAt), "category": .string(record.category),
            "history": .array(entries), "consentToStatus": .bool(record.consentsToStatus),
        ]
        o["externalRef"] = record.externalRef.map { .string($0) } ?? .null
        if record.consentsToOutcome {
            if let r = record.outcomeReason { o["reason"] = .string(r) }
            if let t = record.treatment { o["treatment"] = .string(t) }
        }
        return .object(o)
    }

    static func history(_ env: ReferralsEnvironment, _ db: any DatabaseExecutor, _ id: String, withNotes: Bool) async throws(HubError) -> [JSONValue] {
        let rows = try await db.query("SELECT seq, status, action, at, actor, reason, priority, note FROM referral_history WHERE referral_id = ? ORDER BY seq", [.text(id)])
        var out: [JSONValue] = []
        for row in rows {
            var o: [String: JSONValue] = ["status": .string(try row.string("status")), "action": .string(try row.string("action")),
                                          "at": .string(try row.string("at"))]
            if let r = try row.optionalString("reason") { o["reason"] = .string(r) }
            if let p = try row.optionalInt("priority") { o["priority"] = .number(Double(p)) }
            if withNotes {
                o["actor"] = .string(try row.string("actor"))
                if let sealed = try row.optionalBlob("note") {
                    let text = try env.protector.open(sealed, context: "history:\(id):\(try row.int("seq"))")
                    o["note"] = .string(String(decoding: text, as: UTF8.self))
                }
            }
            out.append(.object(o))
        }
        return out
    }

    // MARK: Commands

    /// `referrals.submit`: validates everything, seals personal data, links the same
    /// person by blind index, and answers with the referral id (or `intake_paused`).
    @Sendable static func submit(_ env: ReferralsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "referrals")
        let allowed: Set<String>?
        switch actor.role {
        case .admin, .staff: allowed = nil
        case .agency, .adapter: allowed = actor.agencies
        case .board: throw HubError(.forbidden, "Management-group members do not submit referrals.")
        case .visitor: throw HubError(.forbidden, "Referrals are sent by signed-in users and agency adapters.")
        }
        var body = r.body
        if case .object(var o) = body { o.removeValue(forKey: "actor"); body = .object(o) }
        let v = try SubmissionValidator(reference: env.reference, settings: env.settings, risk: env.risk,
                                        allowedAgencies: allowed, today: env.now()).validate(body)
        if actor.role == .staff, actor.centre != v.centreID {
            throw HubError(.forbidden, "Staff register referrals for their own centre's municipalities.", field: "body.municipality")
        }
        // One read before anything is written: the centre's intake switch and, for a known
        // person, the client id their earlier referrals have.
        let personIndex = v.identity.map { env.protector.blindIndex($0.normalized, purpose: "person") }
        let found = try await c.database.queryFirst("""
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
            let stored = try await c.database.execute("""
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
        try await c.database.execute(all: [
            SQLStatement("""
                INSERT INTO referral_history (referral_id, seq, status, action, at, actor, reason, priority, note)
                VALUES (?, 1, 'submitted', 'submit', ?, ?, NULL, NULL, NULL)
                """, [.text(id), .text(now), .text(actor.who)]),
            Privacy.auditStatement(env, actor, action: "create", referral: id, centre: v.centreID, purpose: "referral"),
        ])
        let record = ReferralRecord(submitted: v, id: id, reference: reference, reserveID: reserve, clientID: clientID, clientAge: clientAge, at: now)
        announce(env, c, record, action: "submit", at: now)
        var reply: [String: JSONValue] = ["id": .string(id), "reference": .string(reference), "status": "submitted",
                                          "centre": .string(v.centreID), "centreName": .string(env.centreName(v.centreID)),
                                          "submittedAt": .string(now)]
        if let reserve { reply["reserveId"] = .string(reserve) }
        if let e = v.externalRef { reply["externalRef"] = .string(e) }
        if !v.droppedFields.isEmpty {
            reply["droppedFields"] = .array(v.droppedFields.map { .string($0) })
            reply["notice"] = "The client has a protected identity: name and contact details were not stored."
        }
        return .object(reply)
    }

    /// `referrals.receive {id}`: the centre has received the referral.
    @Sendable static func receive(_ env: ReferralsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "referrals")
        let record = try await ReferralRecord.loadForHandling(c.database, id: try Fields.id(r.body), actor: actor)
        try require(record, in: [.submitted], to: "receive")
        return try await transition(env, c, actor, record, to: .received, action: "receive", set: ["received_at": .text(env.timestamp)])
    }

    /// `referrals.assess {id, decision: accept|redirect|decline, priority, reason, redirectTo}`.
    @Sendable static func assess(_ env: ReferralsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "referrals")
        var record = try await ReferralRecord.loadForHandling(c.database, id: try Fields.id(r.body), actor: actor)
        let decision = try Fields.string(r.body, "decision", max: 20)
        try require(record, in: [.submitted, .received], to: "assess")
        let now = env.timestamp
        if record.status == .submitted {
            _ = try await transition(env, c, actor, record, to: .received, action: "receive", set: ["received_at": .text(now)])
            guard let reloaded = try await ReferralRecord.load(c.database, id: record.id) else { throw HubError(.internal, "The referral vanished.") }
            record = reloaded
        }
        switch decision {
        case "accept":
            let priority = try Fields.int(r.body, "priority", range: 1...3)!
            return try await transition(env, c, actor, record, to: .accepted, action: "accept", priority: priority,
                                        set: ["priority": .integer(Int64(priority)), "assessed_at": .text(now)])
        case "redirect":
            let reason = try code(r.body, "reason", env.settings.redirectReasons)
            let to = try Fields.string(r.body, "redirectTo", max: 200)!
            return try await transition(env, c, actor, record, to: .redirected, action: "redirect", reason: reason,
                                        set: ["outcome_reason": .text(reason), "redirect_to": .text(to), "assessed_at": .text(now), "ended_at": .text(now)])
        case "decline":
            let reason = try code(r.body, "reason", env.settings.declineReasons)
            return try await transition(env, c, actor, record, to: .declined, action: "decline", reason: reason,
                                        set: ["outcome_reason": .text(reason), "assessed_at": .text(now), "ended_at": .text(now)])
        default:
            throw HubError(.validation, "Must be accept, redirect or decline.", field: "body.decision")
        }
    }

    /// `referrals.appointment {id, date, channel}`: the first appointment is offered. The
    /// channel must respect the safe-contact instructions.
    @Sendable static func offerAppointment(_ env: ReferralsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "referrals")
        let record = try await ReferralRecord.loadForHandling(c.database, id: try Fields.id(r.body), actor: actor)
        guard let date = try Fields.string(r.body, "date", max: 10), ReferenceData.isDate(date) else {
            throw HubError(.validation, "Not a date (YYYY-MM-DD).", field: "body.date")
        }
        let channel = try Fields.string(r.body, "channel", max: 20)
        switch channel {
        case "via-referrer":
            guard record.referrerAgency != nil else { throw HubError(.validation, "A self-referral has no referrer to go through.", field: "body.channel") }
        case "phone":
            guard !record.doNotContact, record.mayCall else {
                throw HubError(.validation, "The safe-contact instructions forbid calling the client.", field: "body.channel")
            }
        case "letter", "in-person":
            guard !record.doNotContact, !record.protectedIdentity else {
                throw HubError(.validation, record.doNotContact ? "The client must not be contacted: go through the referrer."
                                                              : "No address is kept for a protected identity: go through the referrer.", field: "body.channel")
            }
        default:
            throw HubError(.validation, "Must be phone, letter, in-person or via-referrer.", field: "body.channel")
        }
        try require(record, in: [.accepted], to: "offer an appointment for")
        let now = env.timestamp
        return try await transition(env, c, actor, record, to: .appointmentOffered, action: "appointment", reason: channel,
                                    set: ["appointment_date": .text(date), "appointment_offered_at": .text(now), "left_queue_at": .text(now)])
    }

    /// `referrals.treatment.start {id, mode: individual|group, groupId}`.
    @Sendable static func startTreatment(_ env: ReferralsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "referrals")
        let record = try await ReferralRecord.loadForHandling(c.database, id: try Fields.id(r.body), actor: actor)
        let mode = try Fields.string(r.body, "mode", max: 20)
        var set: [String: DatabaseValue] = [:]
        switch mode {
        case "individual": set["treatment"] = .text("individual")
        case "group":
            let groupID = try Fields.id(r.body, "groupId")
            let group = try await Groups.load(c.database, id: groupID)
            guard group.centre == record.centre else { throw HubError(.notFound, "No such group at this centre.", field: "body.groupId") }
            set["treatment"] = .text("group:" + group.name); set["group_id"] = .text(group.id)
        default: throw HubError(.validation, "Must be individual or group.", field: "body.mode")
        }
        try require(record, in: [.accepted, .appointmentOffered], to: "start treatment for")
        let now = env.timestamp
        set["treatment_started_at"] = .text(now)
        if record.status == .accepted { set["left_queue_at"] = .text(now) }
        return try await transition(env, c, actor, record, to: .inTreatment, action: "treatment", reason: set["treatment"].flatMap { if case .text(let t) = $0 { t } else { nil } }, set: set)
    }

    /// `referrals.close {id, reason}` with a coded closure reason.
    @Sendable static func close(_ env: ReferralsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "referrals")
        let record = try await ReferralRecord.loadForHandling(c.database, id: try Fields.id(r.body), actor: actor)
        let reason = try code(r.body, "reason", env.settings.closureReasons)
        try require(record, in: [.accepted, .appointmentOffered, .inTreatment], to: "close")
        let now = env.timestamp
        var set: [String: DatabaseValue] = ["outcome_reason": .text(reason), "ended_at": .text(now)]
        if record.status == .accepted { set["left_queue_at"] = .text(now) }
        return try await transition(env, c, actor, record, to: .closed, action: "close", reason: reason, note: try Fields.string(r.body, "note", max: env.settings.maxFreeTextChars, required: false), set: set)
    }

    /// `referrals.withdraw {id, reason}`: the referring agency (or staff) withdraws.
    @Sendable static func withdraw(_ env: ReferralsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "referrals")
        let id = try Fields.id(r.body)
        guard let record = try await ReferralRecord.load(c.database, id: id),
              actor.mayHandle(centre: record.centre) || actor.mayFollow(referrerAgency: record.referrerAgency) else {
            throw HubError(.notFound, "No such referral.", field: "body.id")
        }
        let reason = try code(r.body, "reason", env.settings.withdrawReasons)
        try require(record, in: [.submitted, .received, .accepted, .appointmentOffered], to: "withdraw")
        let now = env.timestamp
        var set: [String: DatabaseValue] = ["outcome_reason": .text(reason), "ended_at": .text(now)]
        if record.status == .accepted { set["left_queue_at"] = .text(now) }
        return try await transition(env, c, actor, record, to: .withdrawn, action: "withdraw", reason: reason, set: set)
    }

    /// `referrals.reprioritise {id, priority, reason}`: the reason is kept (sealed) in the history.
    @Sendable static func reprioritise(_ env: ReferralsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "referrals")
        let record = try await ReferralRecord.loadForHandling(c.database, id: try Fields.id(r.body), actor: actor)
        let priority = try Fields.int(r.body, "priority", range: 1...3)!
        let reason = try Fields.string(r.body, "reason", max: 500)!
        try require(record, in: [.accepted], to: "reprioritise")
        return try await transition(env, c, actor, record, to: .accepted, action: "reprioritise", priority: priority, note: reason,
                                    set: ["priority": .integer(Int64(priority))])
    }

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
    static func transition(_ env: ReferralsEnvironment, _ c: ServiceContext, _ actor: Actor, _ record: ReferralRecord,
                           to status: ReferralStatus, action: String, reason: String? = nil, priority: Int? = nil,
                           note: String? = nil, set: [String: DatabaseValue]) async throws(HubError) -> JSONValue {
        let now = env.timestamp
        var columns = set
        columns["status"] = .text(status.rawValue)
        let keys = columns.keys.sorted()
        let assignments = keys.map { "\($0) = ?" }.joined(separator: ", ")
        let changed = try await c.database.execute(
            "UPDATE referrals SET \(assignments), version = version + 1 WHERE id = ? AND version = ?",
            keys.map { columns[$0]! } + [.text(record.id), .integer(Int64(record.version))])
        guard changed == 1 else { throw HubError(.conflict, "The referral was changed by someone else; reload and try again.", field: "body.id") }
        let seq = try await c.database.queryFirst("SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM referral_history WHERE referral_id = ?", [.text(record.id)])!.int("n")
        let sealedNote = try note.map { n throws(HubError) in try env.protector.seal(Array(n.utf8), context: "history:\(record.id):\(seq)") }
        try await c.database.execute("""
            INSERT INTO referral_history (referral_id, seq, status, action, at, actor, reason, priority, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(record.id), .integer(Int64(seq)), .text(status.rawValue), .text(action), .text(now), .text(actor.who),
                  reason.databaseValue, priority.databaseValue, sealedNote.databaseValue])
        try await Privacy.audit(c.database, env, actor, action: action, referral: record.id, centre: record.centre, purpose: "case-handling")
        guard let updated = try await ReferralRecord.load(c.database, id: record.id) else { throw HubError(.internal, "The referral vanished.") }
        if status != record.status { announce(env, c, updated, action: action, at: now) }
        // Only a referral entering or leaving the waiting list can change the centre's capacity.
        if (record.status == .accepted) != (status == .accepted) {
            try await Queue.publishCapacityIfChanged(env, c, centre: record.centre)
        }
        var out = updated.summary(env: env)
        out["action"] = .string(action)
        return .object(out)
    }

    /// Emits the internal status event and, with consent, the referring agency's.
    static func announce(_ env: ReferralsEnvironment, _ c: ServiceContext, _ record: ReferralRecord, action: String, at: String) {
        c.events.emit("referral.status.\(record.status.rawValue)", [
            "referralId": .string(record.id), "centre": .string(record.centre), "status": .string(record.status.rawValue),
            "category": .string(record.category), "at": .string(at),
        ])
        guard let agency = record.referrerAgency, let adapter = env.adapter(of: agency) else { return }
        // Without consent to status the agency hears only that the referral arrived.
        guard record.consentsToStatus || record.status == .submitted else { return }
        var body: [String: JSONValue] = [
            "referralId": .string(record.id), "reference": .string(record.reference), "agency": .string(agency),
            "centre": .string(record.centre), "status": .string(record.status.rawValue), "at": .string(at),
        ]
        body["externalRef"] = record.externalRef.map { .string($0) } ?? .null
        if record.consentsToOutcome {
            if let r = record.outcomeReason { body["reason"] = .string(r) }
            if let t = record.treatment { body["treatment"] = .string(t.hasPrefix("group:") ? "group" : t) }
        }
        c.events.emit("agency.\(adapter).referral.status", .object(body))
    }
}

/// Short random codes for references and reserve ids (no easily confused characters).
enum Codes {
    static let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    static func random(_ n: Int) -> String {
        var g = SystemRandomNumberGenerator()
        return String((0..<n).map { _ in alphabet[Int(g.next(upperBound: UInt32(alphabet.count)))] })
    }
}
