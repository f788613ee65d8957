import HubWeb
import HubProtocol
import NetworksAPI

/// A network day as the shared public registration pages and the calendar file show it: one
/// meeting (date, times, venue), its theme as the calendar entry's description, its programme.
extension PublicEvent {
    init(day: Day) {
        self.init(event: day, id: day.id, title: day.title, calendarDescription: day.theme, organisers: day.organisers,
                  programme: day.programme.map { .init(start: $0.start, end: $0.end, title: $0.title, speaker: $0.speaker) },
                  meetings: [.init(date: day.date, startTime: day.startTime, endTime: day.endTime, venue: day.venue)],
                  numberedMeetings: false, feeSEK: day.feeSEK, deadline: day.deadline, cancelled: day.status == .cancelled)
    }
}

extension NetworkRoutes {
    /// The day of the public form, with the form's choices (never anyone's registration).
    func dayPublic(_ id: String) async throws(HubError) -> PublicEvent {
        let reply = try await ask(DayPublic(dayId: id))
        return PublicEvent(day: reply.event).offering(reply)
    }

    /// The place and the day behind a personal link (`/r/{token}`).
    func personalPlace(token: String) async throws(HubError) -> (participant: Participant, event: PublicEvent)? {
        try await found(RegistrationGet(token: token)).map { ($0.participant, PublicEvent(day: $0.day)) }
    }

    func cancelPersonalPlace(token: String) async -> Result<CancellationReply, HubError> {
        await attempt(RegistrationCancel(token: token))
    }
}
