import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage

/// Minutes as the centres have written them (Markdown-ish or plain text), read into a
/// structure: header, present and regrets, numbered or unnumbered items, upcoming
/// dates, who took the minutes, and every line that could not be placed.
public struct ImportedMinutes: Sendable, Equatable {
    /// One person from the attendance lists: "Name, titel Myndighet".
    public struct Person: Sendable, Equatable {
        public var name: String
        public var title: String
        public var agencyLabel: String
        /// An agency id from `config/agencies.json`, `utvag`, or `other`.
        public var agency: String
        public var municipality: String?
    }
    public struct Item: Sendable, Equatable {
        public var number: Int
        public var title: String
        public var text: String
    }
    public struct Upcoming: Sendable, Equatable {
        public var date: String
        public var start: String?
        public var end: String?
    }
    public var centreName: String?
    public var date: String?
    public var place: String?
    public var start: String?
    public var end: String?
    public var present: [Person] = []
    public var regrets: [Person] = []
    public var items: [Item] = []
    public var upcoming: [Upcoming] = []
    public var upcomingText: [String] = []
    public var secretary: String?
    /// Lines (1-based number, text) that fit nowhere; reported, never dropped silently.
    public var unplaced: [Unplaced] = []
    public struct Unplaced: Sendable, Equatable { public var line: Int; public var text: String }
}

/// Reads minutes written in the samples' style, with the variations real documents have:
/// headings with or without numbers, bold markers (even broken ones), "Förhinder" or
/// "Frånvarande", names with titles and agencies, upcoming dates in prose.
public enum MinutesParser {
    public static let notMinutes = HubError.Code("not_minutes")
    static let months = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"]

    enum Section { case header, present, regrets, meta, item, upcoming, secretary }

    /// Parses `text`; a file that is not minutes (no date, no attendance and no items) is an error.
    public static func parse(_ text: String) throws(HubError) -> ImportedMinutes {
        var out = ImportedMinutes()
        var section = Section.header
        var current: ImportedMinutes.Item?
        var lastNumber = 0
        func flush() {
            if var item = current {
                item.text = item.text.trimmingCharacters(in: .whitespacesAndNewlines)
                out.items.append(item)
            }
            current = nil
        }
        func startItem(_ number: Int?, _ title: String, _ rest: String) {
            flush()
            let n = number ?? (lastNumber + 1)
            lastNumber = n
            var t = title.trimmingCharacters(in: .whitespaces)
            while t.hasSuffix(":") || t.hasSuffix("*") { t.removeLast(); t = t.trimmingCharacters(in: .whitespaces) }
            current = .init(number: n, title: t, text: rest.replacingOccurrences(of: "**", with: "").trimmingCharacters(in: .whitespaces))
            section = .item
        }
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
        for (index, raw) in lines.enumerated() {
            let lineNo = index + 1
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty {
                if section == .item, current != nil, current?.text.hasSuffix("\n\n") == false, current?.text.isEmpty == false { current?.text += "\n" }
                continue
            }
            let isHeading = line.hasPrefix("#")
            let plain = strip(line)
            let lower = plain.lowercased()
            let label = lower.hasSuffix(":") ? String(lower.dropLast()) : lower
            // Section labels.
            if ["närvarande", "deltagare", "närvarande ledamöter"].contains(label) { flush(); section = .present; continue }
            if ["förhinder", "frånvarande", "anmält förhinder", "förhinder/frånvarande"].contains(label) { flush(); section = .regrets; continue }
            if label.hasPrefix("kommande mötestider") || label.hasPrefix("kommande mötesdatum") || label.hasPrefix("kommande möten") {
                flush(); section = .upcoming
                let rest = plain.split(separator: ":", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
                if !rest.trimmingCharacters(in: .whitespaces).isEmpty { addUpcoming(rest, &out) }
                continue
            }
            if lower.hasPrefix("vid anteckningarna") || lower.hasPrefix("vid protokollet") || lower.hasPrefix("antecknat av") {
                flush(); section = .secretary
                let rest = plain.split(separator: ":", maxSplits: 1).dropFirst().first.map { String($0).trimmingCharacters(in: .whitespaces) }
                if let rest, !rest.isEmpty { out.secretary = rest }
                continue
            }
            if lower.hasPrefix("plats:") { out.place = String(plain.dropFirst(6)).trimmingCharacters(in: .whitespaces); continue }
            if lower.hasPrefix("tid:") {
                if let m = plain.firstMatch(of: #/(\d{1,2})[:.](\d{2})\s*[–—-]\s*(\d{1,2})[:.](\d{2})/#) {
                    out.start = pad(m.1) + ":" + m.2; out.end = pad(m.3) + ":" + m.4
                } else { out.unplaced.append(.init(line: lineNo, text: raw)) }
                continue
            }
            if lower.hasPrefix("ordförande för dagen:") || lower.hasPrefix("ordförande:") { continue }
            if ["mötesanteckningar", "minnesanteckningar", "protokoll"].contains(where: { lower.hasPrefix($0) }), isoDate(in: plain) != nil {
                flush()
                if let d = isoDate(in: plain) { out.date = d }
                if let r = plain.range(of: "Utväg") {
                    var name = String(plain[r.lowerBound...])
                    if let d = name.firstMatch(of: #/\s*\d{4}-\d{2}-\d{2}.*$/#) { name.removeSubrange(d.range) }
                    out.centreName = name.trimmingCharacters(in: .whitespaces)
                }
                section = .meta
                continue
            }
            // Item starts.
            if section != .present && section != .regrets && section != .header || (section == .header && isHeading) {
                if isHeading {
                    if let m = plain.firstMatch(of: #/^(\d{1,2})[.)]\s*(.+)$/#) { startItem(Int(m.1), String(m.2), ""); continue }
                    startItem(nil, plain, ""); continue
                }
                if let m = line.firstMatch(of: #/^\*\*(\d{1,2})[.)]\s*(.+?)\*\*(.*)$/#) { startItem(Int(m.1), String(m.2), String(m.3)); continue }
                if let m = line.firstMatch(of: #/^(\d{1,2})[.)]\s+\*\*(.+?)\*\*(.*)$/#) { startItem(Int(m.1), String(m.2), String(m.3)); continue }
                if let m = line.firstMatch(of: #/^[-*]\s+(?:\*\*)?([^*]+?):\*\*(.*)$/#), !["beslut", "åtgärd"].contains(m.1.lowercased()) {
                    startItem(nil, String(m.1), String(m.2)); continue
                }
                if section == .meta, let m = line.firstMatch(of: #/^\*\*([^*]+?):?\*\*:?\s*(.*)$/#),
                   !["beslut", "åtgärd"].contains(m.1.lowercased()) { startItem(nil, String(m.1), String(m.2)); continue }
            }
            // Content.
            switch section {
            case .header:
                if let d = isoDate(in: plain), plain.count <= 12 { out.date = d }
                else if plain.hasPrefix("Utväg"), plain.count <= 60 { out.centreName = plain }
                else { out.unplaced.append(.init(line: lineNo, text: raw)) }
            case .present, .regrets:
                if let p = person(plain) {
                    if section == .present { out.present.append(p) } else { out.regrets.append(p) }
                } else { out.unplaced.append(.init(line: lineNo, text: raw)) }
            case .meta:
                out.unplaced.append(.init(line: lineNo, text: raw))
            case .item:
                if var item = current {
                    if !item.text.isEmpty, !item.text.hasSuffix("\n") { item.text += "\n" }
                    item.text += raw.trimmingCharacters(in: .whitespaces)
                    current = item
                }
            case .upcoming:
                if !addUpcoming(plain, &out) { out.unplaced.append(.init(line: lineNo, text: raw)) }
            case .secretary:
                if out.secretary == nil { out.secretary = plain } else { out.unplaced.append(.init(line: lineNo, text: raw)) }
            }
        }
        flush()
        // An item about dates ("Nya datum för ledningsgruppsmöte 2026 blir 5/6 samt 25/9.") gives upcoming dates in prose.
        for item in out.items where item.title.lowercased().contains("datum") || item.title.lowercased().contains("mötestider") {
            let all = item.title + " " + item.text
            if let year = all.firstMatch(of: #/\b(20\d\d)\b/#).map({ String($0.1) }) {
                for m in all.matches(of: #/\b(\d{1,2})/(\d{1,2})\b/#) {
                    let d = "\(year)-\(pad(m.2))-\(pad(m.1))"
                    if ReferenceData.isDate(d), !out.upcoming.contains(where: { $0.date == d }) { out.upcoming.append(.init(date: d)) }
                }
            }
        }
        out.upcoming.sort { $0.date < $1.date }
        guard let date = out.date, ReferenceData.isDate(date) else {
            throw HubError(notMinutes, "This is not minutes: no meeting date (YYYY-MM-DD) in a heading or the header.", field: "file")
        }
        guard !out.present.isEmpty || !out.items.isEmpty else {
            throw HubError(notMinutes, "This is not minutes: neither a list of those present nor numbered items.", field: "file")
        }
        return out
    }

    /// Adds an upcoming date written in prose ("Tisdagen den 16 september 2025 kl 14:00-16:00").
    @discardableResult
    static func addUpcoming(_ text: String, _ out: inout ImportedMinutes) -> Bool {
        let lower = text.lowercased()
        guard let m = lower.firstMatch(of: #/(\d{1,2})\s+([a-zåäö]+)\s+(\d{4})/#), let month = months.firstIndex(of: String(m.2)) else { return false }
        let date = "\(m.3)-\(pad(String(month + 1)))-\(pad(m.1))"
        guard ReferenceData.isDate(date) else { return false }
        var u = ImportedMinutes.Upcoming(date: date)
        if let t = lower.firstMatch(of: #/(\d{1,2})[:.](\d{2})\s*[–—-]\s*(\d{1,2})[:.](\d{2})/#) {
            u.start = pad(t.1) + ":" + t.2; u.end = pad(t.3) + ":" + t.4
        }
        out.upcoming.append(u)
        out.upcomingText.append(text.trimmingCharacters(in: .whitespaces))
        return true
    }

    static func pad(_ s: some StringProtocol) -> String { s.count == 1 ? "0" + s : String(s) }

    static func isoDate(in s: String) -> String? {
        s.firstMatch(of: #/\d{4}-\d{2}-\d{2}/#).map { String($0.output) }
    }

    /// Markdown markers off: headings, bold, a trailing line break.
    static func strip(_ line: String) -> String {
        var s = line
        while s.hasPrefix("#") { s.removeFirst() }
        s = s.replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "__", with: "")
        return s.trimmingCharacters(in: .whitespaces)
    }

    /// "Johan Novenius, sektionschef Polisen" → name, title (the leading lower-case words), agency.
    static func person(_ line: String) -> ImportedMinutes.Person? {
        var text = line
        if text.hasPrefix("- ") || text.hasPrefix("* ") { text.removeFirst(2) }
        guard let comma = text.firstIndex(of: ",") else { return nil }
        let name = text[..<comma].trimmingCharacters(in: .whitespaces)
        let rest = text[text.index(after: comma)...].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.split(separator: " ").count <= 6, !rest.isEmpty else { return nil }
        var words = rest.split(separator: " ").map(String.init)
        var title: [String] = []
        while let w = words.first, let f = w.first, f.isLowercase, words.count > 1 { title.append(w); words.removeFirst() }
        let label = words.joined(separator: " ")
        let (agency, municipality) = agencyOf(label)
        return .init(name: name, title: title.joined(separator: " "), agencyLabel: label, agency: agency, municipality: municipality)
    }

    static func agencyOf(_ label: String) -> (String, String?) {
        let l = label.lowercased()
        if l.contains("kommun") {
            let m = label.replacingOccurrences(of: " kommun", with: "").replacingOccurrences(of: "kommun", with: "").trimmingCharacters(in: .whitespaces)
            return ("social-services", m.isEmpty ? nil : m)
        }
        let table: [(String, String)] = [("polis", "police"), ("åklagar", "prosecution"), ("kriminalvård", "kriminalvarden"),
                                         ("bup", "bup"), ("psykiatri", "psychiatry"), ("vårdcentral", "primary-care"),
                                         ("närhälsan", "primary-care"), ("regionhälsan", "primary-care"), ("utväg", "utvag"),
                                         ("barnahus", "barnahus"), ("ungdomsmottagning", "youth-clinic")]
        for (needle, id) in table where l.contains(needle) { return (id, nil) }
        return ("other", nil)
    }
}

/// `meetings.import {text, centre?}`: minutes in the samples' style become a held meeting
/// with its attendance, items and filed minutes (version 1 is the text as imported).
enum ImportHandler {
    static func kind(of title: String) -> String {
        let t = title.lowercased()
        if t.hasPrefix("välkom") { return "welcome" }
        if t.contains("föregående mötesanteckningar") || t.contains("föregående protokoll") { return "review" }
        if t.hasPrefix("aktuellt läge") { return "centre-state" }
        if t.contains("samverkansfrågor") || t.contains("respektive myndighet") { return "status-round" }
        if t.hasPrefix("övrig") { return "other" }
        return "day"
    }

    @Sendable static func handle(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "meetings")
        let b = try BodyReader(r.body)
        let text = try b.string("text", max: 200_000, multiline: true)
        let parsed = try MinutesParser.parse(text)
        let centre: ReferenceData.Centre
        if let id = try b.optionalString("centre", max: 64) { centre = try env.centre(id) }
        else if let name = parsed.centreName?.lowercased(),
                let found = env.reference.centres.first(where: { $0.name.lowercased() == name || name.contains($0.town.lowercased()) }) {
            centre = found
        } else {
            throw HubError(.validation, "The minutes name no configured centre; give the centre.", field: "body.centre")
        }
        try actor.requireManager(centre: centre.id)
        let date = parsed.date!
        let plan = Meetings.Plan(date: date, start: parsed.start ?? centre.managementGroup.defaultStart, end: parsed.end ?? centre.managementGroup.defaultEnd,
                                 place: parsed.place ?? "", link: nil, chair: nil, chairTemporary: false, secretary: parsed.secretary)
        let id = try await Meetings.insert(env, c.database, centre: centre.id, plan: plan, seriesID: nil, actor: actor.who, imported: true)
        for (i, p) in (parsed.present.map { ($0, "present") } + parsed.regrets.map { ($0, "regrets") }).enumerated() {
            try await c.database.execute("""
                INSERT INTO attendance (meeting_id, member_id, name, title, agency, agency_label, municipality, role, status)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'member', ?)
                """, [.text(id), .text("imp-\(i + 1)"), .text(p.0.name), .text(p.0.title), .text(p.0.agency), .text(p.0.agencyLabel),
                      p.0.municipality.map { .text($0) } ?? .null, .text(p.1)])
        }
        let now = env.timestamp
        for (i, item) in parsed.items.enumerated() {
            let itemID = Ids.make()
            try await c.database.execute("""
                INSERT INTO agenda_items (id, meeting_id, position, kind, title, text, confidential, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?)
                """, [.text(itemID), .text(id), .integer(Int64((i + 1) * 10)), .text(kind(of: item.title)), .text(item.title),
                      item.text.isEmpty ? .null : .text(item.text), .text(now)])
            try await Search.reindex(c.database, meeting: id, item: itemID)
        }
        try await c.database.execute("""
            INSERT INTO agenda_items (id, meeting_id, position, kind, title, text, confidential, created_at) VALUES (?, ?, ?, 'upcoming', 'Kommande mötestider', ?, 0, ?)
            """, [.text(Ids.make()), .text(id), .integer(Int64((parsed.items.count + 1) * 10)),
                  parsed.upcomingText.isEmpty ? .null : .text(parsed.upcomingText.joined(separator: "\n")), .text(now)])
        try await c.database.execute("""
            INSERT INTO minutes_versions (meeting_id, version, markdown, sha256, circulated_at, circulated_by) VALUES (?, 1, ?, ?, ?, ?)
            """, [.text(id), .text(text), .text(Ids.sha256(text)), .text(now), .text(actor.who)])
        try await c.database.execute("""
            UPDATE minutes SET status = 'filed', current_version = 1, approved_version = 1, approved_at = ?, filed_at = ? WHERE meeting_id = ?
            """, [.text(now), .text(now), .text(id)])
        return .object([
            "meetingId": .string(id), "centre": .string(centre.id), "date": .string(date),
            "present": .int(parsed.present.count), "regrets": .int(parsed.regrets.count), "items": .int(parsed.items.count),
            "itemTitles": .array(parsed.items.map { .string("\($0.number). \($0.title)") }),
            "upcoming": .array(parsed.upcoming.map { .string($0.date) }),
            "secretary": .optional(parsed.secretary),
            "unplaced": .array(parsed.unplaced.map { .object(["line": .int($0.line), "text": .string($0.text)]) }),
        ])
    }
}
