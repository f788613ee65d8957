import Foundation
import Hummingbird
import Testing
@testable import HubGateway
@testable import HubWeb
@testable import MeetingsWeb
@testable import NetworksWeb
@testable import ReferralsWeb
@testable import TrainingWeb

/// A page never shows the word "nil": absent values are left out before Mustache sees them.
@Suite("Page context")
struct PageContextTests {
    @Test func absentValuesAreLeftOutAtAnyDepth() {
        let none: String? = nil, some: String? = "Skövde"
        let cleaned = PageContext.clean([
            "a": none as Any, "b": some as Any, "nested": ["x": none as Any, "y": 1] as [String: Any],
            "rows": [["k": none as Any, "v": "ok"]] as [[String: Any]], "list": [none as Any, "z"] as [Any],
        ])
        #expect(cleaned["a"] == nil)
        #expect(cleaned["b"] as? String == "Skövde")
        #expect((cleaned["nested"] as? [String: Any])?["x"] == nil)
        #expect((cleaned["rows"] as? [[String: Any]])?.first?["k"] == nil)
        #expect((cleaned["list"] as? [Any])?.count == 1)
    }

    @Test func aPageWithAnAbsentMessageShowsNoNil() throws {
        let pages = try PageRenderer(templates: [:])
        let none: String? = nil
        var raw: [String: Any] = ["message": none as Any]
        raw["t"] = Language.sv.strings
        let unsafe = try #require(pages.library.render(raw, withTemplate: "error"))
        #expect(unsafe.contains("nil"), "without cleaning, Mustache would print it")
        let html = try #require(pages.library.render(PageContext.clean(raw), withTemplate: "error"))
        #expect(!html.contains("nil"))
    }
}

/// Error pages keep the menu and say why: no access is not a stale form.
@Suite("Error pages")
struct ErrorPageTests {
    @Test func aPageTheRoleCannotUseSaysSoAndKeepsTheMenu() async throws {
        let h = try await Harness.make()
        try await h.users.create(username: "ledamot", password: Harness.adminPassword, role: "board", centre: "skaraborg")
        try await h.test { client in
            var browser = Browser(client: client)
            _ = try await browser.login(username: "ledamot")
            let page = try await browser.get("/natverk")
            #expect(page.status == .forbidden)
            #expect(page.text.contains("Du har inte behörighet"))
            #expect(!page.text.contains("Ladda om sidan"), "no pointless retry")
            #expect(page.text.contains("id=\"logout\""), "the menu is still there")
        }
    }

    @Test func aStaleFormSaysReloadAndKeepsTheMenu() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            var browser = Browser(client: client)
            _ = try await browser.login()
            let page = try await browser.post("/logout", form: ["csrf": "stale"])
            #expect(page.status == .forbidden)
            #expect(page.text.contains("Formuläret hade gått ut"))
            #expect(page.text.contains("id=\"logout\""))
        }
    }
}

/// The menu offers each role what it can use.
@Suite("Menu by role")
struct MenuTests {
    @Test func organisersSeeNetworkDaysAndTrainingsOthersDoNot() async throws {
        let h = try await Harness.make()
        try await h.users.create(username: "ledamot", password: Harness.adminPassword, role: "board", centre: "skaraborg")
        try await h.test { client in
            var admin = Browser(client: client)
            _ = try await admin.login()
            let page = try await admin.get("/moten")
            #expect(page.text.contains("href=\"/natverk\"") && page.text.contains("href=\"/utbildning\">Utbildningar<"))
            var board = Browser(client: client)
            _ = try await board.login(username: "ledamot")
            let boardPage = try await board.get("/moten")
            #expect(!boardPage.text.contains("href=\"/natverk\"") && !boardPage.text.contains("href=\"/utbildning\""))
            #expect(boardPage.text.contains("href=\"/moten\""))
        }
    }
}

/// Every template file a module ships is one the gateway can draw: a file added to a
/// `templates/` folder but not registered would be embedded and never used.
@Suite("Web modules")
struct WebModuleTests {
    /// Issue 14: participants of days and trainings are searched and sorted the same way.
    @Test func participantsAreSearchedByNameAgencyOrMunicipalityFilteredByStatusAndSortedInSwedishOrder() {
        let rows: [[String: Any]] = [
            ["name": "Örjan Ek", "agencyName": "Polisen", "municipality": "Borås", "statusCode": "confirmed", "statusText": "Plats bekräftad"],
            ["name": "anna Berg", "agencyName": "Socialtjänsten", "municipality": "Skövde", "statusCode": "waiting", "statusText": "Väntelista"],
            ["name": "Åsa Lind", "agencyName": "Polisen", "municipality": "Mark", "statusCode": "confirmed", "statusText": "Plats bekräftad"],
            ["name": "Zoran Ali", "agencyName": "Kriminalvården", "municipality": "Borås", "statusCode": "cancelled", "statusText": "Avbokad"],
        ]
        let names = { (f: ParticipantFilter) in f.apply(rows).map { $0["name"] as? String ?? "" } }
        #expect(names(ParticipantFilter(query: nil, status: nil, sort: nil)) == ["Örjan Ek", "anna Berg", "Åsa Lind", "Zoran Ali"], "registration order by default")
        #expect(names(ParticipantFilter(query: nil, status: nil, sort: "name")) == ["anna Berg", "Zoran Ali", "Åsa Lind", "Örjan Ek"], "å and ö after z, case ignored")
        #expect(names(ParticipantFilter(query: "boras", status: nil, sort: nil)) == ["Örjan Ek", "Zoran Ali"], "municipality, without the diacritic")
        #expect(names(ParticipantFilter(query: "POLIS", status: "confirmed", sort: "name")) == ["Åsa Lind", "Örjan Ek"])
        #expect(names(ParticipantFilter(query: nil, status: "nonsense", sort: "nonsense")).count == 4, "unknown choices show everyone")
        #expect(names(ParticipantFilter(query: nil, status: nil, sort: "agency")).first == "Zoran Ali")
        let view = ParticipantFilter(query: "x", status: "waiting", sort: "name").view(.sv, shown: 1, total: 4)
        #expect(view["countText"] as? String == "Visar 1 av 4 anmälda.")
    }

    @Test func everyTemplateFileIsRegistered() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var registered = Set(GatewayTemplates.all.keys).union(SharedTemplates.all.keys)
        for module in GatewayServer.modules { registered.formUnion(module.templates.keys) }
        let shared = ["registration_form", "registration_done", "registration_mine"]
        let folders = ["Sources/HubGateway/templates", "Sources/HubWeb/templates"]
            + ["referrals", "networks", "training", "meetings"].map { "services/\($0)/Web/templates" }
        var files = 0
        for folder in folders {
            for name in try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)
            where name.hasSuffix(".mustache") {
                files += 1
                let template = String(name.dropLast(".mustache".count))
                #expect(registered.contains(template) || shared.contains(template), "\(folder)/\(name) is not registered")
            }
        }
        #expect(files > 40)
    }

    @Test func everyModuleTemplateParsesAndNamesAreUnique() throws {
        var seen: [String: String] = [:]
        for module in GatewayServer.modules {
            for name in module.templates.keys {
                #expect(seen[name] == nil, "\(name) is in both \(seen[name] ?? "") and \(module.name)")
                seen[name] = module.name
            }
        }
        var all = GatewayTemplates.all
        for module in GatewayServer.modules { all.merge(module.templates) { own, _ in own } }
        _ = try PageRenderer(templates: all)
    }
}
