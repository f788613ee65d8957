// `MinutesParser`: the walk over the lines that fills `ImportedMinutes`, section by section.
// How one line is read is in MinutesLines.swift; people, chair and actions in
// MinutesPeople.swift; dates and times in MinutesDates.swift.

import Foundation
import HubBus
import HubCore
import HubProtocol
import MeetingsAPI
import HubStorage

/// Reads minutes line by line with a small classifier in plain string handling (no
/// regular expressions): each line is cleaned of Markdown and word-processor noise, then
/// recognised as a label ("Närvarande", "Förhinder", "Plats:", "Tid:", "Beslut:" …, bold
/// or not, with or without a colon), a title with the meeting's date, the start of an
/// item (numbered, a heading, or a bold title ending in a colon) or content of the
/// current section. The date, centre, place, time and chair are found wherever they stand.
public enum MinutesParser {
    public static let notMinutes = MeetingsError.notMinutes

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
}
