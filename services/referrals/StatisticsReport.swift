import Foundation
import HubCore
import HubProtocol
import ReferralsAPI

/// The statistics in the annual report's shape ("verksamhetsberättelse"): Swedish
/// headings, the categories in the report's order, this year against last with totals,
/// by agency and by municipality, and the waiting times; as Markdown and as CSV (with
/// the kit's one writer, `CSVText`: semicolons and a byte order mark, so that a Swedish
/// spreadsheet opens it as it is). Imported years are marked.
enum StatisticsReport {
    /// The report's order; categories it does not name follow.
    static let categoryOrder: [(String, String)] = [
        ("child-witness", "Barn som upplevt våld"), ("not-stated", "Ej angiven"),
        ("subjected-to-violence", "Utsatt för våld"), ("used-violence", "Utövat våld"),
        ("young-adult", "Unga vuxna 18–25"),
    ]

    static func categoryLabel(_ code: String) -> String { categoryOrder.first { $0.0 == code }?.1 ?? code }

    /// One table of the report: a heading, the key column's name and rows of (label, year, previous, difference).
    struct Table {
        var heading: String
        var keyColumn: String
        var rows: [(String, StatisticsCell?, StatisticsCell?, StatisticsCell?)]
        var total: (StatisticsCell?, StatisticsCell?, StatisticsCell?)?
    }

    static func tables(_ s: ReferralStatistics.Tables) -> (year: Int, tables: [Table], waits: [(String, StatisticsCell?)]) {
        let cats = s.uniqueClients.rows
        let ordered = categoryOrder.compactMap { code, _ in cats.first { $0.category.rawValue == code } }
            + cats.filter { r in !categoryOrder.contains { $0.0 == r.category.rawValue } }
        let total = s.uniqueClients.total
        var out = [Table(heading: "Unika klienter per målgrupp", keyColumn: "Målgrupp",
                         rows: ordered.map { (categoryLabel($0.category.rawValue), $0.year, $0.previous, $0.difference) },
                         total: (total.year, total.previous, total.difference))]
        func difference(_ a: StatisticsCell, _ b: StatisticsCell) -> StatisticsCell {
            if let x = a.count, let y = b.count { return .number(x - y) }
            return "x"
        }
        out.append(Table(heading: "Hänvisningar per myndighet", keyColumn: "Myndighet",
                         rows: s.byAgency.rows.map { ($0.agency == "self" ? "På egen hand" : $0.name, $0.count, $0.previous, $0.difference) },
                         total: (s.byAgency.total, s.byAgency.previousTotal, difference(s.byAgency.total, s.byAgency.previousTotal))))
        out.append(Table(heading: "Hänvisningar per kommun", keyColumn: "Kommun",
                         rows: s.byMunicipality.rows.map { ($0.municipality, $0.count, $0.previous, $0.difference) },
                         total: (s.byMunicipality.total, s.byMunicipality.previousTotal, difference(s.byMunicipality.total, s.byMunicipality.previousTotal))))
        let w = s.waitToFirstAppointment
        return (s.year, out, [("Median (dagar)", w.medianDays.map(StatisticsCell.number)), ("90:e percentilen (dagar)", w.p90Days.map(StatisticsCell.number)),
                              ("Antal första besök", w.n)])
    }

    static func text(_ v: StatisticsCell?, signed: Bool = false) -> String {
        switch v {
        case .number(let i)?: return signed && i > 0 ? "+\(i)" : String(i)
        case .string(let t)?: return t
        case nil: return "–"
        }
    }

    static func csvCell(_ v: StatisticsCell?) -> String {
        switch v {
        case .number(let n)?: return CSVText.number(n)
        case .string(let t)?: return CSVText.cell(t)
        case nil: return ""
        }
    }

    static func sources(_ s: ReferralStatistics.Tables, _ year: Int) -> [(Int, Bool)] {
        [(year, s.imported.year), (year - 1, s.imported.previous)]
    }

    /// The statistics CSV: `Tabell;Rad;<år>;<föregående år>;Skillnad`, totals, the queue, and
    /// where each year's figures come from.
    static func csv(_ s: ReferralStatistics.Tables) -> String {
        let (year, tables, waits) = tables(s)
        var rows: [[String]] = []
        for t in tables {
            for r in t.rows { rows.append([CSVText.cell(t.heading), CSVText.cell(r.0), csvCell(r.1), csvCell(r.2), csvCell(r.3)]) }
            if let total = t.total { rows.append([CSVText.cell(t.heading), CSVText.cell("Summa"), csvCell(total.0), csvCell(total.1), csvCell(total.2)]) }
        }
        for (label, v) in waits { rows.append([CSVText.cell("Väntetid till första besök"), CSVText.cell(label), csvCell(v), "", ""]) }
        for p in s.queueOverTime {
            rows.append([CSVText.cell("Antal i kö vid veckans slut"), CSVText.cell(p.date), csvCell(p.length), "", ""])
        }
        let src = sources(s, year)
        rows.append([CSVText.cell("Källa"), CSVText.cell("Siffrornas ursprung"),
                     CSVText.cell(src[0].1 ? "Importerade" : "Hubben"), CSVText.cell(src[1].1 ? "Importerade" : "Hubben"), ""])
        return CSVText.document(header: ["Tabell", "Rad", String(year), String(year - 1), "Skillnad"], rows: rows)
    }

    /// The report's tables as Markdown (ready to paste) and as CSV.
    static func report(_ s: ReferralStatistics.Tables) -> (String, String) {
        let (year, tables, waits) = tables(s)
        var md: [String] = []
        let src = sources(s, year)
        for t in tables {
            md.append("### \(t.heading)")
            md.append("")
            md.append("| \(t.keyColumn) | \(year) | \(year - 1) | Skillnad |")
            md.append("|---|---:|---:|---:|")
            for r in t.rows { md.append("| \(r.0) | \(text(r.1)) | \(text(r.2)) | \(text(r.3, signed: true)) |") }
            if let total = t.total { md.append("| **Summa** | **\(text(total.0))** | **\(text(total.1))** | **\(text(total.2, signed: true))** |") }
            md.append("")
        }
        md.append("### Väntetid till första besök \(year)")
        md.append("")
        md.append("| Mått | Värde |")
        md.append("|---|---:|")
        for (label, v) in waits { md.append("| \(label) | \(text(v)) |") }
        md.append("")
        let imported = src.filter(\.1).map { String($0.0) }
        if !imported.isEmpty { md.append("*Siffrorna för \(imported.joined(separator: " och ")) är importerade från tidigare statistik.*"); md.append("") }
        return (md.joined(separator: "\n"), csv(s))
    }
}
