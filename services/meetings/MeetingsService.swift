import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
import Logging
import MeetingsAPI

/// The meetings service: management groups ("ledningsgrupper") with members over time,
/// their meetings, agendas from a per-centre template, agencies' status reports,
/// minutes with action items, attachments and a versioned life cycle
/// (draft → circulated → approved → filed), circulation to the member agencies'
/// adapters and by e-mail with iCalendar invitations, export, import and search.
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
        Migration(version: 2, name: "meetings_agendas_minutes", sql: """
            ALTER TABLE group_members ADD COLUMN member_id TEXT;
            ALTER TABLE group_members ADD COLUMN email TEXT;
            ALTER TABLE group_members ADD COLUMN source TEXT;
            CREATE TABLE meetings (
                id TEXT PRIMARY KEY,
                centre_id TEXT NOT NULL,
                date TEXT NOT NULL,
                start_time TEXT NOT NULL,
                end_time TEXT NOT NULL,
                place TEXT NOT NULL,
                link TEXT,
                chair TEXT,
                chair_temporary BIGINT NOT NULL,
                secretary TEXT,
                status TEXT NOT NULL,
                item_deadline TEXT NOT NULL,
                sequence BIGINT NOT NULL,
                series_id TEXT,
                agenda_circulated_at TEXT,
                reminder_sent_at TEXT,
                imported BIGINT NOT NULL,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL
            );
            CREATE UNIQUE INDEX meetings_centre_date ON meetings (centre_id, date, start_time);
            CREATE TABLE attendance (
                meeting_id TEXT NOT NULL,
                member_id TEXT NOT NULL,
                name TEXT NOT NULL,
                title TEXT NOT NULL,
                agency TEXT NOT NULL,
                agency_label TEXT,
                municipality TEXT,
                email TEXT,
                role TEXT NOT NULL,
                status TEXT NOT NULL,
                replied_at TEXT,
                PRIMARY KEY (meeting_id, member_id)
            );
            CREATE TABLE agenda_items (
                id TEXT PRIMARY KEY,
                meeting_id TEXT NOT NULL,
                position BIGINT NOT NULL,
                kind TEXT NOT NULL,
                title TEXT NOT NULL,
                text TEXT,
                decisions TEXT,
                confidential BIGINT NOT NULL,
                added_by TEXT,
                agency TEXT,
                review_meeting_id TEXT,
                review_version BIGINT,
                created_at TEXT NOT NULL
            );
            CREATE INDEX agenda_items_meeting ON agenda_items (meeting_id, position);
            CREATE TABLE status_reports (
                meeting_id TEXT NOT NULL,
                agency TEXT NOT NULL,
                municipality TEXT NOT NULL,
                text TEXT NOT NULL,
                submitted_by TEXT NOT NULL,
                submitted_at TEXT NOT NULL,
                PRIMARY KEY (meeting_id, agency, municipality)
            );
            CREATE TABLE action_items (
                id TEXT PRIMARY KEY,
                meeting_id TEXT NOT NULL,
                item_id TEXT,
                text TEXT NOT NULL,
                owner TEXT NOT NULL,
                agency TEXT,
                due TEXT,
                status TEXT NOT NULL,
                done_at TEXT,
                created_at TEXT NOT NULL
            );
            CREATE INDEX action_items_open ON action_items (status, meeting_id);
            CREATE TABLE minutes (
                meeting_id TEXT PRIMARY KEY,
                status TEXT NOT NULL,
                current_version BIGINT NOT NULL,
                changed_since_circulation BIGINT NOT NULL,
                approved_version BIGINT,
                approved_in_meeting TEXT,
                approved_at TEXT,
                filed_at TEXT
            );
            CREATE TABLE minutes_versions (
                meeting_id TEXT NOT NULL,
                version BIGINT NOT NULL,
                markdown TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                diff TEXT,
                circulated_at TEXT NOT NULL,
                circulated_by TEXT NOT NULL,
                PRIMARY KEY (meeting_id, version)
            );
            CREATE TABLE attachments (
                id TEXT PRIMARY KEY,
                meeting_id TEXT NOT NULL,
                item_id TEXT,
                filename TEXT NOT NULL,
                content_type TEXT NOT NULL,
                size BIGINT NOT NULL,
                sha256 TEXT NOT NULL,
                data BYTEA NOT NULL,
                added_by TEXT NOT NULL,
                added_at TEXT NOT NULL
            );
            CREATE TABLE links (
                id TEXT PRIMARY KEY,
                meeting_id TEXT NOT NULL,
                item_id TEXT,
                title TEXT NOT NULL,
                url TEXT NOT NULL
            );
            CREATE TABLE mail_outbox (
                id TEXT PRIMARY KEY,
                meeting_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                recipient TEXT NOT NULL,
                subject TEXT NOT NULL,
                body TEXT NOT NULL,
                calendar TEXT,
                calendar_method TEXT,
                created_at TEXT NOT NULL,
                sent_at TEXT,
                attempts BIGINT NOT NULL
            );
            CREATE INDEX mail_outbox_pending ON mail_outbox (sent_at, created_at);
            CREATE TABLE search_terms (
                meeting_id TEXT NOT NULL,
                item_id TEXT NOT NULL,
                term TEXT NOT NULL,
                PRIMARY KEY (meeting_id, item_id, term)
            );
            CREATE INDEX search_terms_term ON search_terms (term)
            """),
    ]

    /// The service with its configuration from `configDir` (reference data, settings, agenda template).
    public static func definition(configDir: String, now: @escaping @Sendable () -> Date = { Date() }) throws(HubError) -> ServiceDefinition {
        definition(try MeetingsEnvironment(configDir: configDir, now: now))
    }

    static func definition(_ env: MeetingsEnvironment) -> ServiceDefinition {
        ServiceDefinition(
            name: name,
            migrations: migrations,
            handlers: Dictionary(uniqueKeysWithValues: handlers(env)),
            // Due reminders, then queued mail to the SMTP relay; as the scheduler, an administrator.
            timed: [RemindersRun.type, MailFlush.type].map {
                TimedRequest($0, body: [JSONValue.actorField: ["user": "scheduler", "role": "admin"]])
            },
            prepare: { db, _, logger in
                let loaded = try await Groups.load(env.reference, into: db)
                logger.info("management groups loaded", metadata: ["hub.groups": "\(env.reference.groups.count)", "hub.members": "\(loaded)"])
            })
    }

    /// The handler table, by contract type: each handler takes its request (a body with a member
    /// the type does not name, at any depth, is refused: `validation` "Unknown field.") and returns its reply type.
    static func handlers(_ env: MeetingsEnvironment) -> [(String, MessageHandler)] {
        func handler<C: ContractRequest>(_ kind: MessageHandler.Kind, _ contract: C.Type,
                                         _ f: @escaping @Sendable (MeetingsEnvironment, ServiceRequest, ServiceContext) async throws -> C.Reply)
            -> (String, MessageHandler) {
            (C.type, MessageHandler(kind) { request, context in
                try C.refuseUnknownFields(in: request.body)
                return try JSONValue.encode(try await f(env, request, context))
            })
        }
        func q<C: ContractRequest>(_ contract: C.Type, _ f: @escaping @Sendable (MeetingsEnvironment, ServiceRequest, ServiceContext) async throws -> C.Reply)
            -> (String, MessageHandler) { handler(.query, contract, f) }
        func c<C: ContractRequest>(_ contract: C.Type, _ f: @escaping @Sendable (MeetingsEnvironment, ServiceRequest, ServiceContext) async throws -> C.Reply)
            -> (String, MessageHandler) { handler(.command, contract, f) }
        return [
            q(GroupList.self, Groups.list),
            q(GroupHistory.self, Groups.history),
            c(GroupReplace.self, Groups.replace),
            c(MeetingCreate.self, Meetings.create),
            c(MeetingUpdate.self, Meetings.update),
            c(MeetingCancel.self, Meetings.cancel),
            q(MeetingList.self, Meetings.list),
            q(MeetingGet.self, Meetings.get),
            c(AttendanceSet.self, Meetings.setAttendance),
            c(AttendanceReply.self, Meetings.reply),
            q(AttendanceAgencies.self, Meetings.agencyAttendance),
            c(AgendaAdd.self, Agenda.add),
            c(AgendaCirculate.self, Circulation.circulateAgenda),
            c(StatusReportSubmit.self, Agenda.submitStatusReport),
            q(StatusReportPending.self, Agenda.pendingStatusReports),
            c(MinutesItemSet.self, Minutes.setItem),
            c(ActionAdd.self, Minutes.addAction),
            c(ActionUpdate.self, Minutes.updateAction),
            q(ActionsOpen.self, Minutes.openActions),
            c(LinkAdd.self, Minutes.addLink),
            c(AttachmentAdd.self, Minutes.addAttachment),
            q(AttachmentGet.self, Minutes.getAttachment),
            c(MinutesCirculate.self, Circulation.circulateMinutes),
            c(MinutesApprove.self, Minutes.approve),
            c(MinutesFile.self, Minutes.file),
            q(MinutesVersions.self, Minutes.versions),
            q(MinutesExport.self, Export.handle),
            c(MinutesImport.self, ImportHandler.handle),
            q(MinutesSearch.self, Search.handle),
            c(RemindersRun.self, Circulation.runReminders),
            q(MailFlush.self, Circulation.flushMail),
            q(MailOutboxList.self, Circulation.outbox),
        ]
    }
}
