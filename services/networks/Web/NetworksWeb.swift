import HubWeb

/// The networks service's web face: network days (organiser pages, public registration,
/// group bookings, personal links), contact persons, coverage, the municipality tour.
package enum NetworksWeb {
    package static let module = WebModule(
        name: "networks", templates: NetworkTemplates.all,
        swedish: NetworkStrings.swedish, english: NetworkStrings.english,
        menu: [MenuEntry(path: "/natverk", labelKey: "nav_networks", roles: [.admin, .staff])],
        css: SharedTemplates.text(PackageResources.networks_css),
        openAPIOperations: NetworksOpenAPI.operations, openAPISchemas: NetworksOpenAPI.schemas,
        startPanel: NetworksStartPanel.render
    ) { environment, routers in
        NetworkRoutes(server: environment, pages: environment.pages)
            .register(public: routers.open, api: routers.api, pages: routers.pages)
    }
}
