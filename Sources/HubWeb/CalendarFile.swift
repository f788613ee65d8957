import Foundation
import HubCore
import HubProtocol
import Hummingbird
import RegistrationAPI

/// "Lägg till i kalendern": an event as an iCalendar file (RFC 5545) to download, built with
/// the hub's one iCalendar writer (HubCore). A personal file names its holder as attendee with
/// RSVP, so that the calendar asks them to answer.
package enum CalendarFile {
    /// The entries of an event: one for a network day, one per session of a training
    /// (`numberedMeetings`), with the same UIDs as the invitations so that calendars merge them.
    package static func events(_ event: PublicEvent, uidDomain: String, attendee: ICalendar.Person? = nil, url: String? = nil) -> [ICalendar.Event] {
        let sequence = event.registration.sequence
        let people = attendee.map { [$0] } ?? []
        let meetings = event.meetings
        if event.numberedMeetings, !meetings.isEmpty {
            return meetings.enumerated().map { index, meeting in
                ICalendar.Event(uid: "\(event.id)-\(index + 1)@\(uidDomain)", sequence: sequence,
                                start: .init(date: meeting.date, time: meeting.startTime), end: .init(date: meeting.date, time: meeting.endTime),
                                summary: meetings.count > 1 ? "\(event.title) (\(index + 1)/\(meetings.count))" : event.title,
                                location: meeting.venue, url: url, attendees: people)
            }
        }
        let meeting = meetings.first
        let date = meeting?.date ?? ""
        return [ICalendar.Event(uid: "\(event.id)@\(uidDomain)", sequence: sequence,
                                start: .init(date: date, time: meeting?.startTime ?? ""), end: .init(date: date, time: meeting?.endTime ?? ""),
                                summary: event.title, description: event.calendarDescription, location: meeting?.venue,
                                url: url, attendees: people)]
    }

    /// The person holding a personal link, as the attendee asked to answer.
    package static func attendee(_ participant: Participant?) -> ICalendar.Person? {
        guard let participant, !participant.email.isEmpty else { return nil }
        return ICalendar.Person(email: participant.email, name: participant.name, role: "REQ-PARTICIPANT", rsvp: true)
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
