import HubWeb

/// The referrals service's web face: the referral form and case pages, the queue and
/// köstopp (capacity), groups, statistics and the audit log.
package enum ReferralsWeb {
    package static let module = WebModule(
        name: "referrals", templates: ReferralTemplates.all,
        swedish: ReferralStrings.swedish, english: ReferralStrings.english,
        menu: [
            MenuEntry(path: "/hanvisningar", labelKey: "nav_referrals", roles: [.admin, .staff, .agency]),
            MenuEntry(path: "/kapacitet", labelKey: "nav_capacity", roles: [.admin, .staff]),
            MenuEntry(path: "/statistik", labelKey: "nav_statistics", roles: [.admin, .staff, .board]),
        ],
        openAPIOperations: ReferralsOpenAPI.operations, openAPISchemas: ReferralsOpenAPI.schemas,
        startPanel: ReferralsStartPanel.render
    ) { environment, routers in
        ReferralRoutes.register(api: routers.api, pages: routers.pages,
                                routes: ReferralRoutes(server: environment, pages: environment.pages))
    }
}
