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
        try await ReferralStore(db).audit(auditEntry(env, actor, action: action, referral: referral, centre: centre, purpose: purpose))
    }

    /// The audit entry of the actor's read or change, to store together with the change it records.
    static func auditEntry(_ env: ReferralsEnvironment, _ actor: Actor, action: String,
                           referral: String?, centre: String?, purpose: String) -> ReferralStore.AuditEntry {
        ReferralStore.AuditEntry(id: UUID().uuidString.lowercased(), at: env.timestamp, actor: actor.who, role: actor.role.rawValue,
                                 unit: actor.unit, action: action, referral: referral, centre: centre, purpose: purpose)
    }

    /// Opens the sealed personal data (nil once anonymised).
    static func personal(_ env: ReferralsEnvironment, _ db: any DatabaseExecutor, _ record: ReferralRecord) async throws(HubError) -> PersonalData? {
        guard let sealed = try await ReferralStore(db).sealedPersonalData(of: record.id) else { return nil }
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
        let referral = request.body["referralId"] != nil ? try Fields.id(request.body, "referralId") : nil
        let entries = try await ReferralStore(context.database).auditEntries(centre: centre, referral: referral, limit: limit)
        return try JSONValue.encode(ListAudit.Reply(entries: entries.map { entry in
            ListAudit.Entry(at: entry.at, actor: entry.actor, role: entry.role, unit: entry.unit, action: entry.action,
                            referralId: entry.referral, centre: entry.centre, purpose: entry.purpose)
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
        let store = ReferralStore(context.database)
        var items: [RunRetention.Item] = []
        for expired in try await store.expiredReferrals(endedBefore: cutoff) {
            guard let status = ReferralStatus(rawValue: expired.status) else { throw HubError(.storage, "A stored referral has an unknown status.") }
            items.append(RunRetention.Item(id: expired.id, reference: expired.reference, centre: expired.centre, status: status, endedAt: expired.endedAt))
            if !dryRun {
                try await store.anonymise(referral: expired.id, at: env.timestamp)
                try await audit(context.database, env, actor, action: "anonymise", referral: expired.id, centre: expired.centre, purpose: "retention")
            }
        }
        return try JSONValue.encode(RunRetention.Reply(dryRun: dryRun, retentionDays: env.settings.retentionDays, cutoff: cutoff,
                                                                   count: items.count, referrals: items))
    }

    /// Re-seals personal data made with an older key under the current one (after
    /// `hub keys rotate-data`); runs at start, in batches, each in its own transaction.
    static func reencrypt(_ env: ReferralsEnvironment, _ db: any HubDatabase) async throws -> Int {
        let current = env.protector.ring.currentID
        var total = 0
        while true {
            let stale = try await ReferralStore(db).allSealedPersonalData().filter { DataProtector.keyID(of: $0.sealed) != current }.prefix(200)
            if stale.isEmpty { break }
            try await db.transaction { tx in
                let store = ReferralStore(tx)
                for row in stale {
                    let plain = try env.protector.open(row.sealed, context: "referral:\(row.id)")
                    let sealed = try env.protector.seal(plain, context: "referral:\(row.id)")
                    // Only if unchanged since it was read: another worker of the service may
                    // have changed the referral meanwhile (then its own write is newer and sealed
                    // under the current key already).
                    try await store.resealPersonalData(of: row.id, sealed: sealed, was: row.sealed)
                }
            }
            total += stale.count
        }
        let staleNotes = try await ReferralStore(db).allSealedNotes().filter { DataProtector.keyID(of: $0.sealed) != current }
        if !staleNotes.isEmpty {
            try await db.transaction { tx in
                let store = ReferralStore(tx)
                for row in staleNotes {
                    let ctx = "history:\(row.referral):\(row.seq)"
                    let sealed = try env.protector.seal(try env.protector.open(row.sealed, context: ctx), context: ctx)
                    try await store.resealNote(referral: row.referral, seq: row.seq, sealed: sealed, was: row.sealed)
                }
            }
            total += staleNotes.count
        }
        return total
    }
}
