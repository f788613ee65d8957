import Foundation
import HubCore
import HubMail
import HubProtocol
import HubStorage
import Synchronization

/// Where a service's registration mail goes out from, and the address its links point to:
/// the `publicURL` and `smtp` of the service's configuration file (`networks.json`,
/// `training.json`). `HUB_PUBLIC_URL`, `HUB_SMTP_HOST` and `HUB_SMTP_PORT` override them.
public struct RegistrationMailSettings: Sendable, Codable {
    /// Where people reach the hub (`https://…`), for personal links; empty = no links.
    public var publicURL: String
    public var smtp: SMTPSettings

    public static func load(file: String, configDir: String,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws(HubError) -> RegistrationMailSettings {
        var s = try ConfigFile.decode(RegistrationMailSettings.self, path: configDir + "/" + file)
        if let url = environment["HUB_PUBLIC_URL"] { s.publicURL = url }
        s.publicURL = s.publicURL.trimmingCharacters(in: .whitespaces)
        while s.publicURL.hasSuffix("/") { s.publicURL.removeLast() }
        guard s.publicURL.isEmpty || ((s.publicURL.hasPrefix("https://") || s.publicURL.hasPrefix("http://"))
            && URL(string: s.publicURL)?.host != nil && s.publicURL.count <= 200) else {
            throw HubError(.validation, "Must be empty or an http(s) address.", field: "\(file):publicURL")
        }
        s.smtp = try s.smtp.checked(file: file, environment: environment)
        return s
    }

    /// A personal link (`/r/<token>`, `/tr/<token>`) when the public address is configured.
    /// Links are made from configuration only, never from a request's Host header (which a
    /// sender could set, and so mail a link to another site to someone else's address).
    public func link(_ path: String, token: String) -> String? {
        publicURL.isEmpty ? nil : publicURL + path + token
    }
}

/// What people hear by e-mail when they register (a seat or a place in line, with their own
/// link to cancel) and when they move up from the waiting list. Shared by every service that
/// registers people through the engine (network days, trainings); queued in the transaction
/// of the registration (`MailOutbox`), so nothing is mailed for a registration rolled back.
public enum RegistrationMail {
    /// What the mail says, per language.
    struct Wording {
        var seatSubject: String, waitingSubject: String, promotedSubject: String
        var seat: (String) -> String
        var waiting: (String, String) -> String
        var cancelSeat: String, leaveLine: String
        var promoted: (String) -> String

        static func of(_ language: MailLanguage) -> Wording {
            switch language {
            case .sv: Wording(
                seatSubject: "Anmälan bekräftad: ", waitingSubject: "Väntelista: ", promotedSubject: "Du har fått en plats: ",
                seat: { "Du är anmäld till \($0) och har en plats." },
                waiting: { "\($0) är fullbokad. Du står på väntelistan, plats \($1). Får du en plats meddelar vi dig." },
                cancelSeat: "Kan du inte komma? Avboka här:", leaveLine: "Vill du lämna väntelistan? Använd den här länken:",
                promoted: { "En plats har blivit ledig och den är din: \($0).\nAvboka med länken i ditt första mejl om du inte kan komma." })
            case .en: Wording(
                seatSubject: "Registration confirmed: ", waitingSubject: "Waiting list: ", promotedSubject: "You have a seat: ",
                seat: { "You are registered for \($0) and have a seat." },
                waiting: { "\($0) is full. You are number \($1) on the waiting list. We will tell you if you get a seat." },
                cancelSeat: "Cannot come? Cancel here:", leaveLine: "To leave the waiting list, use this link:",
                promoted: { "A seat became free and it is yours: \($0).\nIf you cannot come, cancel with the link in your first e-mail." })
            }
        }
    }

    /// The confirmation of one place, in the language the person registered in.
    public static func confirmation(to email: String, title: String, status: ParticipantStatus, position: Int?, cancelURL: String?,
                                    language: MailLanguage = .sv) -> OutgoingMail {
        let words = Wording.of(language), seat = status == .confirmed
        var lines = [seat ? words.seat(title) : words.waiting(title, position.map(String.init) ?? "?")]
        if let cancelURL { lines += ["", (seat ? words.cancelSeat : words.leaveLine) + " " + cancelURL] }
        return OutgoingMail(kind: seat ? "confirmation" : "waiting-list", recipient: email,
                            subject: (seat ? words.seatSubject : words.waitingSubject) + title, body: lines.joined(separator: "\n"))
    }

    /// The news for someone who moved up from the waiting list, in their language.
    public static func promotion(to email: String, title: String, language: MailLanguage = .sv) -> OutgoingMail {
        let words = Wording.of(language)
        return OutgoingMail(kind: "promotion", recipient: email, subject: words.promotedSubject + title, body: words.promoted(title))
    }

    /// Queues one confirmation per place of a registration, each with that person's own link.
    public static func confirm(_ request: RegistrationRequest, _ result: RegistrationResult, settings: RegistrationMailSettings,
                               linkPath: String, outbox: MailOutbox, at stamp: String, on db: any DatabaseExecutor) async throws(HubError) {
        try await db.execute(all: confirmations(request, result, settings: settings, linkPath: linkPath, outbox: outbox, at: stamp))
    }

    /// The inserts that queue those confirmations, for `RegistrationEngine.register(_:now:on:with:)`
    /// to send together with the participants' rows.
    public static func confirmations(_ request: RegistrationRequest, _ result: RegistrationResult, settings: RegistrationMailSettings,
                                     linkPath: String, outbox: MailOutbox, at stamp: String) -> [SQLStatement] {
        zip(request.participants, result.participants).compactMap { input, placed in
            let mail = confirmation(to: input.email, title: result.title, status: placed.status, position: placed.waitingPosition,
                                    cancelURL: settings.link(linkPath, token: input.cancelToken), language: request.language)
            return outbox.enqueueStatement(mail, ref: result.eventId, at: stamp)
        }
    }

    /// Queues "you have a seat" for everyone promoted.
    public static func promoted(_ people: [Participant], title: String, outbox: MailOutbox, at stamp: String, on db: any DatabaseExecutor) async throws(HubError) {
        for p in people { try await outbox.enqueue(promotion(to: p.email, title: title, language: p.language), ref: p.eventId, at: stamp, on: db) }
    }

    /// Deletes the mail about events whose participants were purged (it names them).
    public static func purge(_ outbox: MailOutbox, on db: any DatabaseExecutor) async throws(HubError) {
        try await db.execute("DELETE FROM \(outbox.table) WHERE \(outbox.refColumn) IN (SELECT id FROM registration_events WHERE purged = 1)", [])
    }
}

/// What a service that registers people reads once per configuration folder: the reference
/// data (centres, municipalities, agencies), the engine configured with it, and the mail
/// settings from the service's own file (`networks.json`, `training.json`).
public struct RegistrationReference: Sendable {
    public let data: ReferenceData
    public let engine: RegistrationEngine
    public let mail: RegistrationMailSettings

    private static let cache = Mutex<[String: RegistrationReference]>([:])

    public static func load(_ configDir: String, mailFile: String) throws(HubError) -> RegistrationReference {
        let key = configDir + "\u{0}" + mailFile
        if let cached = cache.withLock({ $0[key] }) { return cached }
        let data = try ReferenceData.load(configDir: configDir)
        let reference = RegistrationReference(data: data, engine: RegistrationEngine(configuration: RegistrationConfiguration(reference: data)),
                                              mail: try RegistrationMailSettings.load(file: mailFile, configDir: configDir))
        cache.withLock { $0[key] = reference }
        return reference
    }

    /// The centre `id`, or `not_found` naming `field`.
    public func centre(_ id: String, field: String = "body.centreId") throws(HubError) -> ReferenceData.Centre {
        guard let c = data.centres.first(where: { $0.id == id }) else { throw HubError(.notFound, "No such centre.", field: field, reason: .notAChoice) }
        return c
    }
}
