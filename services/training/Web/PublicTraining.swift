import HubWeb
import HubProtocol
import TrainingAPI

/// A training as the shared public registration pages and the calendar file show it: its
/// trainers as the organisers, each session a numbered calendar entry, no programme.
extension PublicEvent {
    init(training: TrainingEvent) {
        self.init(event: training, id: training.id, title: training.title, calendarDescription: nil,
                  organisers: training.trainers.map(\.name),
                  meetings: training.sessions.map { .init(date: $0.date, startTime: $0.startTime, endTime: $0.endTime, venue: $0.venue) },
                  numberedMeetings: true, feeSEK: training.feeSEK, deadline: training.deadline, cancelled: training.status == .cancelled)
    }
}

extension TrainingRoutes {
    /// The training of the public form, with the form's choices (never a participant).
    func publicEvent(_ id: String) async throws(HubError) -> PublicEvent {
        let reply = try await ask(EventPublic(eventId: id))
        return PublicEvent(training: reply.event).offering(reply)
    }

    /// The place and the training behind a personal link (`/tr/{token}`), with its trainers as
    /// the form shows them (the page once read a member a training does not have, and showed none).
    func personalPlace(token: String) async throws(HubError) -> (participant: Participant, event: PublicEvent)? {
        try await found(RegistrationGet(token: token)).map { reply in (reply.participant, PublicEvent(training: reply.event)) }
    }

    func cancelPersonalPlace(token: String) async -> Result<CancellationReply, HubError> {
        await attempt(RegistrationCancel(token: token))
    }
}
