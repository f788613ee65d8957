import HubCore
import HubProtocol
import HubStorage

/// The counts behind the statistics and the figures imported from earlier systems, as
/// stored (see `ReferralStore`). No personal data: counts, dates and codes only.
extension ReferralStore {
    /// What is counted: every referral submitted in the Stockholm year, except one the
    /// referrer withdrew as sent by mistake (it never concerned a client of the centre).
    static let counted = "NOT (status = 'withdrawn' AND COALESCE(outcome_reason, '') = 'sent-by-mistake')"

    /// The figures imported for the centre's year, or nil when none were.
    func importedYear(centre: String, year: Int) async throws(HubError) -> Statistics.Year? {
        let rows = try await db.query("SELECT tbl, item, count FROM imported_statistics WHERE centre_id = ? AND year = ?",
                                      [.text(centre), .integer(Int64(year))])
        guard !rows.isEmpty else { return nil }
        var out = Statistics.Year()
        out.imported = true
        for row in rows {
            let key = try row.string("item"), n = try row.int("count")
            switch try row.string("tbl") {
            case "category": out.categories[key] = n
            case "agency": out.agencies[key] = n
            default: out.municipalities[key] = n
            }
        }
        return out
    }

    /// The centre's figures counted from the referrals sent from `from` until `to`.
    func countedYear(centre: String, from: String, to: String) async throws(HubError) -> Statistics.Year {
        var out = Statistics.Year()
        let range: [DatabaseValue] = [.text(centre), .text(from), .text(to)]
        for row in try await db.query("""
            SELECT category, COUNT(DISTINCT client_id) AS n FROM referrals WHERE centre_id = ? AND submitted_at >= ? AND submitted_at < ? AND \(Self.counted)
            GROUP BY category
            """, range) { out.categories[try row.string("category")] = try row.int("n") }
        for row in try await db.query("""
            SELECT COALESCE(referrer_agency, 'self') AS agency, COUNT(*) AS n FROM referrals
            WHERE centre_id = ? AND submitted_at >= ? AND submitted_at < ? AND \(Self.counted) GROUP BY COALESCE(referrer_agency, 'self')
            """, range) { out.agencies[try row.string("agency")] = try row.int("n") }
        for row in try await db.query("""
            SELECT municipality, COUNT(*) AS n FROM referrals WHERE centre_id = ? AND submitted_at >= ? AND submitted_at < ? AND \(Self.counted)
            GROUP BY municipality
            """, range) { out.municipalities[try row.string("municipality")] = try row.int("n") }
        return out
    }

    /// How many counted referrals the centre has from `from` until `to`.
    func countedReferrals(centre: String, from: String, to: String) async throws(HubError) -> Int {
        try await db.query("""
            SELECT COUNT(*) AS n FROM referrals WHERE centre_id = ? AND submitted_at >= ? AND submitted_at < ? AND \(Self.counted)
            """, [.text(centre), .text(from), .text(to)])[0].int("n")
    }

    /// When each counted referral offered a first appointment from `from` until `to` was sent,
    /// and the appointment's date.
    func appointmentWaits(centre: String, from: String, to: String) async throws(HubError) -> [(submittedAt: String, appointmentDate: String?)] {
        try await db.query("""
            SELECT submitted_at, appointment_date FROM referrals WHERE centre_id = ? AND appointment_offered_at >= ? AND appointment_offered_at < ?
            AND \(Self.counted)
            """, [.text(centre), .text(from), .text(to)]).map { row throws(HubError) in
            (try row.string("submitted_at"), try row.optionalString("appointment_date"))
        }
    }

    /// When each referral accepted before `to` and still waiting at `from` entered the queue
    /// and left it (nil: still waiting).
    func queueSpans(centre: String, from: String, to: String) async throws(HubError) -> [(assessedAt: String, leftQueueAt: String?)] {
        try await db.query("""
            SELECT assessed_at, left_queue_at FROM referrals WHERE centre_id = ? AND priority IS NOT NULL AND assessed_at IS NOT NULL
            AND assessed_at < ? AND (left_queue_at IS NULL OR left_queue_at >= ?)
            """, [.text(centre), .text(to), .text(from)]).map { row throws(HubError) in
            (try row.string("assessed_at"), try row.optionalString("left_queue_at"))
        }
    }

    /// Replaces the imported figures of each centre's year in `years` with `rows`.
    func replaceImportedStatistics(years: [(centre: String, year: Int)], rows: [StatisticsImport.Row],
                                   at now: String, by actor: String) async throws(HubError) {
        for year in years {
            try await db.execute("DELETE FROM imported_statistics WHERE centre_id = ? AND year = ?", [.text(year.centre), .integer(Int64(year.year))])
        }
        for row in rows {
            try await db.execute("""
                INSERT INTO imported_statistics (centre_id, year, tbl, item, count, imported_at, imported_by) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, [.text(row.centre), .integer(Int64(row.year)), .text(row.table), .text(row.key), .integer(Int64(row.count)),
                      .text(now), .text(actor)])
        }
    }
}
