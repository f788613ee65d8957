import Foundation
import HubBus
import HubCore
import HubProtocol
import ReferralsAPI
import HubStorage
import HubTestSupport
import Hummingbird
import HummingbirdTesting
import Testing
@testable import AgencyAdapters

/// The client's personal data as the test documents carry it, in every form a copy could take.
let canaries = ["196408233234", "19640823-3234", "6408233234", "640823-3234", "Testa Testsson", "070-0000000", "Hemlig väg 1"]

/// Every file an adapter keeps: its database (main file, WAL, shared memory) and every file
/// under its folders. Returns "file: canary" for each clear copy found (raw bytes).
func clearCopies(_ f: AdapterFixture, adapter name: String) -> [String] {
    let fm = FileManager.default
    var paths = ((try? fm.contentsOfDirectory(atPath: f.dir)) ?? []).filter { $0.hasPrefix("adapter-\(name)-") }.map { f.dir + "/" + $0 }
    let root = f.dir + "/adapters/" + name
    if let walker = fm.enumerator(atPath: root) {
        for case let p as String in walker {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: root + "/" + p, isDirectory: &isDir), !isDir.boolValue { paths.append(root + "/" + p) }
        }
    }
    var hits: [String] = []
    for p in paths {
        guard let data = fm.contents(atPath: p) else { continue }
        for c in canaries where data.range(of: Data(c.utf8)) != nil { hits.append("\((p as NSString).lastPathComponent): \(c)") }
    }
    return hits
}

/// Every file under a folder, recursively (for "the original left the disk").
func allFiles(_ root: String) -> [String] {
    (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter { p in
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: root + "/" + p, isDirectory: &isDir) && !isDir.boolValue
    }.sorted()
}

/// Waits until every intake has been reported to the agency and every event delivered.
func settled(_ f: AdapterFixture, _ host: AdapterHost, intakes: Int, events: Int? = nil) async throws -> Bool {
    try await f.eventually(15) {
        let reported = try await host.database.query("SELECT message_id FROM intake WHERE reported_at IS NOT NULL", []).count
        let open = try await host.database.query("SELECT event_id FROM inbox WHERE delivered_at IS NULL", []).count
        let stored = try await host.database.query("SELECT event_id FROM inbox", []).count
        return reported == intakes && open == 0 && stored >= (events ?? intakes)
    }
}

@Suite("Adapter privacy: sealed or gone", .serialized)
struct PrivacyTests {
    @Test func theAdapterMakesItsOwnKeyFileOnceOrTakesItFromTheEnvironment() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("adapter-keys-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try AdapterDataKeys.load(adapter: "police", dataDir: dir, environment: [:])
        let path = AdapterDataKeys.path(adapter: "police", dataDir: dir)
        #expect(path.hasSuffix("/keys/adapter-police-data-keys.json"))
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)
        let sealed = try DataProtector(ring: first).seal(Array("x".utf8), context: "c")
        let again = try AdapterDataKeys.load(adapter: "police", dataDir: dir, environment: [:])
        #expect(try DataProtector(ring: again).open(sealed, context: "c") == Array("x".utf8), "the same keys on the next start")
        let other = String(decoding: try JSONEncoder().encode(DataKeyRing.generateFile()), as: UTF8.self)
        let fromEnv = try AdapterDataKeys.load(adapter: "police", dataDir: dir, environment: ["HUB_ADAPTER_POLICE_DATA_KEYS": other])
        #expect(throws: HubError.self) { try DataProtector(ring: fromEnv).open(sealed, context: "c") }
        #expect(throws: (any Error).self) { try AdapterDataKeys.load(adapter: "police", dataDir: dir, environment: ["HUB_ADAPTER_POLICE_DATA_KEYS": "{"]) }
    }

    @Test func policeKeepsNoPersonalDataInClear() async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        try await f.startReferrals()
        let police = try await f.adapter("police", environment: ["HUB_ADAPTER_POLICE_API_KEY": policeKey]) as! PoliceAdapter
        let gateway = try f.client()
        let app = Application(router: police.buildRouter())
        try await app.test(.router) { client in
            let (status, _) = try await client.postJSON("/v1/referrals", key: policeKey, body: policeReferral("LPO-P-1").serialized())
            #expect(status == .created || status == .accepted)
        }
        #expect(try await f.eventually { try await f.referrals(via: gateway).count == 1 })
        #expect(try await settled(f, police.host, intakes: 1))
        #expect(clearCopies(f, adapter: "police") == [])
        // The successful request keeps no payload; exactly-once still holds.
        let row = try #require(try await police.host.database.queryFirst("SELECT * FROM outbox", []))
        let hash = try row.string("payload_hash"), state = try row.string("state")
        #expect(row["envelope"] == .null && row["reply"] == .null && hash.count == 64 && state == "done")
        try await app.test(.router) { client in
            let (status, body) = try await client.postJSON("/v1/referrals", key: policeKey, body: policeReferral("LPO-P-1").serialized())
            #expect(status == .created && body["referralId"] != nil, "a resend answers from the intake row")
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await f.referrals(via: gateway).count == 1)
        #expect(try await police.host.database.query("SELECT message_id FROM outbox", []).count == 1)
        await f.tearDown()
    }

    @Test func psychiatryKeepsNoPersonalDataInClear() async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        try await f.startReferrals()
        let adapter = try await f.adapter("psychiatry", environment: ["HUB_ADAPTER_PSYCHIATRY_API_KEY": psychiatryKey]) as! PsychiatryAdapter
        let gateway = try f.client()
        let app = Application(router: adapter.buildRouter())
        try await app.test(.router) { client in
            let (status, _) = try await client.fhir(.post, "/fhir/ServiceRequest", body: serviceRequest("BUP-P-1").serialized())
            #expect(status == .created)
        }
        #expect(try await f.eventually { try await f.referrals(via: gateway).count == 1 })
        _ = try await gateway.request("referrals.test.publish", body: ["topic": "agency.psychiatry.minutes", "body": ["title": "Protokoll"]])
        // Both events stored (the status and the document), not only the first to arrive.
        #expect(try await settled(f, adapter.host, intakes: 1, events: 2))
        #expect(clearCopies(f, adapter: "psychiatry") == [])
        // A document stays readable as a Communication (sealed at rest) until the retention ends.
        try await app.test(.router) { client in
            let (_, bundle) = try await client.fhir(.get, "/fhir/Communication")
            #expect(bundle["entry"]?.arrayValue?.count == 1)
        }
        // (Once the publisher has its acknowledgement: a pruned event sent again would be new.)
        try await Task.sleep(for: .seconds(1))
        await adapter.host.purge(now: Date().addingTimeInterval(15 * 86_400))
        #expect(try await adapter.host.database.query("SELECT event_id FROM inbox", []).isEmpty)
        await f.tearDown()
    }

    @Test func municipalityKeepsNoPersonalDataInClearAndDropsTheOriginal() async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        try await f.startReferrals()
        let adapter = try await f.adapter("municipality") { $0.municipalities = ["Skövde"] } as! MunicipalityAdapter
        let gateway = try f.client()
        let skovde = adapter.folder("Skövde")
        let csv = "Ärendenummer;Kategori;Insatser;Personnummer;Namn;Telefon;Adress;Samtycke;Samtycke registrerat av;risk:escalation;risk:threat-to-kill;risk:strangulation\r\n"
            + "2026-P1;Utsatt för våld;Enskilda samtal;640823-3234;Testa Testsson;070-0000000;Hemlig väg 1;Ja;Anna Handläggare;Nej;Nej;Vet ej\r\n"
        try dropFile(Data(csv.utf8), skovde.inbox + "/export.csv")
        await adapter.scanOnce()
        #expect(allFiles(skovde.root) == ["processed/export.kvitto.csv"], "\(text(skovde.rejected + "/export.avvisade.csv"))")
        #expect(try await f.eventually { try await f.referrals(via: gateway).count == 1 })
        #expect(try await settled(f, adapter.host, intakes: 1))
        #expect(clearCopies(f, adapter: "municipality") == [])
        for d in [skovde.root, skovde.inbox, skovde.processed, skovde.rejected, skovde.outbox] {
            #expect((try FileManager.default.attributesOfItem(atPath: d)[.posixPermissions] as? Int) == 0o700, "\(d)")
        }
        for p in allFiles(skovde.root) {
            #expect((try FileManager.default.attributesOfItem(atPath: skovde.root + "/" + p)[.posixPermissions] as? Int) == 0o600, "\(p)")
        }
        // The same export again is the same referral, though its payload is gone.
        try dropFile(Data(csv.utf8), skovde.inbox + "/export-again.csv")
        await adapter.scanOnce()
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await f.referrals(via: gateway).count == 1)
        #expect(try await adapter.host.database.query("SELECT message_id FROM outbox", []).count == 1)
        await f.tearDown()
    }

    @Test func kriminalvardenKeepsNoPersonalDataInClearAndRefusedDocumentsSealedUntilTheRetention() async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        try await f.startReferrals()
        let adapter = try await f.adapter("kriminalvarden") as! KriminalvardenAdapter
        let gateway = try f.client()
        let folder = adapter.folder
        func drop(_ name: String, _ xml: String) throws {
            try dropFile(Data(xml.utf8), folder.inbox + "/" + name)
        }
        let withContact = { (ref: String, kommun: String) in
            remiss(ref, kommun: kommun).replacingOccurrences(of: "<Adress>Gatan 1</Adress>", with: "<Telefon>070-0000000</Telefon><Adress>Hemlig väg 1</Adress>")
        }
        try drop("ok.xml", withContact("KV-P1", "Skövde"))
        try drop("paused.xml", withContact("KV-P2", "Gullspång"))     // refused by the hub (intake_paused)
        try drop("bad.xml", remiss("KV-P3", pnr: "19640823-3235"))      // refused at the adapter
        await adapter.scanOnce()
        #expect(files(folder.inbox).isEmpty)
        #expect(files(folder.processed) == ["ok.kvitto.xml", "paused.kvitto.xml"])
        #expect(files(folder.rejected) == ["bad.fel.xml", "bad.xml.sealed"])
        #expect(try folder.openSealed("bad.xml.sealed", protector: adapter.host.runtime.protector) == Data(remiss("KV-P3", pnr: "19640823-3235").utf8))
        #expect(try await f.eventually { try await f.referrals(via: gateway).count == 1 })
        #expect(try await settled(f, adapter.host, intakes: 2, events: 1))
        #expect(clearCopies(f, adapter: "kriminalvarden") == [])

        // The refused envelope is kept sealed for staff; the accepted one is gone.
        let failed = try #require(try await adapter.host.database.queryFirst("SELECT * FROM outbox WHERE state = 'failed'", []))
        let sealed = try failed.blob("envelope")
        let id = try failed.string("message_id")
        let opened = try Envelope.decode(try adapter.host.runtime.protector.open(sealed, context: AdapterRuntime.outboxContext(id)))
        #expect(opened.body["municipality"] == "Gullspång")
        #expect(try await adapter.host.database.queryFirst("SELECT envelope FROM outbox WHERE state = 'done'", [])?["envelope"] == .null)

        // Within the retention nothing goes; after it, the sealed copies go too.
        await adapter.host.purge(now: Date().addingTimeInterval(13 * 86_400))
        #expect(try await adapter.host.database.queryFirst("SELECT envelope FROM outbox WHERE state = 'failed'", [])?["envelope"] != .null)
        #expect(files(folder.rejected).count == 2)
        await adapter.host.purge(now: Date().addingTimeInterval(15 * 86_400))
        #expect(try await adapter.host.database.queryFirst("SELECT envelope, reply FROM outbox WHERE state = 'failed'", [])?["envelope"] == .null)
        #expect(files(folder.rejected).isEmpty)
        #expect(try await adapter.host.intake(agency: "kriminalvarden", externalRef: "KV-P2")?.error?.code.rawValue == "intake_paused",
                "the receipt stays")

        // Exactly once after the payloads are gone: the same documents again change nothing.
        try drop("ok-again.xml", withContact("KV-P1", "Skövde"))
        try drop("paused-again.xml", withContact("KV-P2", "Gullspång"))
        await adapter.scanOnce()
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await f.referrals(via: gateway).count == 1)
        #expect(try await adapter.host.database.query("SELECT message_id FROM outbox", []).count == 2)
        #expect(try await adapter.host.database.queryFirst("SELECT state FROM outbox WHERE message_id = ?", [.text(id)])?["state"] == .text("failed"))
        await f.tearDown()
    }

    @Test func aRetentionOfZeroDaysPurgesRefusedDocumentsAtTheNextPurge() async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        try await f.startReferrals()
        let adapter = try await f.adapter("kriminalvarden") { $0.rejectedRetentionDays = 0 } as! KriminalvardenAdapter
        try dropFile(Data(remiss("KV-Z1", pnr: "19640823-3235").utf8), adapter.folder.inbox + "/bad.xml")
        await adapter.scanOnce()
        #expect(files(adapter.folder.rejected) == ["bad.fel.xml", "bad.xml.sealed"])
        try await Task.sleep(for: .milliseconds(20))
        await adapter.host.purge()
        #expect(files(adapter.folder.rejected).isEmpty)
        await f.tearDown()
    }

    /// Rows an older version stored in clear are sealed or dropped by migration 3 and its
    /// conversion; nothing of them survives in the SQLite file or its WAL. On PostgreSQL too
    /// (when HUB_TEST_DATABASE_URL is set): the same SQL, conversion and purge.
    @Test(arguments: Backend.available)
    func theMigrationSealsOrDropsOldClearRows(_ backend: Backend) async throws {
        let f = try AdapterFixture()
        let scratch = ScratchDatabase(backend, name: "adapter_legacy")
        let db = try await scratch.open()
        try await db.migrate(AdapterRuntime.migrations + [AdapterHost.migrations[0]])
        let body = policeReferral("LPO-L-1")
        let now = Timestamp.now()
        for (id, state, reply) in [("police-done", "done", Envelope(type: "referrals.submit.reply", body: try JSONValue.from(SubmissionReceipt(
            id: "R-1", reference: "U26-AAAAAA", centre: "skaraborg", centreName: "Utväg Skaraborg", submittedAt: now)))),
                                   ("police-failed", "failed", Envelope(type: "referrals.submit.reply", body: .null, error: HubError(.validation, "No."))),
                                   ("police-pending", "pending", nil)] as [(String, String, Envelope?)] {
            try await db.execute("INSERT INTO outbox VALUES (?, 'referrals.submit', ?, ?, 1, ?, ?, ?)",
                                 [.text(id), .blob(Envelope(id: id, type: "referrals.submit", body: body).encoded()), .text(state),
                                  reply.map { .blob($0.encoded()) } ?? .null, .text(now), .text(now)])
            try await db.execute("INSERT INTO intake (message_id, agency, external_ref, channel, received_at, answered, attempts, next_attempt_at) VALUES (?, 'police', ?, 'http', ?, 0, 0, ?)",
                                 [.text(id), .text(id), .text(now), .text(now)])
        }
        try await db.execute("INSERT INTO inbox (event_id, topic, envelope, received_at, delivered_at) VALUES ('e1', 'agency.police.minutes', ?, ?, ?)",
                             [.blob(Envelope(id: "e1", type: "agency.police.minutes", body: ["note": "Testa Testsson"]).encoded()), .text(now), .text(now)])
        func clearCopies() -> [String] {
            guard backend == .sqlite else { return [] }
            var hits: [String] = []
            for suffix in ["", "-wal"] {
                let data = FileManager.default.contents(atPath: scratch.location + suffix) ?? Data()
                for c in canaries where data.range(of: Data(c.utf8)) != nil { hits.append(suffix + ": " + c) }
            }
            return hits
        }
        if backend == .sqlite { #expect(!clearCopies().isEmpty, "the old rows are in clear") }

        let bus = BusClient(endpoint: try f.busEndpoint("adapter:police"), logger: f.logger)
        let runtime = AdapterRuntime(agency: "police", bus: bus, database: db, keys: f.dataKeys, logger: f.logger)
        let host = AdapterHost(adapter: "police", runtime: runtime, database: db, reference: f.reference, risk: f.risk, logger: f.logger)
        try await host.prepare()
        #expect(clearCopies() == [])
        if backend == .sqlite {
            #expect(try await db.query("PRAGMA secure_delete", []).first?.values.first == .integer(1), "on for every SQLite database (HubStorage)")
        }
        let rows = try await db.query("SELECT * FROM outbox ORDER BY message_id", [])
        #expect(try rows.map { try $0.int("sealed") } == [1, 1, 1])
        #expect(try rows.map { try $0.string("payload_hash").count } == [64, 64, 64])
        #expect(rows[0]["envelope"] == .null && rows[0]["reply"] == .null, "done: payload dropped")
        #expect(rows[1]["envelope"] != .null && rows[1]["reply"] == .null, "failed: envelope sealed, answer on the intake")
        let pending = try Envelope.decode(try runtime.protector.open(try rows[2].blob("envelope"), context: AdapterRuntime.outboxContext("police-pending")))
        #expect(pending.body["client"]?["name"] == "Testa Testsson", "pending: sealed, and still sent as it was")
        #expect(try await host.intake(messageID: "police-done")?.referralID == "R-1")
        #expect(try await host.intake(messageID: "police-failed")?.error?.code == .validation)
        #expect(try await db.queryFirst("SELECT envelope FROM inbox", [])?["envelope"] == .null, "delivered event: payload dropped")

        // New intake is sealed; the purge after the retention empties the refused row and the inbox.
        var draft = try PoliceAdapter.draft(from: policeReferral("LPO-L-2"))
        draft.agency = "police"
        let intake = try await host.submit(draft, channel: "http")
        let sealed = try #require(try await db.queryFirst("SELECT envelope, sealed FROM outbox WHERE message_id = ?", [.text(intake.messageID)]))
        #expect(try sealed.int("sealed") == 1 && !String(decoding: try sealed.blob("envelope"), as: UTF8.self).contains("Testsson"))
        await host.purge(now: Date().addingTimeInterval(15 * 86_400))
        #expect(try await db.queryFirst("SELECT envelope FROM outbox WHERE message_id = 'police-failed'", [])?["envelope"] == .null)
        #expect(try await db.query("SELECT event_id FROM inbox", []).isEmpty)
        #expect(clearCopies() == [])
        await bus.close()
        await db.close()
        await scratch.remove()
        await f.tearDown()
    }
}
