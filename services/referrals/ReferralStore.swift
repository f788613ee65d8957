import HubCore
import HubProtocol
import HubStorage
import ReferralsAPI

/// The referrals, their history and the reference tables as stored: the SQL of the referrals
/// handlers lives here and in the extensions beside it (`QueueStore`, `TreatmentGroupStore`,
/// `StatisticsStore`, `PrivacyStore`), so a handler reads as the rule it applies and a change
/// of schema touches these files, not every handler. It wraps the request's executor (inside
/// the request's transaction for commands) and holds no state of its own. Personal data
/// reaches it sealed already and leaves it sealed: opening is the handlers' business.
struct ReferralStore {
    let db: any DatabaseExecutor

    init(_ db: any DatabaseExecutor) { self.db = db }

    // MARK: Referrals

    /// The referral, or nil when there is none with that id.
    func referral(_ id: String) async throws(HubError) -> ReferralRecord? {
        guard let row = try await db.queryFirst("SELECT \(ReferralRecord.columns) FROM referrals WHERE id = ?", [.text(id)]) else { return nil }
        return try ReferralRecord(row: row)
    }

    /// The referral the actor may handle, or not_found (never revealing that it exists elsewhere).
    func referralForHandling(_ id: String, actor: Actor) async throws(HubError) -> ReferralRecord {
        guard let record = try await referral(id), actor.mayHandle(centre: record.centre) else {
            throw HubError(.notFound, "No such referral.", field: "body.id")
        }
        return record
    }

    /// The referrals of a query that selects `ReferralRecord.columns`.
    func referrals(_ sql: String, _ binds: [DatabaseValue]) async throws(HubError) -> [ReferralRecord] {
        try await db.query(sql, binds).map { row throws(HubError) in try ReferralRecord(row: row) }
    }

    /// A referral of the same person, shown beside the one opened (no personal data).
    struct Linked: Sendable {
        var id: String, reference: String, centre: String, status: String, submittedAt: String
    }

    /// The person's other referrals (same client id), oldest first.
    func linkedReferrals(client: String, excluding id: String) async throws(HubError) -> [Linked] {
        try await db.query("SELECT id, reference, centre_id, status, submitted_at FROM referrals WHERE client_id = ? AND id <> ? ORDER BY submitted_at",
                           [.text(client), .text(id)]).map { row throws(HubError) in
            Linked(id: try row.string("id"), reference: try row.string("reference"), centre: try row.string("centre_id"),
                   status: try row.string("status"), submittedAt: try row.string("submitted_at"))
        }
    }

    /// The referral's sealed personal data (nil once anonymised).
    func sealedPersonalData(of id: String) async throws(HubError) -> [UInt8]? {
        guard let row = try await db.queryFirst("SELECT personal FROM referrals WHERE id = ?", [.text(id)]) else { return nil }
        return try row.optionalBlob("personal")
    }

    // MARK: Submission

    /// What a submission reads before anything is written: the centre's intake switch (nil
    /// when it was never set) and, for a known person, the client id their earlier referrals have.
    struct SubmissionCheck: Sendable {
        var intake: Queue.IntakeState?
        var knownClient: String?
    }

    /// Both in one read.
    func submissionCheck(centre: String, personIndex: String?) async throws(HubError) -> SubmissionCheck {
        guard let row = try await db.queryFirst("""
            SELECT i.paused, i.message, i.alternatives, i.categories,
                   (SELECT client_id FROM referrals WHERE person_index = ? LIMIT 1) AS known_client
            FROM (SELECT 1 AS one) AS x LEFT JOIN intake i ON i.centre_id = ?
            """, [personIndex.databaseValue, .text(centre)]) else { return SubmissionCheck() }
        var check = SubmissionCheck(knownClient: try row.optionalString("known_client"))
        if let paused = try row.optionalInt("paused") {
            check.intake = Queue.IntakeState(paused: paused == 1, message: try row.optionalString("message"),
                                             alternatives: try row.optionalString("alternatives"),
                                             categories: Fields.list(try row.optionalString("categories") ?? ""), since: nil)
        }
        return check
    }

    /// A new referral's stored identity: ids, codes and who sent it.
    struct NewReferral: Sendable {
        var id: String, reference: String, reserveID: String?, clientID: String, personIndex: String?
        var submittedBy: String, clientAge: Int?, submittedAt: String
    }

    /// Stores a submitted referral (status `submitted`, version 1) with its sealed personal
    /// data; false when its reference is taken already (nothing is stored then).
    func insertSubmitted(_ new: NewReferral, _ submission: ValidSubmission, sealedPersonal: [UInt8]) async throws(HubError) -> Bool {
        let stored = try await db.execute("""
            INSERT INTO referrals (id, reference, reserve_id, client_id, person_index, centre_id, municipality, category, help, source,
                referrer_agency, referrer_unit, submitted_by, external_ref, identity_kind, protected_identity, do_not_contact, may_call,
                may_leave_message, consent_scope, consent_given_at, urgency, client_age, children_ages, risk_score, status, submitted_at,
                personal, version)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'submitted', ?, ?, 1)
            ON CONFLICT (reference) DO NOTHING
            """, [.text(new.id), .text(new.reference), new.reserveID.databaseValue, .text(new.clientID), new.personIndex.databaseValue,
                  .text(submission.centreID), .text(submission.municipality), .text(submission.category.rawValue),
                  .text(submission.help.map(\.rawValue).joined(separator: ",")), .text(submission.source),
                  submission.referrerAgency.databaseValue, submission.referrerUnit.databaseValue, .text(new.submittedBy),
                  submission.externalRef.databaseValue, .text(submission.identityKind.rawValue), submission.protectedIdentity.databaseValue,
                  submission.doNotContact.databaseValue, submission.mayCall.databaseValue, submission.mayLeaveMessage.databaseValue,
                  .text(submission.consentScope.map(\.rawValue).joined(separator: ",")), submission.consentGivenAt.databaseValue,
                  .text(submission.urgency.rawValue), new.clientAge.databaseValue,
                  .text(submission.childrenAges.map(String.init).joined(separator: ",")), submission.riskScore.databaseValue,
                  .text(new.submittedAt), .blob(sealedPersonal)])
        return stored == 1
    }

    /// The submission's first history entry and its audit row, in one round trip on PostgreSQL.
    func recordSubmission(referral id: String, at now: String, by actor: String, audit: AuditEntry) async throws(HubError) {
        try await db.execute(all: [
            SQLStatement("""
                INSERT INTO referral_history (referral_id, seq, status, action, at, actor, reason, priority, note)
                VALUES (?, 1, 'submitted', 'submit', ?, ?, NULL, NULL, NULL)
                """, [.text(id), .text(now), .text(actor)]),
            Self.auditStatement(audit),
        ])
    }

    // MARK: Steps and history

    /// What a step writes besides the new status; what is nil stays as it is.
    struct StepChanges: Sendable {
        var receivedAt: String?
        var priority: Int?
        var assessedAt: String?
        var outcomeReason: String?
        var redirectTo: String?
        var appointmentDate: String?
        var appointmentOfferedAt: String?
        var treatment: String?
        var groupID: String?
        var treatmentStartedAt: String?
        var leftQueueAt: String?
        var endedAt: String?

        /// The columns written, by name.
        var columns: [String: DatabaseValue] {
            let texts: [(String, String?)] = [
                ("received_at", receivedAt), ("assessed_at", assessedAt), ("outcome_reason", outcomeReason), ("redirect_to", redirectTo),
                ("appointment_date", appointmentDate), ("appointment_offered_at", appointmentOfferedAt), ("treatment", treatment),
                ("group_id", groupID), ("treatment_started_at", treatmentStartedAt), ("left_queue_at", leftQueueAt), ("ended_at", endedAt),
            ]
            var out: [String: DatabaseValue] = [:]
            for (column, value) in texts { if let value { out[column] = .text(value) } }
            if let priority { out["priority"] = .integer(Int64(priority)) }
            return out
        }
    }

    /// Writes a step's new status and changes, guarded by the version read: false when
    /// someone else changed the referral meanwhile (then nothing was written).
    func applyStep(referral id: String, version: Int, status: ReferralStatus, changes: StepChanges) async throws(HubError) -> Bool {
        var columns = changes.columns
        columns["status"] = .text(status.rawValue)
        let keys = columns.keys.sorted()
        let assignments = keys.map { "\($0) = ?" }.joined(separator: ", ")
        let changed = try await db.execute(
            "UPDATE referrals SET \(assignments), version = version + 1 WHERE id = ? AND version = ?",
            keys.map { columns[$0]! } + [.text(id), .integer(Int64(version))])
        return changed == 1
    }

    /// The sequence number the referral's next history entry takes.
    func nextHistorySeq(referral id: String) async throws(HubError) -> Int {
        try await db.queryFirst("SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM referral_history WHERE referral_id = ?", [.text(id)])!.int("n")
    }

    /// One step in a referral's history as stored; its note is sealed.
    struct HistoryRow: Sendable {
        var seq: Int, status: String, action: String, at: String, actor: String
        var reason: String?, priority: Int?, sealedNote: [UInt8]?
    }

    /// Adds a step to the referral's history.
    func appendHistory(referral id: String, _ entry: HistoryRow) async throws(HubError) {
        try await db.execute("""
            INSERT INTO referral_history (referral_id, seq, status, action, at, actor, reason, priority, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(id), .integer(Int64(entry.seq)), .text(entry.status), .text(entry.action), .text(entry.at), .text(entry.actor),
                  entry.reason.databaseValue, entry.priority.databaseValue, entry.sealedNote.databaseValue])
    }

    /// The referral's history in order.
    func history(referral id: String) async throws(HubError) -> [HistoryRow] {
        try await db.query("SELECT seq, status, action, at, actor, reason, priority, note FROM referral_history WHERE referral_id = ? ORDER BY seq",
                           [.text(id)]).map { row throws(HubError) in
            HistoryRow(seq: try row.int("seq"), status: try row.string("status"), action: try row.string("action"), at: try row.string("at"),
                       actor: try row.string("actor"), reason: try row.optionalString("reason"), priority: try row.optionalInt("priority"),
                       sealedNote: try row.optionalBlob("note"))
        }
    }

    // MARK: Reference data

    /// Replaces the centres, their municipalities and the agencies with the configuration's.
    func replaceReferenceData(_ data: ReferenceData) async throws(HubError) {
        try await db.execute("DELETE FROM municipalities", [])
        try await db.execute("DELETE FROM centres", [])
        try await db.execute("DELETE FROM agencies", [])
        for centre in data.centres {
            try await db.execute("INSERT INTO centres (id, name, town) VALUES (?, ?, ?)", [.text(centre.id), .text(centre.name), .text(centre.town)])
            for municipality in centre.municipalities {
                try await db.execute("INSERT INTO municipalities (name, centre_id) VALUES (?, ?)", [.text(municipality), .text(centre.id)])
            }
        }
        for agency in data.agencies {
            try await db.execute("INSERT INTO agencies (id, name, kind, adapter) VALUES (?, ?, ?, ?)",
                                 [.text(agency.id), .text(agency.name), .text(agency.kind), agency.adapter.map { .text($0) } ?? .null])
        }
    }

    /// A centre as stored.
    struct Centre: Sendable { var id: String, name: String, town: String }

    /// The centres by name.
    func centres() async throws(HubError) -> [Centre] {
        try await db.query("SELECT id, name, town FROM centres ORDER BY name", []).map { row throws(HubError) in
            Centre(id: try row.string("id"), name: try row.string("name"), town: try row.string("town"))
        }
    }

    /// Each centre's municipalities by name.
    func municipalitiesByCentre() async throws(HubError) -> [String: [String]] {
        var byCentre: [String: [String]] = [:]
        for row in try await db.query("SELECT name, centre_id FROM municipalities ORDER BY name", []) {
            byCentre[try row.string("centre_id"), default: []].append(try row.string("name"))
        }
        return byCentre
    }
}

/// How a referral is read from its row: the columns every referral query selects.
extension ReferralRecord {
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
}
