import HubCore
import HubProtocol
import HubStorage

/// The waiting lists, the centres' intake switches and the capacity last published, as
/// stored (see `ReferralStore`).
extension ReferralStore {
    /// The queue's order: priority, then when the centre received the referral. Two referrals
    /// received in the same millisecond (two staff accepting at once, on two workers) are
    /// told apart by submission time and then id, so every place in line is held by exactly
    /// one referral and the list and each referral's own position agree.
    static let queueOrder = "priority, received_at, submitted_at, id"

    // MARK: Intake

    /// Every centre's intake switch, by centre.
    func intakeStates() async throws(HubError) -> [String: Queue.IntakeState] {
        var out: [String: Queue.IntakeState] = [:]
        for row in try await db.query("SELECT centre_id, paused, message, alternatives, categories, since FROM intake", []) {
            out[try row.string("centre_id")] = Queue.IntakeState(paused: try row.bool("paused"), message: try row.optionalString("message"),
                                                                 alternatives: try row.optionalString("alternatives"),
                                                                 categories: Fields.list(try row.string("categories")),
                                                                 since: try row.optionalString("since"))
        }
        return out
    }

    /// Replaces the centre's intake switch.
    func replaceIntake(centre: String, _ state: Queue.IntakeState, changedBy actor: String) async throws(HubError) {
        try await db.execute("DELETE FROM intake WHERE centre_id = ?", [.text(centre)])
        try await db.execute("""
            INSERT INTO intake (centre_id, paused, message, alternatives, categories, since, changed_by) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [.text(centre), state.paused.databaseValue, state.message.databaseValue, state.alternatives.databaseValue,
                  .text(state.categories.joined(separator: ",")), state.since.databaseValue, .text(actor)])
    }

    // MARK: Lists

    /// The agencies' own referrals, newest first (at most `limit`).
    func referrals(ofAgencies agencies: [String], limit: Int) async throws(HubError) -> [ReferralRecord] {
        let marks = agencies.map { _ in "?" }.joined(separator: ", ")
        return try await referrals(
            "SELECT \(ReferralRecord.columns) FROM referrals WHERE referrer_agency IN (\(marks)) ORDER BY submitted_at DESC LIMIT \(limit)",
            agencies.map { .text($0) })
    }

    /// The centre's waiting list of one category in queue order (at most `limit`).
    func waitingList(centre: String, category: String, limit: Int) async throws(HubError) -> [ReferralRecord] {
        try await referrals("""
            SELECT \(ReferralRecord.columns) FROM referrals WHERE centre_id = ? AND status = 'accepted' AND category = ?
            ORDER BY \(Self.queueOrder) LIMIT \(limit)
            """, [.text(centre), .text(category)])
    }

    /// The centre's referrals still open or ended since `endedSince`, newest first (at most `limit`).
    func recentReferrals(centre: String, endedSince: String, limit: Int) async throws(HubError) -> [ReferralRecord] {
        try await referrals("""
            SELECT \(ReferralRecord.columns) FROM referrals WHERE centre_id = ?
            AND (ended_at IS NULL OR ended_at >= ?) ORDER BY submitted_at DESC LIMIT \(limit)
            """, [.text(centre), .text(endedSince)])
    }

    /// The time of each referral's latest step, by id, in one query.
    func latestStepTimes(ids: [String]) async throws(HubError) -> [String: String] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await db.query("""
            SELECT referral_id, MAX(at) AS latest FROM referral_history WHERE referral_id IN (\(ids.map { _ in "?" }.joined(separator: ", ")))
            GROUP BY referral_id
            """, ids.map { .text($0) })
        var out: [String: String] = [:]
        for row in rows {
            if let id = try? row.string("referral_id"), let at = try? row.string("latest") { out[id] = at }
        }
        return out
    }

    // MARK: Counts

    /// How many referrals wait before this one in its centre's and category's queue (`queueOrder`).
    func waitingAhead(of record: ReferralRecord, priority: Int) async throws(HubError) -> Int {
        let received = record.receivedAt ?? record.submittedAt
        let p = DatabaseValue.integer(Int64(priority)), r = DatabaseValue.text(received), s = DatabaseValue.text(record.submittedAt)
        return try await db.queryFirst("""
            SELECT COUNT(*) AS n FROM referrals WHERE centre_id = ? AND category = ? AND status = 'accepted'
            AND (priority < ? OR (priority = ? AND (received_at < ? OR (received_at = ? AND (submitted_at < ? OR (submitted_at = ? AND id < ?))))))
            """, [.text(record.centre), .text(record.category), p, p, r, r, s, s, .text(record.id)])!.int("n")
    }

    /// How many referrals wait in the centre's queue of one category.
    func waitingCount(centre: String, category: String) async throws(HubError) -> Int {
        try await db.queryFirst("SELECT COUNT(*) AS n FROM referrals WHERE centre_id = ? AND category = ? AND status = 'accepted'",
                                [.text(centre), .text(category)])!.int("n")
    }

    /// How many referrals of the centre's category left the queue for an appointment or
    /// treatment since `since`.
    func leftQueueCount(centre: String, category: String, since: String) async throws(HubError) -> Int {
        try await db.queryFirst("""
            SELECT COUNT(*) AS n FROM referrals WHERE centre_id = ? AND category = ? AND left_queue_at >= ?
            AND (appointment_offered_at IS NOT NULL OR treatment_started_at IS NOT NULL)
            """, [.text(centre), .text(category), .text(since)])!.int("n")
    }

    // MARK: Published capacity

    /// The state and band last published for each of the centre's categories.
    func publishedCapacity(centre: String) async throws(HubError) -> [String: (state: String, band: String?)] {
        var published: [String: (state: String, band: String?)] = [:]
        for row in try await db.query("SELECT category, state, band FROM capacity_published WHERE centre_id = ?", [.text(centre)]) {
            published[try row.string("category")] = (try row.string("state"), try row.optionalString("band"))
        }
        return published
    }

    /// Replaces what was published for the centre.
    func replacePublishedCapacity(centre: String, _ states: [(category: String, state: String, band: String?)], at now: String) async throws(HubError) {
        try await db.execute("DELETE FROM capacity_published WHERE centre_id = ?", [.text(centre)])
        for published in states {
            try await db.execute("INSERT INTO capacity_published (centre_id, category, state, band, at) VALUES (?, ?, ?, ?, ?)",
                                 [.text(centre), .text(published.category), .text(published.state), published.band.databaseValue, .text(now)])
        }
    }
}
