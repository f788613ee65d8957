import Foundation
import HubBus
import HubCore
import HubMail
import HubProtocol
import HubRegistration
import HubStorage

/// The networks service's settings, from `config/networks.json`.
struct NetworkSettings: Sendable, Codable {
    /// Where people reach the hub (`https://…`), for the personal links in e-mail; empty = no links.
    var publicURL: String
    /// The relay invitations and registration mail go through.
    var smtp: SMTPSettings

    static func load(configDir: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(HubError) -> NetworkSettings {
        var s = try ConfigFile.decode(NetworkSettings.self, path: configDir + "/networks.json")
        if let url = environment["HUB_PUBLIC_URL"] { s.publicURL = url }
        s.publicURL = s.publicURL.trimmingCharacters(in: .whitespaces)
        while s.publicURL.hasSuffix("/") { s.publicURL.removeLast() }
        guard s.publicURL.isEmpty || ((s.publicURL.hasPrefix("https://") || s.publicURL.hasPrefix("http://"))
            && URL(string: s.publicURL)?.host != nil && s.publicURL.count <= 200) else {
            throw HubError(.validation, "Must be empty or an http(s) address.", field: "networks.json:publicURL")
        }
        s.smtp = try s.smtp.checked(file: "networks.json", environment: environment)
        return s
    }
}

/// E-mail about network days: invitations to contact persons (with the day as an
/// iCalendar event), the confirmation of a registration with the personal cancellation
/// link, and the news that someone moved up from the waiting list has a seat. Queued in
/// the transaction of the change (`HubMail.MailOutbox`), sent by `networks.mail.flush`.
enum NetworkMail {
    static let outbox = MailOutbox()

    static let handlers: [String: MessageHandler] = [
        "networks.mail.flush": MessageHandler(.command, flush),
        "networks.mail.outbox": MessageHandler(.query, list),
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

    /// The confirmation of one place: a seat, or a place in line; the personal link to cancel.
    static func confirmation(to email: String, title: String, status: ParticipantStatus, position: Int?, cancelURL: String?) -> OutgoingMail {
        var lines = [status == .confirmed
            ? "Du är anmäld till \(title) och har en plats."
            : "Träffen \(title) är fullbokad. Du står på väntelistan, plats \(position.map(String.init) ?? "?"). Får du en plats meddelar vi dig."]
        if let cancelURL { lines += ["", "Kan du inte komma? Avboka här: \(cancelURL)"] }
        lines += ["", "English: " + (status == .confirmed ? "you have a seat at \(title)." : "\(title) is full; you are on the waiting list.")]
        return OutgoingMail(kind: status == .confirmed ? "confirmation" : "waiting-list", recipient: email,
                            subject: (status == .confirmed ? "Anmälan bekräftad: " : "Väntelista: ") + title, body: lines.joined(separator: "\n"))
    }

    /// The news for someone who moved up from the waiting list.
    static func promotion(to email: String, title: String) -> OutgoingMail {
        OutgoingMail(kind: "promotion", recipient: email, subject: "Du har fått en plats: \(title)",
                     body: "En plats har blivit ledig och den är din: \(title).\nAvboka med länken i ditt första mejl om du inte kan komma.\n\n"
                        + "English: a seat became free and it is yours: \(title).")
    }

    /// The personal cancellation link, when the hub's public address is configured.
    static func cancelURL(_ settings: NetworkSettings, token: String) -> String? {
        settings.publicURL.isEmpty ? nil : settings.publicURL + "/r/" + token
    }

    /// Deletes the mail about days whose participants were purged: the outbox names
    /// recipients, so it goes with them.
    static func purge(on db: any DatabaseExecutor) async throws(HubError) {
        try await db.execute("DELETE FROM mail_outbox WHERE ref IN (SELECT id FROM registration_events WHERE purged = 1)", [])
    }

    /// `networks.mail.flush {limit?}`: sends queued mail through the relay (the service's timer calls it).
    @Sendable static func flush(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let limit = try BodyReader(request.body).optionalInt("limit", range: 1...500) ?? 100
        return try await outbox.flush(smtp: reference.settings.smtp, limit: limit, now: Date(), on: context.database, logger: context.logger)
    }

    /// `networks.mail.outbox {dayId}` → the queued and sent mail about a day (who and what, not the text).
    @Sendable static func list(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let id = try BodyReader(request.body).string("dayId", max: 64)
        return .object(["mail": .array(try await outbox.list(ref: id, on: context.database))])
    }
}
