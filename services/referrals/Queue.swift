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
        try await ReferralStore(context.database).replaceIntake(
            centre: centre, IntakeState(paused: paused, message: paused ? message : nil, alternatives: paused ? alternatives : nil,
                                        categories: categories, since: now), changedBy: actor.who)
        try await publishCapacityIfChanged(env, context, centre: centre)
        return try JSONValue.encode(try await capacityReply(env, context.database, centre: centre))
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
            let store = ReferralStore(context.database)
            let records = try await store.referrals(ofAgencies: agencies, limit: limit)
            let latest = try await store.latestStepTimes(ids: records.filter(\.consentsToStatus).map(\.id))
            let items = try records.map { rec throws(HubError) in
                // When the agency last had something new to see: the latest step, or only the
                // submission when the client has not agreed that the agency follows the case.
                try rec.agencyReply(env: env, changedAt: rec.consentsToStatus ? latest[rec.id] ?? rec.submittedAt : rec.submittedAt)
            }
            return try JSONValue.encode(ListReferrals.Reply.mine(.init(referrals: items)))
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
                    let records = try await ReferralStore(context.database).waitingList(centre: centre, category: category.rawValue, limit: limit)
                    let rate = try await ratePerDay(env, context.database, centre: centre, category: category.rawValue)
                    var items: [QueuedReferral] = []
                    for (i, rec) in records.enumerated() {
                        let days = estimatedDays(position: i + 1, rate: rate, env: env)
                        items.append(QueuedReferral(summary: rec.summaryReply(env: env),
                                                    place: QueuePosition(position: i + 1, estimatedWaitDays: days, waitBand: waitBand(days))))
                    }
                    categories.append(.init(category: category, count: items.count, referrals: items))
                }
                return try JSONValue.encode(ListReferrals.Reply.queue(.init(
                    centre: centre, categories: categories, capacity: try await capacityReply(env, context.database, centre: centre))))
            }
            let records = try await ReferralStore(context.database).recentReferrals(
                centre: centre, endedSince: Timestamp.string(from: env.now().addingTimeInterval(-30 * 86400)), limit: limit)
            return try JSONValue.encode(ListReferrals.Reply.centre(.init(centre: centre, referrals: records.map { $0.summaryReply(env: env) })))
        default:
            throw HubError(.validation, "Must be queue, centre or mine.", field: "body.view")
        }
    }

    /// A waiting referral's place in its centre's and category's queue: one more than the
    /// referrals before it in `ReferralStore.queueOrder`.
    static func position(_ env: ReferralsEnvironment, _ db: any DatabaseExecutor, _ record: ReferralRecord) async throws(HubError) -> QueuePosition? {
        guard record.status == .accepted, let priority = record.priority else { return nil }
        let store = ReferralStore(db)
        let ahead = try await store.waitingAhead(of: record, priority: priority)
        let total = try await store.waitingCount(centre: record.centre, category: record.category)
        let rate = try await ratePerDay(env, db, centre: record.centre, category: record.category)
        let days = estimatedDays(position: ahead + 1, rate: rate, env: env)
        return QueuePosition(position: ahead + 1, of: total, estimatedWaitDays: days, waitBand: waitBand(days))
    }

    /// People leaving the queue for an appointment or treatment per day, over the look-back window.
    static func ratePerDay(_ env: ReferralsEnvironment, _ db: any DatabaseExecutor, centre: String, category: String) async throws(HubError) -> Double {
        let days = env.settings.waitEstimate.lookbackDays
        let since = Timestamp.string(from: env.now().addingTimeInterval(-Double(days) * 86400))
        let n = try await ReferralStore(db).leftQueueCount(centre: centre, category: category, since: since)
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
        let store = ReferralStore(db)
        let intake = try await store.intakeStates()[centre]
        var out: [(String, String, String?, String?, String?)] = []
        for category in ClientCategory.allCases.map(\.rawValue) {
            if let p = intake, p.paused, p.categories.isEmpty || p.categories.contains(category) {
                out.append((category, "paused", nil, p.message, p.alternatives)); continue
            }
            let waiting = try await store.waitingCount(centre: centre, category: category)
            if waiting == 0 { out.append((category, "open", nil, nil, nil)); continue }
            let rate = try await ratePerDay(env, db, centre: centre, category: category)
            out.append((category, "waiting-list", band(estimatedDays(position: waiting + 1, rate: rate, env: env)), nil, nil))
        }
        return out
    }

    /// The centre's capacity as the contract gives it (`referrals.capacity`, `referrals.intake.set`).
    static func capacityReply(_ env: ReferralsEnvironment, _ db: any DatabaseExecutor, centre: String) async throws(HubError) -> ReferralCapacity.Centre {
        let states = try await capacityStates(env, db, centre: centre)
        return ReferralCapacity.Centre(centre: centre, centreName: env.centreName(centre), at: env.timestamp, categories: try states.map { entry throws(HubError) in
            guard let category = ClientCategory(rawValue: entry.category), let state = IntakeStateCode(rawValue: entry.state) else {
                throw HubError(.internal, "A capacity state has an unknown code.")
            }
            return .init(category: category, state: state, waitBand: entry.band.flatMap(WaitBand.init(rawValue:)), message: entry.message,
                         alternatives: entry.alternatives)
        })
    }

    /// The centre's capacity as JSON: the body of the `capacity.<centre>` event.
    static func capacityJSON(_ env: ReferralsEnvironment, _ db: any DatabaseExecutor, centre: String) async throws(HubError) -> JSONValue {
        try JSONValue.encode(try await capacityReply(env, db, centre: centre))
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
        return try JSONValue.encode(ReferralCapacity.Reply(centres: out))
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
        let store = ReferralStore(context.database)
        let published = try await store.publishedCapacity(centre: centre)
        let changed = states.contains { s in published[s.category].map { $0.0 != s.state || $0.1 != s.band } ?? true }
        guard changed else { return }
        let now = env.timestamp
        try await store.replacePublishedCapacity(centre: centre, states.map { ($0.category, $0.state, $0.band) }, at: now)
        context.events.emit("capacity.\(centre)", try await capacityJSON(env, context.database, centre: centre))
    }
}
