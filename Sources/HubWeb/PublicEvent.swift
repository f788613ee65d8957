import HubProtocol
import RegistrationAPI

/// What the shared public registration pages (form, receipt, personal link, group booking)
/// and the calendar file show of an event. Each service's web module builds it from its own
/// typed event (a network day, a training), so that the shared pages never read a service's JSON.
package struct PublicEvent: Sendable {
    /// When and where the event meets: a network day once, a training once per session.
    package struct Meeting: Sendable, Equatable {
        /// `YYYY-MM-DD`, Europe/Stockholm.
        package var date: String
        package var startTime: String
        package var endTime: String
        package var venue: String?
        package init(date: String, startTime: String, endTime: String, venue: String?) {
            self.date = date; self.startTime = startTime; self.endTime = endTime; self.venue = venue
        }
    }

    /// One item of the programme the form lists.
    package struct ProgrammeEntry: Sendable, Equatable {
        package var start: String
        package var end: String?
        package var title: String
        package var speaker: String?
        package init(start: String, end: String?, title: String, speaker: String?) {
            self.start = start; self.end = end; self.title = title; self.speaker = speaker
        }
    }

    /// The event as its service's contract writes it: what the service's own facts template
    /// shows (`day.date`, `day.sessions`, …), and how registration for it stands.
    package var event: any ViewedEvent
    package var id: String
    package var title: String
    /// The calendar entry's description (a network day's theme); nil leaves it out.
    package var calendarDescription: String?
    /// Who runs it (a day's organisers, a training's trainers), as the facts list them.
    package var organisers: [String]
    package var programme: [ProgrammeEntry]
    package var meetings: [Meeting]
    /// Each meeting is its own numbered calendar entry (UID `id-n`, "title (n/count)"), as the
    /// training invitations number them; otherwise the event is one entry (UID `id`).
    package var numberedMeetings: Bool
    package var feeSEK: Int
    package var deadline: String
    package var cancelled: Bool
    /// The form's choices (only the public page's reply has them).
    package var agencies: [AgencyChoice] = []
    package var municipalities: [String] = []

    package init(event: any ViewedEvent, id: String, title: String, calendarDescription: String?, organisers: [String],
                 programme: [ProgrammeEntry] = [], meetings: [Meeting], numberedMeetings: Bool, feeSEK: Int, deadline: String, cancelled: Bool) {
        self.event = event; self.id = id; self.title = title; self.calendarDescription = calendarDescription; self.organisers = organisers
        self.programme = programme; self.meetings = meetings; self.numberedMeetings = numberedMeetings; self.feeSEK = feeSEK
        self.deadline = deadline; self.cancelled = cancelled
    }

    /// Seats, waiting list, whether one can register, the invitation's SEQUENCE.
    package var registration: EventRegistration { event.registration }

    /// The same event with the public form's choices of agency and municipality.
    package func offering<Event>(_ form: PublicRegistrationForm<Event>) -> PublicEvent {
        var event = self
        event.agencies = form.agencies
        event.municipalities = form.municipalities
        return event
    }
}
