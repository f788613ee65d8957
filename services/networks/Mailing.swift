import Foundation
import HubBus
import HubCore
import HubMail
import HubProtocol
import HubRegistration
import HubStorage
import NetworksAPI

/// E-mail about network days: invitations to contact persons (with the day as an
/// iCalendar event) here; the confirmation of a registration and the news of a seat from
/// the waiting list are the shared `RegistrationMail`. Queued in the transaction of the
/// change (`HubMail.MailOutbox`), sent by `networks.mail.flush`.
enum NetworkMail {
    static let outbox = MailOutbox()

    static let handlers: [String: (AccessRule, MessageHandler)] = [
        MailFlush.type: (Access.admin, MessageHandler(.command, flush)),
        MailOutboxList.type: (Access.day, MessageHandler(.query, list)),
    ]

    /// The invitation to one contact person.
    static func invitation(to email: String, title: String, date: String, times: String, venue: String?, theme: String?,
                           registrationURL: String, calendar: String, method: ICalendar.Method) -> OutgoingMail {
        let cancelled = method == .cancel
        var lines = [cancelled ? "Nätverksträffen \(title) den \(date) är inställd." : "Välkommen till nätverksträffen \(title)."]
        if !cancelled {
            lines.append("")
            lines.append("När: \(date) \(times)")
            if let venue, !venue.isEmpty { lines.append("Var: \(venue)") }
            if let theme, !theme.isEmpty { lines.append("Tema: \(theme)") }
            if !registrationURL.isEmpty { lines.append("Anmälan: \(registrationURL)") }
        }
        lines += ["", "Du får detta som kontaktperson i Utvägs nätverk.", "", "English: " +
                  (cancelled ? "the network day \(title) on \(date) is cancelled." : "you are invited to the network day \(title) on \(date).")]
        return OutgoingMail(kind: cancelled ? "cancellation" : "invitation", recipient: email,
                            subject: (cancelled ? "Inställd: " : "Inbjudan: ") + "\(title) \(date)",
                            body: lines.joined(separator: "\n"), calendar: calendar, calendarMethod: method.rawValue)
    }

    /// Deletes the mail about days whose participants were purged: the outbox names
    /// recipients, so it goes with them.
    static func purge(on db: any DatabaseExecutor) async throws(HubError) {
        try await RegistrationMail.purge(outbox, on: db)
    }

    /// `networks.mail.flush {limit?}`: sends queued mail through the relay (the service's timer calls it).
    @Sendable static func flush(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let limit = try BodyReader(request.body).optionalInt("limit", range: 1...500) ?? 100
        return try JSONValue.encode(try await outbox.flush(smtp: reference.mail.smtp, limit: limit, now: Date(), on: context.database, logger: context.logger))
    }

    /// `networks.mail.outbox {dayId}` → the queued and sent mail about a day (who and what, not the text).
    @Sendable static func list(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let id = try BodyReader(request.body).string("dayId", max: 64)
        return try JSONValue.encode(MailOutboxList.Reply(mail: try await outbox.list(ref: id, on: context.database)))
    }
}
