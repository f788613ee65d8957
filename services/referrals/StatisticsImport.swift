import Foundation
import HubBus
import HubCore
import HubProtocol
import ReferralsAPI
import HubStorage

/// Earlier years' statistics from the centre's own records, so that this year can be
/// compared with years before the hub: a CSV `centre;year;table;key;count` where `table`
/// is `category` (a category code), `agency` (an agency id, or `self`) or `municipality`
/// (a municipality the centre serves). All rows are checked before anything is stored; a
/// bad row is refused with its line and field. A year the hub already has referrals for
/// is refused unless `replace` is given (then the imported figures are the year's).
/// Importing a centre's year again replaces that year's imported figures.
enum StatisticsImport {
    static let header = ["centre", "year", "table", "key", "count"]

    struct Row: Sendable, Equatable { var centre: String; var year: Int; var table: String; var key: String; var count: Int }

    /// Reads and checks every row; the error lists each problem as `csv:<line>:<field>`.
    static func parse(_ text: String, reference: ReferenceData, currentYear: Int) throws(HubError) -> [Row] {
        var lines = text.components(separatedBy: "\n").map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = String(first.dropFirst()) }
        guard let head = lines.first?.split(separator: ";", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }),
              head == header else {
            throw HubError(.validation, "The first line must be the header centre;year;table;key;count.", field: "csv:1")
        }
        var rows: [Row] = [], problems: [HubError.Detail] = [], seen = Set<String>()
        for (index, line) in lines.enumerated().dropFirst() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let n = index + 1
            func problem(_ field: String, _ message: String) { problems.append(.init(field: "csv:\(n):\(field)", message: "Line \(n), \(field): \(message)")) }
            let cells = line.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 5 else { problem("line", "expected 5 fields (centre;year;table;key;count), found \(cells.count)."); continue }
            let before = problems.count
            let centre = reference.centres.first { $0.id == cells[0] }
            if centre == nil { problem("centre", "not a configured centre (one of: \(reference.centres.map(\.id).joined(separator: ", ")))." ) }
            let year = Int(cells[1])
            if year == nil || !(1990...currentYear).contains(year!) { problem("year", "must be a year from 1990 to \(currentYear).") }
            var key = cells[3]
            switch cells[2] {
            case "category":
                if ClientCategory(rawValue: key) == nil { problem("key", "not a category (one of: \(ClientCategory.allCases.map(\.rawValue).joined(separator: ", ")))." ) }
            case "agency":
                if key != "self", !reference.agencies.contains(where: { $0.id == key }) { problem("key", "not an agency id from agencies.json, nor self.") }
            case "municipality":
                if let centre {
                    if let m = centre.municipalities.first(where: { $0.lowercased() == key.lowercased() }) { key = m }
                    else { problem("key", "not a municipality that \(centre.id) serves.") }
                }
            default:
                problem("table", "must be category, agency or municipality.")
            }
            let count = Int(cells[4])
            if count == nil || count! < 0 || count! > 1_000_000 { problem("count", "must be a whole number from 0 to 1000000.") }
            guard problems.count == before, let centre, let year, let count else { continue }
            let id = "\(centre.id)|\(year)|\(cells[2])|\(key)"
            guard seen.insert(id).inserted else { problem("key", "the same centre, year, table and key stand on an earlier line."); continue }
            rows.append(.init(centre: centre.id, year: year, table: cells[2], key: key, count: count))
        }
        if !problems.isEmpty { throw HubError.validation(Array(problems.prefix(50))) }
        guard !rows.isEmpty else { throw HubError(.validation, "The file has a header but no rows.", field: "csv:2") }
        return rows
    }

    /// `referrals.statistics.import {csv, replace?}` (administrators).
    @Sendable static func handle(_ env: ReferralsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(request, reference: env.reference, service: "referrals")
        guard actor.role == .admin else { throw HubError(.forbidden, "Only an administrator imports statistics.") }
        let body = try BodyReader(request.body)
        let text = try body.string("csv", max: 2_000_000, multiline: true)
        let replace = try body.optionalBool("replace") ?? false
        let rows = try parse(text, reference: env.reference, currentYear: LocalTime.year(of: env.now()))
        var years: [String: (centre: String, year: Int, rows: Int)] = [:]
        for row in rows { years["\(row.centre)|\(row.year)", default: (row.centre, row.year, 0)].rows += 1 }
        let ordered = years.values.sorted { ($0.centre, $0.year) < ($1.centre, $1.year) }
        for y in ordered {
            let (from, to) = LocalTime.yearBounds(y.year)
            let n = try await ReferralStore(context.database).countedReferrals(centre: y.centre, from: from, to: to)
            if n > 0, !replace {
                throw HubError(.conflict, "The hub already has referrals for \(env.centreName(y.centre)) in \(y.year); to use the imported figures "
                               + "for that year instead, give replace (hub import statistics --replace, or ?replace=true).", field: "body.replace")
            }
        }
        let now = env.timestamp
        try await ReferralStore(context.database).replaceImportedStatistics(years: ordered.map { ($0.centre, $0.year) }, rows: rows,
                                                                          at: now, by: actor.who)
        return try JSONValue.encode(ImportReferralStatistics.Reply(
            rows: rows.count, replace: replace, years: ordered.map { .init(centre: $0.centre, year: $0.year, rows: $0.rows) }))
    }
}
