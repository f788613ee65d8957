import HubBus
import HubCore
import HubMail
import HubProtocol
import HubStorage
import MeetingsAPI

/// Management-group membership over time. `config/management-groups.json` seeds it at
/// every start (upsert by centre, name, agency and start date, so an end date set in
/// the hub survives a restart); `meetings.groups.replace` ends a representative's term
/// and starts the successor's, keeping the history.
enum Groups {
    /// Upserts the configured members; returns how many.
    static func load(_ data: ReferenceData, into db: any HubDatabase) async throws -> Int {
        try await db.transaction { tx in
            for g in data.groups {
                for m in g.members {
                    let id = Ids.member(centre: g.centre, agency: m.agency, municipality: m.municipality, name: m.name, from: m.from)
                    try await MeetingStore(tx).upsertConfiguredTerm(centre: g.centre, member: Member(
                        id: id, name: m.name, title: m.title, agency: m.agency, municipality: m.municipality, email: m.email, role: m.role,
                        from: m.from, to: m.to))
                }
            }
        }
        return data.groups.reduce(0) { $0 + $1.members.count }
    }

    struct Member: Sendable {
        var id: String, name: String, title: String, agency: String, municipality: String?, email: String?, role: String
        var from: String, to: String?
        var contract: GroupMember {
            GroupMember(memberId: id, name: name, title: title, agency: agency, municipality: municipality, role: role, from: from, to: to)
        }
    }

    static let columns = "member_id, name, title, agency, municipality, email, role, valid_from, valid_to"

    static func member(_ r: DatabaseRow) throws(HubError) -> Member {
        Member(id: try r.string("member_id"), name: try r.string("name"), title: try r.string("title"), agency: try r.string("agency"),
               municipality: try r.optionalString("municipality"), email: try r.optionalString("email"), role: try r.string("role"),
               from: try r.string("valid_from"), to: try r.optionalString("valid_to"))
    }

    /// `meetings.groups.list {centre, date?}` → the members on that date (default today).
    @Sendable static func list(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> GroupList.Reply {
        let body = try BodyReader(request.body)
        let centre = try body.string("centre", max: 64)
        let date = try body.optionalDate("date") ?? env.today
        let members = try await MeetingStore(context.database).members(centre: centre, on: date)
        guard !members.isEmpty else { throw HubError(.notFound, "No management group for that centre.", field: "body.centre") }
        return GroupList.Reply(centre: centre, date: date, members: members.map(\.contract))
    }

    /// `meetings.groups.history {centre}` → every term, ended ones too (staff only).
    @Sendable static func history(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> GroupHistory.Reply {
        let actor = try Caller.from(request, reference: env.reference, service: "meetings")
        let body = try BodyReader(request.body)
        let centre = try env.centre(try body.string("centre", max: 64)).id
        guard actor.seesConfidential(centre: centre) else { throw HubError(.forbidden, "Only the centre's staff may see the group's history.") }
        let terms = try await MeetingStore(context.database).terms(centre: centre)
        return GroupHistory.Reply(centre: centre, members: terms.map(\.contract))
    }

    /// `meetings.groups.replace {centre, memberId, from, name, title, email?}`: the agency
    /// changes its representative. The old term ends the day before `from`; the new one starts on `from`.
    @Sendable static func replace(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> GroupReplace.Reply {
        let actor = try Caller.from(request, reference: env.reference, service: "meetings")
        let body = try BodyReader(request.body)
        let centre = try env.centre(try body.string("centre", max: 64)).id
        try actor.requireManager(centre: centre)
        let memberID = try body.string("memberId", max: 40)
        let from = try body.date("from")
        let name = try body.string("name", max: 120), title = try body.string("title", max: 120)
        let email = try body.optionalString("email", max: 254)
        if let email, !Mail.isAddress(email) { throw HubError(.validation, "Not an e-mail address.", field: "body.email") }
        let store = MeetingStore(context.database)
        guard let old = try await store.term(centre: centre, member: memberID) else {
            throw HubError(.notFound, "Not a member of this centre's group.", field: "body.memberId")
        }
        guard old.to == nil || old.to! >= from else { throw HubError(.conflict, "That term has already ended.", field: "body.memberId") }
        guard from > old.from else { throw HubError(.conflict, "The new term must start after the current one started.", field: "body.from") }
        let end = SwedishDate.minus(days: 1, from: from)
        try await store.endTerm(centre: centre, member: memberID, on: end)
        let id = Ids.member(centre: centre, agency: old.agency, municipality: old.municipality, name: name, from: from)
        try await store.insertTerm(centre: centre, member: Member(id: id, name: name, title: title, agency: old.agency, municipality: old.municipality,
                                                                  email: email, role: old.role, from: from, to: nil))
        return GroupReplace.Reply(ended: memberID, endedOn: end, memberId: id)
    }
}
