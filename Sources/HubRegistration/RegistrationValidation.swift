// Checks of events and registrations before anything is stored, and the small helpers
// they need: e-mail keys, link tokens and their hashes, dates in UTC and Europe/Stockholm.

import Crypto
import Foundation
import HubCore
import HubProtocol
import HubStorage

extension RegistrationEngine {
    func validateSpec(_ spec: RegistrationEventSpec) throws(HubError) {
        guard !spec.id.isEmpty, spec.id.count <= 128 else { throw HubError(.validation, "The event id is empty or too long.", field: "body.id") }
        guard !spec.title.trimmingCharacters(in: .whitespaces).isEmpty, spec.title.count <= Limits.title else {
            throw HubError(.validation, "The title is empty or longer than \(Limits.title) characters.", field: "body.title", reason: spec.title.isEmpty ? .required : .tooLong)
        }
        guard (1...100_000).contains(spec.capacity) else { throw HubError(.validation, "The capacity must be between 1 and 100000.", field: "body.capacity", reason: .outOfRange) }
        guard (0...1_000_000).contains(spec.feeSEK) else { throw HubError(.validation, "The fee must be between 0 and 1000000 SEK.", field: "body.feeSEK", reason: .outOfRange) }
        guard spec.ends > spec.starts else { throw HubError(.validation, "The event must end after it starts.", field: "body.endTime", reason: .endBeforeStart) }
        guard spec.deadline <= spec.starts else { throw HubError(.validation, "The registration deadline must be before the start.", field: "body.deadline", reason: .deadlineAfterStart) }
        if let days = spec.purgeAfterDays, !(0...3650).contains(days) {
            throw HubError(.validation, "Purge after 0–3650 days.", field: "body.purgeAfterDays", reason: .outOfRange)
        }
    }

    /// Checks every field before anything is stored; errors name the field, never echo the value.
    public func validate(_ request: RegistrationRequest) throws(HubError) {
        guard !request.eventId.isEmpty, request.eventId.count <= 128 else {
            throw HubError(.validation, "The event id is missing.", field: eventField(request), reason: .required)
        }
        guard !request.participants.isEmpty else { throw HubError(.validation, "At least one participant is required.", field: "body.participants", reason: .required) }
        guard request.participants.count <= configuration.maxGroupSize else {
            throw HubError(.validation, "At most \(configuration.maxGroupSize) people can be booked at once.", field: "body.participants", reason: .tooMany)
        }
        if let invoice = request.invoiceReference { try Self.text(invoice, field: "body.invoiceReference", max: Limits.invoiceReference, required: false) }
        let group = request.participants.count > 1 || request.bookerEmail != nil
        if group {
            guard let token = request.manageToken, Self.isToken(token) else {
                throw HubError(.validation, "A group booking needs a manage token (32–128 characters A–Z, a–z, 0–9, '-', '_').", field: "body.manageToken")
            }
            if let name = request.bookerName { try Self.text(name, field: "body.booker.name", max: Limits.name, required: true) }
            if let email = request.bookerEmail { try Self.checkEmail(email, field: "body.booker.email") }
        } else if let token = request.manageToken, !Self.isToken(token) {
            throw HubError(.validation, "The manage token must be 32–128 characters A–Z, a–z, 0–9, '-', '_'.", field: "body.manageToken")
        }
        var tokens = Set<String>()
        for p in request.participants {
            try Self.text(p.name, field: p.fieldPath + ".name", max: Limits.name, required: true)
            try Self.text(p.agency, field: p.fieldPath + ".agency", max: Limits.agency, required: true)
            if let allowed = configuration.agencies, !allowed.contains(p.agency.trimmingCharacters(in: .whitespaces)) {
                throw HubError(.validation, "Choose one of the partner agencies.", field: p.fieldPath + ".agency", reason: .notAChoice)
            }
            if let m = p.municipality {
                try Self.text(m, field: p.fieldPath + ".municipality", max: Limits.municipality, required: false)
                let trimmed = m.trimmingCharacters(in: .whitespaces)
                if let allowed = configuration.municipalities, !trimmed.isEmpty, !allowed.contains(trimmed) {
                    throw HubError(.validation, "Choose one of the municipalities.", field: p.fieldPath + ".municipality", reason: .notAChoice)
                }
            }
            try Self.checkEmail(p.email, field: p.fieldPath + ".email")
            if let d = p.dietary { try Self.text(d, field: p.fieldPath + ".dietary", max: Limits.dietary, required: false, multiline: true) }
            guard Self.isToken(p.cancelToken), tokens.insert(p.cancelToken).inserted else {
                throw HubError(.validation, "The cancel token must be unique and 32–128 characters A–Z, a–z, 0–9, '-', '_'.", field: p.fieldPath + ".cancelToken")
            }
        }
    }

    static func text(_ value: String, field: String, max: Int, required: Bool, multiline: Bool = false) throws(HubError) {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if required, trimmed.isEmpty { throw HubError(.validation, "This field is required.", field: field, reason: .required) }
        guard trimmed.count <= max else { throw HubError(.validation, "The field is longer than \(max) characters.", field: field, reason: .tooLong) }
        let bad = trimmed.unicodeScalars.contains { s in
            (s.value < 0x20 && !(multiline && (s == "\n" || s == "\r" || s == "\t"))) || s.value == 0x7f
        }
        guard !bad else { throw HubError(.validation, "The field contains control characters.", field: field, reason: .controlCharacters) }
    }

    /// The hub's one e-mail check (`EmailAddress` in HubProtocol).
    public static func isValidEmail(_ raw: String) -> Bool { EmailAddress.isValid(raw) }

    static func checkEmail(_ email: String, field: String) throws(HubError) {
        guard email.trimmingCharacters(in: .whitespacesAndNewlines).utf8.count <= Limits.email else {
            throw HubError(.validation, "The e-mail address is longer than \(Limits.email) characters.", field: field, reason: .tooLong)
        }
        guard isValidEmail(email) else { throw HubError(.validation, "The e-mail address is not valid.", field: field, reason: .invalidEmail) }
    }

    /// Client-made link tokens: 32–128 characters of base64url.
    public static func isToken(_ token: String) -> Bool {
        (32...128).contains(token.utf8.count) && token.utf8.allSatisfy { b in
            (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b == 0x2d || b == 0x5f
        }
    }

    /// A fresh link token (32 random bytes, base64url) for clients that make them.
    public static func makeToken() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Lower-case hex SHA-256: the only form in which link tokens are stored.
    public static func hash(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Data(token.utf8)))
    }

    static func emailKey(_ email: String) -> String { email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() }
    static func emailKeyOrNil(_ email: String) -> String? { email.isEmpty ? nil : emailKey(email) }

    /// ISO 8601 UTC with seconds (`2026-05-12T07:00:00Z`): sorts as text on both backends.
    public static func iso(_ date: Date) -> String { UTCFields(date).isoSeconds }

    /// The instant of a wall-clock time in Europe/Stockholm (`2026-05-12`, `09:00`).
    public static func stockholm(date: String, time: String) -> Date? {
        let d = date.split(separator: "-").compactMap { Int($0) }, t = time.split(separator: ":").compactMap { Int($0) }
        guard date.count == 10, d.count == 3, time.count == 5, t.count == 2, (0...23).contains(t[0]), (0...59).contains(t[1]) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        guard let zone = TimeZone(identifier: "Europe/Stockholm") else { return nil }
        calendar.timeZone = zone
        let components = DateComponents(year: d[0], month: d[1], day: d[2], hour: t[0], minute: t[1])
        guard components.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: components)
    }
}
