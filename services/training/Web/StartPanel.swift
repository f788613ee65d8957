import Foundation
import HubProtocol
import HubWeb
import TrainingAPI

/// The training part of the start page for Utväg staff: the next trainings, with seats left.
enum TrainingStartPanel {
    static func render(_ environment: WebEnvironment, _ session: SessionInfo, _ lang: Language) async -> String? {
        guard session.user.role == .admin || session.user.role == .staff else { return nil }
        let routes = TrainingRoutes(server: environment, pages: environment.pages)
        guard let reply = try? await routes.ask(EventList()) else { return nil }
        let today = LocalTime.today()
        let upcoming = reply.events
            .compactMap { event -> (String, TrainingEvent)? in
                let first = event.sessions.map(\.date).min() ?? ""
                return first >= today && event.status != .cancelled ? (first, event) : nil
            }
            .sorted { $0.0 < $1.0 }
            .prefix(4)
            .map { first, event -> [String: Any] in
                let left = max(0, event.capacity - (event.taken ?? 0))
                return ["id": event.id, "date": first, "title": event.title,
                        "seats": left > 0 ? lang.t("reg_seats_left", ["n": String(left)]) : lang.t("nw_start_full")]
            }
        return routes.pages.fragment("tr_start", language: lang, session: session,
                                     data: ["events": Array(upcoming), "hasEvents": !upcoming.isEmpty])
    }
}
