import HubWeb

/// The referral pages' templates: `templates/*.mustache`, embedded at build time.
enum ReferralTemplates {
    static let all: [String: String] = [
        "search": SharedTemplates.text(PackageResources.search_mustache),
        "ref_start": SharedTemplates.text(PackageResources.ref_start_mustache),
        "ref_start_agency": SharedTemplates.text(PackageResources.ref_start_agency_mustache),
        "audit": SharedTemplates.text(PackageResources.audit_mustache),
        "capacity": SharedTemplates.text(PackageResources.capacity_mustache),
        "groups": SharedTemplates.text(PackageResources.groups_mustache),
        "referral": SharedTemplates.text(PackageResources.referral_mustache),
        "referral_form": SharedTemplates.text(PackageResources.referral_form_mustache),
        "referrals": SharedTemplates.text(PackageResources.referrals_mustache),
        "statistics": SharedTemplates.text(PackageResources.statistics_mustache),
    ]
}
