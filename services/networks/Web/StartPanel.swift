import Foundation
import HubProtocol
import HubWeb
import NetworksAPI

/// The network-day part of the start page for Utväg staff: the next days, with seats left.
enum NetworksStartPanel {
    static func render(_ environment: WebEnvironment, _ session: SessionInfo, _ lang: Language) async -> String? {
        guard session.user.role == .admin || session.user.role == .staff else { return nil }
        let routes = NetworkRoutes(server: environment, pages: environment.pages)
        guard let reply = try? await routes.ask(DayList()) else { return nil }
        let today = LocalTime.today()
        let upcoming = reply.days
            .filter { $0.date >= today && $0.status == .open }
            .prefix(4)
            .map { day -> [String: Any] in
                let left = max(0, day.capacity - (day.taken ?? 0))
                return ["id": day.id, "date": day.date, "title": day.title,
                        "seats": left > 0 ? lang.t("reg_seats_left", ["n": String(left)]) : lang.t("nw_start_full")]
            }
        return routes.pages.fragment("nw_start", language: lang, session: session,
                                     data: ["days": Array(upcoming), "hasDays": !upcoming.isEmpty])
    }
}
