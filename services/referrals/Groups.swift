import Foundation
import HubBus
import HubCore
import HubProtocol
import ReferralsAPI
import HubStorage

/// Treatment groups ("grupper"): a definition with minimum and maximum participants
/// and an age range; the service shows which groups have enough matching people
/// waiting to start, and assigns people from the queue to a group.
enum Groups {
    struct Group: Sendable {
        var id: String, centre: String, name: String, help: HelpKind
        var min: Int, max: Int, ageMin: Int, ageMax: Int, startsOn: String?

        /// The child-and-parent group counts children; other groups count referred people.
        var countsChildren: Bool { help == .childParentGroup }

        func participants(in r: ReferralRecord) -> Int {
            countsChildren ? r.childrenAges.filter { (ageMin...ageMax).contains($0) }.count : 1
        }
        func matches(_ r: ReferralRecord) -> Bool {
            guard r.help.contains(help.rawValue) else { return false }
            if countsChildren { return participants(in: r) > 0 }
            guard let age = r.clientAge else { return true } // anonymous: staff decide
            return (ageMin...ageMax).contains(age)
        }
    }

    /// `referrals.groups.define {centre, name, help, min, max, ageMin, ageMax, startsOn}`.
    @Sendable static func define(_ env: ReferralsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(request, reference: env.reference, service: "referrals")
        guard let centre = try Fields.string(request.body, "centre", max: 64), env.reference.centres.contains(where: { $0.id == centre }) else {
            throw HubError(.validation, "Unknown centre.", field: "body.centre")
        }
        try actor.requireHandler(centre: centre)
        let name = try Fields.string(request.body, "name", max: 100)!
        guard let helpText = try Fields.string(request.body, "help", max: 40), let help = HelpKind(rawValue: helpText), help != .individualTalks else {
            throw HubError(.validation, "A group kind: womens-group, non-violence-group, young-adults-group or child-parent-group.", field: "body.help")
        }
        let min = try Fields.int(request.body, "min", range: 1...30)!
        let max = try Fields.int(request.body, "max", range: 1...30)!
        guard max >= min else { throw HubError(.validation, "The maximum must be at least the minimum.", field: "body.max") }
        let ageMin = try Fields.int(request.body, "ageMin", range: 0...120)!
        let ageMax = try Fields.int(request.body, "ageMax", range: 0...120)!
        guard ageMax >= ageMin else { throw HubError(.validation, "The upper age must be at least the lower.", field: "body.ageMax") }
        let startsOn = try Fields.string(request.body, "startsOn", max: 10, required: false)
        if let s = startsOn, !LocalTime.isDate(s) { throw HubError(.validation, "Not a date (YYYY-MM-DD).", field: "body.startsOn") }
        let id = UUID().uuidString.lowercased()
        try await ReferralStore(context.database).insertGroup(
            Groups.Group(id: id, centre: centre, name: name, help: help, min: min, max: max, ageMin: ageMin, ageMax: ageMax, startsOn: startsOn),
            at: env.timestamp)
        return try JSONValue.encode(DefineGroup.Reply(id: id, name: name))
    }

    /// `referrals.groups.list {centre}`: each group with its members, the matching people
    /// waiting, and whether there are enough to start.
    @Sendable static func list(_ env: ReferralsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(request, reference: env.reference, service: "referrals")
        guard let centre = try Fields.string(request.body, "centre", max: 64, required: false) ?? actor.centre,
              env.reference.centres.contains(where: { $0.id == centre }) else {
            throw HubError(.validation, "Unknown centre.", field: "body.centre")
        }
        try actor.requireHandler(centre: centre)
        let store = ReferralStore(context.database)
        let groups = try await store.groups(centre: centre)
        let waiting = try await store.groupCandidates(centre: centre)
        var out: [ListGroups.Group] = []
        for g in groups {
            let members = try await store.members(ofGroup: g.id)
            let enrolled = members.reduce(0) { $0 + g.participants(in: $1) }
            let candidates = waiting.filter(g.matches)
            let available = candidates.reduce(0) { $0 + g.participants(in: $1) }
            out.append(ListGroups.Group(
                id: g.id, name: g.name, help: g.help, min: g.min, max: g.max, ageMin: g.ageMin, ageMax: g.ageMax, startsOn: g.startsOn,
                counts: g.countsChildren ? .children : .people, enrolled: enrolled, matchingWaiting: available,
                readyToStart: enrolled + available >= g.min,
                candidates: candidates.map { candidate in
                    ListGroups.Candidate(id: candidate.id, reference: candidate.reference, priority: candidate.priority,
                                         participants: g.participants(in: candidate), status: candidate.status)
                }))
        }
        return try JSONValue.encode(ListGroups.Reply(centre: centre, groups: out))
    }

    /// `referrals.groups.assign {groupId, referralIds}`: moves matching people from the
    /// queue into the group (in treatment), never beyond its maximum.
    @Sendable static func assign(_ env: ReferralsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(request, reference: env.reference, service: "referrals")
        let store = ReferralStore(context.database)
        let g = try await store.group(try Fields.id(request.body, "groupId"))
        try actor.requireHandler(centre: g.centre)
        guard let ids = request.body["referralIds"]?.arrayValue, !ids.isEmpty, ids.count <= 30 else {
            throw HubError(.validation, "Name 1–30 referrals to assign.", field: "body.referralIds")
        }
        var records: [ReferralRecord] = []
        for (i, v) in ids.enumerated() {
            // The ids are chosen among the group's candidates, which the queue decides: one that is
            // no referral of this centre (none at all, or another centre's, not told apart) is
            // refused as a step the state does not allow (409), as one no longer waiting is. A 404
            // here would read as "no such group", and the group addressed exists.
            guard let id = v.stringValue, let rec = try await store.referral(id), rec.centre == g.centre else {
                throw HubError(.conflict, "Not a waiting referral of this centre.", field: "body.referralIds[\(i)]")
            }
            guard g.matches(rec) else { throw HubError(.validation, "This referral does not match the group's kind or ages.", field: "body.referralIds[\(i)]") }
            try Lifecycle.require(rec, in: ReferralAction.group.allowedFrom, to: "assign to a group")
            records.append(rec)
        }
        let enrolled = try await store.members(ofGroup: g.id).reduce(0) { $0 + g.participants(in: $1) }
        let adding = records.reduce(0) { $0 + g.participants(in: $1) }
        guard enrolled + adding <= g.max else {
            throw HubError(.validation, "The group has room for \(g.max - enrolled) more; this would add \(adding).", field: "body.referralIds")
        }
        var assigned: [ReferralSummary] = []
        for rec in records {
            let now = env.timestamp
            var set = ReferralStore.StepChanges(treatment: "group:" + g.name, groupID: g.id, treatmentStartedAt: now)
            if rec.status == .accepted { set.leftQueueAt = now }
            assigned.append(try await Lifecycle.transition(env, context, actor, rec, to: .inTreatment, action: "group", reason: "group:" + g.name, set: set))
        }
        return try JSONValue.encode(AssignGroup.Reply(groupId: g.id, assigned: assigned))
    }
}
