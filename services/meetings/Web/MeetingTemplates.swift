import HubWeb

/// The meeting pages' templates: `templates/*.mustache`, embedded at build time.
enum MeetingTemplates {
    static let all: [String: String] = [
        "mt_start": SharedTemplates.text(PackageResources.mt_start_mustache),
        "mt_list": SharedTemplates.text(PackageResources.mt_list_mustache),
        "mt_meeting": SharedTemplates.text(PackageResources.mt_meeting_mustache),
    ]
}
