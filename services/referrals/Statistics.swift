import Foundation
import HubBus
import HubCore
import HubProtocol
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
    @Sendable static func handle(_ env: ReferralsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "referrals")
        guard let centre = try Fields.string(r.body, "centre", max: 64, required: false) ?? actor.centre ?? env.reference.centres.first?.id,
              env.reference.centres.contains(where: { $0.id == centre }) else {
            throw HubError(.validation, "Unknown centre.", field: "body.centre")
        }
        let currentYear = LocalTime.year(of: env.now())
        let year = try Fields.int(r.body, "year", range: 2000...2200, required: false) ?? currentYear
        let view = try Fields.string(r.body, "view", max: 10, required: false) ?? (actor.mayHandle(centre: centre) ? "internal" : "shared")
        guard view == "internal" || view == "shared" else { throw HubError(.validation, "Must be internal or shared.", field: "body.view") }
        if view == "internal" {
            guard actor.mayHandle(centre: centre) else { throw HubError(.forbidden, "Only the centre's staff see unmasked statistics.", field: "body.view") }
        }
        let masker = Masker(threshold: env.settings.smallNumberThreshold, active: view == "shared")
        let db = c.database
        // A year is Stockholm's: from its New Year's midnight to the next, as UTC timestamps.
        func yearRange(_ y: Int) -> (String, String) { LocalTime.yearBounds(y) }

        // Unique clients per category, this year and last.
        func clients(_ y: Int) async throws(HubError) -> [String: Int] {
            let (from, to) = yearRange(y)
            var out: [String: Int] = [:]
            for row in try await db.query("""
                SELECT category, COUNT(DISTINCT client_id) AS n FROM referrals WHERE centre_id = ? AND submitted_at >= ? AND submitted_at < ?
                GROUP BY category
                """, [.text(centre), .text(from), .text(to)]) {
                out[try row.string("category")] = try row.int("n")
            }
            return out
        }
        let now = try await clients(year), before = try await clients(year - 1)
        let categories = ClientCategory.allCases.map(\.rawValue)
        let thisYear = masker.table(categories.map { now[$0] ?? 0 })
        let lastYear = masker.table(categories.map { before[$0] ?? 0 })
        var categoryRows: [JSONValue] = []
        for (i, cat) in categories.enumerated() {
            let a = now[cat] ?? 0, b = before[cat] ?? 0
            let diff: JSONValue = (thisYear.cells[i].isNumber && lastYear.cells[i].isNumber) ? .number(Double(a - b)) : "x"
            categoryRows.append(.object(["category": .string(cat), "year": thisYear.cells[i], "previous": lastYear.cells[i], "difference": diff]))
        }
        let totalDiff: JSONValue = (thisYear.total.isNumber && lastYear.total.isNumber)
            ? .number(Double(now.values.reduce(0, +) - before.values.reduce(0, +))) : "x"

        // Referrals by referring agency and by municipality.
        let (from, to) = yearRange(year)
        var byAgency: [(String, Int)] = []
        for row in try await db.query("""
            SELECT COALESCE(referrer_agency, 'self') AS agency, COUNT(*) AS n FROM referrals WHERE centre_id = ? AND submitted_at >= ? AND submitted_at < ?
            GROUP BY COALESCE(referrer_agency, 'self') ORDER BY agency
            """, [.text(centre), .text(from), .text(to)]) {
            byAgency.append((try row.string("agency"), try row.int("n")))
        }
        let agencyTable = masker.table(byAgency.map(\.1))
        var byMunicipality: [String: Int] = [:]
        for row in try await db.query("""
            SELECT municipality, COUNT(*) AS n FROM referrals WHERE centre_id = ? AND submitted_at >= ? AND submitted_at < ? GROUP BY municipality
            """, [.text(centre), .text(from), .text(to)]) {
            byMunicipality[try row.string("municipality")] = try row.int("n")
        }
        let municipalities = env.reference.centres.first { $0.id == centre }?.municipalities ?? []
        let municipalityTable = masker.table(municipalities.map { byMunicipality[$0] ?? 0 })

        // Wait from referral to first appointment, for appointments offered this year.
        var waits: [Int] = []
        for row in try await db.query("""
            SELECT submitted_at, appointment_date FROM referrals WHERE centre_id = ? AND appointment_offered_at >= ? AND appointment_offered_at < ?
            """, [.text(centre), .text(from), .text(to)]) {
            guard let s = Self.day(try row.string("submitted_at")), let d = try row.optionalString("appointment_date"),
                  let a = Self.day(d) else { continue }
            waits.append(max(0, Int((a.timeIntervalSince(s) / 86400).rounded(.down))))
        }
        waits.sort()
        var waitJSON: [String: JSONValue] = ["n": masker.cell(waits.count)]
        if waits.isEmpty || (masker.active && waits.count < masker.threshold) {
            waitJSON["medianDays"] = .null; waitJSON["p90Days"] = .null
        } else {
            waitJSON["medianDays"] = .number(Double(Self.percentile(waits, 50)))
            waitJSON["p90Days"] = .number(Double(Self.percentile(waits, 90)))
        }

        // Queue length at the end of each week of the year (until today).
        let accepted = try await db.query("""
            SELECT assessed_at, left_queue_at FROM referrals WHERE centre_id = ? AND priority IS NOT NULL AND assessed_at IS NOT NULL
            AND assessed_at < ? AND (left_queue_at IS NULL OR left_queue_at >= ?)
            """, [.text(centre), .text(to), .text(from)])
        let spans: [(Date, Date?)] = try accepted.compactMap { row throws(HubError) in
            guard let a = Timestamp.date(from: try row.string("assessed_at")) else { return nil }
            return (a, try row.optionalString("left_queue_at").flatMap(Timestamp.date(from:)))
        }
        var points: [JSONValue] = []
        if var t = Self.day(from) {
            let end = min(Self.day(to)!, env.now())
            t = t.addingTimeInterval(7 * 86400)
            while t <= end.addingTimeInterval(7 * 86400 - 1) {
                let at = min(t, end)
                let n = spans.filter { $0.0 <= at && ($0.1 == nil || $0.1! > at) }.count
                points.append(.object(["date": .string(String(Timestamp.string(from: at).prefix(10))), "length": masker.cell(n)]))
                if at == end { break }
                t = t.addingTimeInterval(7 * 86400)
            }
        }

        return .object([
            "centre": .string(centre), "centreName": .string(env.centreName(centre)), "year": .number(Double(year)),
            "view": .string(view), "threshold": .number(Double(env.settings.smallNumberThreshold)),
            "uniqueClients": .object(["rows": .array(categoryRows),
                                      "total": .object(["year": thisYear.total, "previous": lastYear.total, "difference": totalDiff])]),
            "byAgency": .object(["rows": .array(byAgency.enumerated().map { i, a in
                .object(["agency": .string(a.0), "name": .string(a.0 == "self" ? "self" : env.reference.agencies.first { $0.id == a.0 }?.name ?? a.0),
                         "count": agencyTable.cells[i]])
            }), "total": agencyTable.total]),
            "byMunicipality": .object(["rows": .array(municipalities.enumerated().map { i, m in
                .object(["municipality": .string(m), "count": municipalityTable.cells[i]])
            }), "total": municipalityTable.total]),
            "waitToFirstAppointment": .object(waitJSON),
            "queueOverTime": .array(points),
        ])
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

    func cell(_ n: Int) -> JSONValue {
        active && n > 0 && n < threshold ? .string("<\(threshold)") : .number(Double(n))
    }

    /// Masks a table's cells and total; with exactly one masked cell the next smallest
    /// non-zero cell is hidden too, so the total cannot reveal the masked one.
    func table(_ values: [Int]) -> (cells: [JSONValue], total: JSONValue) {
        var cells = values.map(cell)
        let total = values.reduce(0, +)
        guard active else { return (cells, cell(total)) }
        let masked = cells.indices.filter { !cells[$0].isNumber }
        if masked.count == 1 {
            let candidates = values.indices.filter { cells[$0].isNumber && values[$0] > 0 }
            if let next = candidates.min(by: { values[$0] < values[$1] }) { cells[next] = "x" }
            else { return (cells, total > 0 && total < threshold ? cell(total) : "x") }
        }
        return (cells, cell(total))
    }
}

extension JSONValue {
    var isNumber: Bool { if case .number = self { return true }; return false }
}
