import Foundation
import Hummingbird
import Mustache

/// HTML rendering: one shared layout plus a template per page, parsed once at start.
/// Mustache escapes every `{{value}}`; only the layout's `{{{content}}}` (our own
/// rendered template) is inserted raw.
package struct PageRenderer: Sendable {
    package let library: MustacheLibrary
    /// The menu, each entry shown only to the roles that may use it.
    package let menu: [MenuEntry]

    /// Parses `templates` (name → Mustache text) and the shared ones into one library, so
    /// that any template may include another as a partial.
    package init(templates moduleTemplates: [String: String], menu: [MenuEntry] = []) throws {
        self.menu = menu
        var templates: [String: MustacheTemplate] = [:]
        for (name, text) in SharedTemplates.all.merging(moduleTemplates, uniquingKeysWith: { own, _ in own }) {
            templates[name] = try MustacheTemplate(string: text)
        }
        library = MustacheLibrary(templates: templates)
    }

    /// Renders `template` inside the layout.
    package func render(
        _ template: String, title: String, language: Language, session: SessionInfo?,
        data: [String: Any], status: HTTPResponse.Status = .ok
    ) -> Response {
        var object = PageContext.clean(data)
        object["t"] = language.strings
        object["lang"] = language.rawValue
        if let session { object["csrf"] = session.csrfToken }
        guard let content = library.render(object, withTemplate: template) else {
            if template == "error" { return Response(status: .internalServerError) }
            // A page that cannot be drawn is an error page with the menu, never an empty page.
            return render("error", title: language.t("error_title"), language: language, session: session,
                          data: ["message": language.t("error_generic")], status: .internalServerError)
        }
        var layout: [String: Any] = [
            "t": language.strings, "lang": language.rawValue, "title": title, "content": content,
        ]
        if let notice = PageNotice.text(language), status == .ok { layout["notice"] = notice }
        if let session {
            layout["user"] = ["username": session.user.username]
            layout["menu"] = menu.filter { $0.roles.contains(session.user.role) }
                .map { ["path": $0.path, "label": language.t($0.labelKey)] }
            layout["csrf"] = session.csrfToken
        }
        let html = library.render(layout, withTemplate: "layout") ?? ""
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A part of a page (a start-page panel) without the layout; nil when it cannot be drawn.
    package func fragment(_ template: String, language: Language, session: SessionInfo?, data: [String: Any]) -> String? {
        var object = PageContext.clean(data)
        object["t"] = language.strings
        object["lang"] = language.rawValue
        if let session { object["csrf"] = session.csrfToken }
        return library.render(object, withTemplate: template)
    }

    /// A friendly error page; never shows error details.
    package func errorPage(status: HTTPResponse.Status, language: Language, session: SessionInfo?, staleForm: Bool = false) -> Response {
        let key: String
        switch status.code {
        case 403: key = staleForm ? "error_403_form" : "error_403"
        case 404: key = "error_404"
        case 413: key = "error_413"
        case 503: key = "error_503"
        default: key = "error_generic"
        }
        return render("error", title: language.t("error_title"), language: language, session: session,
                      data: ["message": language.t(key)], status: status)
    }
}

/// One entry of the main menu, offered by a service's web module to the roles that may use
/// it: a role never sees a link that would only answer "no access".
package struct MenuEntry: Sendable {
    package let path: String
    package let labelKey: String
    package let roles: Set<UserRole>

    package init(path: String, labelKey: String, roles: Set<UserRole>) {
        self.path = path; self.labelKey = labelKey; self.roles = roles
    }
}

/// The values a page is drawn from, made safe for Mustache: an absent value (`nil`, at any
/// depth, in dictionaries and arrays) and an empty text are left out, so a template's `{{x}}`
/// shows nothing and `{{#x}}` is false — never the word "nil", nor "()" around nothing
/// (swift-mustache takes an empty string as true).
package enum PageContext {
    package static func clean(_ data: [String: Any]) -> [String: Any] {
        var out: [String: Any] = [:]
        for (key, value) in data { if let v = unwrap(value) { out[key] = v } }
        return out
    }

    package static func unwrap(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let inner = mirror.children.first?.value else { return nil }
            return unwrap(inner)
        }
        switch value {
        case let s as String where s.isEmpty: return nil
        case let d as [String: Any]: return clean(d)
        case let a as [[String: Any]]: return a.map(clean)
        case let a as [Any]: return a.compactMap(unwrap)
        default: return value
        }
    }
}

/// The shared templates (the layout, the error page, the public registration pages that
/// network days and trainings share) and the shared style sheet, embedded from `templates/`.
package enum SharedTemplates {
    package static let all: [String: String] = [
        "layout": text(PackageResources.layout_mustache),
        "error": text(PackageResources.error_mustache),
        "confirm": text(PackageResources.confirm_mustache),
        // The invoice basis of a network day or a training (the registration engine's).
        "registration_invoice": text(PackageResources.registration_invoice_mustache),
        // Search and sort over the participants of a day or a training (ParticipantFilter).
        "participant_filter": text(PackageResources.participant_filter_mustache),
    ]

    /// The public registration form, its receipt and the personal-link page. `{{!facts}}`
    /// marks where a module puts its event's facts (see `registration(_:facts:changes:)`).
    package static let registrationForm = text(PackageResources.registration_form_mustache)
    package static let registrationDone = text(PackageResources.registration_done_mustache)
    package static let registrationMine = text(PackageResources.registration_mine_mustache)

    /// The style sheet every page links (`/static/hub.css`), before the modules' own rules.
    package static let css = text(PackageResources.hub_css)

    /// A shared registration template with `facts` (a partial's name) in place of the marker
    /// and each of `changes` applied.
    package static func registration(_ template: String, facts: String, changes: [String: String] = [:]) -> String {
        var t = template.replacingOccurrences(of: "{{!facts}}", with: "{{> \(facts)}}")
        for (from, to) in changes { t = t.replacingOccurrences(of: from, with: to) }
        return t
    }

    /// An embedded template file as text.
    package static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
