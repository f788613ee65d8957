import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
import Logging
@_exported import ReferralsAPI

/// The referrals service ("hänvisningar"): closed-loop referrals from partner agencies,
/// each centre's waiting list and intake state, treatment groups, statistics, and the
/// audit log of every read of personal data. It owns its database alone; agencies hear
/// about their referrals through `agency.<adapter>.referral.status` events.
public enum ReferralsService {
    public static let name = "referrals"

    public static let migrations: [Migration] = [
        Migration(version: 1, name: "reference_data", sql: """
            CREATE TABLE centres (id TEXT PRIMARY KEY, name TEXT NOT NULL, town TEXT NOT NULL);
            CREATE TABLE municipalities (name TEXT PRIMARY KEY, centre_id TEXT NOT NULL REFERENCES centres(id));
            CREATE TABLE agencies (id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, adapter TEXT)
            """),
        Migration(version: 2, name: "referrals", sql: """
            CREATE TABLE referrals (
                id TEXT PRIMARY KEY,
                reference TEXT NOT NULL UNIQUE,
                reserve_id TEXT,
                client_id TEXT NOT NULL,
                person_index TEXT,
                centre_id TEXT NOT NULL,
                municipality TEXT NOT NULL,
                category TEXT NOT NULL,
                help TEXT NOT NULL,
                source TEXT NOT NULL,
                referrer_agency TEXT,
                referrer_unit TEXT,
                submitted_by TEXT NOT NULL,
                external_ref TEXT,
                identity_kind TEXT NOT NULL,
                protected_identity BIGINT NOT NULL,
                do_not_contact BIGINT NOT NULL,
                may_call BIGINT NOT NULL,
                may_leave_message BIGINT NOT NULL,
                consent_scope TEXT NOT NULL,
                consent_given_at TEXT,
                urgency TEXT NOT NULL,
                client_age BIGINT,
                children_ages TEXT NOT NULL,
                risk_score BIGINT NOT NULL,
                status TEXT NOT NULL,
                priority BIGINT,
                group_id TEXT,
                treatment TEXT,
                outcome_reason TEXT,
                redirect_to TEXT,
                appointment_date TEXT,
                submitted_at TEXT NOT NULL,
                received_at TEXT,
                assessed_at TEXT,
                left_queue_at TEXT,
                appointment_offered_at TEXT,
                treatment_started_at TEXT,
                ended_at TEXT,
                personal BYTEA,
                anonymised_at TEXT,
                version BIGINT NOT NULL
            );
            CREATE INDEX referrals_queue ON referrals (centre_id, status, category, priority, received_at);
            CREATE INDEX referrals_person ON referrals (person_index);
            CREATE INDEX referrals_agency ON referrals (referrer_agency, submitted_at);
            CREATE INDEX referrals_submitted ON referrals (centre_id, submitted_at);
            CREATE TABLE referral_history (
                referral_id TEXT NOT NULL,
                seq BIGINT NOT NULL,
                status TEXT NOT NULL,
                action TEXT NOT NULL,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                reason TEXT,
                priority BIGINT,
                note BYTEA,
                PRIMARY KEY (referral_id, seq)
            );
            CREATE TABLE intake (
                centre_id TEXT PRIMARY KEY,
                paused BIGINT NOT NULL,
                message TEXT,
                alternatives TEXT,
                categories TEXT NOT NULL,
                since TEXT,
                changed_by TEXT NOT NULL
            );
            CREATE TABLE capacity_published (
                centre_id TEXT NOT NULL,
                category TEXT NOT NULL,
                state TEXT NOT NULL,
                band TEXT,
                at TEXT NOT NULL,
                PRIMARY KEY (centre_id, category)
            );
            CREATE TABLE treatment_groups (
                id TEXT PRIMARY KEY,
                centre_id TEXT NOT NULL,
                name TEXT NOT NULL,
                help TEXT NOT NULL,
                min_participants BIGINT NOT NULL,
                max_participants BIGINT NOT NULL,
                age_min BIGINT NOT NULL,
                age_max BIGINT NOT NULL,
                starts_on TEXT,
                created_at TEXT NOT NULL
            );
            CREATE TABLE audit_log (
                id TEXT PRIMARY KEY,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                role TEXT NOT NULL,
                unit TEXT NOT NULL,
                action TEXT NOT NULL,
                referral_id TEXT,
                centre_id TEXT,
                purpose TEXT NOT NULL
            );
            CREATE INDEX audit_referral ON audit_log (referral_id, at);
            CREATE INDEX audit_centre ON audit_log (centre_id, at)
            """),
        Migration(version: 3, name: "imported_statistics", sql: """
            CREATE TABLE imported_statistics (
                centre_id TEXT NOT NULL,
                year BIGINT NOT NULL,
                tbl TEXT NOT NULL,
                item TEXT NOT NULL,
                count BIGINT NOT NULL,
                imported_at TEXT NOT NULL,
                imported_by TEXT NOT NULL,
                PRIMARY KEY (centre_id, year, tbl, item)
            )
            """),
    ]

    /// The service with its configuration: reference data, policies and risk-screening
    /// questions from `configDir`, and the data keys that seal personal data.
    public static func definition(configDir: String, keys: DataKeyRing, now: @escaping @Sendable () -> Date = { Date() }) throws(HubError) -> ServiceDefinition {
        let env = try ReferralsEnvironment(configDir: configDir, keys: keys, now: now)
        return definition(env)
    }

    static func definition(_ env: ReferralsEnvironment) -> ServiceDefinition {
        func q(_ f: @escaping @Sendable (ReferralsEnvironment, ServiceRequest, ServiceContext) async throws -> JSONValue) -> MessageHandler {
            MessageHandler(.query) { r, c in try await f(env, r, c) }
        }
        func c(_ f: @escaping @Sendable (ReferralsEnvironment, ServiceRequest, ServiceContext) async throws -> JSONValue) -> MessageHandler {
            MessageHandler(.command) { r, c in try await f(env, r, c) }
        }
        return ServiceDefinition(
            name: name,
            migrations: migrations,
            handlers: [
                ListCentres.type: q { _, r, c in try await listCentres(r, c) },
                ReferralOptions.type: q(Lifecycle.options),
                SubmitReferral.type: c(Lifecycle.submit),
                ReceiveReferral.type: c(Lifecycle.receive),
                AssessReferral.type: c(Lifecycle.assess),
                OfferAppointment.type: c(Lifecycle.offerAppointment),
                StartTreatment.type: c(Lifecycle.startTreatment),
                CloseReferral.type: c(Lifecycle.close),
                WithdrawReferral.type: c(Lifecycle.withdraw),
                ReprioritiseReferral.type: c(Lifecycle.reprioritise),
                GetReferral.type: q(Lifecycle.get),
                ReferralStatusQuery.type: q(Lifecycle.status),
                ListReferrals.type: q(Queue.list),
                FindReferrals.type: q(ReferralSearch.find),
                SetIntake.type: c(Queue.setIntake),
                ReferralCapacity.type: q(Queue.capacity),
                DefineGroup.type: c(Groups.define),
                ListGroups.type: q(Groups.list),
                AssignGroup.type: c(Groups.assign),
                ReferralStatistics.type: q(Statistics.handle),
                ImportReferralStatistics.type: c(StatisticsImport.handle),
                ListAudit.type: q(Privacy.auditList),
                RunRetention.type: c(Privacy.retention),
            ],
            prepare: { db, _, logger in
                try await loadReferenceData(env.reference, into: db)
                let rewrapped = try await Privacy.reencrypt(env, db)
                logger.info("reference data loaded", metadata: ["hub.centres": "\(env.reference.centres.count)",
                                                                "hub.resealed": "\(rewrapped)"])
            })
    }

    /// Replaces the reference tables with the configuration's content in one transaction.
    /// Workers of the service starting at once take turns (each would otherwise insert rows
    /// the other's delete could not see yet).
    public static func loadReferenceData(_ data: ReferenceData, into db: any HubDatabase) async throws {
        try await db.transaction { tx in
            try await tx.lockForTransaction("reference-data")
            try await ReferralStore(tx).replaceReferenceData(data)
        }
    }

    /// `referrals.centres.list` → `{"centres": [{"id","name","town","municipalities":[…]}]}`.
    @Sendable
    static func listCentres(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let store = ReferralStore(context.database)
        let centres = try await store.centres()
        let byCentre = try await store.municipalitiesByCentre()
        let reply = ListCentres.Reply(centres: centres.map { centre in
            ListCentres.Centre(id: centre.id, name: centre.name, town: centre.town, municipalities: byCentre[centre.id] ?? [])
        })
        return try JSONValue.encode(reply)
    }

}

/// Everything the handlers share: configuration, the data protector and the clock.
struct ReferralsEnvironment: Sendable {
    let reference: ReferenceData
    let settings: ReferralSettings
    let risk: RiskScreening
    let protector: DataProtector
    let now: @Sendable () -> Date

    init(configDir: String, keys: DataKeyRing, now: @escaping @Sendable () -> Date) throws(HubError) {
        reference = try ReferenceData.load(configDir: configDir)
        settings = try ReferralSettings.load(configDir: configDir)
        risk = try RiskScreening.load(configDir: configDir)
        protector = DataProtector(ring: keys)
        self.now = now
    }

    var timestamp: String { Timestamp.string(from: now()) }

    func centreName(_ id: String) -> String { reference.centres.first { $0.id == id }?.name ?? id }

    /// The adapter an agency's messages go through, if it has one.
    func adapter(of agency: String?) -> String? {
        guard let agency else { return nil }
        return reference.agencies.first { $0.id == agency }?.adapter
    }
}

/// Reading the handlers' body fields: the shared `BodyReader` (HubCore) does the
/// checking, so every service words and names its field errors the same way.
enum Fields {
    static func string(_ body: JSONValue, _ key: String, max: Int = 200, required: Bool = true) throws(HubError) -> String? {
        let reader = try BodyReader(body)
        return required ? try reader.string(key, max: max, multiline: true) : try reader.optionalString(key, max: max, multiline: true)
    }

    static func int(_ body: JSONValue, _ key: String, range: ClosedRange<Int>, required: Bool = true) throws(HubError) -> Int? {
        let reader = try BodyReader(body)
        guard let value = try reader.optionalInt(key, range: range) else {
            if required { throw HubError(.validation, "Required.", field: reader.field(key)) }
            return nil
        }
        return value
    }

    static func id(_ body: JSONValue, _ key: String = "id") throws(HubError) -> String {
        guard let s = try string(body, key, max: 64), s.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || $0 == 0x2d }) else {
            throw HubError(.validation, "Not a referral id.", field: "body." + key)
        }
        return s
    }

    static func list(_ text: String) -> [String] { text.split(separator: ",").map(String.init) }
}
