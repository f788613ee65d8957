import Foundation
import HubBus
import HubCore
import HubMail
import HubProtocol
import HubRegistration
import HubStorage
import Logging
import NetworksAPI
import Synchronization

/// The networks service ("kontaktpersonsnätverk"): each centre's contact persons and
/// the coverage they give, the collaboration tour, network days with their invitations,
/// and registration for network days through the shared `RegistrationEngine`.
/// Message types are listed in services/networks/README.md and docs/protocol.md §8.
public enum NetworksService {
    public static let name = "networks"

    public static let migrations: [Migration] = [
        Migration(version: 1, name: "networks", sql: """
            CREATE TABLE contact_persons (
                id TEXT PRIMARY KEY,
                centre_id TEXT NOT NULL,
                name TEXT NOT NULL,
                title TEXT,
                unit TEXT,
                agency TEXT NOT NULL,
                municipality TEXT,
                email TEXT NOT NULL,
                phone TEXT,
                active_from TEXT NOT NULL,
                active_to TEXT,
                update_token_hash TEXT UNIQUE,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX contact_persons_centre ON contact_persons (centre_id, agency, municipality);
            CREATE TABLE tour_visits (
                id TEXT PRIMARY KEY,
                centre_id TEXT NOT NULL,
                municipality TEXT NOT NULL,
                planned_date TEXT NOT NULL,
                completed_date TEXT,
                status TEXT NOT NULL,
                notes TEXT,
                created_at TEXT NOT NULL
            );
            CREATE INDEX tour_visits_centre ON tour_visits (centre_id, planned_date);
            CREATE TABLE network_days (
                id TEXT PRIMARY KEY,
                centre_id TEXT NOT NULL,
                title TEXT NOT NULL,
                theme TEXT NOT NULL,
                day_date TEXT NOT NULL,
                start_time TEXT NOT NULL,
                end_time TEXT NOT NULL,
                venue TEXT NOT NULL,
                organisers TEXT NOT NULL,
                programme TEXT NOT NULL,
                capacity BIGINT NOT NULL,
                fee_sek BIGINT NOT NULL,
                deadline TEXT NOT NULL,
                contact_email TEXT,
                status TEXT NOT NULL,
                sequence BIGINT NOT NULL DEFAULT 0,
                invitations_sent_at TEXT,
                registration_url TEXT,
                created_at TEXT NOT NULL
            );
            CREATE INDEX network_days_centre ON network_days (centre_id, day_date);
            CREATE TABLE network_invitations (
                id TEXT PRIMARY KEY,
                day_id TEXT NOT NULL REFERENCES network_days(id),
                adapter TEXT NOT NULL,
                method TEXT NOT NULL,
                sequence BIGINT NOT NULL,
                recipients BIGINT NOT NULL,
                sent_at TEXT NOT NULL
            )
            """),
        MailOutbox.migration(version: 2),
    ] + RegistrationEngine.migrations

    public static func definition() -> ServiceDefinition {
        let handlers = Access.guarded([Contacts.handlers, NetworkDays.handlers, NetworkRegistrations.handlers, NetworkMail.handlers])
        return ServiceDefinition(name: name, migrations: migrations, handlers: handlers,
                                 timed: [TimedRequest(MailFlush.type, body: ["actor": ["user": "scheduler", "role": "admin"]])], prepare: { db, configDir, logger in
            let reference = try Reference.load(configDir)
            // Purge on start; `networks.registrations.purge` does it on demand (e.g. from a nightly timer).
            let purged = try await db.transaction { tx in
                let days = try await reference.engine.purge(on: tx)
                try await NetworkMail.purge(on: tx)
                return days
            }
            logger.info("networks ready", metadata: ["hub.centres": "\(reference.data.centres.count)", "hub.purged_days": "\(purged)"])
        })
    }
}

/// The networks service's reference data, engine and mail settings (`config/networks.json`).
typealias Reference = RegistrationReference

extension RegistrationReference {
    static func load(_ configDir: String) throws(HubError) -> RegistrationReference {
        try load(configDir, mailFile: "networks.json")
    }

    func agency(_ id: String) -> ReferenceData.Agency? { data.agencies.first { $0.id == id } }
}

extension BodyReader {
    /// A client-made link token (personal, booking or self-update link): a wrong one is
    /// `not_found` ("the link is not valid"), as an unknown one would be.
    func token(_ key: String, required: Bool) throws(HubError) -> String? {
        switch object[key] {
        case nil, .null?:
            if required { throw HubError(.validation, "Required.", field: field(key), reason: .required) }
            return nil
        case .string(let s)?:
            guard RegistrationEngine.isToken(s) else { throw HubError(.notFound, "The link is not valid.", field: field(key)) }
            return s
        default: throw HubError(.validation, "Must be text.", field: field(key), reason: .wrongType)
        }
    }
}

enum Clock {
    static func today() -> String { String(RegistrationEngine.iso(Date()).prefix(10)) }
    static func now() -> String { RegistrationEngine.iso(Date()) }
    static func id() -> String { UUID().uuidString.lowercased() }
}

extension JSONValue {
    static func optional(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
    static func int(_ i: Int) -> JSONValue { .number(Double(i)) }
}

/// Who may send each networks message (see `AccessRule` and docs/authorisation.md): the
/// centre that owns a day, contact person or visit is looked up from the request itself.
enum Access {
    static let everyone = AccessRule.everyone
    static let staff = AccessRule.staff
    static let admin = AccessRule.admin
    /// The centre named as `centreId`.
    static let centre = AccessRule.centreNamed()
    /// The centre of the network day named as `dayId`.
    static let day = centreOf("dayId", missing: "No such network day.") { store, id in try await store.centre(ofDay: id) }
    /// The centre of the day a participant (`participantId`) is registered for.
    static let participant = centreOf("participantId", missing: "No such registration.") { store, id in try await store.centre(ofParticipant: id) }
    /// The centre of the contact person named as `contactId`.
    static let contact = centreOf("contactId", missing: "No such contact person.") { store, id in try await store.centre(ofContact: id) }
    /// The centre of the tour visit named as `visitId`.
    static let visit = centreOf("visitId", missing: "No such visit.") { store, id in try await store.centre(ofVisit: id) }

    /// The centre that owns the record the body names as `key`, as `owner` finds it in the
    /// store (inside the request's transaction); a record that does not exist is `not_found`
    /// (`missing`), the same for everyone.
    static func centreOf(_ key: String, missing: String,
                         _ owner: @escaping @Sendable (NetworkStore, String) async throws -> String?) -> AccessRule {
        .centreOf(key, missing: missing) { db, id in try await owner(NetworkStore(db), id) }
    }

    /// The handlers of `tables`, each behind its rule and refusing a body member that its
    /// contract (`NetworksAPI.messages`) does not name.
    static func guarded(_ tables: [[String: (AccessRule, MessageHandler)]]) -> [String: MessageHandler] {
        var g = GuardedHandlers(service: NetworksService.name, reference: { try Reference.load($0).data })
        for table in tables { for (type, (rule, handler)) in table { g.add(type, rule, refusingUnknownFields(type, handler)) } }
        return g.handlers
    }

    /// `handler`, after refusing a member the contract of `type` does not name, at any depth
    /// ("Unknown field."). A type without a contract is a programming error, caught by `NetworksContractTests`.
    static func refusingUnknownFields(_ type: String, _ handler: MessageHandler) -> MessageHandler {
        guard let contract = NetworksAPI.messages[type] else { return handler }
        return MessageHandler(handler.kind) { request, context in
            try contract.refuseUnknownFields(in: request.body)
            return try await handler.run(request, context)
        }
    }
}
