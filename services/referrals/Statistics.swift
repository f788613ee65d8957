import Foundation
import HubBus
import HubCore
import HubProtocol
import ReferralsAPI
import HubStorage

/// Statistics per centre and year, in the annual report's shape: unique clients per
/// category against the previous year, referrals by referring agency and by
/// municipality, queue length over the year, and the wait to a first appointment.
///
/// Small numbers can identify a person in a small municipality: in the `shared` view
/// (everything that leaves the centre's staff) a count from 1 to threshold−1 is shown
/// as `"<5"`, and when a table would then have exactly one hidden cell, the next
/// smallest cell is hidden too (`"x"`), so no total reveals it by subtraction.
enum Statistics {
    /// One year's counts: unique clients per category, referrals per agency and per municipality.
    struct Year: Sendable {
        var categories: [String: Int] = [:]
        var agencies: [String: Int] = [:]
        var municipalities: [String: Int] = [:]
        /// Figures imported from an earlier system (`referrals.statistics.import`), not counted from referrals.
        var imported = false
    }

    /// The year's figures: the imported ones when there are any, else counted from referrals.
    static func year(_ db: any DatabaseExecutor, centre: String, year: Int) async throws(HubError) -> Year {
        let store = ReferralStore(db)
        if let imported = try await store.importedYear(centre: centre, year: year) { return imported }
        let (from, to) = LocalTime.yearBounds(year)
        return try await store.countedYear(centre: centre, from: from, to: to)
    }

    /// `referrals.statistics {centre?, year?, view?, format?}`: JSON, or with `format` `csv` the
    /// statistics CSV and `report` the annual report's tables (Markdown and CSV).
    @Sendable static func handle(_ env: ReferralsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(request, reference: env.reference, service: "referrals")
        guard let centre = try Fields.string(request.body, "centre", max: 64, required: false) ?? actor.centre ?? env.reference.centres.first?.id,
              env.reference.centres.contains(where: { $0.id == centre }) else {
            throw HubError(.validation, "Unknown centre.", field: "body.centre")
        }
        let currentYear = LocalTime.year(of: env.now())
        let year = try Fields.int(request.body, "year", range: 2000...2200, required: false) ?? currentYear
        let view = try Fields.string(request.body, "view", max: 10, required: false) ?? (actor.mayHandle(centre: centre) ? "internal" : "shared")
        guard view == "internal" || view == "shared" else { throw HubError(.validation, "Must be internal or shared.", field: "body.view") }
        if view == "internal" {
            guard actor.mayHandle(centre: centre) else { throw HubError(.forbidden, "Only the centre's staff see unmasked statistics.", field: "body.view") }
        }
        let format = try Fields.string(request.body, "format", max: 10, required: false) ?? "json"
        guard ["json", "csv", "report"].contains(format) else { throw HubError(.validation, "Must be json, csv or report.", field: "body.format") }
        let masker = Masker(threshold: env.settings.smallNumberThreshold, active: view == "shared")
        let db = context.database
        let (from, to) = LocalTime.yearBounds(year)

        let now = try await Self.year(db, centre: centre, year: year), before = try await Self.year(db, centre: centre, year: year - 1)
        // Unique clients per category, this year and last.
        let categories = ClientCategory.allCases
        let byCategory = compare(categories.map(\.rawValue), now.categories, before.categories, masker)

        // Referrals by referring agency and by municipality, this year and last.
        let agencies = Set(now.agencies.keys).union(before.agencies.keys).sorted()
        let byAgency = compare(agencies, now.agencies, before.agencies, masker)
        let municipalities = env.reference.centres.first { $0.id == centre }?.municipalities ?? []
        let byMunicipality = compare(municipalities, now.municipalities, before.municipalities, masker)

        // Wait from referral to first appointment, for appointments offered this year.
        var waits: [Int] = []
        for row in try await ReferralStore(db).appointmentWaits(centre: centre, from: from, to: to) {
            guard let s = Self.day(LocalTime.date(row.submittedAt)), let d = row.appointmentDate, let a = Self.day(d) else { continue }
            waits.append(max(0, Int((a.timeIntervalSince(s) / 86400).rounded(.down))))
        }
        waits.sort()
        let hideWaits = waits.isEmpty || (masker.active && waits.count < masker.threshold)
        let wait = ReferralStatistics.Wait(n: masker.cell(waits.count), medianDays: hideWaits ? nil : Self.percentile(waits, 50),
                                           p90Days: hideWaits ? nil : Self.percentile(waits, 90))

        // Queue length at the end of each week of the year (until today).
        let spans: [(Date, Date?)] = try await ReferralStore(db).queueSpans(centre: centre, from: from, to: to).compactMap { span in
            guard let a = Timestamp.date(from: span.assessedAt) else { return nil }
            return (a, span.leftQueueAt.flatMap(Timestamp.date(from:)))
        }
        var points: [ReferralStatistics.QueuePoint] = []
        if var t = Self.day(from) {
            let end = min(Self.day(to)!, env.now())
            t = t.addingTimeInterval(7 * 86400)
            while t <= end.addingTimeInterval(7 * 86400 - 1) {
                let at = min(t, end)
                let n = spans.filter { $0.0 <= at && ($0.1 == nil || $0.1! > at) }.count
                points.append(.init(date: String(Timestamp.string(from: at).prefix(10)), length: masker.cell(n)))
                if at == end { break }
                t = t.addingTimeInterval(7 * 86400)
            }
        }

        let stats = ReferralStatistics.Tables(
            centre: centre, centreName: env.centreName(centre), year: year, view: view, threshold: env.settings.smallNumberThreshold,
            imported: .init(year: now.imported, previous: before.imported),
            uniqueClients: .init(rows: zip(categories, byCategory.rows).map { .init(category: $0, $1) }, total: byCategory.total),
            byAgency: .init(rows: zip(agencies, byAgency.rows).map { id, row in
                .init(agency: id, name: id == "self" ? "self" : env.reference.agencies.first { $0.id == id }?.name ?? id, row)
            }, total: byAgency.total.year, previousTotal: byAgency.total.previous),
            byMunicipality: .init(rows: zip(municipalities, byMunicipality.rows).map { .init(municipality: $0, $1) },
                                  total: byMunicipality.total.year, previousTotal: byMunicipality.total.previous),
            waitToFirstAppointment: wait, queueOverTime: points)
        let reply: ReferralStatistics.Reply
        switch format {
        case "csv":
            reply = .csv(.init(filename: "statistik-\(centre)-\(year).csv", csv: StatisticsReport.csv(stats)))
        case "report":
            let (markdown, csv) = StatisticsReport.report(stats)
            reply = .report(.init(centre: centre, centreName: env.centreName(centre), year: year, imported: stats.imported, markdown: markdown, csv: csv))
        default:
            reply = .tables(stats)
        }
        return try JSONValue.encode(reply)
    }

    /// The rows of `keys` with this year's and last year's (masked) counts and the difference
    /// (`x` when either side is masked), and the same for the totals.
    static func compare(_ keys: [String], _ now: [String: Int], _ before: [String: Int], _ masker: Masker)
        -> (rows: [ReferralStatistics.Comparison], total: ReferralStatistics.Comparison) {
        let a = masker.table(keys.map { now[$0] ?? 0 }), b = masker.table(keys.map { before[$0] ?? 0 })
        let rows = keys.enumerated().map { i, k in
            ReferralStatistics.Comparison(year: a.cells[i], previous: b.cells[i],
                                          difference: a.cells[i].count != nil && b.cells[i].count != nil ? .number((now[k] ?? 0) - (before[k] ?? 0)) : "x")
        }
        let difference: StatisticsCell = a.total.count != nil && b.total.count != nil
            ? .number(keys.reduce(0) { $0 + (now[$1] ?? 0) } - keys.reduce(0) { $0 + (before[$1] ?? 0) }) : "x"
        return (rows, ReferralStatistics.Comparison(year: a.total, previous: b.total, difference: difference))
    }

    /// Nearest-rank percentile of sorted values.
    static func percentile(_ sorted: [Int], _ p: Int) -> Int {
        let rank = Int((Double(p) / 100 * Double(sorted.count)).rounded(.up))
        return sorted[max(0, min(sorted.count - 1, rank - 1))]
    }

    static func day(_ s: String) -> Date? { Timestamp.date(from: s.prefix(10) + "T00:00:00.000Z") }
}

/// Small-number masking for statistics that leave the centre's staff.
struct Masker {
    let threshold: Int
    let active: Bool

    func cell(_ n: Int) -> StatisticsCell {
        active && n > 0 && n < threshold ? .string("<\(threshold)") : .number(n)
    }

    /// Masks a table's cells and total; with exactly one masked cell the next smallest
    /// non-zero cell is hidden too, so the total cannot reveal the masked one.
    func table(_ values: [Int]) -> (cells: [StatisticsCell], total: StatisticsCell) {
        var cells = values.map(cell)
        let total = values.reduce(0, +)
        guard active else { return (cells, cell(total)) }
        let masked = cells.indices.filter { cells[$0].count == nil }
        if masked.count == 1 {
            let candidates = values.indices.filter { cells[$0].count != nil && values[$0] > 0 }
            if let next = candidates.min(by: { values[$0] < values[$1] }) { cells[next] = "x" }
            else { return (cells, total > 0 && total < threshold ? cell(total) : "x") }
        }
        return (cells, cell(total))
    }
}
