import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
import MeetingsAPI

/// Full-text search over a centre's minutes with a portable token index
/// (`search_terms`: meeting, item, term). One code path on SQLite and PostgreSQL, the
/// same results on both, Swedish letters kept (å, ä, ö are letters, not accents), and
/// prefix matching so that "mottagning" finds "mottagningar". FTS5 and tsvector would
/// each need their own SQL, ranking and tokeniser, and PostgreSQL's Swedish stemmer
/// and SQLite's unicode61 tokeniser would answer differently; the minutes are small
/// (a few thousand items), so a term table with an index is fast enough.
enum Search {
    /// Lower-case words of two or more letters or digits.
    static func terms(_ text: String) -> Set<String> {
        var out = Set<String>(), current = ""
        for ch in text.lowercased() {
            if ch.isLetter || ch.isNumber { current.append(ch) } else {
                if current.count >= 2 { out.insert(String(current.prefix(60))) }
                current = ""
            }
        }
        if current.count >= 2 { out.insert(String(current.prefix(60))) }
        return out
    }

    /// Replaces the terms of one item: its title, text and decisions (and, for the status
    /// round, the agencies' reports).
    static func reindex(_ db: any DatabaseExecutor, meeting: String, item: String) async throws(HubError) {
        let store = MeetingStore(db)
        guard let texts = try await store.searchableTexts(meeting: meeting, item: item) else { return }
        try await store.replaceSearchTerms(meeting: meeting, item: item, terms: Array(terms(texts.joined(separator: "\n"))))
    }

    /// The Swedish Snowball stemmer's suffix steps (snowballstem.org/algorithms/swedish):
    /// "mottagningar", "mottagningen" → "mottagning"; "kvinnor", "kvinnan" → "kvinn". A query
    /// word is looked up by its stem as a prefix, so every inflection of it is found.
    static func stem(_ word: String) -> String {
        let w = Array(word.lowercased())
        let vowels: Set<Character> = ["a", "e", "i", "o", "u", "y", "ä", "å", "ö"]
        var r1 = w.count
        if w.count > 1 {
            for i in 1..<w.count where !vowels.contains(w[i]) && vowels.contains(w[i - 1]) { r1 = i + 1; break }
        }
        r1 = max(r1, 3)
        guard r1 < w.count else { return word.lowercased() }
        var out = w
        func ends(_ suffix: String) -> Bool {
            let sfx = Array(suffix)
            return out.count - sfx.count >= r1 && Array(out.suffix(sfx.count)) == sfx
        }
        // Step 1: the longest of the inflectional suffixes in R1.
        let step1 = ["heterna", "hetens", "anden", "andes", "andet", "arens", "arnas", "ernas", "heten", "heter", "ornas", "ande", "arne", "aste",
                     "erna", "orna", "ades", "erns", "ade", "are", "ast", "ens", "ern", "het", "aren", "arna", "ad", "ar", "er", "or", "as", "es", "at", "en",
                     "a", "e"].sorted { $0.count > $1.count }
        if let sfx = step1.first(where: ends) { out.removeLast(sfx.count) }
        else if ends("s"), out.count >= 2, "bcdfghjklmnoprtvy".contains(out[out.count - 2]) { out.removeLast() }
        // Step 2: a doubled or voiced pair at the end loses its last letter.
        if ["dd", "gd", "nn", "dt", "gt", "kt", "tt"].contains(where: ends) { out.removeLast() }
        // Step 3: derivational endings.
        if ends("fullt") { out.removeLast() }
        else if ends("löst") { out.removeLast() }
        else if let sfx = ["lig", "els", "ig"].first(where: ends) { out.removeLast(sfx.count) }
        return String(out)
    }

    /// `meetings.search {centre, q}` → matching items (every word of `q`, by its stem, as a word prefix),
    /// each with its meeting ("Ledningsgruppsmöte Utväg Skaraborg 2024-03-12") and item ("3. Aktuellt läge på Utväg"),
    /// newest meeting first, with a short excerpt. Confidential items only for the centre's staff and board.
    @Sendable static func handle(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> MinutesSearch.Reply {
        let actor = try Caller.from(request, reference: env.reference, service: "meetings")
        let body = try BodyReader(request.body)
        let centreRecord = try env.centre(try body.string("centre", max: 64))
        let centre = centreRecord.id
        guard actor.seesConfidential(centre: centre) else { throw HubError(.forbidden, "Only the centre's staff and board search its minutes.") }
        let words = terms(try body.string("q", max: 200)).sorted()
        guard !words.isEmpty, words.count <= 8 else { throw HubError(.validation, "Give one to eight words of two letters or more.", field: "body.q") }
        let store = MeetingStore(context.database)
        var matches: Set<MeetingStore.ItemKey>? = nil
        for word in words {
            let stemmed = stem(word)
            let w = stemmed.count >= 3 ? stemmed : word
            let found = try await store.itemsWithTerm(centre: centre, startingWith: w)
            matches = matches.map { $0.intersection(found) } ?? found
            if matches?.isEmpty == true { break }
        }
        var hits: [(String, MinutesSearch.Hit)] = []
        for key in matches ?? [] {
            guard let found = try await store.foundItem(key) else { continue }
            let date = found.date, number = found.number
            let text = found.text ?? ""
            let lower = text.lowercased()
            var excerpt = String(text.prefix(200))
            if let hit = words.lazy.compactMap({ lower.range(of: $0) ?? lower.range(of: stem($0)) }).first {
                let start = lower.index(hit.lowerBound, offsetBy: -min(80, lower.distance(from: lower.startIndex, to: hit.lowerBound)))
                let offset = lower.distance(from: lower.startIndex, to: start)
                excerpt = String(text.dropFirst(offset).prefix(200))
            }
            hits.append((date + String(format: "%06d", found.position), MinutesSearch.Hit(
                meetingId: key.meeting, itemId: key.item, date: date, title: found.title,
                meeting: "Ledningsgruppsmöte \(centreRecord.name) \(date)", item: "\(number). \(found.title)",
                confidential: found.confidential, excerpt: excerpt)))
        }
        return MinutesSearch.Reply(centre: centre, hits: hits.sorted { $0.0 > $1.0 }.map(\.1))
    }
}
