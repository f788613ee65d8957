import HubBus
import HubCore
import HubProtocol
import HubStorage
import Logging

/// The referrals service ("hänvisningar"): owns centres' intake, the waiting list and
/// referral records. This foundation version owns the reference data it routes by —
/// centres and the municipalities each serves, and the partner agencies — loaded from
/// `config/` at start, and answers `referrals.centres.list`.
public enum ReferralsService {
    public static let name = "referrals"

    public static let migrations: [Migration] = [
        Migration(version: 1, name: "reference_data", sql: """
            CREATE TABLE centres (id TEXT PRIMARY KEY, name TEXT NOT NULL, town TEXT NOT NULL);
            CREATE TABLE municipalities (name TEXT PRIMARY KEY, centre_id TEXT NOT NULL REFERENCES centres(id));
            CREATE TABLE agencies (id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, adapter TEXT)
            """),
    ]

    public static func definition() -> ServiceDefinition {
        ServiceDefinition(
            name: name,
            migrations: migrations,
            handlers: [
                "referrals.centres.list": MessageHandler(.query, listCentres),
            ],
            prepare: { db, configDir, logger in
                let data = try ReferenceData.load(configDir: configDir)
                try await loadReferenceData(data, into: db)
                logger.info("reference data loaded", metadata: ["hub.centres": "\(data.centres.count)", "hub.agencies": "\(data.agencies.count)"])
            })
    }

    /// Replaces the reference tables with the configuration's content in one transaction.
    public static func loadReferenceData(_ data: ReferenceData, into db: any HubDatabase) async throws {
        try await db.transaction { tx in
            try await tx.execute("DELETE FROM municipalities", [])
            try await tx.execute("DELETE FROM centres", [])
            try await tx.execute("DELETE FROM agencies", [])
            for c in data.centres {
                try await tx.execute("INSERT INTO centres (id, name, town) VALUES (?, ?, ?)", [.text(c.id), .text(c.name), .text(c.town)])
                for m in c.municipalities {
                    try await tx.execute("INSERT INTO municipalities (name, centre_id) VALUES (?, ?)", [.text(m), .text(c.id)])
                }
            }
            for a in data.agencies {
                try await tx.execute("INSERT INTO agencies (id, name, kind, adapter) VALUES (?, ?, ?, ?)",
                                     [.text(a.id), .text(a.name), .text(a.kind), a.adapter.map { .text($0) } ?? .null])
            }
        }
    }

    /// `referrals.centres.list` → `{"centres": [{"id","name","town","municipalities":[…]}]}`.
    @Sendable
    static func listCentres(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let centres = try await context.database.query("SELECT id, name, town FROM centres ORDER BY name", [])
        let munis = try await context.database.query("SELECT name, centre_id FROM municipalities ORDER BY name", [])
        var byCentre: [String: [JSONValue]] = [:]
        for m in munis { byCentre[try m.string("centre_id"), default: []].append(.string(try m.string("name"))) }
        var out: [JSONValue] = []
        for c in centres {
            let id = try c.string("id")
            out.append(.object(["id": .string(id), "name": .string(try c.string("name")), "town": .string(try c.string("town")),
                                "municipalities": .array(byCentre[id] ?? [])]))
        }
        return .object(["centres": .array(out)])
    }
}
