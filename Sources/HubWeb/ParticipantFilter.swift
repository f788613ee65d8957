import Foundation
import RegistrationAPI

/// Searching and sorting the participants of a network day or a training on its organiser
/// page (`?q=&status=&sort=`), one implementation for both. The service has already decided
/// who may see the list; this only narrows and orders what the page shows. The search text
/// stays in the address bar, so it is matched against names, organisations and
/// municipalities: never ask for a personnummer here (there is none in a registration).
package struct ParticipantFilter: Sendable {
    /// What the organiser typed; matched case- and diacritic-insensitively.
    package var query: String
    /// A registration status code (`confirmed`, `waiting`, `cancelled`), or nil for all.
    package var status: String?
    package var sort: Sort

    package enum Sort: String, Sendable, CaseIterable {
        case registered, name, agency, status
    }

    package static let statuses = ParticipantStatus.codes

    /// Reads the filter from a page's query parameters; anything unknown falls back to showing all.
    package init(query: String?, status: String?, sort: String?) {
        self.query = String((query ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(100))
        self.status = status.flatMap { Self.statuses.contains($0) ? $0 : nil }
        self.sort = sort.flatMap(Sort.init(rawValue:)) ?? .registered
    }

    /// Filters and orders `rows` (the page's participant rows). Each row is read by key:
    /// `name`, `agencyName`, `municipality` for the search, `statusCode` for the status,
    /// `statusText` for sorting by status. Rows keep the service's order (registration order)
    /// unless another sort is asked for, and ties keep it too.
    package func apply(_ rows: [[String: Any]]) -> [[String: Any]] {
        let needle = Self.fold(query)
        let kept = rows.filter { row in
            if let status, (row["statusCode"] as? String) != status { return false }
            guard !needle.isEmpty else { return true }
            return ["name", "agencyName", "municipality"].contains { key in
                (row[key] as? String).map { Self.fold($0).contains(needle) } ?? false
            }
        }
        guard sort != .registered else { return kept }
        let key = ["name": "name", "agency": "agencyName", "status": "statusText"][sort.rawValue] ?? "name"
        return kept.enumerated().sorted { a, b in
            let order = Self.compare(a.element[key] as? String ?? "", b.element[key] as? String ?? "")
            return order == .orderedSame ? a.offset < b.offset : order == .orderedAscending
        }.map(\.element)
    }

    /// The search form's values and choices for the shared `participant_filter` template.
    package func view(_ lang: Language, shown: Int, total: Int) -> [String: Any] {
        [
            "query": query,
            "statuses": ParticipantStatus.allCases.map { ["code": $0.rawValue, "name": $0.name(lang.vocabulary), "selected": $0.rawValue == status] },
            "sorts": Sort.allCases.map { ["code": $0.rawValue, "name": lang.t("pf_sort_" + $0.rawValue), "selected": $0 == sort] },
            "countText": lang.t("pf_count", ["shown": String(shown), "total": String(total)]),
            "filtered": shown != total,
        ]
    }

    /// Swedish order (å, ä, ö after z), ignoring case.
    static func compare(_ a: String, _ b: String) -> ComparisonResult {
        a.compare(b, options: [.caseInsensitive], range: nil, locale: Locale(identifier: "sv_SE"))
    }

    static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "sv_SE"))
    }
}
