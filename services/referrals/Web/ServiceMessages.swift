import HubWeb
import Foundation
import HubCore
import HubProtocol
import ReferralsAPI
import HTTPTypes
import Hummingbird

/// The referrals service's refusals in the page's language, chosen by machine codes only —
/// the field, its reason, the error code — never by reading the service's English message.
enum ServiceMessages {
    /// A field's problem: a text for this field and reason when the referral pages have one
    /// (`ref_err_<field>_<reason>`), else the general text for the reason, else "check the field".
    static func translate(_ detail: HubError.Detail, _ lang: Language) -> String {
        let field = detail.field.hasPrefix("body.") ? String(detail.field.dropFirst(5)) : detail.field
        var base = field.split(separator: "[").first.map(String.init) ?? field
        if base.hasPrefix("riskAnswers.") { base = "riskAnswers" }
        let reason = detail.reason?.rawValue ?? ""
        let table = lang.strings
        if let specific = table["ref_err_" + base.replacingOccurrences(of: ".", with: "_") + "_" + reason] { return specific }
        return lang.fieldError(detail.reason) ?? lang.t("reg_err_invalid")
    }

    /// The page's text for a refused step, by the error's code (carried in the address as `fel`).
    static func translate(code: String, _ lang: Language) -> String {
        lang.strings["ref_code_" + code] ?? lang.t("ref_code_validation")
    }

    /// A code for the URL after a failed action (codes only; messages are looked up again).
    static func code(for e: HubError) -> String {
        [HubError.Code("invalid_transition"), .validation, .conflict, .forbidden, .notFound, .intakePaused].contains(e.code) ? e.code.rawValue : "validation"
    }
}
