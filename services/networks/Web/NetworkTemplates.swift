import HubWeb

/// The network-day pages' templates: `templates/*.mustache`, embedded at build time. The public
/// registration pages are the shared ones (HubWeb) with the day's facts (`nw_facts`).
enum NetworkTemplates {
    static let all: [String: String] = [
        "nw_start": SharedTemplates.text(PackageResources.nw_start_mustache),
        "nw_attendance": SharedTemplates.text(PackageResources.nw_attendance_mustache),
        "nw_booking": SharedTemplates.text(PackageResources.nw_booking_mustache),
        "nw_contacts": SharedTemplates.text(PackageResources.nw_contacts_mustache),
        "nw_coverage": SharedTemplates.text(PackageResources.nw_coverage_mustache),
        "nw_day": SharedTemplates.text(PackageResources.nw_day_mustache),
        "nw_days": SharedTemplates.text(PackageResources.nw_days_mustache),
        "nw_facts": SharedTemplates.text(PackageResources.nw_facts_mustache),
        "nw_group": SharedTemplates.text(PackageResources.nw_group_mustache),
        "nw_group_done": SharedTemplates.text(PackageResources.nw_group_done_mustache),
        "nw_message": SharedTemplates.text(PackageResources.nw_message_mustache),
        "nw_new_day": SharedTemplates.text(PackageResources.nw_new_day_mustache),
        "nw_print": SharedTemplates.text(PackageResources.nw_print_mustache),
        "nw_self": SharedTemplates.text(PackageResources.nw_self_mustache),
        "nw_tour": SharedTemplates.text(PackageResources.nw_tour_mustache),
        "nw_register": SharedTemplates.registration(SharedTemplates.registrationForm, facts: "nw_facts"),
        "nw_register_done": SharedTemplates.registration(SharedTemplates.registrationDone, facts: "nw_facts"),
        "nw_my": SharedTemplates.registration(SharedTemplates.registrationMine, facts: "nw_facts"),
    ]
}
