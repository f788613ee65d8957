// Dates and times in minutes, written the many ways secretaries write them: ISO,
// "12 maj 2025", "12/5 2025", time ranges, and upcoming meeting dates in prose.

import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage

extension MinutesParser {

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
            if let found, LocalTime.isDate(found) {
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
            if LocalTime.isDate(d) { out.append(d) }
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
