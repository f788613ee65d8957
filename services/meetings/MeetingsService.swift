import HubBus
import HubCore
import HubProtocol
import HubStorage
import Logging

/// The meetings service: management groups ("ledningsgrupper"), their meetings,
/// agendas and minutes. This foundation version owns the management-group
/// membership loaded from `config/management-groups.json` (with history: from/to
/// dates) and answers `meetings.groups.list`.
public enum MeetingsService {
    public static let name = "meetings"

    public static let migrations: [Migration] = [
        Migration(version: 1, name: "management_groups", sql: """
            CREATE TABLE group_members (
                centre_id TEXT NOT NULL,
                name TEXT NOT NULL,
                title TEXT NOT NULL,
                agency TEXT NOT NULL,
                municipality TEXT,
                role TEXT NOT NULL,
                valid_from TEXT NOT NULL,
                valid_to TEXT,
                PRIMARY KEY (centre_id, name, agency, valid_from)
            )
            """),
    ]

    public static func definition() -> ServiceDefinition {
        ServiceDefinition(
            name: name,
            migrations: migrations,
            handlers: ["meetings.groups.list": MessageHandler(.query, listGroups)],
            prepare: { db, configDir, logger in
                let data = try ReferenceData.load(configDir: configDir)
                try await db.transaction { tx in
                    try await tx.execute("DELETE FROM group_members", [])
                    for g in data.groups {
                        for m in g.members {
                            try await tx.execute("""
                                INSERT INTO group_members (centre_id, name, title, agency, municipality, role, valid_from, valid_to)
                                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                                """, [.text(g.centre), .text(m.name), .text(m.title), .text(m.agency),
                                      m.municipality.map { .text($0) } ?? .null, .text(m.role), .text(m.from), m.to.map { .text($0) } ?? .null])
                        }
                    }
                }
                logger.info("management groups loaded", metadata: ["hub.groups": "\(data.groups.count)"])
            })
    }

    /// `meetings.groups.list` body `{"centre": id}` → current members of that centre's group.
    @Sendable
    static func listGroups(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        struct Body: Decodable { var centre: String }
        let body = try request.decode(Body.self)
        let rows = try await context.database.query("""
            SELECT name, title, agency, municipality, role, valid_from FROM group_members
            WHERE centre_id = ? AND (valid_to IS NULL OR valid_to >= ?) ORDER BY role, agency, name
            """, [.text(body.centre), .text(String(Timestamp.now().prefix(10)))])
        guard !rows.isEmpty else { throw HubError(.notFound, "No management group for that centre.", field: "body.centre") }
        let members: [JSONValue] = try rows.map { r in
            .object(["name": .string(try r.string("name")), "title": .string(try r.string("title")),
                     "agency": .string(try r.string("agency")), "role": .string(try r.string("role")),
                     "municipality": (try r.optionalString("municipality")).map { .string($0) } ?? .null])
        }
        return .object(["centre": .string(body.centre), "members": .array(members)])
    }
}
