import Foundation
import Hummingbird
import Mustache

/// HTML rendering: one shared layout plus a template per page, parsed once at start.
/// Mustache escapes every `{{value}}`; only the layout's `{{{content}}}` (our own
/// rendered template) is inserted raw.
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    init() throws {
        var templates: [String: MustacheTemplate] = [:]
        for (name, text) in Templates.all { templates[name] = try MustacheTemplate(string: text) }
        library = MustacheLibrary(templates: templates)
    }

    /// Renders `template` inside the layout.
    func render(
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
        if let session {
            // Network days and trainings are organised by Utväg staff: the menu offers them to them only.
            layout["user"] = ["username": session.user.username, "organiser": session.user.role == .admin || session.user.role == .staff]
            layout["csrf"] = session.csrfToken
        }
        let html = library.render(layout, withTemplate: "layout") ?? ""
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A friendly error page; never shows error details.
    func errorPage(status: HTTPResponse.Status, language: Language, session: SessionInfo?, staleForm: Bool = false) -> Response {
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

/// The values a page is drawn from, made safe for Mustache: an absent value (`nil`, at any
/// depth, in dictionaries and arrays) is left out, so a template's `{{x}}` shows nothing and
/// `{{#x}}` is false — never the word "nil" on a page.
enum PageContext {
    static func clean(_ data: [String: Any]) -> [String: Any] {
        var out: [String: Any] = [:]
        for (key, value) in data { if let v = unwrap(value) { out[key] = v } }
        return out
    }

    static func unwrap(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let inner = mirror.children.first?.value else { return nil }
            return unwrap(inner)
        }
        switch value {
        case let d as [String: Any]: return clean(d)
        case let a as [[String: Any]]: return a.map(clean)
        case let a as [Any]: return a.compactMap(unwrap)
        default: return value
        }
    }
}

enum Templates {
    static let all: [String: String] = ["layout": layout, "login": login, "start": start, "error": error]
        .merging(ReferralTemplates.all) { a, _ in a }
        .merging(NetworkTemplates.all) { own, _ in own }
        .merging(MeetingTemplates.all) { own, _ in own }
        .merging(TrainingTemplates.all) { own, _ in own }

    static let layout = """
    <!DOCTYPE html>
    <html lang="{{lang}}">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{title}} – Utväg Hub</title>
    <link rel="stylesheet" href="/static/hub.css">
    </head>
    <body>
    <a class="skip-link" href="#main">{{t.skip}}</a>
    <header class="site-header">
    <p class="brand"><a href="/">Utväg Hub</a></p>
    <nav aria-label="{{t.nav_label}}">
    <ul>
    {{#user}}<li><a href="/">{{t.nav_home}}</a></li><li><a href="/hanvisningar">{{t.nav_referrals}}</a></li><li><a href="/kapacitet">{{t.nav_capacity}}</a></li><li><a href="/statistik">{{t.nav_statistics}}</a></li>{{#user.organiser}}<li><a href="/networks">{{t.nav_networks}}</a></li><li><a href="/training">{{t.nav_training}}</a></li>{{/user.organiser}}<li><a href="/moten">{{t.nav_meetings}}</a></li>{{/user}}
    <li><a href="?lang={{t.lang_switch_code}}" lang="{{t.lang_switch_code}}" hreflang="{{t.lang_switch_code}}">{{t.lang_switch}}</a></li>
    {{#user}}<li><form class="logout" method="post" action="/logout"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="logout">{{t.logout}} ({{username}})</button></form></li>{{/user}}
    </ul>
    </nav>
    </header>
    <main id="main" tabindex="-1">
    {{{content}}}
    </main>
    <footer class="site-footer"><p>{{t.footer}}</p></footer>
    </body>
    </html>
    """

    static let login = """
    <h1>{{t.login_heading}}</h1>
    <p>{{t.login_intro}}</p>
    {{#formError}}<div class="error-summary" role="alert" id="form-error"><p>{{formError}}</p></div>{{/formError}}
    {{#hasFieldErrors}}<div class="error-summary" role="alert"><p>{{t.error_summary}}</p><ul>{{#usernameError}}<li><a href="#username">{{usernameError}}</a></li>{{/usernameError}}{{#passwordError}}<li><a href="#password">{{passwordError}}</a></li>{{/passwordError}}</ul></div>{{/hasFieldErrors}}
    <form method="post" action="/login" novalidate>
    <input type="hidden" name="csrf" value="{{csrf}}">
    <div class="field{{#usernameError}} has-error{{/usernameError}}">
    <label for="username">{{t.username}}</label>
    {{#usernameError}}<p class="field-error" id="username-error">{{usernameError}}</p>{{/usernameError}}
    <input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="{{username}}"{{#usernameError}} aria-invalid="true" aria-describedby="username-error"{{/usernameError}}>
    </div>
    <div class="field{{#passwordError}} has-error{{/passwordError}}">
    <label for="password">{{t.password}}</label>
    {{#passwordError}}<p class="field-error" id="password-error">{{passwordError}}</p>{{/passwordError}}
    <input id="password" name="password" type="password" autocomplete="current-password" required{{#passwordError}} aria-invalid="true" aria-describedby="password-error"{{/passwordError}}>
    </div>
    <button type="submit" id="login-submit">{{t.login_submit}}</button>
    </form>
    """

    static let start = """
    <h1 id="start-heading">{{t.start_heading}}</h1>
    <p class="greeting">{{greeting}}</p>
    <section aria-labelledby="bus-heading">
    <h2 id="bus-heading">{{t.bus_heading}}</h2>
    {{#busDown}}<p class="notice" role="status">{{t.bus_unavailable}}</p>{{/busDown}}
    <table id="bus-status">
    <caption>{{t.bus_caption}}</caption>
    <thead><tr><th scope="col">{{t.col_component}}</th><th scope="col">{{t.col_kind}}</th><th scope="col">{{t.col_status}}</th><th scope="col">{{t.col_workers}}</th></tr></thead>
    <tbody>
    {{#busRows}}<tr><th scope="row">{{name}}</th><td>{{kind}}</td><td class="status-{{state}}">{{status}}</td><td>{{workers}}</td></tr>
    {{/busRows}}
    </tbody>
    </table>
    </section>
    <section aria-labelledby="centres-heading">
    <h2 id="centres-heading">{{t.centres_heading}}</h2>
    {{#centresError}}<p class="notice" role="status" id="centres-unavailable">{{t.centres_unavailable}}</p>{{/centresError}}
    {{#hasCentres}}<ul id="centres">{{#centres}}<li>{{name}}</li>{{/centres}}</ul>{{/hasCentres}}
    {{#noCentres}}<p>{{t.centres_empty}}</p>{{/noCentres}}
    </section>
    """

    static let error = """
    <h1>{{t.error_title}}</h1>
    <p>{{message}}</p>
    <p><a href="/">{{t.back_home}}</a></p>
    """

    /// Served at /static/hub.css (CSP forbids inline styles). Colours meet WCAG AA contrast.
    static let css = """
    :root { --ink: #1a1a1a; --paper: #ffffff; --brand: #1d3557; --link: #0b4f8a; --error: #a4001d; --focus: #ffbf47; }
    * { box-sizing: border-box; }
    body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 1.05rem; line-height: 1.5; color: var(--ink); background: var(--paper); }
    a { color: var(--link); }
    a:focus-visible, button:focus-visible, input:focus-visible, main:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; box-shadow: 0 0 0 5px var(--ink); }
    .skip-link { position: absolute; left: -9999px; top: 0; background: var(--focus); color: var(--ink); padding: .5rem 1rem; z-index: 10; }
    .skip-link:focus { left: 1rem; top: 1rem; }
    .site-header { background: var(--brand); color: #fff; padding: .75rem 1.5rem; display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 1rem; }
    .site-header a { color: #fff; }
    .brand { margin: 0; font-size: 1.4rem; font-weight: 700; }
    .brand a { text-decoration: none; }
    nav ul { list-style: none; margin: 0; padding: 0; display: flex; gap: 1.25rem; align-items: center; }
    nav form { margin: 0; }
    nav button { background: #fff; color: var(--brand); border: 2px solid #fff; border-radius: 4px; padding: .3rem .8rem; font: inherit; cursor: pointer; }
    main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
    .site-footer { border-top: 1px solid #767676; padding: 1rem 1.5rem; color: #3b3b3b; }
    .field { margin-bottom: 1.25rem; }
    label { display: block; font-weight: 600; margin-bottom: .25rem; }
    input[type=text], input[type=password] { font: inherit; padding: .5rem; width: 100%; max-width: 24rem; border: 2px solid #595959; border-radius: 4px; }
    .has-error input { border-color: var(--error); }
    .field-error { color: var(--error); font-weight: 600; margin: 0 0 .25rem; }
    .error-summary { border: 3px solid var(--error); padding: .5rem 1rem; margin-bottom: 1rem; }
    button[type=submit] { font: inherit; background: var(--brand); color: #fff; border: 0; border-radius: 4px; padding: .6rem 1.4rem; cursor: pointer; }
    table { border-collapse: collapse; margin: 1rem 0; min-width: 24rem; }
    caption { text-align: left; font-style: italic; padding-bottom: .25rem; }
    th, td { border: 1px solid #767676; padding: .35rem .75rem; text-align: left; }
    .status-up { color: #0b6b2e; font-weight: 600; }
    .status-down { color: var(--error); font-weight: 600; }
    .notice { border-left: 5px solid var(--focus); background: #fff8e5; padding: .5rem 1rem; }
    .warning { border-left: 5px solid var(--error); background: #fdecee; padding: .5rem 1rem; }
    .flag { color: var(--error); }
    .hint { color: #3b3b3b; margin: 0 0 .25rem; font-size: .95rem; }
    label.inline { display: inline; font-weight: 400; }
    fieldset { border: 1px solid #767676; margin: 0 0 1.25rem; padding: .5rem 1rem 1rem; }
    legend { font-weight: 700; }
    select, textarea, input[type=tel], input[type=email], input[type=date] { font: inherit; padding: .45rem; border: 2px solid #595959; border-radius: 4px; max-width: 100%; }
    textarea { width: 100%; max-width: 40rem; }
    .choice { margin-right: 1.25rem; }
    .has-error select, .has-error textarea { border-color: var(--error); }
    form.action { margin: .75rem 0; padding: .5rem 0; border-top: 1px solid #d0d0d0; }
    form.action label { display: inline; margin: 0 .5rem; }
    a.button { display: inline-block; background: var(--brand); color: #fff; padding: .6rem 1.4rem; border-radius: 4px; text-decoration: none; }
    dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
    dl.facts dt { font-weight: 600; }
    dl.facts dd { margin: 0; }
    .cap-open { color: #0b6b2e; font-weight: 600; }
    .cap-paused { color: var(--error); font-weight: 600; }
    svg.chart { max-width: 100%; height: auto; }
    """
}
