import Foundation
import HubCore
import HubProtocol
@testable import ReferralsService
import Testing

/// Earlier years' figures imported from a centre's own records, compared against in the
/// statistics, the CSV and the annual report's tables; and what is counted.
@Suite struct StatisticsImportTests {
    /// Södra Älvsborg's 2021 and 2022 as a centre would copy them from its annual reports (invented figures).
    static let sodra2021and2022 = """
        centre;year;table;key;count
        sodra-alvsborg;2021;category;subjected-to-violence;182
        sodra-alvsborg;2021;category;used-violence;61
        sodra-alvsborg;2021;category;child-witness;40
        sodra-alvsborg;2021;category;not-stated;3
        sodra-alvsborg;2021;agency;police;120
        sodra-alvsborg;2021;agency;social-services;95
        sodra-alvsborg;2021;agency;self;71
        sodra-alvsborg;2021;municipality;Borås;150
        sodra-alvsborg;2021;municipality;Alingsås;60
        sodra-alvsborg;2022;category;subjected-to-violence;201
        sodra-alvsborg;2022;category;used-violence;58
        sodra-alvsborg;2022;category;child-witness;47
        sodra-alvsborg;2022;category;not-stated;2
        sodra-alvsborg;2022;agency;police;131
        sodra-alvsborg;2022;agency;social-services;99
        sodra-alvsborg;2022;agency;self;78
        sodra-alvsborg;2022;municipality;borås;170
        sodra-alvsborg;2022;municipality;Alingsås;55

        """

    @Test(arguments: Backend.available)
    func importedYearsAreComparedAgainstAndMarkedImported(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        let r = try await h.ok("referrals.statistics.import", ["csv": .string(Self.sodra2021and2022)], as: Actors.admin)
        #expect(r["rows"] == 18)
        #expect(r["years"]?.arrayValue?.map { $0["year"]!.numberValue! } == [2021, 2022])

        let s = try await h.ok("referrals.statistics", ["centre": "sodra-alvsborg", "year": 2022], as: Actors.staffBoras)
        #expect(s["imported"] == ["year": true, "previous": true])
        let rows = s["uniqueClients"]?["rows"]?.arrayValue ?? []
        let victims = rows.first { $0["category"] == "subjected-to-violence" }
        #expect(victims?["year"] == 201 && victims?["previous"] == 182 && victims?["difference"] == 19)
        #expect(rows.first { $0["category"] == "used-violence" }?["difference"] == -3)
        #expect(s["uniqueClients"]?["total"] == ["year": 308, "previous": 286, "difference": 22])
        let police = s["byAgency"]?["rows"]?.arrayValue?.first { $0["agency"] == "police" }
        #expect(police?["count"] == 131 && police?["previous"] == 120 && police?["difference"] == 11)
        #expect(s["byAgency"]?["total"] == 308 && s["byAgency"]?["previousTotal"] == 286)
        // The municipality's name is stored as configured, whatever its case in the file.
        let boras = s["byMunicipality"]?["rows"]?.arrayValue?.first { $0["municipality"] == "Borås" }
        #expect(boras?["count"] == 170 && boras?["previous"] == 150)

        // The CSV: Swedish names, years as headers, totals, the report's order, the source marked.
        let csv = try await h.ok("referrals.statistics", ["centre": "sodra-alvsborg", "year": 2022, "format": "csv"], as: Actors.staffBoras)
        let text = try #require(csv["csv"]?.stringValue)
        #expect(csv["filename"] == "statistik-sodra-alvsborg-2022.csv")
        #expect(text.hasPrefix("\u{FEFF}Tabell;Rad;2022;2021;Skillnad\r\n"))
        #expect(text.contains("Unika klienter per målgrupp;Utsatt för våld;201;182;19\r\n"))
        #expect(text.contains("Unika klienter per målgrupp;Summa;308;286;22\r\n"))
        #expect(text.contains("Hänvisningar per myndighet;Polisen;131;120;11\r\n"))
        #expect(text.contains("Hänvisningar per myndighet;På egen hand;78;71;7\r\n"))
        #expect(text.contains("Hänvisningar per kommun;Summa;225;210;15\r\n"))
        #expect(text.contains("Källa;Siffrornas ursprung;Importerade;Importerade;\r\n"))
        let order = ["Barn som upplevt våld", "Ej angiven", "Utsatt för våld", "Utövat våld", "Unga vuxna 18–25"].map { text.range(of: ";\($0);")?.lowerBound }
        #expect(!order.contains(nil) && order.compactMap { $0 } == order.compactMap { $0 }.sorted())
        #expect(!text.contains("subjected-to-violence") && !text.contains("previous"))

        // The report's tables, ready to paste.
        let report = try await h.ok("referrals.statistics", ["centre": "sodra-alvsborg", "year": 2022, "format": "report"], as: Actors.staffBoras)
        let md = try #require(report["markdown"]?.stringValue)
        #expect(md.contains("| Målgrupp | 2022 | 2021 | Skillnad |"))
        #expect(md.contains("| Utsatt för våld | 201 | 182 | +19 |"))
        #expect(md.contains("| **Summa** | **308** | **286** | **+22** |"))
        #expect(md.contains("*Siffrorna för 2022 och 2021 är importerade från tidigare statistik.*"))
        #expect(report["csv"]?.stringValue == text)
    }

    @Test(arguments: Backend.available)
    func badRowsAreRefusedWithLineAndFieldAndNothingIsStored(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        let bad = """
            centre;year;table;key;count
            sodra-alvsborg;2021;category;subjected-to-violence;182
            sodra-alvsborg;2021;category;violence;3
            sodra-alvsborg;twenty;agency;police;1
            sodra-alvsborg;2021;municipality;Skövde;4
            sodra-alvsborg;2021;agency;police;-1
            sodra-alvsborg;2021;colour;blue;1
            sodra-alvsborg;2021;agency;police
            sodra-alvsborg;2021;category;subjected-to-violence;5
            """
        let e = await h.failure("referrals.statistics.import", ["csv": .string(bad)], as: Actors.admin)
        #expect(e.code == .validation)
        #expect(e.field == "csv:3:key")
        #expect(e.details?.map(\.field) == ["csv:3:key", "csv:4:year", "csv:5:key", "csv:6:count", "csv:7:table", "csv:8:line", "csv:9:key"])
        #expect(e.details?[2].message == "Line 5, key: not a municipality that sodra-alvsborg serves.")
        #expect(try await h.count("imported_statistics") == 0)
        #expect(await h.failure("referrals.statistics.import", ["csv": "centre,year,table,key,count\n"], as: Actors.admin).field == "csv:1")
        #expect(await h.failure("referrals.statistics.import", ["csv": "centre;year;table;key;count\n"], as: Actors.admin).field == "csv:2")
        #expect(await h.failure("referrals.statistics.import", ["csv": .string(Self.sodra2021and2022)], as: Actors.staffBoras).code == .forbidden)
        #expect(await h.failure("referrals.statistics.import", ["csv": "centre;year;table;key;count\nsodra-alvsborg;2031;agency;police;1"],
                                as: Actors.admin).field == "csv:2:year")
        #expect(try await h.count("imported_statistics") == 0)
    }

    @Test(arguments: Backend.available)
    func aYearWithReferralsIsRefusedUnlessReplaced(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        h.clock.set("2025-03-01T09:00:00.000Z")
        _ = try await h.ok("referrals.submit", referral(municipality: "Borås"), as: Actors.police)
        h.clock.set("2026-03-02T09:00:00.000Z")
        let file = "centre;year;table;key;count\nsodra-alvsborg;2025;category;subjected-to-violence;40\nsodra-alvsborg;2024;category;subjected-to-violence;30\n"
        let e = await h.failure("referrals.statistics.import", ["csv": .string(file)], as: Actors.admin)
        #expect(e.code == .conflict && e.field == "body.replace" && e.message.contains("--replace") && e.message.contains("2025"))
        #expect(try await h.count("imported_statistics") == 0)
        _ = try await h.ok("referrals.statistics.import", ["csv": .string(file), "replace": true], as: Actors.admin)
        let s = try await h.ok("referrals.statistics", ["centre": "sodra-alvsborg", "year": 2025], as: Actors.staffBoras)
        #expect(s["imported"] == ["year": true, "previous": true])
        #expect(s["uniqueClients"]?["rows"]?.arrayValue?.first { $0["category"] == "subjected-to-violence" }?["year"] == 40)
        // Importing the same year again replaces its imported figures; it does not add to them.
        _ = try await h.ok("referrals.statistics.import", ["csv": .string(file), "replace": true], as: Actors.admin)
        #expect(try await h.count("imported_statistics") == 2)
    }

    @Test(arguments: Backend.available)
    func aReferralWithdrawnAsSentByMistakeIsNotCounted(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        defer { Task { await h.close() } }
        h.clock.set("2026-12-31T23:30:00.000Z") // 00:30 on 1 January 2027 in Stockholm
        _ = try await h.ok("referrals.submit", referral(), as: Actors.police)
        let mistaken = try await h.ok("referrals.submit", referral(client: ["identityNumber": .string(QueueGroupsStatisticsTests.numbers[0])]), as: Actors.police)["id"]!
        let other = try await h.ok("referrals.submit", referral(client: ["identityNumber": .string(QueueGroupsStatisticsTests.numbers[1])]), as: Actors.police)["id"]!
        _ = try await h.ok("referrals.withdraw", ["id": mistaken, "reason": "sent-by-mistake"], as: Actors.police)
        _ = try await h.ok("referrals.withdraw", ["id": other, "reason": "help-found-elsewhere"], as: Actors.police)
        let s = try await h.ok("referrals.statistics", ["centre": "skaraborg", "year": 2027])
        let victims = s["uniqueClients"]?["rows"]?.arrayValue?.first { $0["category"] == "subjected-to-violence" }
        #expect(victims?["year"] == 2) // the 00:30 referral and the one withdrawn for another reason
        #expect(s["byAgency"]?["rows"]?.arrayValue?.first { $0["agency"] == "police" }?["count"] == 2)
        #expect(s["byMunicipality"]?["total"] == 2)
        #expect(try await h.ok("referrals.statistics", ["centre": "skaraborg", "year": 2026])["uniqueClients"]?["total"]?["year"] == 0)
    }
}
