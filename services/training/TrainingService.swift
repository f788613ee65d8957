import Foundation
import HubBus
import HubCore
import HubMail
import HubProtocol
import HubRegistration
import HubStorage
import Synchronization
import TrainingAPI

/// The training service ("utbildningar"): training events with one or more sessions and
/// registration through the shared `RegistrationEngine`, attendance per session,
/// certificates of attendance, anonymous evaluations, commissioned lectures, targeted
/// supervision ("Riktad handledning") with its coverage per municipality, and the year
/// in review. Message types are listed in services/training/README.md and docs/protocol.md §8.
public enum TrainingService {
    public static let name = "training"

    public static let migrations: [Migration] = [
        Migration(version: 1, name: "training", sql: """
            CREATE TABLE training_events (
                id TEXT PRIMARY KEY,
                centre_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                title TEXT NOT NULL,
                focus TEXT,
                audience TEXT NOT NULL,
                description TEXT,
                trainers TEXT NOT NULL,
                capacity BIGINT NOT NULL,
                fee_sek BIGINT NOT NULL,
                deadline TEXT NOT NULL,
                waiting_list BIGINT NOT NULL,
                contact_email TEXT,
                first_date TEXT NOT NULL,
                last_date TEXT NOT NULL,
                status TEXT NOT NULL,
                sequence BIGINT NOT NULL DEFAULT 0,
                invitations_sent_at TEXT,
                registration_url TEXT,
                created_at TEXT NOT NULL
            );
            CREATE INDEX training_events_centre ON training_events (centre_id, first_date);
            CREATE TABLE training_sessions (
                id TEXT PRIMARY KEY,
                event_id TEXT NOT NULL REFERENCES training_events(id),
                number BIGINT NOT NULL,
                session_date TEXT NOT NULL,
                start_time TEXT NOT NULL,
                end_time TEXT NOT NULL,
                venue TEXT NOT NULL,
                starts_at TEXT NOT NULL,
                ends_at TEXT NOT NULL,
                UNIQUE (event_id, number)
            );
            CREATE TABLE training_attendance (
                session_id TEXT NOT NULL REFERENCES training_sessions(id),
                participant_id TEXT NOT NULL,
                attended BIGINT NOT NULL,
                marked_at TEXT NOT NULL,
                PRIMARY KEY (session_id, participant_id)
            );
            CREATE TABLE training_certificates (
                id TEXT PRIMARY KEY,
                event_id TEXT NOT NULL REFERENCES training_events(id),
                participant_id TEXT NOT NULL UNIQUE,
                number TEXT NOT NULL UNIQUE,
                issued_at TEXT NOT NULL
            );
            CREATE TABLE training_evaluation_tokens (
                token_hash TEXT PRIMARY KEY,
                event_id TEXT NOT NULL REFERENCES training_events(id)
            );
            CREATE TABLE training_evaluation_counts (
                event_id TEXT NOT NULL REFERENCES training_events(id),
                question TEXT NOT NULL,
                score BIGINT NOT NULL,
                answers BIGINT NOT NULL,
                PRIMARY KEY (event_id, question, score)
            );
            CREATE TABLE training_evaluation_comments (
                id TEXT PRIMARY KEY,
                event_id TEXT NOT NULL REFERENCES training_events(id),
                comment TEXT NOT NULL
            );
            CREATE TABLE training_lectures (
                id TEXT PRIMARY KEY,
                centre_id TEXT NOT NULL,
                lecture_date TEXT NOT NULL,
                partner TEXT NOT NULL,
                unit TEXT,
                municipality TEXT,
                topic TEXT NOT NULL,
                audience_size BIGINT NOT NULL,
                lecturer TEXT,
                created_at TEXT NOT NULL
            );
            CREATE INDEX training_lectures_centre ON training_lectures (centre_id, lecture_date);
            CREATE TABLE supervision_assignments (
                id TEXT PRIMARY KEY,
                centre_id TEXT NOT NULL,
                municipality TEXT NOT NULL,
                agency TEXT NOT NULL,
                unit TEXT NOT NULL,
                notes TEXT,
                information_status TEXT NOT NULL,
                information_date TEXT,
                dialogue_status TEXT NOT NULL,
                dialogue_date TEXT,
                onsite_status TEXT NOT NULL,
                onsite_date TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX supervision_assignments_centre ON supervision_assignments (centre_id, municipality);
            CREATE TABLE supervision_sessions (
                id TEXT PRIMARY KEY,
                assignment_id TEXT NOT NULL REFERENCES supervision_assignments(id),
                part TEXT NOT NULL,
                session_date TEXT NOT NULL,
                participants BIGINT,
                notes TEXT,
                created_at TEXT NOT NULL
            )
            """),
        MailOutbox.migration(version: 2),
    ] + RegistrationEngine.migrations

    /// `handler`, after refusing a body member the contract of `type` (`TrainingAPI.messages`) does
    /// not name, at any depth ("Unknown field."). A type without a contract is caught by `TrainingContractTests`.
    static func refusingUnknownFields(_ type: String, _ handler: MessageHandler) -> MessageHandler {
        guard let contract = TrainingAPI.messages[type] else { return handler }
        return MessageHandler(handler.kind) { request, context in
            try contract.refuseUnknownFields(in: request.body)
            return try await handler.run(request, context)
        }
    }

    /// - Parameters:
    ///   - bus: asks the networks service for a year's network days (year in review); nil leaves them out.
    ///   - now: the clock (tests move it past an event to mark attendance and evaluate).
    public static func definition(bus: (any BusRequester)? = nil, now: @escaping @Sendable () -> Date = { Date() }) -> ServiceDefinition {
        let env = TrainingEnvironment(bus: bus, now: now)
        var guarded = GuardedHandlers(service: name, reference: { try TrainingReference.load($0).data })
        let groups: [[String: (AccessRule, MessageHandler.Kind, TrainingHandler)]] = [
            TrainingEvents.handlers, TrainingRegistrations.handlers, Certificates.handlers, Supervision.handlers, YearReview.handlers,
        ]
        for group in groups {
            for (type, (rule, kind, run)) in group {
                guarded.add(type, rule, refusingUnknownFields(type, MessageHandler(kind) { request, context in try await run(request, context, env) }))
            }
        }
        // Registration mail: confirmations with the personal link, seats from the waiting list.
        guarded.add(MailFlush.type, Access.admin, refusingUnknownFields(MailFlush.type, MessageHandler(.command) { request, context in
            let reference = try TrainingReference.load(context.configDir)
            let limit = try BodyReader(request.body).optionalInt("limit", range: 1...500) ?? 100
            return try JSONValue.encode(try await TrainingRegistrations.outbox.flush(smtp: reference.mail.smtp, limit: limit, now: env.now(),
                                                                                     on: context.database, logger: context.logger))
        }))
        guarded.add(MailOutboxList.type, Access.event, refusingUnknownFields(MailOutboxList.type, MessageHandler(.query) { request, context in
            let id = try BodyReader(request.body).string("eventId", max: 64)
            return try JSONValue.encode(MailOutboxList.Reply(mail: try await TrainingRegistrations.outbox.list(ref: id, on: context.database)))
        }))
        let handlers = guarded.handlers
        return ServiceDefinition(name: name, migrations: migrations, handlers: handlers,
                                 timed: [TimedRequest(MailFlush.type, body: ["actor": ["user": "scheduler", "role": "admin"]])], prepare: { db, configDir, logger in
            let reference = try TrainingReference.load(configDir)
            let purged = try await db.transaction { tx in
                let events = try await reference.engine.purge(on: tx)
                try await RegistrationMail.purge(TrainingRegistrations.outbox, on: tx)
                return events
            }
            logger.info("training ready", metadata: ["hub.centres": "\(reference.data.centres.count)", "hub.purged_events": "\(purged)"])
        })
    }
}

/// A training handler: a plain function of the request, its context and the service's environment.
typealias TrainingHandler = @Sendable (ServiceRequest, ServiceContext, TrainingEnvironment) async throws -> JSONValue

/// What handlers share besides their context: the clock and the bus towards other services.
struct TrainingEnvironment: Sendable {
    let bus: (any BusRequester)?
    let now: @Sendable () -> Date
    var nowText: String { RegistrationEngine.iso(now()) }
}

/// The training service's reference data, engine and mail settings (`config/training.json`).
typealias TrainingReference = RegistrationReference

extension RegistrationReference {
    static func load(_ configDir: String) throws(HubError) -> RegistrationReference {
        try load(configDir, mailFile: "training.json")
    }

    func agencyName(_ id: String) -> String { data.agencies.first { $0.id == id }?.name ?? id }
}

/// New record ids: random UUIDs in lower case.
enum Ids {
    static func make() -> String { UUID().uuidString.lowercased() }
}

extension JSONValue {
    /// A whole number as JSON (the bodies of events and of requests to other services).
    static func n(_ i: Int) -> JSONValue { .number(Double(i)) }
}

/// Escapes text for HTML (certificates, year in review).
func html(_ s: String) -> String {
    var out = ""
    for c in s {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(c)
        }
    }
    return out
}

/// Who may send each training message (see `AccessRule` and docs/authorisation.md): the
/// centre that owns an event, session, certificate or assignment is looked up from the request.
enum Access {
    static let everyone = AccessRule.everyone
    static let admin = AccessRule.admin
    /// The centre named as `centreId`.
    static let centre = AccessRule.centreNamed()
    /// The centre of the training named as `eventId`.
    static let event = owner("eventId", missing: "No such training.") { store, id in try await store.centreOfEvent(id) }
    /// The centre of the training a session (`sessionId`) belongs to.
    static let session = owner("sessionId", missing: "No such session.") { store, id in try await store.centreOfSession(id) }
    /// The centre of the training a certificate (`certificateId`) was issued for.
    static let certificate = owner("certificateId", missing: "No such certificate.") { store, id in try await store.centreOfCertificate(id) }
    /// The centre of the supervision assignment named as `assignmentId`.
    static let assignment = owner("assignmentId", missing: "No such assignment.") { store, id in try await store.centreOfAssignment(id) }

    /// The centre that owns the record the body names as `key`, as `owner` finds it in the store.
    static func owner(_ key: String, missing: String,
                      _ owner: @escaping @Sendable (TrainingStore, String) async throws -> String?) -> AccessRule {
        .centreOf(key, missing: missing) { db, id in try await owner(TrainingStore(db), id) }
    }
}
