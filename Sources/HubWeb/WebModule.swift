import Hummingbird

/// A service's web face, as the gateway mounts it: the service's pages and JSON API, its
/// templates, strings in both languages, menu entries, style rules and its part of the
/// OpenAPI document. Each service folder has one (`services/<name>/Web`); the gateway holds
/// only what they share (sessions, login, layout, language, health).
package struct WebModule: Sendable {
    /// The routers a module adds its routes to.
    package struct Routers {
        /// Pages anyone may open (public registration, personal links).
        package let open: Router<GatewayRequestContext>
        /// `/api/v1`, behind a bearer token.
        package let api: RouterGroup<GatewayRequestContext>
        /// Pages behind a browser session.
        package let pages: RouterGroup<GatewayRequestContext>

        package init(open: Router<GatewayRequestContext>, api: RouterGroup<GatewayRequestContext>, pages: RouterGroup<GatewayRequestContext>) {
            self.open = open; self.api = api; self.pages = pages
        }
    }

    package let name: String
    package let templates: [String: String]
    package let swedish: [String: String]
    package let english: [String: String]
    package let menu: [MenuEntry]
    package let css: String
    /// The module's operations of the OpenAPI document, and its schemas under
    /// `components.schemas:` indented as they stand there.
    package let openAPIOperations: [APIOperation]
    package let openAPISchemas: String
    package let mount: @Sendable (WebEnvironment, Routers) -> Void
    /// The start page's panel: what in this service needs the signed-in person now, drawn
    /// from the module's own template; nil when the role has nothing here (or the service
    /// does not answer: the start page never fails because one service is down).
    package let startPanel: (@Sendable (WebEnvironment, SessionInfo, Language) async -> String?)?

    package init(name: String, templates: [String: String], swedish: [String: String], english: [String: String],
                 menu: [MenuEntry] = [], css: String = "", openAPIOperations: [APIOperation], openAPISchemas: String,
                 startPanel: (@Sendable (WebEnvironment, SessionInfo, Language) async -> String?)? = nil,
                 mount: @escaping @Sendable (WebEnvironment, Routers) -> Void) {
        self.name = name; self.templates = templates; self.swedish = swedish; self.english = english
        self.menu = menu; self.css = css; self.openAPIOperations = openAPIOperations; self.openAPISchemas = openAPISchemas
        self.startPanel = startPanel
        self.mount = mount
    }
}
