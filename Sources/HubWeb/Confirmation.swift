import Foundation
import Hummingbird

/// A confirmation step before an action that cannot be taken back (decline or close a case,
/// cancel a day, cancel one's place): the first post shows what will happen and asks; only
/// the second post, which carries `confirmed=yes`, acts. Works without scripts.
package enum Confirmation {
    /// The form carries the person's confirmation.
    package static func given(_ form: [String: String]) -> Bool { form["confirmed"] == "yes" }

    /// The question page: `question` and `details` (each a line), a button that sends `form`
    /// again to `action` with the confirmation, and a way back to `cancelURL`.
    package static func page(_ pages: PageRenderer, language: Language, session: SessionInfo?, action: String,
                             form: [String: String], question: String, details: [String] = [], confirmLabel: String,
                             cancelURL: String, csrf: String? = nil) -> Response {
        let fields = form.filter { $0.key != "csrf" && $0.key != "confirmed" }.sorted { $0.key < $1.key }
            .map { ["name": $0.key, "value": $0.value] }
        var data: [String: Any] = [
            "question": question, "details": details, "hasDetails": !details.isEmpty, "action": action, "fields": fields,
            "confirmLabel": confirmLabel, "cancelURL": cancelURL,
        ]
        if let csrf { data["formCSRF"] = csrf }
        return pages.render("confirm", title: question, language: language, session: session, data: data)
    }
}
