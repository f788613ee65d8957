import Foundation
import HubBus
import HubCore
import HubProtocol
import ReferralsAPI
import HubStorage

/// Personal data at rest and its traces: sealing and opening, the audit log of every
/// read and change (kept in its own table, apart from operational logs), anonymisation
/// after the retention period, and re-sealing under a rotated key.
enum Privacy {
    /// Why a staff member opens a referral's personal data.
    static let purposes: Set<String> = Set(ReadPurpose.codes)

    static func audit(_ db: any DatabaseExecutor, _ env: ReferralsEnvironment, _ actor: Actor, action: String,
                      referral: String?, centre: String?, purpose: String) async throws(HubError) {
        let statement = auditStatement(env, actor, action: action, referral: referral, centre: centre, purpose: purpose)
        try await db.execute(statement.sql, statement.binds)
    }

    /// The audit row's insert, to send together with the change it records.
    static func auditStatement(_ env: ReferralsEnvironment, _ actor: Actor, action: String,
                               referral: String?, centre: String?, purpose: String) -> SQLStatement {
        SQLStatement("""
            INSERT INTO audit_log (id, at, actor, role, unit, action, referral_id, centre_id, purpose) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(UUID().uuidString.lowercased()), .text(env.timestamp), .text(actor.who), .text(actor.role.rawValue),
                  .text(actor.unit), .text(action), referral.databaseValue, centre.databaseValue, .text(purpose)])
    }

    /// Opens the sealed personal data (nil once anonymised).
    static func personal(_ env: ReferralsEnvironment, _ db: any DatabaseExecutor, _ record: ReferralRecord) async throws(HubError) -> PersonalData? {
        guard let row = try await db.queryFirst("SELECT personal FROM referrals WHERE id = ?", [.text(record.id)]),
              let sealed = try row.optionalBlob("personal") else { return nil }
        let bytes = try env.protector.open(sealed, context: "referral:\(record.id)")
        do { return try JSONDecoder().decode(PersonalData.self, from: Data(bytes)) } catch {
            throw HubError(.storage, "Stored personal data could not be read.")
        }
    }

    /// `referrals.audit.list {centre, referralId, limit}`: administrators review the audit
    /// log; staff may review their own centre's.
    @Sendable static func auditList(_ env: ReferralsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(request, reference: env.reference, service: "referrals")
        guard actor.handlesReferrals else { throw HubError(.forbidden, "Only administrators and centre staff review the audit log.") }
        let centre = try Fields.string(request.body, "centre", max: 64, required: false) ?? actor.centre
        if let centre, !env.reference.centres.contains(where: { $0.id == centre }) {
            throw HubError(.notFound, "No such centre.", field: "body.centre", reason: .notAChoice)
        }
        if let centre { try actor.requireHandler(centre: centre) } else if actor.role != .admin {
            throw HubError(.validation, "Name a centre.", field: "body.centre")
        }
        let limit = try Fields.int(request.body, "limit", range: 1...5000, required: false) ?? 200
        var sql = "SELECT at, actor, role, unit, action, referral_id, centre_id, purpose FROM audit_log WHERE 1 = 1"
        var binds: [DatabaseValue] = []
        if let centre { sql += " AND centre_id = ?"; binds.append(.text(centre)) }
        if request.body["referralId"] != nil { sql += " AND referral_id = ?"; binds.append(.text(try Fields.id(request.body, "referralId"))) }
        sql += " ORDER BY at DESC LIMIT \(limit)"
        let rows = try await context.database.query(sql, binds)
        return try ReferralsService.encodeReply(ListAudit.Reply(entries: try rows.map { row throws(HubError) in
            ListAudit.Entry(at: try row.string("at"), actor: try row.string("actor"), role: try row.string("role"), unit: try row.string("unit"),
                            action: try row.string("action"), referralId: try row.optionalString("referral_id"),
                            centre: try row.optionalString("centre_id"), purpose: try row.string("purpose"))
        }))
    }

    /// `referrals.retention.run {dryRun}`: referrals that ended more than the retention
    /// period ago lose their personal data (sealed document, blind index, external
    /// reference, unit, history notes); the statistics columns stay. A dry run reports
    /// what would go and changes nothing.
    @Sendable static func retention(_ env: ReferralsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(request, reference: env.reference, service: "referrals")
        guard actor.role == .admin else { throw HubError(.forbidden, "Only administrators run anonymisation.") }
        guard let dryRun = request.body["dryRun"]?.boolValue else { throw HubError(.validation, "Required: true for a report, false to anonymise.", field: "body.dryRun") }
        let cutoff = Timestamp.string(from: env.now().addingTimeInterval(-Double(env.settings.retentionDays) * 86400))
        let rows = try await context.database.query("""
            SELECT id, reference, centre_id, status, ended_at FROM referrals
            WHERE anonymised_at IS NULL AND ended_at IS NOT NULL AND ended_at < ? AND status IN ('closed', 'declined', 'redirected', 'withdrawn')
            ORDER BY ended_at
            """, [.text(cutoff)])
        var items: [RunRetention.Item] = []
        for row in rows {
            let id = try row.string("id")
            guard let status = ReferralStatus(rawValue: try row.string("status")) else { throw HubError(.storage, "A stored referral has an unknown status.") }
            items.append(RunRetention.Item(id: id, reference: try row.string("reference"), centre: try row.string("centre_id"),
                                           status: status, endedAt: try row.string("ended_at")))
            if !dryRun {
                let now = env.timestamp
                try await context.database.execute("""
                    UPDATE referrals SET personal = NULL, person_index = NULL, external_ref = NULL, referrer_unit = NULL,
                    anonymised_at = ?, version = version + 1 WHERE id = ?
                    """, [.text(now), .text(id)])
                try await context.database.execute("UPDATE referral_history SET note = NULL WHERE referral_id = ?", [.text(id)])
                try await audit(context.database, env, actor, action: "anonymise", referral: id, centre: try row.string("centre_id"), purpose: "retention")
            }
        }
        return try ReferralsService.encodeReply(RunRetention.Reply(dryRun: dryRun, retentionDays: env.settings.retentionDays, cutoff: cutoff,
                                                                   count: items.count, referrals: items))
    }

    /// Re-seals personal data made with an older key under the current one (after
    /// `hub keys rotate-data`); runs at start, in batches, each in its own transaction.
    static func reencrypt(_ env: ReferralsEnvironment, _ db: any HubDatabase) async throws -> Int {
        let current = env.protector.ring.currentID
        var total = 0
        while true {
            let rows = try await db.query("SELECT id, personal FROM referrals WHERE personal IS NOT NULL", [])
            let stale = try rows.filter { row throws(HubError) in DataProtector.keyID(of: try row.blob("personal")) != current }.prefix(200)
            if stale.isEmpty { break }
            try await db.transaction { tx in
                for row in stale {
                    let id = try row.string("id")
                    let plain = try env.protector.open(try row.blob("personal"), context: "referral:\(id)")
                    let sealed = try env.protector.seal(plain, context: "referral:\(id)")
                    // Only if unchanged since it was read: another worker of the service may
                    // have changed the referral meanwhile (then its own write is newer and sealed
                    // under the current key already).
                    try await tx.execute("UPDATE referrals SET personal = ? WHERE id = ? AND personal = ?",
                                         [.blob(sealed), .text(id), .blob(try row.blob("personal"))])
                }
            }
            total += stale.count
        }
        let notes = try await db.query("SELECT referral_id, seq, note FROM referral_history WHERE note IS NOT NULL", [])
        let staleNotes = try notes.filter { row throws(HubError) in DataProtector.keyID(of: try row.blob("note")) != current }
        if !staleNotes.isEmpty {
            try await db.transaction { tx in
                for row in staleNotes {
                    let ctx = "history:\(try row.string("referral_id")):\(try row.int("seq"))"
                    let sealed = try env.protector.seal(try env.protector.open(try row.blob("note"), context: ctx), context: ctx)
                    try await tx.execute("UPDATE referral_history SET note = ? WHERE referral_id = ? AND seq = ? AND note = ?",
                                         [.blob(sealed), .text(try row.string("referral_id")), .integer(Int64(try row.int("seq"))),
                                          .blob(try row.blob("note"))])
                }
            }
            total += staleNotes.count
        }
        return total
    }
}
