import HubWeb

/// The training service's web face: trainings and lectures (organiser pages, public
/// registration, evaluations, certificates), targeted supervision, the year in review.
package enum TrainingWeb {
    package static let module = WebModule(
        name: "training", templates: TrainingTemplates.all,
        swedish: TrainingStrings.swedish, english: TrainingStrings.english,
        menu: [MenuEntry(path: "/utbildning", labelKey: "nav_training", roles: [.admin, .staff])],
        openAPIOperations: TrainingOpenAPI.operations, openAPISchemas: TrainingOpenAPI.schemas,
        startPanel: TrainingStartPanel.render
    ) { environment, routers in
        TrainingRoutes(server: environment, pages: environment.pages)
            .register(public: routers.open, api: routers.api, pages: routers.pages)
    }
}
