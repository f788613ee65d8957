import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
import TrainingAPI

/// The year in review: every training, network day (asked of the networks service over
/// the bus), commissioned lecture and supervision assignment of a centre's year, in the
/// shape the annual report lists them, as JSON, Markdown and HTML.
enum YearReview {
    static let handlers: [String: (AccessRule, MessageHandler.Kind, TrainingHandler)] = [
        YearReviewGet.type: (Access.centre, .query, review),
    ]


    /// `training.year.review {centreId, year}` → `{centreId, centreName, year, trainings, networkDays, networkDaysAvailable,
    /// lectures, supervision, markdown, html}`. When the networks service does not answer, `networkDaysAvailable` is false.
    @Sendable static func review(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let b = try BodyReader(request.body)
        let centre = try reference.centre(try b.string("centreId", max: 64))
        guard let year = try b.optionalInt("year", range: 1900...2200) else { throw HubError(.validation, "This field is required.", field: "body.year") }
        let rows = try await context.database.query(
            "SELECT id FROM training_events WHERE centre_id = ? AND status <> 'cancelled' AND first_date LIKE ? ORDER BY first_date, title",
            centre.id, "\(year)-%")
        var trainings: [JSONValue] = []
        for r in rows {
            let e = try await TrainingEvents.event(try r.string("id"), context.database, reference: reference, env: env)
            let (_, matrix) = try await TrainingRegistrations.matrix(e["id"]?.text ?? "", reference: reference, db: context.database)
            trainings.append(.object([
                "id": e["id"] ?? .null, "kind": e["kind"] ?? .null, "title": e["title"] ?? .null, "audience": e["audience"] ?? .null,
                "dates": .array((e["sessions"]?.arrayValue ?? []).map { $0["date"] ?? .null }), "registered": e["taken"] ?? .null,
                "attendedAll": .n(matrix.filter { !$0.1.isEmpty && $0.1.allSatisfy { $0 } }.count),
                "attendedAny": .n(matrix.filter { $0.1.contains(true) }.count),
                "trainers": .array((e["trainers"]?.arrayValue ?? []).map { $0["name"] ?? .null }),
            ]))
        }
        var networkDays: [JSONValue] = []
        var available = false
        if env.bus != nil {
            do {
                networkDays = try await env.networkDays(centreId: centre.id, year: year, actor: request.body["actor"] ?? .null).map {
                    .object(["id": .string($0.id), "title": .string($0.title), "theme": .string($0.theme), "date": .string($0.date),
                             "venue": .string($0.venue), "registered": $0.taken.map { .n($0) } ?? .null])
                }
                available = true
            } catch {
                context.logger.warning("year in review without network days", metadata: ["hub.code": "\(error.code)"])
            }
        }
        // The annual report's statistics tables, from the referrals service.
        var statistics: JSONValue?
        if let bus = env.bus {
            do {
                statistics = try await bus.request("referrals.statistics", body: ["centre": .string(centre.id), "year": .n(year), "format": "report",
                                                                              "actor": request.body["actor"] ?? .null], timeout: .seconds(3))
            } catch {
                context.logger.warning("year in review without statistics", metadata: ["hub.code": "\(error.code)"])
            }
        }
        let lectures = try await Supervision.lectures(centre.id, year: year, reference: reference, db: context.database)
        let supervision = try await Supervision.assignments(centre.id, year: year, reference: reference, db: context.database)
        let data: [String: JSONValue] = [
            "centreId": .string(centre.id), "centreName": .string(centre.name), "year": .n(year), "trainings": .array(trainings),
            "networkDays": .array(networkDays), "networkDaysAvailable": .bool(available), "lectures": .array(lectures),
            "supervision": .array(supervision),
        ]
        let (markdown, page) = render(.object(data))
        let (reportMarkdown, reportCSV) = reportTables(.object(data), statistics: statistics)
        return .object(data.merging(["markdown": .string(markdown), "html": .string(page), "statisticsAvailable": .bool(statistics != nil),
                                     "reportMarkdown": .string(reportMarkdown), "reportCSV": .string(reportCSV)]) { $1 })
    }

    /// The annual report's tables ready to paste: the referrals service's statistics tables
    /// (categories, agencies, municipalities, waiting times; this year against last) and the
    /// trainings and network days held, as Markdown and as one CSV (`CSVText`).
    static func reportTables(_ d: JSONValue, statistics: JSONValue?) -> (String, String) {
        let year = d["year"]?.int ?? 0
        var md = ["## \(d["centreName"]?.text ?? "") – statistik för verksamhetsåret \(year)", ""]
        md.append(statistics?["markdown"]?.stringValue ?? "Statistiken saknas (hänvisningstjänsten svarade inte).\n")
        let trainings = d["trainings"]?.arrayValue ?? []
        var held: [(String, Int, Int)] = []
        for (kind, label) in [("training", "Utbildningar"), ("manual-training", "Manualutbildningar"), ("conference", "Konferenser"), ("open-house", "Öppet hus")] {
            let of = trainings.filter { $0["kind"]?.text == kind }
            if !of.isEmpty { held.append((label, of.count, of.reduce(0) { $0 + ($1["attendedAny"]?.int ?? 0) })) }
        }
        let days = d["networkDays"]?.arrayValue ?? []
        held.append(("Kontaktpersonsnätverksdagar", days.count, days.reduce(0) { $0 + ($1["registered"]?.int ?? 0) }))
        let lectures = d["lectures"]?.arrayValue ?? []
        held.append(("Föreläsningar på uppdrag", lectures.count, lectures.reduce(0) { $0 + ($1["audienceSize"]?.int ?? 0) }))
        md += ["### Utbildningar och nätverksdagar \(year)", "", "| Slag | Antal | Deltagare |", "|---|---:|---:|"]
        md += held.map { "| \($0.0) | \($0.1) | \($0.2) |" }
        md.append("| **Summa** | **\(held.reduce(0) { $0 + $1.1 })** | **\(held.reduce(0) { $0 + $1.2 })** |")
        let trainingRows = held.map { CSVText.line([CSVText.cell("Utbildningar och nätverksdagar"), CSVText.cell($0.0), CSVText.number($0.1), "", ""]) }.joined()
        let csv = (statistics?["csv"]?.stringValue
            ?? CSVText.document(header: ["Tabell", "Rad", String(year), String(year - 1), "Skillnad"], rows: [])) + trainingRows
        return (md.joined(separator: "\n") + "\n", csv)
    }

    /// One list, two renderings: Markdown lines and the same as HTML (headings, lists, tables).
    static func render(_ d: JSONValue) -> (String, String) {
        var md: [String] = [], h: [String] = []
        let title = "\(d["centreName"]?.text ?? "") – verksamhetsåret \(d["year"]?.int ?? 0)"
        md.append("# \(title)"); h.append("<h1>\(html(title))</h1>")
        func section(_ heading: String, _ items: [String], empty: String = "Inga under året.") {
            md.append(""); md.append("## \(heading)")
            h.append("<h2>\(html(heading))</h2>")
            if items.isEmpty { md.append(empty); h.append("<p>\(html(empty))</p>"); return }
            for i in items { md.append("- \(i)") }
            h.append("<ul>" + items.map { "<li>\(html($0))</li>" }.joined() + "</ul>")
        }
        let trainings = d["trainings"]?.arrayValue ?? []
        section("Utbildningar, konferenser och öppet hus (\(trainings.count))", trainings.map { t in
            let dates = (t["dates"]?.arrayValue ?? []).map(\.text).joined(separator: ", ")
            let kind = (t["kind"]?.text).flatMap(EventKind.init(rawValue:))?.sv ?? ""
            let trainers = (t["trainers"]?.arrayValue ?? []).map(\.text).joined(separator: ", ")
            return "\(dates): \(kind) \"\(t["title"]?.text ?? "")\" för \(t["audience"]?.text ?? ""), \(t["registered"]?.int ?? 0) anmälda, "
                + "\(t["attendedAll"]?.int ?? 0) deltog i alla tillfällen" + (trainers.isEmpty ? "" : "; utbildare: \(trainers)")
        })
        let days = d["networkDays"]?.arrayValue ?? []
        section("Kontaktpersonsnätverksdagar (\(days.count))", days.map { n in
            "\(n["date"]?.text ?? ""): \(n["title"]?.text ?? "") – \(n["theme"]?.text ?? ""), \(n["venue"]?.text ?? ""), \(n["registered"]?.int ?? 0) anmälda"
        }, empty: d["networkDaysAvailable"]?.boolValue == true ? "Inga under året." : "Uppgift saknas (nätverkstjänsten svarade inte).")
        let lectures = d["lectures"]?.arrayValue ?? []
        let listeners = lectures.reduce(0) { $0 + ($1["audienceSize"]?.int ?? 0) }
        section("Föreläsningar på uppdrag (\(lectures.count), \(listeners) åhörare)", lectures.map { l in
            let unit = [l["partnerName"]?.stringValue, l["unit"]?.stringValue, l["municipality"]?.stringValue].compactMap { $0 }.joined(separator: ", ")
            return "\(l["date"]?.text ?? ""): \"\(l["topic"]?.text ?? "")\" för \(unit), \(l["audienceSize"]?.int ?? 0) åhörare"
        })
        let assignments = d["supervision"]?.arrayValue ?? []
        section("Riktad handledning (\(assignments.count) uppdrag)", assignments.map { a in
            let sessions = a["sessions"]?.arrayValue?.count ?? 0
            return "\(a["municipality"]?.text ?? ""), \(a["agencyName"]?.text ?? "") \(a["unit"]?.text ?? ""): "
                + "\((a["stage"]?.text).flatMap(SupervisionStage.init(rawValue:))?.sv ?? ""), \(sessions) loggade tillfällen"
        })
        let page = """
            <!DOCTYPE html>
            <html lang="sv"><head><meta charset="utf-8"><title>\(html(title))</title>
            <style>body { font-family: sans-serif; max-width: 50em; margin: 2em auto } li { margin: .3em 0 }</style></head>
            <body><main>\(h.joined(separator: "\n"))</main></body></html>
            """
        return (md.joined(separator: "\n") + "\n", page)
    }
}
