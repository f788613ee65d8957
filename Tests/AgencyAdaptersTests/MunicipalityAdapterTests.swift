import Foundation
import HubCore
import HubProtocol
import Testing
@testable import AgencyAdapters

let csvHeader = "Ärendenummer;Enhet;Handläggare;Kommun;Kategori;Insatser;Personnummer;Namn;Skyddad identitet;Adress;Barnens åldrar;Får ringas;Samtycke;Samtycke datum;Brådska;Anteckningar"
    + ";Samtycke registrerat av;risk:escalation;risk:threat-to-kill;risk:strangulation"
/// The last columns of a row under `csvHeader`: who recorded the consent and the required risk answers.
let screened = ";Anna Handläggare;Nej;Nej;Vet ej"

/// Encodes as Windows-1252 (the test text is Latin-1 only).
func windows1252(_ s: String) -> Data { Data(s.unicodeScalars.map { UInt8($0.value) }) }

/// The finished files of a folder (an atomic write in progress, `*.part`, is not a result yet).
func files(_ dir: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { !$0.hasSuffix(".part") }.sorted()
}
/// Puts a file in a watched inbox as agencies must: written as `.part`, then renamed (the
/// adapter's own scan loop runs beside the test and must never see half a file).
func dropFile(_ data: Data, _ path: String) throws {
    try data.write(to: URL(fileURLWithPath: path + ".part"))
    try FileManager.default.moveItem(atPath: path + ".part", toPath: path)
}
func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

@Suite("Municipality adapter", .serialized)
struct MunicipalityAdapterTests {
    @Test func goodRowsGoBadRowsAreReportedAndStatusComesBackAsFiles() async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        try await f.startReferrals()
        let adapter = try await f.adapter("municipality") { $0.municipalities = ["Skövde", "Gullspång"] } as! MunicipalityAdapter
        let gateway = try f.client()
        let skovde = adapter.folder("Skövde")
        let csv = [csvHeader,
                   "2026-101;IFO Vuxen;Anna Handläggare;Skövde;Utsatt för våld;Enskilda samtal, Kvinnogrupp;640823-3234;Test Person;Ja;Hemlig väg 1;4, 7;Ja;Ja;2026-11-20;Hög;\"Ring efter 9; inte före\"" + screened,
                   "2026-102;IFO Vuxen;Anna Handläggare;Skövde;Utsatt för våld;Enskilda samtal;640823-3235;Test Person;Nej;;;Ja;Ja;;Normal;" + screened,
                   "2026-103;IFO Vuxen;Anna Handläggare;;Utövat våld;Icke-våldsgrupp;701063-2391;Test Person;Nej;Gatan 2;;Nej;Ja;;;" + screened,
                   "2026-104;IFO Vuxen;Anna Handläggare;Skövde;Utsatt för våld;Enskilda samtal;;;Nej;;;;Nej;;;" + screened,
                   "2026-105;IFO Vuxen;Anna Handläggare;Skövde;Okänd;Enskilda samtal;;;Nej;;;;Ja;;;" + screened,
        ].joined(separator: "\r\n") + "\r\n"
        try dropFile(windows1252(csv), skovde.inbox + "/export.csv")
        await adapter.scanOnce()

        #expect(files(skovde.inbox).isEmpty)
        // The original is gone from processed/; rows were refused, so it is kept sealed beside the report.
        #expect(files(skovde.processed) == ["export.kvitto.csv"])
        #expect(files(skovde.rejected) == ["export.avvisade.csv", "export.csv.sealed"])
        let opened = try skovde.openSealed("export.csv.sealed", protector: adapter.host.runtime.protector)
        #expect(opened == windows1252(csv))
        let receipt = text(skovde.processed + "/export.kvitto.csv")
        #expect(receipt.contains("2026-101") && receipt.contains("2026-103") && receipt.contains("Windows-1252"))
        let report = text(skovde.rejected + "/export.avvisade.csv")
        #expect(report.contains("3;Personnummer;validation"))
        #expect(report.contains("5;Samtycke;validation"))
        #expect(report.contains("6;Kategori;validation"))
        #expect(!report.contains("640823") && !report.contains("Test Person"))

        #expect(try await f.eventually { try await f.referrals(via: gateway).count == 2 })
        let stored = try await f.referrals(via: gateway)
        let first = try #require(stored.first { $0["externalRef"] == "2026-101" })
        #expect(first["agency"] == "social-services")
        #expect(first["body"]?["help"] == ["individual-talks", "womens-group"])
        #expect(first["body"]?["client"]?["address"] == nil) // protected identity
        #expect(first["body"]?["client"]?["childrenAges"] == [4, 7])
        #expect(first["body"]?["urgency"] == "high")
        #expect(first["body"]?["notes"] == "Ring efter 9; inte före")
        let second = try #require(stored.first { $0["externalRef"] == "2026-103" })
        #expect(second["body"]?["client"]?["identityKind"] == "samordningsnummer")

        // Receipts and "submitted" statuses in the outbox; then a later change.
        #expect(try await f.eventually { files(skovde.outbox).filter { $0.hasPrefix("status-") }.count == 2 })
        #expect(files(skovde.outbox).filter { $0.hasPrefix("kvitto-") }.count == 2)
        let id = try #require(first["id"]?.stringValue)
        _ = try await gateway.request("referrals.test.advance", body: ["id": .string(id), "status": "declined", "reason": "not-in-target-group"])
        #expect(try await f.eventually {
            files(skovde.outbox).contains { $0.hasPrefix("status-") && text(skovde.outbox + "/" + $0).contains("avböjd") }
        })

        // The same file again: no new referrals.
        try dropFile(windows1252(csv), skovde.inbox + "/export.csv")
        await adapter.scanOnce()
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await f.referrals(via: gateway).count == 2)

        // The hub refusing a row (intake paused) comes back as a receipt file.
        let gullspang = adapter.folder("Gullspång")
        try dropFile(Data((csvHeader + "\n2026-201;IFO;A;Gullspång;Utsatt för våld;Enskilda samtal;;;Nej;;;;Ja;;;" + screened + "\n").utf8), gullspang.inbox + "/paus.csv")
        await adapter.scanOnce()
        #expect(try await f.eventually { files(gullspang.outbox).contains { text(gullspang.outbox + "/" + $0).contains("intake_paused") } })
        await f.tearDown()
    }

    @Test func wholeFileProblemsRejectTheFileAndNothingIsStored() async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        try await f.startReferrals()
        let adapter = try await f.adapter("municipality") { $0.municipalities = ["Borås"]; $0.maxBytes = 2048 } as! MunicipalityAdapter
        let boras = adapter.folder("Borås")
        let good = "2026-1;IFO;A;Borås;Utsatt för våld;Enskilda samtal;;;Nej;;;;Ja;;;" + screened
        let cases: [(String, Data)] = [
            ("unclosed.csv", Data((csvHeader + "\n" + good + "\n2026-2;\"IFO;A\n").utf8)),
            ("utf16.csv", (csvHeader + "\n" + good).data(using: .utf16)!),
            ("binary.csv", Data([0x00, 0x01, 0x02, 0xFF])),
            ("columns.csv", Data("Ärendenummer;Namn\n2026-3;Test\n".utf8)),
            ("big.csv", Data((csvHeader + "\n" + String(repeating: good + "\n", count: 40)).utf8)),
            ("toomany.csv", Data((csvHeader + "\n" + good + ";extra;fält\n").utf8)),
            ("empty.csv", Data()),
        ]
        for (name, data) in cases { try dropFile(data, boras.inbox + "/" + name) }
        await adapter.scanOnce()
        #expect(files(boras.inbox).isEmpty)
        for name in ["unclosed", "utf16", "binary", "columns", "big", "empty"] {
            // Kept only sealed (the too large one not at all: it was never read).
            #expect(files(boras.rejected).contains(name + ".csv.sealed") == (name != "big"), "\(name) rejected as a whole")
            #expect(!files(boras.rejected).contains(name + ".csv"))
            #expect(files(boras.rejected).contains(name + ".avvisade.csv"))
        }
        // A row with too many columns is reported; the file itself is processed.
        #expect(text(boras.rejected + "/toomany.avvisade.csv").contains("2;;validation"))
        #expect(try await adapter.host.database.query("SELECT message_id FROM outbox", []).isEmpty)
        // Still running: a good file goes through.
        try dropFile(Data((csvHeader + "\n" + good + "\n").utf8), boras.inbox + "/ok.csv")
        await adapter.scanOnce()
        #expect(try await adapter.host.database.query("SELECT message_id FROM outbox", []).count == 1)
        await f.tearDown()
    }
}
