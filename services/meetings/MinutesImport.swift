import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage

/// Minutes as the centres' secretaries have written them (Markdown, plain text, text
/// pasted from a word processor), read into a structure: header, present and regrets,
/// numbered or unnumbered items with their decisions and action items, upcoming dates,
/// who took the minutes, and every line that could not be placed.
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
    /// An action item written in an item ("Åtgärd: … (ansvarig: …, senast …)").
    public struct Action: Sendable, Equatable {
        public var text: String
        public var owner: String
        public var due: String?
    }
    public struct Item: Sendable, Equatable {
        public var number: Int
        public var title: String
        public var text: String
        public var decisions: String? = nil
        public var actions: [Action] = []
    }
    public struct Upcoming: Sendable, Equatable {
        public var date: String
        public var start: String?
        public var end: String?
    }
    public var centreName: String?
    public var date: String?
    /// The meeting named in the title ("ledningsgruppsmöte" → `management`), when one is.
    public var group: String?
    public var place: String?
    public var start: String?
    public var end: String?
    public var chair: String?
    public var chairTemporary = false
    /// The date of the minutes reviewed in an item ("föregående mötesanteckningar från den 25 februari 2025").
    public var previousMinutesDate: String?
    public var present: [Person] = []
    public var regrets: [Person] = []
    public var items: [Item] = []
    public var upcoming: [Upcoming] = []
    public var upcomingText: [String] = []
    public var secretary: String?
    /// Lines (1-based number, text) that fit nowhere; reported, never dropped silently.
    public var unplaced: [Unplaced] = []
    public struct Unplaced: Sendable, Equatable { public var line: Int; public var text: String }

    public var actionCount: Int { items.reduce(0) { $0 + $1.actions.count } }
}

/// Reads minutes line by line with a small classifier in plain string handling (no
/// regular expressions): each line is cleaned of Markdown and word-processor noise, then
/// recognised as a label ("Närvarande", "Förhinder", "Plats:", "Tid:", "Beslut:" …, bold
/// or not, with or without a colon), a title with the meeting's date, the start of an
/// item (numbered, a heading, or a bold title ending in a colon) or content of the
/// current section. The date, centre, place, time and chair are found wherever they stand.
public enum MinutesParser {
    public static let notMinutes = HubError.Code("not_minutes")

    /// Parses `text` and requires a meeting date (see `read` for the lenient reading).
    public static func parse(_ text: String) throws(HubError) -> ImportedMinutes {
        let out = read(text)
        try requireMinutes(out)
        guard out.date != nil else { throw missingDate }
        return out
    }

    /// Refuses a text with neither attendance, nor items, nor a date: it is not minutes.
    static func requireMinutes(_ m: ImportedMinutes) throws(HubError) {
        guard !m.present.isEmpty || !m.items.isEmpty else {
            throw HubError(notMinutes, "This is not minutes: neither a list of those present (Närvarande) nor numbered items.", field: "file")
        }
    }

    static let missingDate = HubError(.validation, """
        No meeting date found: no title line with a date (such as "Ledningsgruppsmöte Utväg Skaraborg 2025-05-12"), \
        no "Datum:" line and no date on a line of its own before the first item. Give the date: hub import minutes --date YYYY-MM-DD.
        """, field: "body.date")

    enum Section { case header, present, regrets, meta, item, upcoming, secretary, signatures }
    enum Pending { case none, place, time, date, chair }
    enum Sub { case text, decisions, actions }

    /// Reads whatever it can; never throws.
    public static func read(_ text: String) -> ImportedMinutes {
        var out = ImportedMinutes()
        var section = Section.header
        var pending = Pending.none
        var sub = Sub.text
        var current: ImportedMinutes.Item?
        var lastNumber = 0
        var dateFromTitle = false
        func flush() {
            if var item = current {
                item.text = item.text.trimmingCharacters(in: .whitespacesAndNewlines)
                item.decisions = item.decisions?.trimmingCharacters(in: .whitespacesAndNewlines)
                if item.decisions?.isEmpty == true { item.decisions = nil }
                out.items.append(item)
            }
            current = nil
            sub = .text
        }
        func startItem(_ number: Int?, _ title: String, _ rest: String) {
            flush()
            let n = number ?? (lastNumber + 1)
            lastNumber = n
            var t = title.trimmingCharacters(in: .whitespaces)
            while t.hasSuffix(":") || t.hasSuffix("*") { t.removeLast(); t = t.trimmingCharacters(in: .whitespaces) }
            current = .init(number: n, title: t, text: "")
            section = .item
            pending = .none
            if !rest.isEmpty { content(rest) }
        }
        func content(_ s: String) {
            guard var item = current else { return }
            findChair(in: s, &out)
            switch sub {
            case .decisions:
                item.decisions = (item.decisions.map { $0 + "\n" } ?? "") + s
            case .actions:
                item.actions.append(action(s))
            case .text:
                if !item.text.isEmpty, !item.text.hasSuffix("\n") { item.text += "\n" }
                item.text += s
            }
            current = item
        }
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n").components(separatedBy: "\n")
        for (index, raw) in lines.enumerated() {
            let lineNo = index + 1
            let line = Line(raw)
            if line.text.isEmpty {
                if section == .item, var item = current {
                    if sub == .text, !item.text.isEmpty, !item.text.hasSuffix("\n\n") { item.text += "\n"; current = item }
                    sub = .text
                }
                continue
            }
            let beforeItems = out.items.isEmpty && current == nil
            // Labels first.
            if let (label, rest) = line.label {
                switch label {
                case .present, .regrets:
                    if label == .present, line.lower.hasPrefix("övrig"), !beforeItems { break }
                    if section == .item, !rest.isEmpty { break }
                    flush()
                    section = label == .present ? .present : .regrets
                    pending = .none
                    for p in inlinePeople(rest) {
                        if section == .present { out.present.append(p) } else { out.regrets.append(p) }
                    }
                    continue
                case .place:
                    guard section != .item else { break }
                    if rest.isEmpty { pending = .place } else { out.place = rest }
                    continue
                case .time:
                    guard section != .item, rest.isEmpty || timeRange(in: rest) != nil else { break }
                    if let t = timeRange(in: rest) { out.start = t.0; out.end = t.1 } else { pending = .time }
                    if !rest.isEmpty, let d = findDate(in: rest), out.date == nil { out.date = d.iso }
                    continue
                case .date:
                    guard section != .item else { break }
                    if let d = findDate(in: rest) { if !dateFromTitle { out.date = d.iso } } else { pending = .date }
                    if let t = timeRange(in: rest) { out.start = t.0; out.end = t.1 }
                    continue
                case .chair:
                    if rest.isEmpty { pending = .chair } else { setChair(rest, temporary: line.lower.contains("tillfällig") || line.lower.contains("för dagen"), &out) }
                    continue
                case .secretary:
                    // "Sekreterare: Anna Prov" at the top leaves the section as it was; "Vid anteckningarna" alone opens it.
                    pending = .none
                    if rest.isEmpty { flush(); section = .secretary } else { out.secretary = rest }
                    continue
                case .upcoming:
                    flush(); section = .upcoming; pending = .none
                    if !rest.isEmpty { addUpcoming(rest, &out) }
                    continue
                case .decision:
                    guard section == .item, current != nil else { break }
                    sub = .decisions
                    if !rest.isEmpty { content(rest) }
                    continue
                case .action:
                    guard section == .item, current != nil else { break }
                    if rest.isEmpty { sub = .actions } else { current?.actions.append(action(rest)) }
                    continue
                case .ignore:
                    // "Justeras" and the names under it: signatures, not content.
                    flush(); section = .signatures; pending = .none
                    continue
                }
            }
            // The title: a line naming the meeting with a date, before the first item.
            if beforeItems, line.number == nil, section != .secretary, isTitle(line.lower) {
                if let d = findDate(in: line.text) { out.date = d.iso; dateFromTitle = true }
                if let name = centreName(line.text) { out.centreName = name }
                out.group = group(line.lower) ?? out.group
                if let t = timeRange(in: line.text) { out.start = t.0; out.end = t.1 }
                if out.date != nil || [.header, .meta].contains(section) { section = .meta; pending = .none; continue }
            }
            // A value on the line after its label.
            switch pending {
            case .place: out.place = line.text; pending = .none; continue
            case .time:
                if let t = timeRange(in: line.text) { out.start = t.0; out.end = t.1; pending = .none; continue }
            case .date:
                if let d = findDate(in: line.text) { out.date = d.iso; pending = .none; continue }
            case .chair: setChair(line.text, temporary: false, &out); pending = .none; continue
            case .none: break
            }
            pending = .none
            // Before the items: a date or the centre on a line of their own.
            if beforeItems, line.number == nil, let d = findDate(in: line.text), d.whole {
                if out.date == nil { out.date = d.iso }
                continue
            }
            if beforeItems, line.number == nil, line.text.count <= 60, let name = centreName(line.text), name == line.text {
                if out.centreName == nil { out.centreName = name }
                continue
            }
            // Item starts.
            if section != .secretary, section != .signatures, let (n, title, rest) = itemStart(line, section: section, lastNumber: lastNumber) {
                startItem(n, title, rest)
                continue
            }
            switch section {
            case .header, .present, .regrets:
                if section != .header, let p = person(line.personText) {
                    if section == .present { out.present.append(p) } else { out.regrets.append(p) }
                } else if section == .header, out.centreName == nil, line.text.count <= 60, line.text.hasPrefix("Utväg") {
                    out.centreName = line.text
                } else { out.unplaced.append(.init(line: lineNo, text: raw)) }
            case .meta:
                out.unplaced.append(.init(line: lineNo, text: raw))
            case .item:
                if sub == .actions, !line.bullet { sub = .text }
                let numbered = line.number.map { "\($0). " + line.text } ?? line.text
                content(line.indent > 0 && line.bullet ? "  - " + numbered : line.bullet ? "- " + numbered : numbered)
            case .upcoming:
                if !addUpcoming(line.text, &out) { out.unplaced.append(.init(line: lineNo, text: raw)) }
            case .secretary:
                if out.secretary == nil { out.secretary = line.text } else { out.unplaced.append(.init(line: lineNo, text: raw)) }
            case .signatures:
                if person(line.personText) == nil { out.unplaced.append(.init(line: lineNo, text: raw)) }
            }
        }
        flush()
        // Strip list markers from actions' texts, find the reviewed minutes' date, and
        // upcoming dates written in an item about dates ("… 2026 blir 5/6 samt 25/9.").
        for item in out.items {
            let lower = (item.title + " " + item.text).lowercased()
            if out.previousMinutesDate == nil, lower.contains("föregående"), let d = findDate(in: item.title + " " + item.text) {
                out.previousMinutesDate = d.iso
            }
            if item.title.lowercased().contains("datum") || item.title.lowercased().contains("mötestider") {
                for d in dayMonthDates(item.title + " " + item.text) where !out.upcoming.contains(where: { $0.date == d }) {
                    out.upcoming.append(.init(date: d))
                }
            }
        }
        out.upcoming.sort { $0.date < $1.date }
        if out.chair == nil, let chair = out.present.first(where: { $0.title.lowercased().contains("ordförande") }) { out.chair = chair.name }
        return out
    }

    // MARK: Lines

    /// One line cleaned of Markdown and word-processor noise, with what the noise said.
    struct Line {
        var text = ""
        var lower = ""
        var indent = 0
        var heading = 0
        var bullet = false
        /// The line began with bold (`**Title:**`, or a broken `Title:**`): its title part.
        var boldStart = false
        var boldTitle: String?
        /// The whole line is bold ("**6. Rekrytering av representant**").
        var boldWhole = false
        var number: Int?
        /// The text with a word processor's columns as commas ("Anna Prov, socialchef, Borås kommun").
        var personText = ""
        /// The text after the number, still with its bold markers.
        var afterNumber = ""

        init(_ raw: String) {
            var s = Substring(raw)
            for ch in s { if ch == " " || ch == "\t" || ch == "\u{00A0}" { indent += ch == "\t" ? 4 : 1 } else { break } }
            s = s.drop { $0.isWhitespace }
            while s.last?.isWhitespace == true || s.last == "\\" { s.removeLast() }
            while s.hasPrefix("#") { heading += 1; s.removeFirst() }
            s = s.drop { $0.isWhitespace }
            for marker in ["- ", "* ", "• ", "– ", "· ", "o\t", "-\t", "•\t"] where s.hasPrefix(marker) {
                bullet = true; s = s.dropFirst(marker.count).drop { $0.isWhitespace }; break
            }
            var marked = String(s)
            // A number: "4." "4)" "§ 4" "§4", possibly inside bold ("**4. Titel**").
            var probe = Substring(marked)
            let boldFirst = probe.hasPrefix("**")
            if boldFirst { probe = probe.dropFirst(2) }
            if probe.hasPrefix("§") { probe = probe.dropFirst().drop { $0 == " " } }
            let digits = probe.prefix { $0.isASCII && $0.isNumber }
            if (1...2).contains(digits.count) {
                var after = probe.dropFirst(digits.count)
                let sep = after.first
                if sep == "." || sep == ")" || sep == "\t" || (marked.hasPrefix("§") && sep == " ") {
                    if sep != " " { after = after.dropFirst() }
                    if after.isEmpty || after.first == " " || after.first == "\t" || after.hasPrefix("**") {
                        number = Int(digits)
                        let rest = after.drop { $0 == " " || $0 == "\t" }
                        afterNumber = (boldFirst ? "**" : "") + rest
                        marked = afterNumber
                    }
                }
            }
            if number == nil { afterNumber = marked }
            // Bold title at the start: "**Title:** rest", "**Title**", or the broken "Title:** rest".
            if marked.hasPrefix("**") || marked.hasPrefix("__") {
                let body = marked.dropFirst(2)
                if let close = body.range(of: "**") ?? body.range(of: "__") {
                    boldStart = true
                    boldTitle = String(body[..<close.lowerBound])
                }
            } else if let close = marked.range(of: ":**"), !marked[..<close.lowerBound].contains("**") {
                boldStart = true
                boldTitle = String(marked[..<close.lowerBound]) + ":"
            }
            boldWhole = boldStart && marked.hasPrefix("**") && marked.hasSuffix("**")
                && marked.dropFirst(2).firstRange(of: "**")?.upperBound == marked.endIndex
            let plain = marked.replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "__", with: "")
            text = Self.collapse(plain)
            lower = text.lowercased()
            // Columns from a word processor (tabs, runs of spaces) for attendance lists.
            var cols: [String] = [], cell = "", spaces = 0
            for ch in plain {
                if ch == "\t" || spaces >= 1 && (ch == " " || ch == "\u{00A0}") {
                    if !cell.trimmingCharacters(in: .whitespaces).isEmpty { cols.append(Self.collapse(cell)) }
                    cell = ""; spaces = 0
                } else if ch == " " || ch == "\u{00A0}" { spaces += 1; cell.append(ch) } else { spaces = 0; cell.append(ch) }
            }
            if !cell.trimmingCharacters(in: .whitespaces).isEmpty { cols.append(Self.collapse(cell)) }
            personText = cols.count >= 2 && !text.contains(",") ? cols.joined(separator: ", ") : text
        }

        /// Tabs, non-breaking and repeated spaces become one space.
        static func collapse(_ s: String) -> String {
            var out = "", space = false
            for ch in s {
                if ch == " " || ch == "\t" || ch == "\u{00A0}" || ch == "\u{2007}" || ch == "\u{202F}" {
                    space = !out.isEmpty
                } else {
                    if space { out.append(" ") }
                    space = false
                    out.append(ch)
                }
            }
            return out
        }

        enum Label { case present, regrets, place, time, date, chair, secretary, upcoming, decision, action, ignore }
        static let labels: [(String, Label)] = [
            ("närvarande ledamöter", .present), ("närvarande från ledningsgruppen", .present), ("närvarande", .present), ("deltagare", .present),
            ("övriga närvarande", .present), ("övriga deltagare", .present), ("övriga", .present), ("adjungerade", .present), ("adjungerad", .present),
            ("anmält förhinder", .regrets), ("anmälda förhinder", .regrets), ("förhinder/frånvarande", .regrets), ("frånvarande med förhinder", .regrets),
            ("frånvarande", .regrets), ("förhinder", .regrets), ("ej närvarande", .regrets),
            ("mötesplats", .place), ("plats", .place), ("lokal", .place),
            ("mötestid", .time), ("tid", .time),
            ("mötesdatum", .date), ("datum", .date),
            ("tillfällig ordförande för dagen", .chair), ("tillfällig ordförande", .chair), ("ordförande för dagen", .chair),
            ("mötesordförande", .chair), ("ordförande", .chair),
            ("vid anteckningarna", .secretary), ("vid protokollet", .secretary), ("antecknat av", .secretary), ("anteckningar förda av", .secretary),
            ("mötessekreterare", .secretary), ("sekreterare", .secretary), ("protokollförare", .secretary), ("antecknare", .secretary),
            ("kommande mötestider", .upcoming), ("kommande mötesdatum", .upcoming), ("kommande möten", .upcoming), ("nästa möte", .upcoming),
            ("nya mötestider", .upcoming),
            ("beslut", .decision), ("beslutades", .decision), ("beslöts", .decision),
            ("åtgärdspunkter", .action), ("åtgärdspunkt", .action), ("åtgärder", .action), ("åtgärd", .action), ("att göra", .action),
            ("justeras", .ignore), ("justerare", .ignore), ("justerat", .ignore),
        ]

        /// The label this line starts with, and the text after it. Without a colon a label
        /// must stand alone ("Närvarande"), so that "Beslut togs …" stays text.
        var label: (Label, String)? {
            guard number == nil else { return nil }
            for (word, kind) in Self.labels where lower.hasPrefix(word) {
                var rest = Substring(text.dropFirst(word.count))
                if rest.first?.isLetter == true { continue }
                rest = rest.drop { $0 == " " }
                if rest.hasPrefix(":") || rest.hasPrefix("–") || rest.hasPrefix("-") {
                    rest = rest.dropFirst().drop { $0 == " " }
                    if kind == .action, rest.lowercased().hasPrefix("från") { return nil }
                    return (kind, String(rest).trimmingCharacters(in: .whitespaces))
                }
                if rest.isEmpty { return (kind, "") }
                // "Tid 09:00-11:00", "Datum 12 maj 2025": these need no colon.
                if kind == .time, rest.first?.isNumber == true || rest.lowercased().hasPrefix("kl") { return (kind, String(rest)) }
                if kind == .date, findDate(in: String(rest)) != nil { return (kind, String(rest)) }
                return nil
            }
            return nil
        }
    }

    static func isTitle(_ lower: String) -> Bool {
        ["mötesanteckningar", "minnesanteckningar", "anteckningar", "protokoll", "ledningsgruppsmöte", "ledningsgrupp", "möte "].contains { lower.contains($0) }
            && !lower.hasPrefix("genomgång") && !lower.contains("föregående")
    }

    /// The meeting's group as the title names it.
    static func group(_ lower: String) -> String? {
        if lower.contains("ledningsgrupp") || lower.contains("styrgrupp") { return "management" }
        for other in ["nätverksmöte", "nätverksträff", "arbetsplatsträff", "apt", "personalmöte", "arbetsgrupp", "referensgrupp", "samverkansmöte"]
        where lower.split(separator: " ").contains(where: { $0.hasPrefix(other) }) { return other }
        return nil
    }

    /// "Utväg Södra Älvsborg" out of a title: from "Utväg" to the date (or the end).
    static func centreName(_ text: String) -> String? {
        guard let r = text.range(of: "Utväg ") ?? text.range(of: "UTVÄG ") else { return nil }
        var words: [Substring] = []
        for w in text[r.lowerBound...].split(separator: " ") {
            if w.first?.isNumber == true || w == "–" || w == "-" || w.lowercased() == "den" || w.lowercased() == "kl" || w.hasSuffix(":") { break }
            words.append(w)
            if words.count >= 4 { break }
        }
        let name = words.joined(separator: " ").trimmingCharacters(in: CharacterSet(charactersIn: " ,.;"))
        return name.count > "Utväg ".count ? name : nil
    }

    /// Where an item starts: a number in sequence, a heading, or a bold title ending in a colon.
    static func itemStart(_ line: Line, section: Section, lastNumber: Int) -> (Int?, String, String)? {
        func split(_ s: String) -> (String, String) {
            if line.boldStart, let t = line.boldTitle {
                let title = Line.collapse(t)
                let rest = Line.collapse(line.afterNumber.replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "__", with: "")
                    .dropFirst(t.replacingOccurrences(of: "**", with: "").count).description).trimmingCharacters(in: CharacterSet(charactersIn: " :"))
                return (title, rest)
            }
            // "Välkomna: Alla hälsas välkomna." — a short title before a colon (not a time).
            if let colon = s.firstIndex(of: ":"), s.distance(from: s.startIndex, to: colon) <= 80,
               s[..<colon].last?.isNumber != true {
                let rest = s[s.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                return (String(s[..<colon]), rest)
            }
            return (s, "")
        }
        if let n = line.number, line.indent <= 1 {
            let inSequence = n == lastNumber + 1 || lastNumber == 0 || line.heading > 0 || line.boldStart
            guard inSequence else { return nil }
            if section == .present || section == .regrets, !line.boldStart, line.heading == 0, person(line.personText) != nil { return nil }
            let (t, r) = split(line.text)
            return (n, t, r)
        }
        if line.heading > 0 {
            let (t, r) = split(line.text)
            return (nil, t, r)
        }
        guard section == .meta || section == .item, line.indent == 0, line.boldStart, let t = line.boldTitle else { return nil }
        let title = t.trimmingCharacters(in: .whitespaces)
        // A bold title ending in a colon, or a whole bold line, starts an item; "**Polisen:** text" inside a status round does not.
        let whole = line.boldWhole
        guard title.hasSuffix(":") || whole else { return nil }
        if section == .item, !line.bullet, !whole, line.heading == 0, title.count < 30, isAgencyWord(title) { return nil }
        let (tt, r) = split(line.text)
        return (nil, tt, r)
    }

    static func isAgencyWord(_ t: String) -> Bool { agencyOf(t).0 != "other" }

    // MARK: People

    /// People written after a label on the same line: "Närvarande: A, Polisen; B (Borås kommun)".
    static func inlinePeople(_ s: String) -> [ImportedMinutes.Person] {
        guard !s.isEmpty else { return [] }
        let parts: [String]
        if s.contains(";") { parts = s.split(separator: ";").map(String.init) }
        else if s.contains("),") { parts = s.components(separatedBy: "),").map { $0.hasSuffix(")") || !$0.contains("(") ? $0 : $0 + ")" } }
        else { parts = [s] }
        return parts.compactMap { person($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// "Johan Exempel, sektionschef Polisen", "Anna Prov – socialchef, Borås kommun",
    /// "Eva Test (BUP)", "Karin Fiktiv\tförvaltningschef\tAlingsås kommun", or a bare name.
    static func person(_ line: String) -> ImportedMinutes.Person? {
        var text = line.trimmingCharacters(in: CharacterSet(charactersIn: " .;"))
        for marker in ["- ", "* ", "• ", "– "] where text.hasPrefix(marker) { text.removeFirst(marker.count) }
        var name = text, rest = ""
        var note = ""
        if let open = text.firstIndex(of: "("), text.hasSuffix(")"), text[..<open].contains(",") {
            note = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
            text = String(text[..<open]).trimmingCharacters(in: .whitespaces)
        }
        if let open = text.firstIndex(of: "("), text.hasSuffix(")") {
            name = String(text[..<open]); rest = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
        } else if let comma = text.firstIndex(of: ",") {
            name = String(text[..<comma]); rest = String(text[text.index(after: comma)...])
        } else if let dash = text.range(of: " – ") ?? text.range(of: " - ") ?? text.range(of: " — ") {
            name = String(text[..<dash.lowerBound]); rest = String(text[dash.upperBound...])
        }
        name = name.trimmingCharacters(in: .whitespaces)
        rest = rest.replacingOccurrences(of: " – ", with: ", ").trimmingCharacters(in: CharacterSet(charactersIn: " ,"))
        let nameWords = name.split(separator: " ")
        let particles: Set<Substring> = ["von", "af", "de", "van", "der", "la", "di"]
        guard (1...5).contains(nameWords.count), name.count <= 80, !name.contains(where: { $0.isNumber || $0 == ":" || $0 == "?" || $0 == "!" }),
              nameWords.allSatisfy({ $0.first?.isUppercase == true || particles.contains($0) }) else { return nil }
        if rest.isEmpty { guard nameWords.count >= 2 else { return nil } }
        // "titel, Myndighet" or "titel Myndighet": leading lower-case words are the title.
        var title: [String] = [], label = ""
        let commaParts = rest.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if commaParts.count >= 2, commaParts[0].first?.isLowercase == true {
            title = [commaParts[0]]; label = commaParts.dropFirst().joined(separator: ", ")
        } else {
            var words = rest.split(separator: " ").map(String.init)
            while let w = words.first, let f = w.first, f.isLowercase, words.count > 1 { title.append(w); words.removeFirst() }
            label = words.joined(separator: " ")
        }
        if title.isEmpty, !note.isEmpty { title = [note] }
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

    // MARK: Chair and actions

    static func setChair(_ s: String, temporary: Bool, _ out: inout ImportedMinutes) {
        let name = person(s)?.name ?? s
        out.chair = name
        out.chairTemporary = temporary
    }

    /// "… tillfällig ordförande för dagen: Anna Prov", "Anna Prov är tillfällig ordförande för dagen",
    /// "Till ordförande för dagen valdes Anna Prov".
    static func findChair(in s: String, _ out: inout ImportedMinutes) {
        guard out.chair == nil else { return }
        let lower = s.lowercased()
        guard let r = lower.range(of: "ordförande för dagen") ?? lower.range(of: "tillfällig ordförande") ?? lower.range(of: "mötesordförande") else { return }
        let temporary = lower.contains("tillfällig") || lower.contains("för dagen")
        let start = lower.distance(from: lower.startIndex, to: r.lowerBound), end = lower.distance(from: lower.startIndex, to: r.upperBound)
        func capitalised(_ words: some Sequence<Substring>) -> String? {
            var name: [Substring] = []
            for w in words {
                let clean = w.trimmingCharacters(in: CharacterSet(charactersIn: ".,:;()"))
                if clean.first?.isUppercase == true { name.append(Substring(clean)) } else if !name.isEmpty || !["är", "blir", "var", "valdes", "utsågs", "till"].contains(clean.lowercased()) && !clean.isEmpty { break }
                if w.last == "." || w.last == "," || name.count == 3 { break }
            }
            return name.count >= 1 ? name.joined(separator: " ") : nil
        }
        let after = s.dropFirst(end).split(separator: " ")
        if let name = capitalised(after), name.split(separator: " ").count >= 2 || after.first?.hasSuffix(":") == true {
            out.chair = name; out.chairTemporary = temporary; return
        }
        // Before: "Anna Prov är tillfällig ordförande för dagen."
        let before = s.prefix(start).split(separator: " ").reversed().drop { ["är", "var", "blir", "utsågs", "till", "som"].contains($0.lowercased()) || $0.lowercased() == "tillfällig" }
        var name: [Substring] = []
        for w in before { if w.first?.isUppercase == true, name.count < 3 { name.insert(w, at: 0) } else { break } }
        if name.count >= 2 { out.chair = name.joined(separator: " ").trimmingCharacters(in: CharacterSet(charactersIn: ".,:;")); out.chairTemporary = temporary }
    }

    /// "Skicka foldrar till kommunerna (ansvarig: Anna Prov, Polisen, senast 2025-06-01)" or
    /// "Kerstin skickar foldrar. Ansvarig: Kerstin. Klart: 2025-06-01".
    static func action(_ s: String) -> ImportedMinutes.Action {
        var text = s.trimmingCharacters(in: .whitespaces)
        for marker in ["- ", "* ", "• "] where text.hasPrefix(marker) { text.removeFirst(marker.count) }
        var owner = "", due: String? = findDate(in: text)?.iso
        let lower = text.lowercased()
        if let r = lower.range(of: "ansvarig:") ?? lower.range(of: "ansvarig ") ?? lower.range(of: "ansvar:") {
            let start = lower.distance(from: lower.startIndex, to: r.lowerBound), end = lower.distance(from: lower.startIndex, to: r.upperBound)
            let after = text.dropFirst(end)
            owner = String(after.prefix { $0 != "," && $0 != ")" && $0 != "." && $0 != ";" }).trimmingCharacters(in: .whitespaces)
            var head = String(text.prefix(start)).trimmingCharacters(in: .whitespaces)
            if head.hasSuffix("(") { head.removeLast() }
            text = head.trimmingCharacters(in: CharacterSet(charactersIn: " .,;("))
        } else {
            if text.hasSuffix(")"), let open = text.lastIndex(of: "(") {
                let inner = text[text.index(after: open)..<text.index(before: text.endIndex)]
                owner = String(inner.prefix { $0 != "," }).trimmingCharacters(in: .whitespaces)
                text = String(text[..<open]).trimmingCharacters(in: .whitespaces)
            }
        }
        if owner.isEmpty { owner = "Ej angiven" }
        return .init(text: text, owner: owner, due: due)
    }

    // MARK: Dates and times

    static let months = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"]
    static let shortMonths = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
    static let dayWords: Set<String> = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag", "måndagen", "tisdagen", "onsdagen",
                                        "torsdagen", "fredagen", "lördagen", "söndagen", "den", "datum", "mötesdatum"]

    /// A word of letters or digits and what stands after it.
    struct Token { var word: String; var sep: String }

    static func tokens(_ s: String) -> [Token] {
        var out: [Token] = [], word = "", sep = ""
        for ch in s.lowercased() {
            if ch.isLetter || ch.isNumber {
                if !sep.isEmpty || (!word.isEmpty && word.last!.isNumber != ch.isNumber) {
                    if !word.isEmpty { out.append(.init(word: word, sep: sep)) }
                    word = ""; sep = ""
                }
                word.append(ch)
            } else { sep.append(ch) }
        }
        if !word.isEmpty { out.append(.init(word: word, sep: sep)) }
        return out
    }

    static func pad(_ s: some StringProtocol) -> String { s.count == 1 ? "0" + s : String(s) }
    static func isDigits(_ s: String, _ n: ClosedRange<Int>) -> Bool { n.contains(s.count) && s.allSatisfy { $0.isASCII && $0.isNumber } }

    static func month(_ w: String) -> Int? {
        if let i = months.firstIndex(of: w) { return i + 1 }
        if let i = shortMonths.firstIndex(of: w) { return i + 1 }
        if w == "sept" { return 9 }
        return nil
    }

    /// The first real date in `s`: `2025-05-12`, `12 maj 2025`, `12/5 2025`, `12.5.2025`;
    /// `whole` when nothing but the date (and a weekday, "den", "Datum") stands on the line.
    static func findDate(in s: String) -> (iso: String, whole: Bool)? {
        let t = tokens(s)
        var i = 0
        while i < t.count {
            var found: String?
            if i + 2 < t.count {
                let a = t[i].word, b = t[i + 1].word, c = t[i + 2].word
                let s1 = t[i].sep.trimmingCharacters(in: .whitespaces), s2 = t[i + 1].sep.trimmingCharacters(in: .whitespaces)
                if isDigits(a, 4...4), s1 == "-", isDigits(b, 1...2), s2 == "-", isDigits(c, 1...2) {
                    found = "\(a)-\(pad(b))-\(pad(c))"
                } else if isDigits(a, 1...2), s1.isEmpty || s1 == ".", let m = month(b), s2.isEmpty || s2 == "." || s2 == ",", isDigits(c, 4...4) {
                    found = "\(c)-\(pad(String(m)))-\(pad(a))"
                } else if isDigits(a, 1...2), s1 == "/" || s1 == ".", isDigits(b, 1...2), ["", "-", "/", "."].contains(s2), isDigits(c, 4...4) {
                    found = "\(c)-\(pad(b))-\(pad(a))"
                }
            }
            if let found, ReferenceData.isDate(found) {
                let others = t.enumerated().filter { $0.offset < i || $0.offset > i + 2 }.map(\.element.word)
                return (found, others.allSatisfy { dayWords.contains($0) })
            }
            i += 1
        }
        return nil
    }

    /// "12/5" pairs with the year written beside them ("Nya datum 2026 blir 5/6 samt 25/9").
    static func dayMonthDates(_ s: String) -> [String] {
        let t = tokens(s)
        guard let year = t.first(where: { isDigits($0.word, 4...4) && $0.word.hasPrefix("20") })?.word else { return [] }
        var out: [String] = []
        for i in 0..<max(0, t.count - 1) where isDigits(t[i].word, 1...2) && t[i].sep == "/" && isDigits(t[i + 1].word, 1...2) {
            let d = "\(year)-\(pad(t[i + 1].word))-\(pad(t[i].word))"
            if ReferenceData.isDate(d) { out.append(d) }
        }
        return out
    }

    /// "09:00 – 11:00", "9.00-11.00", "kl. 14–16" → ("09:00", "11:00").
    static func timeRange(in s: String) -> (String, String)? {
        let t = tokens(s)
        /// A clock time at token i: "09:00", "9.00", or a bare hour when `bare` (after "kl").
        func clock(_ i: Int, bare: Bool) -> (String, Int, Bool)? {
            guard i < t.count, isDigits(t[i].word, 1...2), let h = Int(t[i].word), h <= 23 else { return nil }
            let sep = t[i].sep.trimmingCharacters(in: .whitespaces)
            if (sep == ":" || sep == "."), i + 1 < t.count, isDigits(t[i + 1].word, 2...2), let m = Int(t[i + 1].word), m < 60 {
                return (pad(String(h)) + ":" + t[i + 1].word, i + 1, false)
            }
            return bare ? (pad(String(h)) + ":00", i, true) : nil
        }
        for i in t.indices {
            let afterKl = i > 0 && (t[i - 1].word == "kl" || t[i - 1].word == "klockan")
            guard let (start, last, wasBare) = clock(i, bare: afterKl), t[last].sep.contains(where: { "–—-".contains($0) }) else { continue }
            if let (end, _, _) = clock(last + 1, bare: wasBare || afterKl) { return (start, end) }
        }
        return nil
    }

    /// Adds an upcoming date written in prose ("Tisdagen den 16 september 2025 kl 14:00-16:00").
    @discardableResult
    static func addUpcoming(_ text: String, _ out: inout ImportedMinutes) -> Bool {
        guard let d = findDate(in: text) else { return false }
        var u = ImportedMinutes.Upcoming(date: d.iso)
        if let t = timeRange(in: text) { u.start = t.0; u.end = t.1 }
        out.upcoming.append(u)
        out.upcomingText.append(text.trimmingCharacters(in: .whitespaces))
        return true
    }
}

/// `meetings.import {text, centre?, date?, group?, dryRun?}`: minutes become a held meeting
/// with its attendance, items, decisions, action items and filed minutes (version 1 is the
/// text as imported). `centre`, `date` and `group` override what the minutes say; with
/// `dryRun` nothing is stored and the reply says what would be.
enum ImportHandler {
    static func kind(of title: String) -> String {
        let t = title.lowercased()
        if t.hasPrefix("välkom") { return "welcome" }
        if t.contains("föregående mötesanteckningar") || t.contains("föregående protokoll") || t.contains("föregående minnesanteckningar") { return "review" }
        if t.hasPrefix("aktuellt läge") { return "centre-state" }
        if t.contains("samverkansfrågor") || t.contains("respektive myndighet") { return "status-round" }
        if t.hasPrefix("övrig") { return "other" }
        return "day"
    }

    @Sendable static func handle(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "meetings")
        let b = try BodyReader(r.body)
        let text = try b.string("text", max: 200_000, multiline: true)
        let dryRun = try b.optionalBool("dryRun") ?? false
        let parsed = MinutesParser.read(text)
        try MinutesParser.requireMinutes(parsed)
        // The group: only the management group's minutes are kept here.
        if let g = try b.optionalString("group", max: 40) {
            guard g == "management" else {
                throw HubError(.validation, "Only the management group's minutes are imported; the group must be management.", field: "body.group")
            }
        } else if let g = parsed.group, g != "management" {
            throw HubError(.validation, "The title names a \(g), not a management-group meeting. If these are the management group's minutes, "
                           + "give the group: hub import minutes --group management.", field: "body.group")
        }
        let centre: ReferenceData.Centre
        if let id = try b.optionalString("centre", max: 64) { centre = try env.centre(id) }
        else if let name = parsed.centreName?.lowercased(),
                let found = env.reference.centres.first(where: { $0.name.lowercased() == name || name.contains($0.town.lowercased())
                                                                 || name.hasSuffix($0.name.lowercased().replacingOccurrences(of: "utväg ", with: "")) }) {
            centre = found
        } else {
            let ids = env.reference.centres.map(\.id).joined(separator: ", ")
            throw HubError(.validation, (parsed.centreName == nil ? "The minutes name no centre (no \"Utväg …\" in the title or header)"
                                         : "The centre the minutes name is not configured")
                           + "; give the centre: hub import minutes --centre ID (one of: \(ids)).", field: "body.centre")
        }
        try actor.requireManager(centre: centre.id)
        guard let date = try b.optionalDate("date") ?? parsed.date else { throw MinutesParser.missingDate }
        let actions = parsed.items.flatMap(\.actions)
        var summary: [String: JSONValue] = [
            "centre": .string(centre.id), "date": .string(date), "dryRun": .bool(dryRun),
            "present": .int(parsed.present.count), "regrets": .int(parsed.regrets.count), "items": .int(parsed.items.count),
            "decisions": .int(parsed.items.filter { $0.decisions != nil }.count), "actionItems": .int(actions.count),
            "itemTitles": .array(parsed.items.map { .string("\($0.number). \($0.title)") }),
            "upcoming": .array(parsed.upcoming.map { .string($0.date) }),
            "place": .optional(parsed.place), "start": .optional(parsed.start), "end": .optional(parsed.end),
            "chair": .optional(parsed.chair), "secretary": .optional(parsed.secretary),
            "previousMinutesDate": .optional(parsed.previousMinutesDate),
            "unplaced": .array(parsed.unplaced.map { .object(["line": .int($0.line), "text": .string($0.text)]) }),
        ]
        if dryRun { return .object(summary) }
        let plan = Meetings.Plan(date: date, start: parsed.start ?? centre.managementGroup.defaultStart, end: parsed.end ?? centre.managementGroup.defaultEnd,
                                 place: parsed.place ?? "", link: nil, chair: parsed.chair, chairTemporary: parsed.chair != nil && parsed.chairTemporary,
                                 secretary: parsed.secretary)
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
                INSERT INTO agenda_items (id, meeting_id, position, kind, title, text, decisions, confidential, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)
                """, [.text(itemID), .text(id), .integer(Int64((i + 1) * 10)), .text(kind(of: item.title)), .text(item.title),
                      item.text.isEmpty ? .null : .text(item.text), item.decisions.map { .text($0) } ?? .null, .text(now)])
            for a in item.actions {
                try await c.database.execute("""
                    INSERT INTO action_items (id, meeting_id, item_id, text, owner, agency, due, status, created_at) VALUES (?, ?, ?, ?, ?, NULL, ?, 'open', ?)
                    """, [.text(Ids.make()), .text(id), .text(itemID), .text(a.text), .text(a.owner), a.due.map { .text($0) } ?? .null, .text(now)])
            }
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
        summary["meetingId"] = .string(id)
        return .object(summary)
    }
}
