// People in minutes: attendance lines ("Namn, titel Myndighet"), the agency a label
// names, the chair of the day, and action items with their owner and due date.

import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage

extension MinutesParser {

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
}
