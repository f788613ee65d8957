// The line classifier of the minutes parser: one line cleaned of Markdown and
// word-processor noise (`MinutesParser.Line`), titles, the meeting group, the centre's
// name and where an item starts.

import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage

extension MinutesParser {

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
}
