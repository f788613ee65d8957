import Foundation
import HubCore
import HubProtocol
import Hummingbird

/// "Lägg till i kalendern": an event as an iCalendar file (RFC 5545) to download, built with
/// the hub's one iCalendar writer (HubCore). A personal file names its holder as attendee with
/// RSVP, so that the calendar asks them to answer.
package enum CalendarFile {
    /// The events of a network day (`date`, `startTime`, `endTime`) or of a training (one per
    /// entry of `sessions`), with the same UIDs as the invitations so that calendars merge them.
    package static func events(_ event: JSONValue, uidDomain: String, attendee: ICalendar.Person? = nil, url: String? = nil) -> [ICalendar.Event] {
        let id = event["id"]?.stringValue ?? ""
        let title = event["title"]?.stringValue ?? ""
        let sequence = Int(event["sequence"]?.numberValue ?? 0)
        let people = attendee.map { [$0] } ?? []
        if let sessions = event["sessions"]?.arrayValue, !sessions.isEmpty {
            return sessions.enumerated().map { index, session in
                ICalendar.Event(uid: "\(id)-\(index + 1)@\(uidDomain)", sequence: sequence,
                                start: .init(date: session["date"]?.stringValue ?? "", time: session["startTime"]?.stringValue ?? ""),
                                end: .init(date: session["date"]?.stringValue ?? "", time: session["endTime"]?.stringValue ?? ""),
                                summary: sessions.count > 1 ? "\(title) (\(index + 1)/\(sessions.count))" : title,
                                location: session["venue"]?.stringValue, url: url, attendees: people)
            }
        }
        let date = event["date"]?.stringValue ?? ""
        return [ICalendar.Event(uid: "\(id)@\(uidDomain)", sequence: sequence,
                                start: .init(date: date, time: event["startTime"]?.stringValue ?? ""),
                                end: .init(date: date, time: event["endTime"]?.stringValue ?? ""),
                                summary: title, description: event["theme"]?.stringValue, location: event["venue"]?.stringValue,
                                url: url, attendees: people)]
    }

    /// The person holding a personal link, as the attendee asked to answer.
    package static func attendee(_ participant: JSONValue?) -> ICalendar.Person? {
        guard let email = participant?["email"]?.stringValue, !email.isEmpty else { return nil }
        return ICalendar.Person(email: email, name: participant?["name"]?.stringValue, role: "REQ-PARTICIPANT", rsvp: true)
    }

    /// The file as a download (`filename` without personal data).
    package static func response(_ events: [ICalendar.Event], filename: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/calendar; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(filename)\""
        return Response(status: .ok, headers: headers,
                        body: .init(byteBuffer: ByteBuffer(string: ICalendar.render(events, method: .publish))))
    }
}
