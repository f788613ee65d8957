import Foundation

/// A form's error summary: every problem at once, in the order the fields stand in the form's
/// template, each named by its label ("Enhet: Fyll i fältet."), each a link to its field.
package enum FormErrorSummary {
    /// - Parameters:
    ///   - errors: field key (the input's id) → the problem in the page's language.
    ///   - template: the form's Mustache text, where the order and the labels are read.
    ///   - legends: keys whose label is a legend (a group of boxes), with the legend's string key.
    package static func items(_ errors: [String: String], template: String, legends: [String: String] = [:],
                              lang: Language) -> [[String: String]] {
        func position(_ key: String) -> Int {
            let probe = key.hasPrefix("riskAnswers_") ? "risk" : key
            guard let range = template.range(of: "id=\"\(probe)") ?? template.range(of: "name=\"\(probe)") else { return Int.max }
            return template.distance(from: template.startIndex, to: range.lowerBound)
        }
        func label(_ key: String) -> String {
            var labelKey = legends[key]
            if labelKey == nil, let start = template.range(of: "for=\"\(key)\">{{t.") {
                let rest = template[start.upperBound...]
                if let end = rest.range(of: "}}") { labelKey = String(rest[..<end.lowerBound]) }
            }
            guard let labelKey else { return "" }
            return lang.t(labelKey).replacingOccurrences(of: " (obligatoriskt)", with: "")
                .replacingOccurrences(of: " (required)", with: "").replacingOccurrences(of: " *", with: "")
        }
        return errors.sorted { (position($0.key), $0.key) < (position($1.key), $1.key) }.map { key, message in
            let name = label(key)
            return ["key": key, "message": name.isEmpty ? message : "\(name): \(message)"]
        }
    }
}
