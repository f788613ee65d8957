import HubCore
import HubProtocol
import HubStorage

/// The audit log, anonymisation after the retention period and re-sealing under a rotated
/// key, as stored (see `ReferralStore`). The audit log is its own table, apart from the
/// operational logs; sealed values pass through here unopened.
extension ReferralStore {
    // MARK: Audit log

    /// One read or change of personal data, as the audit log keeps it.
    struct AuditEntry: Sendable {
        var id: String, at: String, actor: String, role: String, unit: String, action: String
        var referral: String?, centre: String?, purpose: String
    }

    /// Adds an entry to the audit log.
    func audit(_ entry: AuditEntry) async throws(HubError) {
        let statement = Self.auditStatement(entry)
        try await db.execute(statement.sql, statement.binds)
    }

    /// The audit row's insert, to send together with the change it records.
    static func auditStatement(_ entry: AuditEntry) -> SQLStatement {
        SQLStatement("""
            INSERT INTO audit_log (id, at, actor, role, unit, action, referral_id, centre_id, purpose) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(entry.id), .text(entry.at), .text(entry.actor), .text(entry.role), .text(entry.unit), .text(entry.action),
                  entry.referral.databaseValue, entry.centre.databaseValue, .text(entry.purpose)])
    }

    /// The newest audit entries (at most `limit`), of one centre and one referral when given.
    func auditEntries(centre: String?, referral: String?, limit: Int) async throws(HubError) -> [AuditEntry] {
        var sql = "SELECT id, at, actor, role, unit, action, referral_id, centre_id, purpose FROM audit_log WHERE 1 = 1"
        var binds: [DatabaseValue] = []
        if let centre { sql += " AND centre_id = ?"; binds.append(.text(centre)) }
        if let referral { sql += " AND referral_id = ?"; binds.append(.text(referral)) }
        sql += " ORDER BY at DESC LIMIT \(limit)"
        return try await db.query(sql, binds).map { row throws(HubError) in
            AuditEntry(id: try row.string("id"), at: try row.string("at"), actor: try row.string("actor"), role: try row.string("role"),
                       unit: try row.string("unit"), action: try row.string("action"), referral: try row.optionalString("referral_id"),
                       centre: try row.optionalString("centre_id"), purpose: try row.string("purpose"))
        }
    }

    // MARK: Retention

    /// A referral whose personal data the retention period has run out for.
    struct Expired: Sendable { var id: String, reference: String, centre: String, status: String, endedAt: String }

    /// The ended referrals not yet anonymised that ended before `cutoff`, oldest first.
    func expiredReferrals(endedBefore cutoff: String) async throws(HubError) -> [Expired] {
        try await db.query("""
            SELECT id, reference, centre_id, status, ended_at FROM referrals
            WHERE anonymised_at IS NULL AND ended_at IS NOT NULL AND ended_at < ? AND status IN ('closed', 'declined', 'redirected', 'withdrawn')
            ORDER BY ended_at
            """, [.text(cutoff)]).map { row throws(HubError) in
            Expired(id: try row.string("id"), reference: try row.string("reference"), centre: try row.string("centre_id"),
                    status: try row.string("status"), endedAt: try row.string("ended_at"))
        }
    }

    /// Drops the referral's personal data (sealed document, blind index, external reference,
    /// unit, history notes); the statistics columns stay.
    func anonymise(referral id: String, at now: String) async throws(HubError) {
        try await db.execute("""
            UPDATE referrals SET personal = NULL, person_index = NULL, external_ref = NULL, referrer_unit = NULL,
            anonymised_at = ?, version = version + 1 WHERE id = ?
            """, [.text(now), .text(id)])
        try await db.execute("UPDATE referral_history SET note = NULL WHERE referral_id = ?", [.text(id)])
    }

    // MARK: Re-sealing

    /// Every referral's sealed personal data, by referral id.
    func allSealedPersonalData() async throws(HubError) -> [(id: String, sealed: [UInt8])] {
        try await db.query("SELECT id, personal FROM referrals WHERE personal IS NOT NULL", []).map { row throws(HubError) in
            (try row.string("id"), try row.blob("personal"))
        }
    }

    /// Replaces a referral's sealed personal data, only if it is still `was` (another worker
    /// may have written a newer one meanwhile).
    func resealPersonalData(of id: String, sealed: [UInt8], was: [UInt8]) async throws(HubError) {
        try await db.execute("UPDATE referrals SET personal = ? WHERE id = ? AND personal = ?", [.blob(sealed), .text(id), .blob(was)])
    }

    /// Every sealed history note, by referral and step.
    func allSealedNotes() async throws(HubError) -> [(referral: String, seq: Int, sealed: [UInt8])] {
        try await db.query("SELECT referral_id, seq, note FROM referral_history WHERE note IS NOT NULL", []).map { row throws(HubError) in
            (try row.string("referral_id"), try row.int("seq"), try row.blob("note"))
        }
    }

    /// Replaces a history note's sealed text, only if it is still `was`.
    func resealNote(referral id: String, seq: Int, sealed: [UInt8], was: [UInt8]) async throws(HubError) {
        try await db.execute("UPDATE referral_history SET note = ? WHERE referral_id = ? AND seq = ? AND note = ?",
                             [.blob(sealed), .text(id), .integer(Int64(seq)), .blob(was)])
    }
}
