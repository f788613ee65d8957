import HubWeb

/// The meetings service's web face: management-group meetings, agendas, minutes and their
/// circulation and approval, action items.
package enum MeetingsWeb {
    package static let module = WebModule(
        name: "meetings", templates: MeetingTemplates.all,
        swedish: MeetingStrings.swedish, english: MeetingStrings.english,
        menu: [MenuEntry(path: "/moten", labelKey: "nav_meetings", roles: [.admin, .staff, .board, .agency])],
        openAPIOperations: MeetingsOpenAPI.operations, openAPISchemas: MeetingsOpenAPI.schemas,
        startPanel: MeetingsStartPanel.render
    ) { environment, routers in
        MeetingRoutes(server: environment, pages: environment.pages).register(api: routers.api, pages: routers.pages)
    }
}
