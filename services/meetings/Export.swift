import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
import MeetingsAPI

/// Minutes and agendas as documents: Markdown and print-ready HTML in the shape the
/// centres write them (see ../shared/samples/minutes), in Swedish.
enum Export {
    /// The minutes as one structure that both renderers walk.
    struct Document: Sendable {
        struct Item: Sendable { var number: Int; var title: String; var paragraphs: [String] }
        var centreName: String
        var date: String
        var present: [String]
        var regrets: [String]
        var place: String
        var link: String?
        var time: String
        var chair: String?
        var items: [Item]
        var upcoming: [String]
        var secretary: String?
    }

    /// Later planned meetings of the same centre.
    static func upcoming(_ db: any DatabaseExecutor, _ m: MeetingRecord) async throws(HubError) -> [(date: String, start: String, end: String)] {
        try await MeetingStore(db).plannedMeetings(centre: m.centre, after: m.date, limit: 6).map { ($0.date, $0.start, $0.end) }
    }

    /// "Name, titel Myndighet": the title starts in lower case as in the centres' minutes.
    static func personLine(_ a: AttendeeRecord, _ env: MeetingsEnvironment) -> String {
        let title = a.title.isEmpty ? "" : a.title.prefix(1).lowercased() + a.title.dropFirst() + " "
        return "\(a.name), \(title)\(a.agencyText(env))"
    }

    static func document(_ env: MeetingsEnvironment, _ db: any DatabaseExecutor, _ m: MeetingRecord, includeConfidential: Bool) async throws(HubError) -> Document {
        let store = MeetingStore(db)
        let attendees = try await store.attendees(meeting: m.id)
        let anyPresent = attendees.contains { $0.status == "present" }
        let present = attendees.filter { anyPresent ? $0.status == "present" : $0.status == "attending" }
        let regrets = attendees.filter { $0.status == "regrets" || $0.status == "absent" }
        let items = try await store.agenda(meeting: m.id)
        let reports = try await Agenda.reports(env, db, meeting: m.id)
        let actions = try await store.actions(decidedAt: m.id)
        let carried = try await Minutes.carriedActions(db, meeting: m)
        let links = try await store.links(meeting: m.id)
        let files = try await store.attachments(meeting: m.id)
        let upcomingText: [String]
        if m.imported, let stored = items.first(where: { $0.kind == "upcoming" })?.text {
            upcomingText = stored.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        } else {
            upcomingText = try await upcoming(db, m).map { "\(SwedishDate.withWeekday($0.date)) kl \($0.start)-\($0.end)" }
        }
        var out: [Document.Item] = []
        var number = 0
        for item in items where item.kind != "upcoming" {
            if item.confidential && !includeConfidential { continue }
            number += 1
            var paragraphs: [String] = []
            if item.kind == "review", !carried.isEmpty {
                paragraphs.append(carried.map { "- Åtgärd från \($0.meetingDate ?? ""): \($0.text) (ansvarig: \($0.owner)\($0.due.map { ", senast \($0)" } ?? ""))" }
                    .joined(separator: "\n"))
            }
            if let t = item.text, !t.isEmpty { paragraphs.append(t) }
            if item.kind == "status-round" {
                paragraphs += reports.map { "\($0.name): \($0.text)" }
            }
            if let d = item.decisions, !d.isEmpty { paragraphs.append("**Beslut:** " + d) }
            let own = actions.filter { $0.itemID == item.id }
            if !own.isEmpty {
                paragraphs.append(own.map { "- **Åtgärd:** \($0.text) (ansvarig: \($0.owner)\($0.agency.map { ", " + env.agencyName($0) } ?? "")\($0.due.map { ", senast \($0)" } ?? ""))" }
                    .joined(separator: "\n"))
            }
            for link in links where link.itemID == item.id {
                paragraphs.append("[\(link.title)](\(link.url))")
            }
            for file in files where file.itemID == item.id {
                paragraphs.append("[\(file.filename)](#bilaga-\(file.sha256.prefix(12)))")
            }
            if item.confidential { paragraphs.insert("*Konfidentiell punkt – ingår inte i utskickad version.*", at: 0) }
            out.append(.init(number: number, title: item.title, paragraphs: paragraphs))
        }
        let loose = actions.filter { $0.itemID == nil }
        if !loose.isEmpty, !out.isEmpty {
            out[out.count - 1].paragraphs.append(loose.map { "- **Åtgärd:** \($0.text) (ansvarig: \($0.owner)\($0.due.map { ", senast \($0)" } ?? ""))" }.joined(separator: "\n"))
        }
        return Document(centreName: (try? env.centre(m.centre).name) ?? m.centre, date: m.date,
                        present: present.map { personLine($0, env) }, regrets: regrets.map { personLine($0, env) },
                        place: m.place, link: m.link, time: "\(m.start) – \(m.end)", chair: m.chairTemporary ? m.chair : nil,
                        items: out, upcoming: upcomingText, secretary: m.secretary)
    }

    /// Markdown in the samples' shape: header, Närvarande, Förhinder, heading, Plats/Tid,
    /// numbered items, Kommande mötestider, Vid anteckningarna.
    static func markdown(_ d: Document) -> String {
        var s = "\(d.centreName)  \n\(d.date)\n\n**Närvarande:**\n\n"
        s += d.present.joined(separator: "  \n") + "\n\n**Förhinder:**\n\n"
        s += d.regrets.joined(separator: "  \n") + "\n\n"
        s += "## Mötesanteckningar ledningsgruppsmöte \(d.centreName) \(d.date)\n\n"
        s += "**Plats:** \(d.place)\(d.link.map { " (\($0))" } ?? "")  \n**Tid:** \(d.time)\n"
        if let chair = d.chair { s += "**Ordförande för dagen:** \(chair)\n" }
        for item in d.items {
            s += "\n#### \(item.number). \(item.title)\n"
            for p in item.paragraphs { s += "\n\(p)\n" }
        }
        s += "\n**Kommande mötestider:**\n"
        for u in d.upcoming { s += "\n\(u)\n" }
        s += "\nVid anteckningarna\n\n\(d.secretary ?? "")\n"
        return s
    }

    static func html(_ d: Document) -> String {
        func e(_ t: String) -> String {
            t.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        /// Bold, links and bullet lists from the minutes' own small Markdown.
        func inline(_ t: String) -> String {
            var s = e(t)
            while let r = s.range(of: "**"), let r2 = s.range(of: "**", range: r.upperBound..<s.endIndex) {
                s = s.replacingCharacters(in: r.lowerBound..<r2.upperBound, with: "<strong>\(s[r.upperBound..<r2.lowerBound])</strong>")
            }
            if let open = s.firstIndex(of: "["), let mid = s.range(of: "](", range: open..<s.endIndex),
               let close = s.range(of: ")", range: mid.upperBound..<s.endIndex) {
                let label = s[s.index(after: open)..<mid.lowerBound], href = s[mid.upperBound..<close.lowerBound]
                let safe = href.hasPrefix("http://") || href.hasPrefix("https://") || href.hasPrefix("#") ? String(href) : "#"
                s = s.replacingCharacters(in: open..<close.upperBound, with: "<a href=\"\(safe)\">\(label)</a>")
            }
            return s
        }
        func block(_ p: String) -> String {
            let lines = p.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            if !lines.isEmpty, lines.allSatisfy({ $0.hasPrefix("- ") }) {
                return "<ul>" + lines.map { "<li>\(inline(String($0.dropFirst(2))))</li>" }.joined() + "</ul>"
            }
            return "<p>" + lines.map(inline).joined(separator: "<br>") + "</p>"
        }
        var h = """
            <!doctype html>
            <html lang="sv"><head><meta charset="utf-8"><title>Mötesanteckningar \(e(d.centreName)) \(e(d.date))</title>
            <style>@page { size: A4; margin: 2cm } body { font-family: Georgia, serif; font-size: 11pt; max-width: 42em; margin: auto; color: #000 }
            h1 { font-size: 15pt } h2 { font-size: 12pt; margin-top: 1.2em } .head { margin-bottom: 1em } ul { margin: .3em 0 }
            h2, p, li { break-inside: avoid } a { color: #000 }</style></head><body>
            <div class="head"><p>\(e(d.centreName))<br>\(e(d.date))</p></div>
            <section class="present"><p><strong>Närvarande:</strong></p><p>\(d.present.map(e).joined(separator: "<br>"))</p></section>
            <section class="regrets"><p><strong>Förhinder:</strong></p><p>\(d.regrets.map(e).joined(separator: "<br>"))</p></section>
            <h1>Mötesanteckningar ledningsgruppsmöte \(e(d.centreName)) \(e(d.date))</h1>
            <p><strong>Plats:</strong> \(e(d.place))\(d.link.map { " (\(e($0)))" } ?? "")<br><strong>Tid:</strong> \(e(d.time))\(d.chair.map { "<br><strong>Ordförande för dagen:</strong> \(e($0))" } ?? "")</p>

            """
        for item in d.items {
            h += "<section class=\"item\"><h2>\(item.number). \(e(item.title))</h2>\(item.paragraphs.map(block).joined())</section>\n"
        }
        h += "<section class=\"upcoming\"><p><strong>Kommande mötestider:</strong></p>\(d.upcoming.map { "<p>\(e($0))</p>" }.joined())</section>\n"
        h += "<p>Vid anteckningarna</p><p>\(e(d.secretary ?? ""))</p>\n</body></html>\n"
        return h
    }

    /// The agenda as it goes out ("Dagordning"): items, carried action items, the deadline.
    static func agendaText(_ env: MeetingsEnvironment, _ db: any DatabaseExecutor, _ m: MeetingRecord) async throws(HubError) -> String {
        let name = (try? env.centre(m.centre).name) ?? m.centre
        var s = "Dagordning ledningsgruppsmöte \(name) \(m.date)\n\nPlats: \(m.place)\(m.link.map { " (\($0))" } ?? "")\nTid: \(m.start) – \(m.end)\n\n"
        var n = 0
        for item in try await MeetingStore(db).agenda(meeting: m.id) where !item.confidential {
            n += 1
            s += "\(n). \(item.title)\n"
        }
        let carried = try await Minutes.carriedActions(db, meeting: m)
        if !carried.isEmpty {
            s += "\nÅtgärdspunkter att följa upp:\n" + carried.map { "- \($0.text) (ansvarig: \($0.owner))" }.joined(separator: "\n") + "\n"
        }
        s += "\nPunkter till dagordningen och lägesrapporter senast \(m.itemDeadline).\n"
        return s
    }

    /// `meetings.export {meetingId, format: markdown|html, confidential?}` → the document.
    /// Confidential items are included only for the centre's staff who ask for them.
    @Sendable static func handle(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> MinutesExport.Reply {
        let actor = try Caller.from(request, reference: env.reference, service: "meetings")
        let body = try BodyReader(request.body)
        let m = try await MeetingStore(context.database).visibleMeeting(try body.id("meetingId")!, actor: actor)
        let format = try body.optionalChoice("format", ExportFormat.codes) ?? "markdown"
        let confidential = try body.optionalBool("confidential") ?? false
        if confidential, !actor.seesConfidential(centre: m.centre) { throw HubError(.forbidden, "Only the centre's staff see confidential items.", field: "body.confidential") }
        if !actor.seesConfidential(centre: m.centre) {
            // Members' agencies get the last circulated version, never the draft.
            guard let latest = try await MeetingStore(context.database).latestCirculatedMarkdown(meeting: m.id) else {
                throw HubError(.notFound, "The minutes have not been circulated yet.", field: "body.meetingId")
            }
            return MinutesExport.Reply(format: ExportFormat.markdown.rawValue, text: latest)
        }
        let doc = try await document(env, context.database, m, includeConfidential: confidential)
        return MinutesExport.Reply(format: format, text: format == "html" ? html(doc) : markdown(doc))
    }
}
