import Foundation
import HubProtocol
import HubWeb

/// The meetings part of the start page: the next management-group meeting with its agenda
/// deadline, and minutes sent out that wait for approval at the next meeting.
enum MeetingsStartPanel {
    static func render(_ environment: WebEnvironment, _ session: SessionInfo, _ lang: Language) async -> String? {
        let routes = MeetingRoutes(server: environment, pages: environment.pages)
        let today = LocalTime.today()
        guard let reply = try? await routes.ask("meetings.list", [:], session) else { return nil }
        let centres = (try? await environment.bus.request("referrals.centres.list", body: [:], timeout: environment.busTimeout))
            .map(CentreList.from) ?? []
        let names = CentreList.names(centres)
        let meetings = reply["meetings"]?.arrayValue ?? []
        func row(_ m: JSONValue) -> [String: Any] {
            let deadline = m["itemDeadline"]?.stringValue ?? ""
            return ["id": m["id"]?.stringValue ?? "", "date": m["date"]?.stringValue ?? "",
                    "time": "\(m["start"]?.stringValue ?? "")–\(m["end"]?.stringValue ?? "")",
                    "centreName": names[m["centre"]?.stringValue ?? ""] ?? "", "place": m["place"]?.stringValue ?? "",
                    "deadline": deadline, "deadlineOpen": !deadline.isEmpty && deadline >= today]
        }
        let upcoming = meetings.filter { ($0["date"]?.stringValue ?? "") >= today && $0["status"]?.stringValue == "planned" }
        let toApprove = meetings.filter { $0["minutesStatus"]?.stringValue == "circulated" }
        // The next meeting's agenda, as the service shows it to this reader (no confidential text).
        var agenda: [[String: Any]] = []
        if let next = upcoming.first?["id"]?.stringValue, let meeting = try? await routes.ask("meetings.get", ["meetingId": .string(next)], session) {
            agenda = (meeting["agenda"]?.arrayValue ?? []).map { ["position": $0["position"]?.intText ?? "", "title": $0["title"]?.stringValue ?? ""] }
        }
        // Open action items: the centre's for its staff and board, an agency's own for an agency.
        let actions = ((try? await routes.ask("meetings.actions.open", [:], session))?["actions"]?.arrayValue ?? []).prefix(8).map { a -> [String: Any] in
            ["text": a["text"]?.stringValue ?? "", "owner": a["owner"]?.stringValue ?? "", "agencyName": a["agencyName"]?.stringValue ?? "",
             "due": a["due"]?.stringValue ?? "", "overdue": (a["due"]?.stringValue).map { $0 < today } ?? false,
             "meetingId": a["meetingId"]?.stringValue ?? "", "meetingDate": a["meetingDate"]?.stringValue ?? ""]
        }
        guard !upcoming.isEmpty || !toApprove.isEmpty || !actions.isEmpty || session.user.role != .agency else { return nil }
        return routes.pages.fragment("mt_start", language: lang, session: session, data: [
            "next": upcoming.prefix(2).map(row), "hasNext": !upcoming.isEmpty,
            "toApprove": toApprove.map(row), "hasToApprove": !toApprove.isEmpty,
            "actions": Array(actions), "hasActions": !actions.isEmpty, "agenda": agenda, "hasAgenda": !agenda.isEmpty,
        ])
    }
}
