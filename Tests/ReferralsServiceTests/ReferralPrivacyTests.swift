import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
@testable import ReferralsService
import Testing

@Suite("Referrals: privacy, access and audit")
struct ReferralPrivacyTests {
    /// Everything stored, as text: the SQLite file bytes, or every row of every table on PostgreSQL.
    func storedText(_ h: Harness) async throws -> String {
        switch h.backend {
        case .sqlite:
            _ = try await h.database.query("PRAGMA wal_checkpoint(TRUNCATE)", [])
            var all = Data()
            for suffix in ["", "-wal", "-shm"] { all.append(FileManager.default.contents(atPath: h.scratch.location + suffix) ?? Data()) }
            return String(decoding: all, as: UTF8.self)
        case .postgres:
            var text = ""
            for table in ["referrals", "referral_history", "audit_log", "hub_processed", "capacity_published", "intake"] {
                for row in try await h.database.query("SELECT CAST(t AS TEXT) AS x FROM \(table) t", []) { text += try row.string("x") }
            }
            return text
        }
    }

    @Test("A search of the stored data for a submitted personnummer, name, phone or address finds nothing", arguments: Backend.available)
    func canariesAreNotStoredInTheClear(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        let id = try await h.ok("referrals.submit", referral(), as: Actors.police)["id"]!
        _ = try await h.ok("referrals.assess", ["id": id, "decision": "accept", "priority": 2])
        let text = try await storedText(h)
        #expect(!text.isEmpty)
        for canary in [Canary.personnummer, Canary.digits, "6408233234", Canary.name, "Kanarie", Canary.phone, "Kanariegatan", "Per Polis"] {
            #expect(!text.contains(canary), "found a canary in the stored data")
        }
        // Staff still read it back, through the audited path.
        let full = try await h.ok("referrals.get", ["id": id, "purpose": "case-handling"])
        #expect(full["personal"]?["name"] == .string(Canary.name))
        #expect(full["personal"]?["identityNumber"] == .string(Canary.personnummer))
    }

    @Test("For a protected identity no address, phone or name is stored or shown", arguments: Backend.available)
    func protectedIdentity(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        let reply = try await h.ok("referrals.submit", referral(client: ["protectedIdentity": true, "email": "hemlig@example.se"]), as: Actors.police)
        #expect(Set(reply["droppedFields"]?.arrayValue ?? []) == ["client.name", "client.phone", "client.address", "client.email"])
        let id = reply["id"]!
        let full = try await h.ok("referrals.get", ["id": id, "purpose": "case-handling"])
        let shown = String(decoding: full.serialized(), as: UTF8.self)
        for canary in [Canary.name, Canary.phone, Canary.address, "hemlig@example.se", "vardagar"] { #expect(!shown.contains(canary)) }
        #expect(full["protectedIdentity"] == true)
        // Nothing to decrypt either: the sealed document has no such fields.
        let record = try #require(try await ReferralStore(h.database).referral(id.stringValue!))
        let env = try ReferralsEnvironment(configDir: Harness.configDir, keys: DataKeyRing(file: h.keys), now: { Date() })
        let personal = try #require(try await Privacy.personal(env, h.database, record))
        #expect(personal.name == nil && personal.phone == nil && personal.address == nil && personal.email == nil)
        #expect(personal.identityNumber == Canary.digits)
    }

    @Test("A user of agency A asking for agency B's referral by id gets nothing", arguments: Backend.available)
    func agencyIsolation(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        let id = try await h.ok("referrals.submit", referral(), as: Actors.police)["id"]!
        for type in ["referrals.get", "referrals.status"] {
            let e = await h.failure(type, ["id": id, "purpose": "case-handling"], as: Actors.social)
            #expect(e.code == .notFound)
        }
        #expect(await h.failure("referrals.get", ["id": id, "purpose": "case-handling"], as: Actors.staffBoras).code == .notFound)
        #expect(await h.failure("referrals.receive", ["id": id], as: Actors.staffBoras).code == .notFound)
        #expect(await h.failure("referrals.list", ["view": "queue"], as: Actors.police).code == .forbidden)
        let mine = try await h.ok("referrals.list", ["view": "mine"], as: Actors.social)
        #expect(mine["referrals"]?.arrayValue?.isEmpty == true)
        // The referring agency's get is the status view: no personal data.
        let own = try await h.ok("referrals.get", ["id": id], as: Actors.police)
        #expect(own["personal"] == nil)
    }

    @Test("N reads, changes and prints give exactly N audit entries, each with who, action, unit, when and which record", arguments: Backend.available)
    func auditTrail(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        let id = try await h.ok("referrals.submit", referral(), as: Actors.police)["id"]!
        let before = try await h.count("audit_log")
        #expect(before == 1) // the creation
        for _ in 0..<3 { _ = try await h.ok("referrals.get", ["id": id, "purpose": "assessment"]) }
        _ = try await h.ok("referrals.get", ["id": id, "purpose": "print"])
        _ = try await h.ok("referrals.receive", ["id": id])
        _ = try await h.ok("referrals.list", ["view": "queue"]) // no personal data: not a read of a record
        let e = await h.failure("referrals.get", ["id": id])    // no purpose: refused, and nothing read
        #expect(e.field == "body.purpose")
        let log = try await h.ok("referrals.audit.list", ["centre": "skaraborg"], as: Actors.admin)
        let entries = try #require(log["entries"]?.arrayValue)
        let expected = 6 // create + 3 reads + print + receive
        #expect(entries.count == expected)
        #expect(entries.filter { $0["action"] == "read" }.count == 3)
        #expect(entries.filter { $0["action"] == "print" }.count == 1)
        #expect(entries.filter { $0["action"] == "receive" }.count == 1)
        for entry in entries {
            #expect(entry["referralId"] == id)
            #expect(entry["actor"]?.stringValue?.isEmpty == false && entry["at"]?.stringValue?.isEmpty == false)
            #expect(entry["unit"]?.stringValue?.isEmpty == false)
        }
        #expect(await h.failure("referrals.audit.list", [:], as: Actors.police).code == .forbidden)
    }

    @Test("The same person referred twice is linked through the blind index, across agencies", arguments: Backend.available)
    func blindIndexLinks(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        let first = try await h.ok("referrals.submit", referral(), as: Actors.police)["id"]!
        let second = try await h.ok("referrals.submit", referral(["referrer": ["agency": "social-services", "unit": "IFO Skövde", "contactName": "S"]],
                                                                 client: ["identityNumber": "196408233234"]), as: Actors.social)["id"]!
        let other = try await h.ok("referrals.submit", referral(client: ["identityNumber": "19701010-1231"]), as: Actors.police)["id"]!
        let full = try await h.ok("referrals.get", ["id": second, "purpose": "case-handling"])
        #expect(full["linked"]?.arrayValue?.map { $0["id"]! } == [first])
        let rows = try await h.database.query("SELECT DISTINCT client_id FROM referrals", [])
        #expect(rows.count == 2)
        _ = other
        // The referrer never learns of the earlier referral.
        let view = try await h.ok("referrals.get", ["id": second], as: Actors.social)
        #expect(view["linked"] == nil)
    }

    @Test("After key rotation stored data is re-sealed at start and still reads", arguments: Backend.available)
    func keyRotation(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        let id = try await h.ok("referrals.submit", referral(), as: Actors.police)["id"]!
        _ = try await h.ok("referrals.assess", ["id": id, "decision": "accept", "priority": 2])
        _ = try await h.ok("referrals.reprioritise", ["id": id, "priority": 1, "reason": "Ny uppgift"])
        await h.database.close()
        let rotated = DataKeyRing.rotated(h.keys)
        let h2 = try await Harness.make(backend, keys: rotated, clock: h.clock, scratch: h.scratch)
        defer { Task { await h2.close() } }
        let rows = try await h2.database.query("SELECT personal FROM referrals", [])
        #expect(DataProtector.keyID(of: try rows[0].blob("personal")) == "k2")
        let full = try await h2.ok("referrals.get", ["id": id, "purpose": "case-handling"])
        #expect(full["personal"]?["name"] == .string(Canary.name))
        #expect(full["history"]?.arrayValue?.last?["note"] == "Ny uppgift")
    }

    @Test("Closed referrals are anonymised after the retention period, with a dry run first", arguments: Backend.available)
    func retention(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        let old = try await h.ok("referrals.submit", referral(), as: Actors.police)["id"]!
        _ = try await h.ok("referrals.assess", ["id": old, "decision": "decline", "reason": "client-declined"])
        let open = try await h.ok("referrals.submit", referral(client: ["identityNumber": "19701010-1231"]), as: Actors.police)["id"]!
        h.clock.advance(days: 1096)
        let dry = try await h.ok("referrals.retention.run", ["dryRun": true], as: Actors.admin)
        #expect(dry["count"] == 1)
        #expect(dry["referrals"]?.arrayValue?.first?["id"] == old)
        #expect(try await h.database.query("SELECT personal FROM referrals WHERE id = ?", [.text(old.stringValue!)])[0].optionalBlob("personal") != nil)
        #expect(await h.failure("referrals.retention.run", ["dryRun": false]).code == .forbidden)
        let run = try await h.ok("referrals.retention.run", ["dryRun": false], as: Actors.admin)
        #expect(run["count"] == 1)
        let row = try await h.database.query("SELECT personal, person_index, category FROM referrals WHERE id = ?", [.text(old.stringValue!)])[0]
        #expect(try row.optionalBlob("personal") == nil)
        #expect(try row.optionalString("person_index") == nil)
        #expect(try row.string("category") == "subjected-to-violence") // statistics survive
        let kept = try await h.database.query("SELECT personal FROM referrals WHERE id = ?", [.text(open.stringValue!)])[0]
        #expect(try kept.optionalBlob("personal") != nil)
    }
}
