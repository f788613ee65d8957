import Foundation
import HTTPTypes
import HubCore
import HubProtocol
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import AgencyAdapters

/// The repository's docs/ folder.
let repoDocs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path + "/docs"

@Suite("Kriminalvården: XML Schema validation", .serialized)
struct KriminalvardenSchemaTests {
    @Test func theCompiledInSchemaIsTheDocumentedOne() throws {
        let documented = try String(contentsOfFile: repoDocs + "/kriminalvarden-remiss.xsd", encoding: .utf8)
        #expect(RemissSchema.xsd + "\n" == documented)
    }

    @Test func everySchemaViolationIsRefusedWithTheSchemasMessageAndLine() async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        let adapter = try await f.adapter("kriminalvarden") as! KriminalvardenAdapter
        let good = remiss("KV-S-1")
        let cases: [(String, String, String)] = [
            ("unknown-element", good.replacingOccurrences(of: "<Enhet>", with: "<Hemlig>x</Hemlig><Enhet>"), "Hemlig"),
            ("out-of-order", good.replacingOccurrences(of: "<Enhet>Frivården Skövde</Enhet>", with: "")
                .replacingOccurrences(of: "<Kommun>Skövde</Kommun>", with: "<Kommun>Skövde</Kommun><Enhet>Frivården Skövde</Enhet>"), "Enhet"),
            ("too-many", good.replacingOccurrences(of: "<Klient>", with: "<Insatser>" + String(repeating: "<Insats>individual-talks</Insats>", count: 6) + "</Insatser><Klient>"), "Insats"),
            ("unknown-attribute", good.replacingOccurrences(of: "<SakerKontakt ", with: "<SakerKontakt hemlig=\"Testa Testsson\" "), "hemlig"),
            ("bad-pattern", good.replacingOccurrences(of: "19640823-3234", with: "19640823-32"), "Personnummer"),
        ]
        for (name, xml, _) in cases { try dropFile(Data(xml.utf8), adapter.folder.inbox + "/\(name).xml") }
        await adapter.scanOnce()
        for (name, _, mentions) in cases {
            let raw = text(adapter.folder.rejected + "/\(name).fel.xml")
            let report = try XMLElement.parse(Data(raw.utf8))
            let message = report.value("Meddelande") ?? ""
            #expect(report.value("Kod") == "validation", "\(name): \(raw)")
            #expect(message.contains("kriminalvarden-remiss.xsd") && message.contains(mentions) && message.range(of: #"\(line \d+\)"#, options: .regularExpression) != nil,
                    "\(name): \(message)")
            for secret in ["Testa Testsson", "19640823", "6408233"] { #expect(!raw.contains(secret), "\(name): \(raw)") }
        }
        #expect(try await adapter.host.database.query("SELECT message_id FROM outbox", []).isEmpty)
        await f.tearDown()
    }

    @Test func schemaMessagesLoseQuotedValuesButKeepNames() {
        let m = SchemaValidator.clean("Element '{urn:utvag:kriminalvarden:remiss:1}Personnummer': [facet 'pattern'] The value '19640823-32' is not accepted by the pattern '(\\d{2})?\\d{6}[-+]?\\d{4}'.")
        #expect(m.hasPrefix("Element 'Personnummer': [facet 'pattern'] The value … is not accepted"), "\(m)")
        #expect(!m.contains("19640823"))
        let a = SchemaValidator.clean("Element 'Alder': 'Testa' is not a valid value of the atomic type 'xs:integer'.")
        #expect(a == "Element 'Alder': … is not a valid value of the atomic type 'xs:integer'.", "\(a)")
    }

    @Test func everyXMLDocumentTheAdapterWritesFollowsTheSchemaAndKeepsCRLF() async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        try await f.startReferrals()
        let adapter = try await f.adapter("kriminalvarden") as! KriminalvardenAdapter
        let gateway = try f.client()
        let folder = adapter.folder
        try dropFile(Data(remiss("KV-W-1").utf8), folder.inbox + "/ok.xml")
        try dropFile(Data(remiss("KV-W-2", kommun: "Gullspång").utf8), folder.inbox + "/paused.xml")
        try dropFile(Data(remiss("KV-W-3", pnr: "19640823-3235").utf8), folder.inbox + "/bad.xml")
        await adapter.scanOnce()
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Nätverksdag & <möte>\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        _ = try await gateway.request("referrals.test.publish", body: ["topic": "agency.kriminalvarden.invitation",
                                                                       "body": ["title": "Nätverksdag\tvår", "ics": .string(ics), "dates": ["2027-03-01"]]])
        #expect(try await f.eventually {
            let out = files(folder.outbox)
            return out.filter { $0.hasPrefix("kvitto-") }.count == 2 && out.contains { $0.hasPrefix("status-") } && out.contains { $0.hasPrefix("invitation-") }
        })
        let written = files(folder.processed).map { folder.processed + "/" + $0 } + files(folder.outbox).map { folder.outbox + "/" + $0 }
            + files(folder.rejected).filter { $0.hasSuffix(".xml") }.map { folder.rejected + "/" + $0 }
        #expect(written.count >= 7)
        for path in written {
            let data = try #require(FileManager.default.contents(atPath: path))
            #expect(throws: Never.self, "\(path)") { try SchemaValidator.remiss.validate(data) }
        }
        let invitation = try #require(files(folder.outbox).first { $0.hasPrefix("invitation-") })
        let parsed = try XMLElement.parse(Data(text(folder.outbox + "/" + invitation).utf8))
        #expect(parsed.children.first { $0.attributes["namn"] == "ics" }?.text == ics, "CR LF survives an XML parser")
        #expect(parsed.children.first { $0.attributes["namn"] == "title" }?.text == "Nätverksdag\tvår")
        await f.tearDown()
    }
}
