import HubWeb

/// The training pages' templates: `templates/*.mustache`, embedded at build time. The public
/// registration, receipt and personal-link pages are the shared ones (HubWeb) with the
/// training's facts (`tr_facts`: sessions, audience, trainers) and its own form addresses.
enum TrainingTemplates {
    static let all: [String: String] = [
        "tr_start": SharedTemplates.text(PackageResources.tr_start_mustache),
        "tr_evaluate": SharedTemplates.text(PackageResources.tr_evaluate_mustache),
        "tr_event": SharedTemplates.text(PackageResources.tr_event_mustache),
        "tr_facts": SharedTemplates.text(PackageResources.tr_facts_mustache),
        "tr_lectures": SharedTemplates.text(PackageResources.tr_lectures_mustache),
        "tr_list": SharedTemplates.text(PackageResources.tr_list_mustache),
        "tr_new": SharedTemplates.text(PackageResources.tr_new_mustache),
        "tr_review": SharedTemplates.text(PackageResources.tr_review_mustache),
        "tr_supervision": SharedTemplates.text(PackageResources.tr_supervision_mustache),
        "tr_register": SharedTemplates.registration(SharedTemplates.registrationForm, facts: "tr_facts", changes: [
            "action=\"/anmalan/{{day.id}}\"": "action=\"/utbildning/anmalan/{{day.id}}\"", "{{t.reg_intro}}": "{{t.tr_reg_intro}}",
        ]),
        "tr_register_done": SharedTemplates.registration(SharedTemplates.registrationDone, facts: "tr_facts"),
        "tr_my": SharedTemplates.registration(SharedTemplates.registrationMine, facts: "tr_facts", changes: [
            "action=\"/r/{{token}}/avboka\"": "action=\"/tr/{{token}}/avboka\"",
        ]) + "\n{{#day.ended}}<p><a id=\"evaluation-link\" href=\"/utbildning/utvardering/{{day.id}}\">{{t.tr_eval_title}}</a></p>{{/day.ended}}",
    ]

    /// Served at /static/training.css; also what a certificate page links to (CSP forbids inline styles).
    static let css = SharedTemplates.text(PackageResources.training_css)
}
