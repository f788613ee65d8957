import Foundation
import HubProtocol
import Testing
@testable import AgencyAdapters

func remiss(_ ref: String, pnr: String = "19640823-3234", kommun: String = "Skövde") -> String {
    """
    <?xml version="1.0" encoding="UTF-8"?>
    <Remiss xmlns="urn:utvag:kriminalvarden:remiss:1">
      <Referens>\(ref)</Referens>
      <Enhet>Frivården Skövde</Enhet>
      <Handlaggare><Namn>Frivårdsinspektör Test</Namn><Telefon>010-1111111</Telefon></Handlaggare>
      <Kommun>\(kommun)</Kommun>
      <Klient>
        <Personnummer>\(pnr)</Personnummer>
        <Namn>Testa Testsson</Namn>
        <SkyddadIdentitet>false</SkyddadIdentitet>
        <Adress>Gatan 1</Adress>
        <BarnensAldrar><Alder>3</Alder><Alder>9</Alder></BarnensAldrar>
      </Klient>
      <SakerKontakt kontaktaInte="false" farRinga="true"><Ringtider>vardagar 9–12</Ringtider></SakerKontakt>
      <Samtycke givet="true" datum="2026-11-20" registreratAv="Frivårdsinspektör Test"/>
      <Bradska>hög</Bradska>
      <Anteckningar>Dom med föreskrift om behandling &amp; samtal.</Anteckningar>
    </Remiss>
    """
}

@Suite("Kriminalvården XML adapter", .serialized)
struct KriminalvardenAdapterTests {
    @Test func xmlReferralGoesAndStatusComesBackAsXML() async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        try await f.startReferrals()
        let adapter = try await f.adapter("kriminalvarden") as! KriminalvardenAdapter
        let gateway = try f.client()
        let folder = adapter.folder
        try dropFile(Data(remiss("KV-1").utf8), folder.inbox + "/kv-1.xml")
        await adapter.scanOnce()
        #expect(files(folder.processed) == ["kv-1.kvitto.xml"])
        #expect(try await f.eventually { try await f.referrals(via: gateway).count == 1 })
        let stored = try await f.referrals(via: gateway)[0]
        #expect(stored["agency"] == "kriminalvarden")
        #expect(stored["body"]?["category"] == "used-violence" && stored["body"]?["help"] == ["non-violence-group"])
        #expect(stored["body"]?["notes"] == "Dom med föreskrift om behandling & samtal.")
        #expect(stored["body"]?["urgency"] == "high")
        #expect(try await f.eventually { files(folder.outbox).contains { $0.hasPrefix("status-") } })
        let kvitto = try #require(files(folder.outbox).first { $0.hasPrefix("kvitto-") })
        let receipt = try XMLElement.parse(Data(text(folder.outbox + "/" + kvitto).utf8))
        #expect(receipt.name == "Kvitto" && receipt.value("Status") == "skickad" && receipt.value("HanvisningsId") == stored["id"]?.stringValue)
        _ = try await gateway.request("referrals.test.advance", body: ["id": stored["id"]!, "status": "in-treatment"])
        #expect(try await f.eventually {
            files(folder.outbox).contains { n in n.hasPrefix("status-") && ((try? XMLElement.parse(Data(text(folder.outbox + "/" + n).utf8)))?.value("Status") == "in-treatment") }
        })
        _ = try await gateway.request("referrals.test.publish", body: ["topic": "agency.kriminalvarden.invitation", "body": ["title": "Nätverksdag <3>", "dates": ["2027-03-01"]]])
        #expect(try await f.eventually { files(folder.outbox).contains { $0.hasPrefix("invitation-") } })
        let inv = try XMLElement.parse(Data(text(folder.outbox + "/" + files(folder.outbox).first { $0.hasPrefix("invitation-") }!).utf8))
        #expect(inv.name == "Meddelande" && inv.attributes["typ"] == "invitation")
        await f.tearDown()
    }

    @Test func xmlAttacksAndBadFilesAreRejectedWithAnXMLErrorAndNothingIsStored() async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        try await f.startReferrals()
        let adapter = try await f.adapter("kriminalvarden") { $0.maxBytes = 8192 } as! KriminalvardenAdapter
        let folder = adapter.folder
        let secret = folder.root + "/secret.txt"
        try Data("TOPSECRET".utf8).write(to: URL(fileURLWithPath: secret))
        let bomb = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
            <Remiss xmlns="urn:utvag:kriminalvarden:remiss:1"><Referens>&lol3;</Referens></Remiss>
            """
        let xxe = """
            <?xml version="1.0"?>
            <!DOCTYPE r [<!ENTITY x SYSTEM "file://\(secret)">]>
            <Remiss xmlns="urn:utvag:kriminalvarden:remiss:1"><Referens>KV-X</Referens><Anteckningar>&x;</Anteckningar></Remiss>
            """
        let cases: [(String, Data, String)] = [
            ("bomb.xml", Data(bomb.utf8), "validation"),
            ("xxe.xml", Data(xxe.utf8), "validation"),
            ("broken.xml", Data("<Remiss xmlns=\"urn:utvag:kriminalvarden:remiss:1\"><Referens>KV-2</Remiss>".utf8), "malformed_xml"),
            ("latin1.xml", Data([0x3C, 0x52, 0x3E, 0xE5, 0xE4, 0x3C, 0x2F, 0x52, 0x3E]), "malformed_xml"),
            // A processing instruction without data crashed Foundation's parser (found by fuzzing).
            ("pi.xml", Data(("<?xm?>\n" + remiss("KV-7")).utf8), "malformed_xml"),
            ("pi-inside.xml", Data(remiss("KV-8").replacingOccurrences(of: "<Kommun>", with: "<?p?><Kommun>").utf8), "malformed_xml"),
            ("pnr.xml", Data(remiss("KV-3", pnr: "19640823-3235").utf8), "validation"),
            ("wrongroot.xml", Data("<Referral><Referens>KV-4</Referens></Referral>".utf8), "validation"),
            ("missing.xml", Data(remiss("KV-5").replacingOccurrences(of: "<Kommun>Skövde</Kommun>", with: "").utf8), "validation"),
            ("big.xml", Data((remiss("KV-6") + String(repeating: "<!-- padding -->", count: 600)).utf8), "too_large"),
            ("deep.xml", Data(("<Remiss xmlns=\"urn:utvag:kriminalvarden:remiss:1\">" + String(repeating: "<a>", count: 50) + String(repeating: "</a>", count: 50) + "</Remiss>").utf8), "too_large"),
        ]
        for (name, data, _) in cases { try dropFile(data, folder.inbox + "/" + name) }
        await adapter.scanOnce()
        #expect(files(folder.inbox).isEmpty)
        for (name, _, code) in cases {
            let base = (name as NSString).deletingPathExtension
            let report = text(folder.rejected + "/" + base + ".fel.xml")
            let parsed = try? XMLElement.parse(Data(report.utf8))
            #expect(parsed?.name == "Fel" && parsed?.value("Kod") == code, "\(name): \(report)")
            #expect(!report.contains("TOPSECRET") && !report.contains("3235"))
        }
        #expect(text(folder.rejected + "/pnr.fel.xml").contains("Remiss/Klient/Personnummer"))
        #expect(try await adapter.host.database.query("SELECT message_id FROM outbox", []).isEmpty)
        // Still running.
        try dropFile(Data(remiss("KV-7").utf8), folder.inbox + "/ok.xml")
        await adapter.scanOnce()
        #expect(try await adapter.host.database.query("SELECT message_id FROM outbox", []).count == 1)
        await f.tearDown()
    }
}
