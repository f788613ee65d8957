import Foundation
import HubProtocol
@testable import MeetingsService
import Testing

/// Our own minutes in the centres' style (the samples stay in ../shared).
enum Fixtures {
    /// Plain text, headings without numbers, "Frånvarande", times with dots, a date in prose, a stray line.
    static let plain = """
        Utväg Skaraborg
        2024-11-05

        Närvarande:
        Helena Prov, lokalpolisområdeschef Polisen
        Ingvar Exempel, socialchef Skövde kommun

        Frånvarande:
        Karl Fiktiv, frivårdsinspektör Kriminalvården

        Mötesanteckningar ledningsgruppsmöte Utväg Skaraborg 2024-11-05
        Plats: Digitalt
        Tid: 9.00 - 11.00

        ## Välkomna
        Alla hälsas välkomna.

        ## Aktuellt läge på Utväg
        Kön är kortare än i våras och mottagningen för sexuella övergrepp har öppnat.
        En rad som hör till punkten.

        ## Samverkansfrågor/läget på respektive myndighet
        Polisen: Inget nytt om kontaktförbud.

        Kommande mötestider: Onsdagen den 12 februari 2025 kl 14:00-16:00

        Vid anteckningarna
        Anna Exempelsson
        Något som inte hör hemma
        """

    /// Markdown with bold numbered items and a broken bold marker, as in real documents.
    static let markdown = """
        **Närvarande:**

        Bertil Provsson, sektionschef Polisen  
        Eva Mönstergren, verksamhetschef VO Psykiatri

        **Förhinder:**

        David Fiktivsson, socialchef Borås kommun

        ## Mötesanteckningar ledningsgruppsmöte Utväg Södra Älvsborg 2025-01-15

        **Plats:** Utvägs lokaler Borås  
        **Tid:** 09:00 – 11:00

        - Välkomna:** Alla hälsas välkomna.
        - Aktuellt läge på Utväg:**
          - Ny kurator sedan december.
        #### **3. Traumabehandling**

        Beslut togs om utökat uppdrag.

        **4. Nya datum 2025 blir 14/5 samt 24/9.**

        ### Kommande mötestider:

        Onsdagen den 14 maj 2025 kl 09:00-11:00

        Vid anteckningarna

        Gunilla Demo
        """
}

/// The order of the landmarks of a minutes document.
func landmarks(_ text: String) -> [String] {
    var out: [String] = []
    for line in text.components(separatedBy: "\n") {
        let l = line.replacingOccurrences(of: "*", with: "").replacingOccurrences(of: "#", with: "").trimmingCharacters(in: .whitespaces)
        let mark: String? = l.hasPrefix("Närvarande:") ? "present" : l.hasPrefix("Förhinder:") ? "regrets"
            : l.hasPrefix("Mötesanteckningar ledningsgruppsmöte") ? "heading" : l.hasPrefix("Plats:") ? "place" : l.hasPrefix("Tid:") ? "time"
            : l.hasPrefix("Kommande mötestider") ? "upcoming" : l.hasPrefix("Vid anteckningarna") ? "secretary" : nil
        if let mark, out.last != mark { out.append(mark) }
    }
    return out
}

@Suite struct MinutesDocumentTests {
    @Test func parsesPlainFixture() throws {
        let p = try MinutesParser.parse(Fixtures.plain)
        #expect(p.centreName == "Utväg Skaraborg" && p.date == "2024-11-05")
        #expect(p.present.map(\.name) == ["Helena Prov", "Ingvar Exempel"])
        #expect(p.present[0].title == "lokalpolisområdeschef" && p.present[0].agency == "police")
        #expect(p.present[1].agency == "social-services" && p.present[1].municipality == "Skövde")
        #expect(p.regrets.map(\.agency) == ["kriminalvarden"])
        #expect(p.place == "Digitalt" && p.start == "09:00" && p.end == "11:00")
        #expect(p.items.map(\.title) == ["Välkomna", "Aktuellt läge på Utväg", "Samverkansfrågor/läget på respektive myndighet"])
        #expect(p.items[1].text.contains("En rad som hör till punkten."))
        #expect(p.upcoming == [.init(date: "2025-02-12", start: "14:00", end: "16:00")])
        #expect(p.secretary == "Anna Exempelsson")
        #expect(p.unplaced.map(\.text) == ["Något som inte hör hemma"])
        #expect(p.unplaced.first?.line == 29)
    }

    @Test func parsesMarkdownFixture() throws {
        let p = try MinutesParser.parse(Fixtures.markdown)
        #expect(p.centreName == "Utväg Södra Älvsborg" && p.date == "2025-01-15")
        #expect(p.present.count == 2 && p.regrets.count == 1)
        #expect(p.present[1].agency == "psychiatry" && p.present[1].title == "verksamhetschef")
        #expect(p.items.map(\.number) == [1, 2, 3, 4])
        #expect(p.items.map(\.title) == ["Välkomna", "Aktuellt läge på Utväg", "Traumabehandling", "Nya datum 2025 blir 14/5 samt 24/9."])
        #expect(p.items[1].text.contains("Ny kurator"))
        #expect(p.upcoming.map(\.date) == ["2025-05-14", "2025-09-24"])
        #expect(p.unplaced.isEmpty)
    }

    @Test func refusesWhatIsNotMinutes() {
        #expect(throws: HubError.self) { try MinutesParser.parse("Inköpslista\nmjölk\n") }
        #expect(throws: HubError.self) { try MinutesParser.parse("") }
        #expect(throws: HubError.self) { try MinutesParser.parse("2025-01-01\nbara ett datum\n") }
        #expect(throws: HubError.self) { try MinutesParser.parse("Närvarande:\nAnna Prov, Polisen\n\n1. Välkomna\n") } // no date
    }

    /// Every file in ../shared/samples/minutes imports with its attendance, items and upcoming dates.
    @Test(arguments: Backend.available)
    func importsTheSamples(_ backend: Backend) async throws {
        let files = Samples.files()
        guard !files.isEmpty else { return } // the shared folder is absent: nothing to check
        let expected: [String: (present: Int, regrets: Int, items: Int, upcoming: [String])] = [
            "skaraborg-2025-05-12.md": (5, 7, 7, ["2025-09-16", "2025-12-02"]),
            "sodra-alvsborg-2025-10-03.md": (8, 3, 6, ["2025-11-21", "2026-06-05", "2026-09-25"]),
        ]
        let h = try await Harness.make(backend)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let r = try await h.ok("meetings.import", ["text": .string(text)], as: Actors.admin)
            #expect(r["secretary"]?.stringValue == "Susanne Svensson", "\(file.lastPathComponent)")
            guard let e = expected[file.lastPathComponent] else { continue }
            #expect(r["present"]?.numberValue == Double(e.present), "\(file.lastPathComponent)")
            #expect(r["regrets"]?.numberValue == Double(e.regrets), "\(file.lastPathComponent)")
            #expect(r["items"]?.numberValue == Double(e.items), "\(file.lastPathComponent) \(r["itemTitles"]!)")
            #expect(r["upcoming"]?.arrayValue?.compactMap(\.stringValue) == e.upcoming, "\(file.lastPathComponent)")
            #expect(r["unplaced"]?.arrayValue?.isEmpty == true, "\(file.lastPathComponent) \(r["unplaced"]!)")
            // Filed, and the exported copy has the sample's shape.
            let m = try await h.ok("meetings.get", ["meetingId": r["meetingId"]!], as: Actors.admin)
            #expect(m["minutes"]?["status"]?.stringValue == "filed")
            let md = try await h.ok("meetings.export", ["meetingId": r["meetingId"]!], as: Actors.admin)["text"]!.stringValue!
            #expect(landmarks(md) == landmarks(text), "\(file.lastPathComponent)")
        }
        if files.contains(where: { $0.lastPathComponent == "skaraborg-2025-05-12.md" }) {
            let hits = try await h.ok("meetings.search", ["centre": "skaraborg", "q": "sexuella övergrepp"], as: Actors.admin)["hits"]!.arrayValue!
            #expect(hits.map { $0["title"]!.stringValue! } == ["Aktuellt läge på Utväg"])
            let law = try await h.ok("meetings.search", ["centre": "skaraborg", "q": "kontaktförbud"], as: Actors.admin)["hits"]!.arrayValue!
            #expect(law.map { $0["title"]!.stringValue! } == ["Samverkansfrågor/läget på respektive myndighet"])
        }
        await h.close()
    }

    /// The export has the samples' landmarks in their order, in Swedish, and imports back.
    @Test(arguments: Backend.available)
    func exportHasTheSamplesShape(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        let created = try await h.ok("meetings.create", ["centre": "skaraborg", "date": "2026-03-20", "series": ["2026-09-15"], "temporaryChair": "Helena Prov"])
        let id = created["id"]!.stringValue!
        let police = try await h.member(agency: "police"), kv = try await h.member(agency: "kriminalvarden")
        _ = try await h.ok("meetings.attendance.set", ["meetingId": .string(id), "entries": [["memberId": .string(police), "status": "present"],
                                                                                              ["memberId": .string(kv), "status": "regrets"]]])
        let welcome = try await h.item(id, kind: "welcome")
        _ = try await h.ok("meetings.minutes.item.set", ["meetingId": .string(id), "itemId": .string(welcome), "text": "Alla hälsas välkomna."])
        _ = try await h.ok("meetings.status-report.submit", ["meetingId": .string(id), "text": "Tre nya utredare."], as: Actors.police)
        let md = try await h.ok("meetings.export", ["meetingId": .string(id)])["text"]!.stringValue!
        let expected = ["present", "regrets", "heading", "place", "time", "upcoming", "secretary"]
        #expect(landmarks(md) == expected)
        for sample in Samples.files() { #expect(landmarks(try String(contentsOf: sample, encoding: .utf8)) == expected, "\(sample.lastPathComponent)") }
        #expect(md.contains("Helena Prov, lokalpolisområdeschef Polisen"))
        #expect(md.contains("**Ordförande för dagen:** Helena Prov"))
        #expect(md.contains("#### 1. Välkomna"))
        #expect(md.contains("Polisen: Tre nya utredare."))
        #expect(md.contains("Tisdagen den 15 september 2026 kl 14:00-16:00"))
        let parsed = try MinutesParser.parse(md)
        #expect(parsed.present.count == 1 && parsed.regrets.count == 1)
        #expect(parsed.items.count == 5)
        #expect(parsed.upcoming.map(\.date) == ["2026-09-15"])
        #expect(parsed.unplaced.isEmpty, "\(parsed.unplaced)")

        let html = try await h.ok("meetings.export", ["meetingId": .string(id), "format": "html"])["text"]!.stringValue!
        #expect(html.contains("<html lang=\"sv\">") && html.contains("@page"))
        #expect(html.contains("<h1>Mötesanteckningar ledningsgruppsmöte Utväg Skaraborg 2026-03-20</h1>"))
        let order = ["Närvarande:", "Förhinder:", "<h1>", "Plats:", "<h2>1. Välkomna</h2>", "Kommande mötestider:", "Vid anteckningarna"]
        let positions = order.map { html.range(of: $0)?.lowerBound }
        #expect(!positions.contains(nil))
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        await h.close()
    }

    @Test(arguments: Backend.available)
    func searchesAcrossMinutes(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        _ = try await h.ok("meetings.import", ["text": .string(Fixtures.plain)])
        let id = try await h.meeting("2026-03-20")
        let day = try await h.item(id, kind: "centre-state")
        _ = try await h.ok("meetings.minutes.item.set", ["meetingId": .string(id), "itemId": .string(day), "text": "Mottagningen för sexuella övergrepp har fler besök.",
                                                         "confidential": true])
        let hits = try await h.ok("meetings.search", ["centre": "skaraborg", "q": "Sexuella ÖVERGREPP mottagning"])["hits"]!.arrayValue!
        #expect(hits.map { $0["date"]!.stringValue! } == ["2026-03-20", "2024-11-05"])
        #expect(hits[0]["confidential"] == .bool(true))
        #expect(hits[1]["excerpt"]!.stringValue!.contains("sexuella övergrepp"))
        #expect(try await h.ok("meetings.search", ["centre": "skaraborg", "q": "batterifabrik"])["hits"]!.arrayValue!.isEmpty)
        #expect(try await h.ok("meetings.search", ["centre": "sodra-alvsborg", "q": "övergrepp"], as: Actors.admin)["hits"]!.arrayValue!.isEmpty)
        #expect(await h.failure("meetings.search", ["centre": "skaraborg", "q": "övergrepp"], as: Actors.police).code == .forbidden)
        #expect(await h.failure("meetings.search", ["centre": "skaraborg", "q": "a"]).field == "body.q")
        await h.close()
    }
}
