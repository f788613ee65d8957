import HubWeb

/// The gateway's own pages: login and the start page (`templates/`, embedded at build time).
enum GatewayTemplates {
    static let all: [String: String] = [
        "login": SharedTemplates.text(PackageResources.login_mustache),
        "start": SharedTemplates.text(PackageResources.start_mustache),
        "status": SharedTemplates.text(PackageResources.status_mustache),
    ]
}
