import Foundation
import HubProtocol
import HubWeb
import MeetingsAPI

/// The meetings part of the start page: the next management-group meeting with its agenda
/// deadline, and minutes sent out that wait for approval at the next meeting.
enum MeetingsStartPanel {
    static func render(_ environment: WebEnvironment, _ session: SessionInfo, _ lang: Language) async -> String? {
        let routes = MeetingRoutes(server: environment, pages: environment.pages)
        let today = LocalTime.today()
        guard let reply = try? await routes.ask(MeetingList(), session) else { return nil }
        let names = Dictionary(await environment.centres().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let meetings = reply.meetings
        func row(_ listed: ListedMeeting) -> [String: Any] {
            let m = listed.meeting, deadline = m.itemDeadline
            return ["id": m.id, "date": m.date, "time": "\(m.start)–\(m.end)", "centreName": names[m.centre] ?? "", "place": m.place,
                    "deadline": deadline, "deadlineOpen": !deadline.isEmpty && deadline >= today]
        }
        let upcoming = meetings.filter { $0.meeting.date >= today && $0.meeting.status == MeetingStatus.planned.rawValue }
        let toApprove = meetings.filter { $0.minutesStatus == MinutesStatus.circulated.rawValue }
        // The next meeting's agenda, as the service shows it to this reader (no confidential text).
        var agenda: [[String: Any]] = []
        if let next = upcoming.first?.meeting.id, let meeting = try? await routes.ask(MeetingGet(meetingId: next), session) {
            agenda = meeting.agenda.map { ["position": String($0.position), "title": $0.title] }
        }
        // Open action items: the centre's for its staff and board, an agency's own for an agency.
        let actions = ((try? await routes.ask(ActionsOpen(), session))?.actions ?? []).prefix(8).map { open -> [String: Any] in
            let a = open.action
            return ["text": a.text, "owner": a.owner, "agencyName": open.agencyName ?? "", "due": a.due ?? "", "overdue": a.due.map { $0 < today } ?? false,
                    "meetingId": a.meetingId, "meetingDate": a.meetingDate ?? ""]
        }
        guard !upcoming.isEmpty || !toApprove.isEmpty || !actions.isEmpty || session.user.role != .agency else { return nil }
        return routes.pages.fragment("mt_start", language: lang, session: session, data: [
            "next": upcoming.prefix(2).map(row), "hasNext": !upcoming.isEmpty,
            "toApprove": toApprove.map(row), "hasToApprove": !toApprove.isEmpty,
            "actions": Array(actions), "hasActions": !actions.isEmpty, "agenda": agenda, "hasAgenda": !agenda.isEmpty,
        ])
    }
}
