import Foundation
import HubProtocol
@testable import MeetingsService
import Testing

/// Minutes of our own in Tests/MeetingsServiceTests/minutes-corpus, written the way
/// different secretaries write them (invented people): each is read and imported with
/// what it says, and the three that lack something are refused with the override named.
@Suite struct MinutesCorpusTests {
    static let folder = Harness.root.appendingPathComponent("Tests/MeetingsServiceTests/minutes-corpus")

    struct Expected: Sendable, CustomTestStringConvertible {
        var file: String, centre: String, date: String
        var present: Int, regrets: Int, items: Int, actions = 0, decisions = 0
        var place: String? = nil, start: String? = nil, end: String? = nil
        var chair: String? = nil, temporaryChair = false, previous: String? = nil
        var upcoming: [String] = [], secretary: String? = nil
        var testDescription: String { file }
    }

    static let corpus: [Expected] = [
        .init(file: "01-rubrik-efter-listorna.txt", centre: "skaraborg", date: "2024-03-12", present: 4, regrets: 2, items: 4,
              place: "Utvägs lokaler Skövde", start: "14:00", end: "16:00", previous: "2023-11-28", upcoming: ["2024-06-11"], secretary: "Olle Fiktivsson"),
        .init(file: "02-markdown-beslut-och-atgarder.md", centre: "sodra-alvsborg", date: "2024-05-22", present: 4, regrets: 1, items: 5, actions: 3, decisions: 2,
              place: "Utvägs lokaler Borås", start: "09:00", end: "11:00", previous: "2024-02-07", upcoming: ["2024-09-25"], secretary: "Maja Exempeldotter"),
        .init(file: "03-ordforande-i-punkt.md", centre: "skaraborg", date: "2023-10-17", present: 4, regrets: 1, items: 4,
              place: "Digitalt", start: "14:00", end: "16:00", chair: "Lena Provqvist", temporaryChair: true, previous: "2023-09-05", secretary: "Maja Exempeldotter"),
        .init(file: "04-ordbehandlare.txt", centre: "sodra-alvsborg", date: "2024-02-07", present: 4, regrets: 1, items: 4, decisions: 1,
              place: "Digitalt (Teams)", start: "09:00", end: "11:00", upcoming: ["2024-05-16"], secretary: "Maja Exempeldotter"),
        .init(file: "05-datum-i-prosa.txt", centre: "sodra-alvsborg", date: "2025-02-04", present: 4, regrets: 2, items: 4, decisions: 1,
              place: "Stadshuset, Borås", start: "13:00", end: "15:00", previous: "2024-11-22", upcoming: ["2025-05-20", "2025-09-23"],
              secretary: "Maja Exempeldotter"),
        .init(file: "06-paragrafer.txt", centre: "sodra-alvsborg", date: "2023-09-19", present: 4, regrets: 1, items: 4, decisions: 1,
              place: "Utvägs lokaler Borås", start: "09:00", end: "11:00", chair: "Gunnar Testman", previous: "2023-06-06", secretary: "Maja Exempeldotter"),
        .init(file: "07-narvaro-pa-en-rad.md", centre: "skaraborg", date: "2024-09-10", present: 5, regrets: 2, items: 3,
              place: "Knistad herrgård", start: "13:00", end: "15:30", upcoming: ["2024-12-03"]),
        .init(file: "08-datum-efter-rubriken.md", centre: "skaraborg", date: "2024-12-03", present: 3, regrets: 1, items: 3, decisions: 1,
              place: "Utvägs lokaler Skövde", start: "14:00", end: "16:00"),
        .init(file: "09-parenteser-och-rubriker.txt", centre: "skaraborg", date: "2025-02-25", present: 3, regrets: 3, items: 3, decisions: 1,
              place: "Digitalt", start: "14:00", end: "16:00", previous: "2024-12-03", upcoming: ["2025-05-13", "2025-09-16"], secretary: "Olle Fiktivsson"),
        .init(file: "10-tomrader-och-trasig-fetstil.md", centre: "sodra-alvsborg", date: "2025-01-15", present: 2, regrets: 1, items: 3,
              place: "Utvägs lokaler Borås", start: "09:00", end: "11:00", upcoming: ["2025-05-14"], secretary: "Maja Exempeldotter"),
        .init(file: "11-atgardslistor.md", centre: "skaraborg", date: "2025-05-20", present: 4, regrets: 1, items: 3, actions: 3, decisions: 1,
              place: "Utvägs lokaler Skövde", start: "14:00", end: "16:00", chair: "Ingvar Testsson"),
        .init(file: "12-parentesnummer-och-sekreterare.txt", centre: "skaraborg", date: "2022-11-29", present: 4, regrets: 1, items: 4,
              upcoming: ["2023-03-07", "2023-06-06"], secretary: "Olle Fiktivsson"),
        .init(file: "16-ordbehandlare.docx", centre: "skaraborg", date: "2025-09-16", present: 3, regrets: 1, items: 4, actions: 1, decisions: 1,
              place: "Utvägs lokaler Skövde", start: "14:00", end: "16:00", previous: "2025-05-20", upcoming: ["2025-12-02"], secretary: "Olle Fiktivsson"),
    ]

    static func text(_ file: String) throws -> String {
        let url = folder.appendingPathComponent(file)
        return url.pathExtension == "docx" ? try DocxText.text(try Data(contentsOf: url)) : try String(contentsOf: url, encoding: .utf8)
    }

    @Test func theCorpusHasAtLeastTwelveMinutesAndEachIsTested() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { !$0.hasPrefix(".") }
        #expect(Self.corpus.count >= 12)
        let refused = ["13-utan-datum.txt", "14-annan-grupp.md", "15-utan-mottagning.txt"]
        #expect(Set(files) == Set(Self.corpus.map(\.file) + refused))
    }

    @Test(arguments: corpus)
    func readsEveryFieldWhereverItStands(_ e: Expected) throws {
        let p = try MinutesParser.parse(try Self.text(e.file))
        #expect(p.date == e.date)
        #expect(p.present.count == e.present, "\(p.present.map(\.name))")
        #expect(p.regrets.count == e.regrets, "\(p.regrets.map(\.name))")
        #expect(p.items.count == e.items, "\(p.items.map(\.title))")
        #expect(p.actionCount == e.actions)
        #expect(p.items.filter { $0.decisions != nil }.count == e.decisions)
        #expect(p.place == e.place && p.start == e.start && p.end == e.end)
        #expect(p.chair == e.chair && p.chairTemporary == e.temporaryChair)
        #expect(p.previousMinutesDate == e.previous)
        #expect(p.upcoming.map(\.date) == e.upcoming)
        #expect(p.secretary == e.secretary)
        #expect(p.unplaced.isEmpty, "\(p.unplaced)")
        // Names never keep list markers, colons or stray spaces.
        for person in p.present + p.regrets {
            #expect(!person.name.hasPrefix("-") && !person.name.contains(":") && person.name == person.name.trimmingCharacters(in: .whitespaces))
        }
        #expect(p.items.allSatisfy { !$0.title.isEmpty && !$0.title.hasSuffix(":") && !$0.title.contains("**") })
    }

    @Test func namesTitlesAndAgenciesAreSeparated() throws {
        let tabs = try MinutesParser.parse(try Self.text("04-ordbehandlare.txt"))
        #expect(tabs.present.map(\.name) == ["Bertil Provsson", "Rut Låtsasdotter", "Emil Testholm", "Maja Exempeldotter"])
        #expect(tabs.present.map(\.title) == ["sektionschef", "förvaltningschef", "vårdcentralchef", "verksamhetschef"])
        #expect(tabs.present.map(\.agency) == ["police", "social-services", "primary-care", "utvag"])
        #expect(tabs.present[1].municipality == "Alingsås")
        #expect(tabs.regrets[0].title == "vice chefsåklagare" && tabs.regrets[0].agency == "prosecution")
        #expect(tabs.items.map(\.title) == ["Välkomna", "Aktuellt läge på Utväg", "Samverkansfrågor/läget på respektive myndighet", "Övrigt"])
        #expect(tabs.items[0].text == "Alla hälsades välkomna.")

        let parens = try MinutesParser.parse(try Self.text("09-parenteser-och-rubriker.txt"))
        #expect(parens.present[0] == .init(name: "Ingvar Testsson", title: "socialchef", agencyLabel: "Skövde kommun", agency: "social-services", municipality: "Skövde"))
        #expect(parens.regrets.map(\.agency) == ["social-services", "bup", "prosecution"])

        let inline = try MinutesParser.parse(try Self.text("07-narvaro-pa-en-rad.md"))
        #expect(inline.present.map(\.name) == ["Helena Provberg", "Ingvar Testsson", "Lena Provqvist", "Maja Exempeldotter", "Tova Gästsson"])
        #expect(inline.regrets.map(\.agency) == ["prosecution", "bup"])
        #expect(inline.items.map(\.title) == ["Välkomna", "Barnahus presenterar sin verksamhet", "Övrig information"])
    }

    /// Every prefix of every corpus file, and each with its lines reversed, is read without a
    /// trap; an unplaced line's number is a line of that text, and its text is that line.
    @Test func anyCutOrReorderedMinutesAreReadWithoutTrapping() throws {
        for e in Self.corpus {
            let lines = try Self.text(e.file).replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
            for n in 0...lines.count {
                for text in [lines.prefix(n).joined(separator: "\n"), lines.prefix(n).reversed().joined(separator: "\n")] {
                    let m = MinutesParser.read(text)
                    let these = text.components(separatedBy: "\n")
                    for u in m.unplaced { #expect(u.line >= 1 && u.line <= these.count && these[u.line - 1] == u.text, "\(e.file) \(n)") }
                }
            }
        }
    }

    @Test func theStemmerJoinsInflectionsOfSwedishWords() {
        #expect(Search.stem("mottagningar") == Search.stem("mottagningen"))
        #expect(Search.stem("kvinnor") == Search.stem("kvinnorna"))
        #expect(Search.stem("kuratorerna") == "kurator")
        #expect(Search.stem("beslutade") == "beslut")
        #expect(Search.stem("barn") == "barn")
    }

    /// Word's paragraphs, automatic numbering, bold runs, tabs and tables become the lines the reader knows.
    @Test func aWordDocumentIsReadAsItsParagraphs() throws {
        let text = try Self.text("16-ordbehandlare.docx")
        let lines = text.components(separatedBy: "\n")
        #expect(lines.first == "## Mötesanteckningar ledningsgruppsmöte Utväg Skaraborg 2025-09-16")
        #expect(lines.contains("Helena Provberg\tlokalpolisområdeschef\tPolisen"))
        #expect(lines.contains("Nils Demoberg\tverksamhetsområdeschef\tBUP"))
        #expect(lines.contains("3. **Polis & socialtjänst:** Samverkan kring barn som upplevt våld."))
        #expect(lines.contains("  - Rutinen för orosanmälningar ses över."))
        #expect(lines.contains("4. **Övrigt:** Inget övrigt."))
        let p = try MinutesParser.parse(text)
        #expect(p.items[2].actions == [.init(text: "Skriva ett utkast till rutin", owner: "Ingvar Testsson", due: "2025-11-01")])
        #expect(p.present.map(\.agency) == ["police", "social-services", "utvag"])
        // Not a Word document: a clear error, never a crash.
        #expect(throws: HubError.self) { try DocxText.text(Data("inte en zip".utf8)) }
        #expect(DocxText.unescape("a &amp; b &#229;&#xE4; &unknown;") == "a & b åä &unknown;")
    }

    @Test func decisionsAndActionItemsBelongToTheirItems() throws {
        let p = try MinutesParser.parse(try Self.text("02-markdown-beslut-och-atgarder.md"))
        #expect(p.items[2].decisions == "Ledningsgruppen ställer sig bakom att gruppen startar.")
        #expect(p.items[2].actions == [.init(text: "Sprida informationen om gruppen i kommunerna", owner: "Gunnar Testman", due: "2024-06-30")])
        #expect(p.items[3].actions.map(\.owner) == ["Maja Exempeldotter", "Gunnar Testman"])
        #expect(p.items[3].actions.map(\.due) == ["2024-08-15", nil])
        #expect(!p.items[2].text.contains("Beslut") && p.items[2].text.contains("Väntetiden"))

        let lists = try MinutesParser.parse(try Self.text("11-atgardslistor.md"))
        #expect(lists.items[1].decisions == "Foldrarna skickas till alla kommuner.\nPolisen får foldrar till sina receptioner.")
        #expect(lists.items[1].actions == [
            .init(text: "Skicka foldrar till kommunerna", owner: "Maja Exempeldotter", due: "2025-06-15"),
            .init(text: "Dela ut foldrar i polisens receptioner", owner: "Helena Provberg", due: nil),
            .init(text: "Ta upp foldrarna i socialchefsnätverket", owner: "Lena Provqvist", due: nil),
        ])
        // "Beslut togs …" in running text is text, not a decision.
        let sample = MinutesParser.read("Utväg Skaraborg\n2025-01-01\n\nNärvarande:\nAnna Prov, Polisen\n\n1. Läget\nBeslut togs i nämnden.\n")
        #expect(sample.items[0].decisions == nil && sample.items[0].text == "Beslut togs i nämnden.")
    }

    /// Each corpus file is imported with its counts, decisions and action items stored.
    @Test(arguments: Backend.available)
    func importsTheCorpus(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        for e in Self.corpus {
            let dry = try await h.ok("meetings.import", ["text": .string(try Self.text(e.file)), "dryRun": true], as: Actors.admin)
            #expect(dry["meetingId"] == nil && dry["dryRun"] == .bool(true))
            let r = try await h.ok("meetings.import", ["text": .string(try Self.text(e.file))], as: Actors.admin)
            #expect(r["centre"]?.stringValue == e.centre && r["date"]?.stringValue == e.date, "\(e.file)")
            for key in ["present", "regrets", "items", "actionItems"] { #expect(r[key] == dry[key], "\(e.file) \(key)") }
            #expect(r["actionItems"]?.numberValue == Double(e.actions), "\(e.file)")
            let m = try await h.ok("meetings.get", ["meetingId": r["meetingId"]!], as: Actors.admin)
            #expect(m["minutes"]?["status"]?.stringValue == "filed")
            #expect(m["chair"]?.stringValue == e.chair, "\(e.file)")
            let decided = (m["agenda"]?.arrayValue ?? []).filter { $0["decisions"]?.stringValue != nil }
            #expect(decided.count == e.decisions, "\(e.file)")
        }
        #expect(try await h.count("action_items") == Self.corpus.reduce(0) { $0 + $1.actions })
        #expect(try await h.count("meetings") == Self.corpus.count)

        // Search finds a word in another inflection than it was written in, and says where.
        func search(_ q: String) async throws -> [String] {
            try await h.ok("meetings.search", ["centre": "skaraborg", "q": .string(q)], as: Actors.admin)["hits"]!.arrayValue!
                .map { "\($0["date"]!.stringValue!) \($0["title"]!.stringValue!)" }
        }
        #expect(try await search("kuratorerna") == ["2024-03-12 Aktuellt läge på Utväg"])
        let hit = try await h.ok("meetings.search", ["centre": "skaraborg", "q": "kuratorerna"], as: Actors.admin)["hits"]?.arrayValue?.first
        #expect(hit?["meeting"] == "Ledningsgruppsmöte Utväg Skaraborg 2024-03-12" && hit?["item"] == "3. Aktuellt läge på Utväg")
        #expect(hit?["excerpt"]?.stringValue?.contains("kuratorer") == true)
        #expect(try await search("foldern") == ["2025-05-20 Foldrar på fler språk"])
        #expect(try await search("verksamheten") == ["2024-09-10 Barnahus presenterar sin verksamhet", "2023-10-17 Verksamhetsberättelse",
                                                      "2022-11-29 Verksamheten under hösten"])
        await h.close()
    }

    /// What is missing is named with its override; with the override the minutes import.
    @Test(arguments: Backend.available)
    func missingFactsNameTheirOverride(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        let before = try await h.snapshot()
        let noDate = await h.failure("meetings.import", ["text": .string(try Self.text("13-utan-datum.txt"))], as: Actors.admin)
        #expect(noDate.field == "body.date" && noDate.message.contains("--date"))
        let other = await h.failure("meetings.import", ["text": .string(try Self.text("14-annan-grupp.md"))], as: Actors.admin)
        #expect(other.field == "body.group" && other.message.contains("--group management") && other.message.contains("nätverksmöte"))
        let noCentre = await h.failure("meetings.import", ["text": .string(try Self.text("15-utan-mottagning.txt"))], as: Actors.admin)
        #expect(noCentre.field == "body.centre" && noCentre.message.contains("--centre") && noCentre.message.contains("skaraborg"))
        #expect(try await h.snapshot() == before)

        let dated = try await h.ok("meetings.import", ["text": .string(try Self.text("13-utan-datum.txt")), "date": "2024-01-16"], as: Actors.admin)
        #expect(dated["date"]?.stringValue == "2024-01-16" && dated["items"]?.numberValue == 1)
        let grouped = try await h.ok("meetings.import", ["text": .string(try Self.text("14-annan-grupp.md")), "group": "management"], as: Actors.admin)
        #expect(grouped["present"]?.numberValue == 2 && grouped["items"]?.numberValue == 2)
        let placed = try await h.ok("meetings.import", ["text": .string(try Self.text("15-utan-mottagning.txt")), "centre": "sodra-alvsborg"], as: Actors.admin)
        #expect(placed["centre"]?.stringValue == "sodra-alvsborg" && placed["date"]?.stringValue == "2024-06-04")
        #expect(await h.failure("meetings.import", ["text": .string(try Self.text("14-annan-grupp.md")), "group": "styrelse"], as: Actors.admin).field == "body.group")
        await h.close()
    }
}
