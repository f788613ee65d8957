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
    typealias Reply = YearReviewGet.Reply

    /// `training.year.review {centreId, year}` → `YearReviewGet.Reply`. When the networks service does not answer,
    /// `networkDaysAvailable` is false; when the referrals service does not, `statisticsAvailable` is.
    @Sendable static func review(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let b = try BodyReader(request.body)
        let centre = try reference.centre(try b.string("centreId", max: 64))
        guard let year = try b.optionalInt("year", range: 1900...2200) else { throw HubError(.validation, "This field is required.", field: "body.year") }
        let store = TrainingStore(context.database)
        var trainings: [Reply.Training] = []
        for id in try await store.heldEventIDs(centre: centre.id, year: year) {
            let e = try await TrainingEvents.typedEvent(id, context.database, reference: reference, env: env)
            let (_, matrix) = try await TrainingRegistrations.matrix(e.id, reference: reference, db: context.database)
            trainings.append(Reply.Training(id: e.id, kind: e.kind, title: e.title, audience: e.audience, dates: e.sessions.map(\.date),
                                            registered: e.taken ?? 0, attendedAll: matrix.filter { !$0.1.isEmpty && $0.1.allSatisfy { $0 } }.count,
                                            attendedAny: matrix.filter { $0.1.contains(true) }.count, trainers: e.trainers.map(\.name)))
        }
        var networkDays: [Reply.NetworkDay] = []
        var available = false
        if env.bus != nil {
            do {
                networkDays = try await env.networkDays(centreId: centre.id, year: year, actor: request.body["actor"] ?? .null).map {
                    Reply.NetworkDay(id: $0.id, title: $0.title, theme: $0.theme, date: $0.date, venue: $0.venue, registered: $0.taken)
                }
                available = true
            } catch {
                context.logger.warning("year in review without network days", metadata: ["hub.code": "\(error.code)"])
            }
        }
        // The annual report's statistics tables, from the referrals service.
        var statistics: (markdown: String, csv: String)?
        do {
            statistics = try await env.statisticsReport(centre: centre.id, year: year, actor: request.body[JSONValue.actorField] ?? .null)
        } catch {
            context.logger.warning("year in review without statistics", metadata: ["hub.code": "\(error.code)"])
        }
        var reply = Reply(centreId: centre.id, centreName: centre.name, year: year, trainings: trainings, networkDays: networkDays,
                          networkDaysAvailable: available,
                          lectures: try await store.lectures(centre: centre.id, year: year, agencyName: reference.agencyName),
                          supervision: try await Supervision.assignments(centre.id, year: year, reference: reference, db: context.database))
        (reply.markdown, reply.html) = render(reply)
        (reply.reportMarkdown, reply.reportCSV) = reportTables(reply, statistics: statistics)
        reply.statisticsAvailable = statistics != nil
        return try JSONValue.encode(reply)
    }

    /// The annual report's tables ready to paste: the referrals service's statistics tables
    /// (categories, agencies, municipalities, waiting times; this year against last) and the
    /// trainings and network days held, as Markdown and as one CSV (`CSVText`).
    static func reportTables(_ review: Reply, statistics: (markdown: String, csv: String)?) -> (String, String) {
        let year = review.year
        var md = ["## \(review.centreName) – statistik för verksamhetsåret \(year)", ""]
        md.append(statistics?.markdown ?? "Statistiken saknas (hänvisningstjänsten svarade inte).\n")
        var held: [(String, Int, Int)] = []
        let kinds: [(EventKind, String)] = [(.training, "Utbildningar"), (.manualTraining, "Manualutbildningar"), (.conference, "Konferenser"),
                                            (.openHouse, "Öppet hus")]
        for (kind, label) in kinds {
            let of = review.trainings.filter { $0.kind == kind }
            if !of.isEmpty { held.append((label, of.count, of.reduce(0) { $0 + $1.attendedAny })) }
        }
        let days = review.networkDays
        held.append(("Kontaktpersonsnätverksdagar", days.count, days.reduce(0) { $0 + ($1.registered ?? 0) }))
        let lectures = review.lectures
        held.append(("Föreläsningar på uppdrag", lectures.count, lectures.reduce(0) { $0 + $1.audienceSize }))
        md += ["### Utbildningar och nätverksdagar \(year)", "", "| Slag | Antal | Deltagare |", "|---|---:|---:|"]
        md += held.map { "| \($0.0) | \($0.1) | \($0.2) |" }
        md.append("| **Summa** | **\(held.reduce(0) { $0 + $1.1 })** | **\(held.reduce(0) { $0 + $1.2 })** |")
        let trainingRows = held.map { CSVText.line([CSVText.cell("Utbildningar och nätverksdagar"), CSVText.cell($0.0), CSVText.number($0.1), "", ""]) }.joined()
        let csv = (statistics?.csv
            ?? CSVText.document(header: ["Tabell", "Rad", String(year), String(year - 1), "Skillnad"], rows: [])) + trainingRows
        return (md.joined(separator: "\n") + "\n", csv)
    }

    /// One list, two renderings: Markdown lines and the same as HTML (headings, lists, tables).
    static func render(_ review: Reply) -> (String, String) {
        var md: [String] = [], h: [String] = []
        let title = "\(review.centreName) – verksamhetsåret \(review.year)"
        md.append("# \(title)"); h.append("<h1>\(html(title))</h1>")
        func section(_ heading: String, _ items: [String], empty: String = "Inga under året.") {
            md.append(""); md.append("## \(heading)")
            h.append("<h2>\(html(heading))</h2>")
            if items.isEmpty { md.append(empty); h.append("<p>\(html(empty))</p>"); return }
            for i in items { md.append("- \(i)") }
            h.append("<ul>" + items.map { "<li>\(html($0))</li>" }.joined() + "</ul>")
        }
        section("Utbildningar, konferenser och öppet hus (\(review.trainings.count))", review.trainings.map { t in
            let trainers = t.trainers.joined(separator: ", ")
            return "\(t.dates.joined(separator: ", ")): \(t.kind.sv) \"\(t.title)\" för \(t.audience), \(t.registered) anmälda, "
                + "\(t.attendedAll) deltog i alla tillfällen" + (trainers.isEmpty ? "" : "; utbildare: \(trainers)")
        })
        section("Kontaktpersonsnätverksdagar (\(review.networkDays.count))", review.networkDays.map { n in
            "\(n.date): \(n.title) – \(n.theme), \(n.venue), \(n.registered ?? 0) anmälda"
        }, empty: review.networkDaysAvailable ? "Inga under året." : "Uppgift saknas (nätverkstjänsten svarade inte).")
        let listeners = review.lectures.reduce(0) { $0 + $1.audienceSize }
        section("Föreläsningar på uppdrag (\(review.lectures.count), \(listeners) åhörare)", review.lectures.map { l in
            let unit = [l.partnerName, l.unit, l.municipality].compactMap { $0 }.joined(separator: ", ")
            return "\(l.date): \"\(l.topic)\" för \(unit), \(l.audienceSize) åhörare"
        })
        section("Riktad handledning (\(review.supervision.count) uppdrag)", review.supervision.map { a in
            "\(a.municipality), \(a.agencyName) \(a.unit): \(a.stage.sv), \(a.sessions.count) loggade tillfällen"
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
