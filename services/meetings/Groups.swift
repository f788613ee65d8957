import HubBus
import HubCore
import HubMail
import HubProtocol
import HubStorage

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
                    try await tx.execute("""
                        INSERT INTO group_members (centre_id, name, title, agency, municipality, role, valid_from, valid_to, member_id, email, source)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'config')
                        ON CONFLICT (centre_id, name, agency, valid_from) DO UPDATE SET title = excluded.title, role = excluded.role,
                            municipality = excluded.municipality, email = excluded.email, member_id = excluded.member_id,
                            valid_to = COALESCE(group_members.valid_to, excluded.valid_to)
                        """, [.text(g.centre), .text(m.name), .text(m.title), .text(m.agency), m.municipality.map { .text($0) } ?? .null,
                              .text(m.role), .text(m.from), m.to.map { .text($0) } ?? .null, .text(id), m.email.map { .text($0) } ?? .null])
                }
            }
        }
        return data.groups.reduce(0) { $0 + $1.members.count }
    }

    struct Member: Sendable {
        var id: String, name: String, title: String, agency: String, municipality: String?, email: String?, role: String
        var from: String, to: String?
        var json: JSONValue {
            .object(["memberId": .string(id), "name": .string(name), "title": .string(title), "agency": .string(agency),
                     "municipality": .optional(municipality), "role": .string(role), "from": .string(from), "to": .optional(to)])
        }
    }

    static let columns = "member_id, name, title, agency, municipality, email, role, valid_from, valid_to"

    static func member(_ r: DatabaseRow) throws(HubError) -> Member {
        Member(id: try r.string("member_id"), name: try r.string("name"), title: try r.string("title"), agency: try r.string("agency"),
               municipality: try r.optionalString("municipality"), email: try r.optionalString("email"), role: try r.string("role"),
               from: try r.string("valid_from"), to: try r.optionalString("valid_to"))
    }

    /// The members of `centre`'s group on `date`.
    static func members(_ db: any DatabaseExecutor, centre: String, on date: String) async throws(HubError) -> [Member] {
        try await db.query("""
            SELECT \(columns) FROM group_members WHERE centre_id = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?)
            ORDER BY role, agency, name
            """, [.text(centre), .text(date), .text(date)]).map { r throws(HubError) in try member(r) }
    }

    /// `meetings.groups.list {centre, date?}` → the members on that date (default today).
    @Sendable static func list(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let b = try BodyReader(r.body)
        let centre = try b.string("centre", max: 64)
        let date = try b.optionalDate("date") ?? env.today
        let members = try await members(c.database, centre: centre, on: date)
        guard !members.isEmpty else { throw HubError(.notFound, "No management group for that centre.", field: "body.centre") }
        return .object(["centre": .string(centre), "date": .string(date), "members": .array(members.map(\.json))])
    }

    /// `meetings.groups.history {centre}` → every term, ended ones too (staff only).
    @Sendable static func history(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "meetings")
        let b = try BodyReader(r.body)
        let centre = try env.centre(try b.string("centre", max: 64)).id
        guard actor.seesConfidential(centre: centre) else { throw HubError(.forbidden, "Only the centre's staff may see the group's history.") }
        let rows = try await c.database.query("SELECT \(columns) FROM group_members WHERE centre_id = ? ORDER BY agency, valid_from", [.text(centre)])
        return .object(["centre": .string(centre), "members": .array(try rows.map { r throws(HubError) in try member(r).json })])
    }

    /// `meetings.groups.replace {centre, memberId, from, name, title, email?}`: the agency
    /// changes its representative. The old term ends the day before `from`; the new one starts on `from`.
    @Sendable static func replace(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "meetings")
        let b = try BodyReader(r.body)
        let centre = try env.centre(try b.string("centre", max: 64)).id
        try actor.requireManager(centre: centre)
        let memberID = try b.string("memberId", max: 40)
        let from = try b.date("from")
        let name = try b.string("name", max: 120), title = try b.string("title", max: 120)
        let email = try b.optionalString("email", max: 254)
        if let email, !Mail.isAddress(email) { throw HubError(.validation, "Not an e-mail address.", field: "body.email") }
        guard let row = try await c.database.queryFirst("SELECT \(columns) FROM group_members WHERE centre_id = ? AND member_id = ?",
                                                        [.text(centre), .text(memberID)]) else {
            throw HubError(.notFound, "Not a member of this centre's group.", field: "body.memberId")
        }
        let old = try member(row)
        guard old.to == nil || old.to! >= from else { throw HubError(.conflict, "That term has already ended.", field: "body.memberId") }
        guard from > old.from else { throw HubError(.conflict, "The new term must start after the current one started.", field: "body.from") }
        let end = SwedishDate.minus(days: 1, from: from)
        try await c.database.execute("UPDATE group_members SET valid_to = ? WHERE centre_id = ? AND member_id = ?",
                                     [.text(end), .text(centre), .text(memberID)])
        let id = Ids.member(centre: centre, agency: old.agency, municipality: old.municipality, name: name, from: from)
        try await c.database.execute("""
            INSERT INTO group_members (centre_id, name, title, agency, municipality, role, valid_from, valid_to, member_id, email, source)
            VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, 'hub')
            """, [.text(centre), .text(name), .text(title), .text(old.agency), old.municipality.map { .text($0) } ?? .null,
                  .text(old.role), .text(from), .text(id), email.map { .text($0) } ?? .null])
        return .object(["ended": .string(memberID), "endedOn": .string(end), "memberId": .string(id)])
    }
}
