import HubProtocol
import NetworksAPI

// What the training service asks of the networks service, read through the networks
// contract (`NetworksAPI`) rather than by hand. Kept in a file of its own: both contracts
// name messages alike (`RegistrationCreate`, `MailFlush`), and imports are per file.

extension TrainingEnvironment {
    /// The centre's active contact persons (they are the networks service's data): the
    /// ATTENDEEs of each agency's invitation and the e-mail recipients. Nil when the service
    /// does not answer within 2 s; the invitations then go to the adapters without attendees.
    func contactPersons(centreId: String) async -> [Contact]? {
        guard let bus else { return nil }
        do {
            let reply = try await bus.request(ContactList.type, body: try ContactList(centreId: centreId).body(), timeout: .seconds(2))
            return try ContactList.reply(reply).contacts
        } catch {
            return nil
        }
    }

    /// The centre's network days of `year` that are not cancelled, asked as `actor`.
    func networkDays(centreId: String, year: Int, actor: JSONValue) async throws(HubError) -> [Day] {
        guard let bus else { return [] }
        let body = try DayList(centreId: centreId, year: year).body(actor: actor)
        let reply = try await bus.request(DayList.type, body: body, timeout: .seconds(3))
        return try DayList.reply(reply).days.filter { $0.status != .cancelled }
    }
}
