import Foundation
import HubProtocol
import HubWeb

/// The network-day part of the start page for Utväg staff: the next days, with seats left.
enum NetworksStartPanel {
    static func render(_ environment: WebEnvironment, _ session: SessionInfo, _ lang: Language) async -> String? {
        guard session.user.role == .admin || session.user.role == .staff else { return nil }
        let routes = NetworkRoutes(server: environment, pages: environment.pages)
        guard let reply = try? await routes.ask("networks.days.list", [:]) else { return nil }
        let today = LocalTime.today()
        let upcoming = (reply["days"]?.arrayValue ?? [])
            .filter { ($0["date"]?.stringValue ?? "") >= today && $0["status"]?.stringValue == "open" }
            .prefix(4)
            .map { day -> [String: Any] in
                let left = max(0, Int(day["capacity"]?.numberValue ?? 0) - Int(day["taken"]?.numberValue ?? 0))
                return ["id": day["id"]?.stringValue ?? "", "date": day["date"]?.stringValue ?? "", "title": day["title"]?.stringValue ?? "",
                        "seats": left > 0 ? lang.t("reg_seats_left", ["n": String(left)]) : lang.t("nw_start_full")]
            }
        return routes.pages.fragment("nw_start", language: lang, session: session,
                                     data: ["days": Array(upcoming), "hasDays": !upcoming.isEmpty])
    }
}
