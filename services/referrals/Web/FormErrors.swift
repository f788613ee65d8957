import Foundation
import HubWeb

/// The referral form's error summary: every problem at once, in the order the fields stand
/// on the form, each named by its label ("Enhet: Fyll i fältet."), each a link to its field.
enum ReferralFormErrors {
    /// Field keys whose label is a legend, not a `<label for>`.
    static let legends = ["help": "help", "client_identityKind": "identity_kind", "consent": "fs_consent"]

    static func summary(_ errors: [String: String], lang: Language) -> [[String: String]] {
        let template = ReferralTemplates.all["referral_form"] ?? ""
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
            if key.hasPrefix("riskAnswers_") { labelKey = "fs_risk" }
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
