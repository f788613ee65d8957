import Foundation
import HubBus
import HubCore
import HubProtocol
import ReferralsAPI
import HubStorage

/// The waiting list ("kö") per centre and category, intake pauses ("köstopp") and the
/// capacity broadcast: each centre's intake state per category, published as
/// `capacity.<centre>` to every agency adapter whenever it changes.
enum Queue {
    /// A centre's intake switch.
    struct IntakeState: Sendable {
        var paused: Bool
        var message: String?
        var alternatives: String?
        /// Empty: the whole centre is paused.
        var categories: [String]
        var since: String?
    }

    static func intakeStates(_ db: any DatabaseExecutor) async throws(HubError) -> [String: IntakeState] {
        var out: [String: IntakeState] = [:]
        for row in try await db.query("SELECT centre_id, paused, message, alternatives, categories, since FROM intake", []) {
            out[try row.string("centre_id")] = IntakeState(paused: try row.bool("paused"), message: try row.optionalString("message"),
                                                           alternatives: try row.optionalString("alternatives"),
                                                           categories: Fields.list(try row.string("categories")),
                                                           since: try row.optionalString("since"))
        }
        return out
    }

    /// `referrals.intake.set {centre, paused, message, alternatives, categories}`: staff pause
    /// or reopen intake, with a message and where to turn instead.
    @Sendable static func setIntake(_ env: ReferralsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(request, reference: env.reference, service: "referrals")
        guard let centre = try Fields.string(request.body, "centre", max: 64), env.reference.centres.contains(where: { $0.id == centre }) else {
            throw HubError(.validation, "Unknown centre.", field: "body.centre")
        }
        try actor.requireHandler(centre: centre)
        guard let paused = request.body["paused"]?.boolValue else { throw HubError(.validation, "Required: true or false.", field: "body.paused") }
        let message = try Fields.string(request.body, "message", max: 500, required: paused)
        let alternatives = try Fields.string(request.body, "alternatives", max: 500, required: paused)
        var categories: [String] = []
        if let given = request.body["categories"], given != .null, given.arrayValue == nil {
            throw HubError(.validation, "Must be a list.", field: "body.categories", reason: .wrongType)
        }
        if let list = request.body["categories"]?.arrayValue {
            for (i, v) in list.enumerated() {
                guard let s = v.stringValue, ClientCategory(rawValue: s) != nil else {
                    throw HubError(.validation, "Unknown category.", field: "body.categories[\(i)]")
                }
                categories.append(s)
            }
        }
        let now = env.timestamp
        try await context.database.lockForTransaction("capacity:" + centre) // see publishCapacityIfChanged
        try await context.database.execute("DELETE FROM intake WHERE centre_id = ?", [.text(centre)])
        try await context.database.execute("""
            INSERT INTO intake (centre_id, paused, message, alternatives, categories, since, changed_by) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [.text(centre), paused.databaseValue, (paused ? message : nil).databaseValue, (paused ? alternatives : nil).databaseValue,
                  .text(categories.joined(separator: ",")), .text(now), .text(actor.who)])
        try await publishCapacityIfChanged(env, context, centre: centre)
        return try ReferralsService.encodeReply(try await capacityReply(env, context.database, centre: centre))
    }

    /// The time of each referral's latest step, by id, in one query.
    static func latestStepTimes(_ database: any DatabaseExecutor, ids: [String]) async throws(HubError) -> [String: String] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await database.query("""
            SELECT referral_id, MAX(at) AS latest FROM referral_history WHERE referral_id IN (\(ids.map { _ in "?" }.joined(separator: ", ")))
            GROUP BY referral_id
            """, ids.map { .text($0) })
        var out: [String: String] = [:]
        for row in rows {
            if let id = try? row.string("referral_id"), let at = try? row.string("latest") { out[id] = at }
        }
        return out
    }

    /// `referrals.list {view, centre, category}`: `queue` (the centre's waiting list in
    /// order, with positions and estimated waits), `centre` (everything open at the
    /// centre), `mine` (an agency's own referrals, status only). No personal data.
    @Sendable static func list(_ env: ReferralsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(request, reference: env.reference, service: "referrals")
        let view = try Fields.string(request.body, "view", max: 20, required: false) ?? (actor.handlesReferrals ? "queue" : "mine")
        let limit = try Fields.int(request.body, "limit", range: 1...1000, required: false) ?? 500
        switch view {
        case "mine":
            guard actor.role == .agency || actor.role == .adapter else { throw HubError(.forbidden, "Only agencies have their own referrals.", field: "body.view") }
            let agencies = actor.agencies.sorted()
            let marks = agencies.map { _ in "?" }.joined(separator: ", ")
            let rows = try await context.database.query(
                "SELECT \(ReferralRecord.columns) FROM referrals WHERE referrer_agency IN (\(marks)) ORDER BY submitted_at DESC LIMIT \(limit)",
                agencies.map { .text($0) })
            let records = try rows.map { row throws(HubError) in try ReferralRecord(row: row) }
            let latest = try await latestStepTimes(context.database, ids: records.filter(\.consentsToStatus).map(\.id))
            let items = try records.map { rec throws(HubError) in
                // When the agency last had something new to see: the latest step, or only the
                // submission when the client has not agreed that the agency follows the case.
                try rec.agencyReply(env: env, changedAt: rec.consentsToStatus ? latest[rec.id] ?? rec.submittedAt : rec.submittedAt)
            }
            return try ReferralsService.encodeReply(ListReferrals.Reply.mine(.init(referrals: items)))
        case "queue", "centre":
            guard actor.handlesReferrals else { throw HubError(.forbidden, "Only centre staff see the queue.", field: "body.view") }
            let centre = try Fields.string(request.body, "centre", max: 64, required: false) ?? actor.centre
            guard let centre, env.reference.centres.contains(where: { $0.id == centre }) else {
                throw HubError(.validation, "Unknown centre.", field: "body.centre")
            }
            try actor.requireHandler(centre: centre)
            if view == "queue" {
                var categories: [ListReferrals.QueueCategory] = []
                for category in ClientCategory.allCases {
                    let rows = try await context.database.query("""
                        SELECT \(ReferralRecord.columns) FROM referrals WHERE centre_id = ? AND status = 'accepted' AND category = ?
                        ORDER BY \(queueOrder) LIMIT \(limit)
                        """, [.text(centre), .text(category.rawValue)])
                    let rate = try await ratePerDay(env, context.database, centre: centre, category: category.rawValue)
                    var items: [QueuedReferral] = []
                    for (i, row) in rows.enumerated() {
                        let rec = try ReferralRecord(row: row)
                        let days = estimatedDays(position: i + 1, rate: rate, env: env)
                        items.append(QueuedReferral(summary: rec.summaryReply(env: env),
                                                    place: QueuePosition(position: i + 1, estimatedWaitDays: days, waitBand: waitBand(days))))
                    }
                    categories.append(.init(category: category, count: items.count, referrals: items))
                }
                return try ReferralsService.encodeReply(ListReferrals.Reply.queue(.init(
                    centre: centre, categories: categories, capacity: try await capacityReply(env, context.database, centre: centre))))
            }
            let rows = try await context.database.query("""
                SELECT \(ReferralRecord.columns) FROM referrals WHERE centre_id = ?
                AND (ended_at IS NULL OR ended_at >= ?) ORDER BY submitted_at DESC LIMIT \(limit)
                """, [.text(centre), .text(Timestamp.string(from: env.now().addingTimeInterval(-30 * 86400)))])
            return try ReferralsService.encodeReply(ListReferrals.Reply.centre(.init(
                centre: centre, referrals: try rows.map { row throws(HubError) in try ReferralRecord(row: row).summaryReply(env: env) })))
        default:
            throw HubError(.validation, "Must be queue, centre or mine.", field: "body.view")
        }
    }

    /// The queue's order: priority, then when the centre received the referral. Two referrals
    /// received in the same millisecond (two staff accepting at once, on two workers) are
    /// told apart by submission time and then id, so every place in line is held by exactly
    /// one referral and the list and each referral's own position agree.
    static let queueOrder = "priority, received_at, submitted_at, id"

    /// A waiting referral's place in its centre's and category's queue: one more than the
    /// referrals before it in `queueOrder`.
    static func position(_ env: ReferralsEnvironment, _ db: any DatabaseExecutor, _ record: ReferralRecord) async throws(HubError) -> QueuePosition? {
        guard record.status == .accepted, let priority = record.priority else { return nil }
        let received = record.receivedAt ?? record.submittedAt
        let p = DatabaseValue.integer(Int64(priority)), r = DatabaseValue.text(received), s = DatabaseValue.text(record.submittedAt)
        let ahead = try await db.queryFirst("""
            SELECT COUNT(*) AS n FROM referrals WHERE centre_id = ? AND category = ? AND status = 'accepted'
            AND (priority < ? OR (priority = ? AND (received_at < ? OR (received_at = ? AND (submitted_at < ? OR (submitted_at = ? AND id < ?))))))
            """, [.text(record.centre), .text(record.category), p, p, r, r, s, s, .text(record.id)])!.int("n")
        let total = try await db.queryFirst("SELECT COUNT(*) AS n FROM referrals WHERE centre_id = ? AND category = ? AND status = 'accepted'",
                                            [.text(record.centre), .text(record.category)])!.int("n")
        let rate = try await ratePerDay(env, db, centre: record.centre, category: record.category)
        let days = estimatedDays(position: ahead + 1, rate: rate, env: env)
        return QueuePosition(position: ahead + 1, of: total, estimatedWaitDays: days, waitBand: waitBand(days))
    }

    /// People leaving the queue for an appointment or treatment per day, over the look-back window.
    static func ratePerDay(_ env: ReferralsEnvironment, _ db: any DatabaseExecutor, centre: String, category: String) async throws(HubError) -> Double {
        let days = env.settings.waitEstimate.lookbackDays
        let since = Timestamp.string(from: env.now().addingTimeInterval(-Double(days) * 86400))
        let n = try await db.queryFirst("""
            SELECT COUNT(*) AS n FROM referrals WHERE centre_id = ? AND category = ? AND left_queue_at >= ?
            AND (appointment_offered_at IS NOT NULL OR treatment_started_at IS NOT NULL)
            """, [.text(centre), .text(category), .text(since)])!.int("n")
        return Double(n) / Double(max(days, 1))
    }

    static func estimatedDays(position: Int, rate: Double, env: ReferralsEnvironment) -> Int {
        let days = rate > 0 ? Double(position) / rate : Double(position) * env.settings.waitEstimate.fallbackDaysPerPosition
        return Int(days.rounded(.up))
    }

    /// The wait band a referrer sees: under a month, one to three months, over three.
    static func waitBand(_ days: Int) -> WaitBand { days < 30 ? .underOneMonth : days <= 90 ? .oneToThreeMonths : .overThreeMonths }
    static func band(_ days: Int) -> String { waitBand(days).rawValue }

    /// The centre's intake per category: paused, open (nobody waiting) or waiting list with a band.
    static func capacityStates(_ env: ReferralsEnvironment, _ db: any DatabaseExecutor, centre: String) async throws(HubError) -> [(category: String, state: String, band: String?, message: String?, alternatives: String?)] {
        let intake = try await intakeStates(db)[centre]
        var out: [(String, String, String?, String?, String?)] = []
        for category in ClientCategory.allCases.map(\.rawValue) {
            if let p = intake, p.paused, p.categories.isEmpty || p.categories.contains(category) {
                out.append((category, "paused", nil, p.message, p.alternatives)); continue
            }
            let waiting = try await db.queryFirst("SELECT COUNT(*) AS n FROM referrals WHERE centre_id = ? AND category = ? AND status = 'accepted'",
                                                  [.text(centre), .text(category)])!.int("n")
            if waiting == 0 { out.append((category, "open", nil, nil, nil)); continue }
            let rate = try await ratePerDay(env, db, centre: centre, category: category)
            out.append((category, "waiting-list", band(estimatedDays(position: waiting + 1, rate: rate, env: env)), nil, nil))
        }
        return out
    }

    /// The centre's capacity as the contract gives it (`referrals.capacity`, `referrals.intake.set`).
    static func capacityReply(_ env: ReferralsEnvironment, _ db: any DatabaseExecutor, centre: String) async throws(HubError) -> ReferralCapacity.Centre {
        let states = try await capacityStates(env, db, centre: centre)
        return ReferralCapacity.Centre(centre: centre, centreName: env.centreName(centre), at: env.timestamp, categories: try states.map { s throws(HubError) in
            guard let category = ClientCategory(rawValue: s.category), let state = IntakeStateCode(rawValue: s.state) else {
                throw HubError(.internal, "A capacity state has an unknown code.")
            }
            return .init(category: category, state: state, waitBand: s.band.flatMap(WaitBand.init(rawValue:)), message: s.message, alternatives: s.alternatives)
        })
    }

    /// The same as the JSON of the `capacity.<centre>` event.
    static func capacityJSON(_ env: ReferralsEnvironment, _ db: any DatabaseExecutor, centre: String) async throws(HubError) -> JSONValue {
        try ReferralsService.encodeReply(try await capacityReply(env, db, centre: centre))
    }

    /// `referrals.capacity {centre?}`: every centre's (or one centre's) intake state; open to
    /// every signed-in role and adapter, so a referrer knows before referring.
    @Sendable static func capacity(_ env: ReferralsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        _ = try Caller.from(request, reference: env.reference, service: "referrals")
        let only = try Fields.string(request.body, "centre", max: 64, required: false)
        var out: [ReferralCapacity.Centre] = []
        for centre in env.reference.centres where only == nil || only == centre.id {
            out.append(try await capacityReply(env, context.database, centre: centre.id))
        }
        if let only, out.isEmpty { throw HubError(.validation, "Unknown centre.", field: "body.centre") }
        return try ReferralsService.encodeReply(ReferralCapacity.Reply(centres: out))
    }

    /// Compares the centre's capacity with what was last published; stores and emits
    /// `capacity.<centre>` only when a category's state or band changed.
    static func publishCapacityIfChanged(_ env: ReferralsEnvironment, _ context: ServiceContext, centre: String) async throws(HubError) {
        // One request at a time per centre from here to its commit, across every worker of the
        // service: the next one counts the queue with this one's change in it, and replaces the
        // published rows this one wrote (without the lock two accepts at once each insert the
        // same rows, and one fails with a conflict).
        try await context.database.lockForTransaction("capacity:" + centre)
        let states = try await capacityStates(env, context.database, centre: centre)
        var published: [String: (String, String?)] = [:]
        for row in try await context.database.query("SELECT category, state, band FROM capacity_published WHERE centre_id = ?", [.text(centre)]) {
            published[try row.string("category")] = (try row.string("state"), try row.optionalString("band"))
        }
        let changed = states.contains { s in published[s.category].map { $0.0 != s.state || $0.1 != s.band } ?? true }
        guard changed else { return }
        let now = env.timestamp
        try await context.database.execute("DELETE FROM capacity_published WHERE centre_id = ?", [.text(centre)])
        for s in states {
            try await context.database.execute("INSERT INTO capacity_published (centre_id, category, state, band, at) VALUES (?, ?, ?, ?, ?)",
                                         [.text(centre), .text(s.category), .text(s.state), s.band.databaseValue, .text(now)])
        }
        context.events.emit("capacity.\(centre)", try await capacityJSON(env, context.database, centre: centre))
    }
}
