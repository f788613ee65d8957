import Foundation
import HubCore
import HubProtocol

/// A referral as an agency format delivers it, before validation: every intake
/// (police JSON, municipal CSV, FHIR, Kriminalvården XML) fills one of these, and
/// `validatedBody` turns it into the body of `referrals.submit` or a `HubError`
/// whose `field` is the hub path (`body.client.identityNumber`); each format maps
/// that path to its own names (CSV column, FHIR path, XML element).
public struct ReferralDraft: Sendable, Equatable {
    public var externalRef: String?
    public var agency: String
    public var unit: String?
    public var contactName: String?
    public var contactPhone: String?
    public var contactEmail: String?
    public var municipality: String?
    public var category: String?
    public var help: [String] = []
    /// `personnummer`, `samordningsnummer` or `none`; nil means "derive from the number".
    public var identityKind: String?
    public var identityNumber: String?
    public var name: String?
    public var protectedIdentity = false
    public var phone: String?
    public var email: String?
    public var address: String?
    public var childrenAges: [Int] = []
    public var interpreterLanguage: String?
    public var doNotContact = false
    public var mayCall: Bool?
    public var callTimes: String?
    public var mayLeaveMessage: Bool?
    public var consentGiven: Bool?
    public var consentScope: [String]?
    public var consentGivenAt: String?
    public var consentRecordedBy: String?
    public var urgency: String?
    public var riskAnswers: [String: String] = [:]
    public var notes: String?

    public init(agency: String) { self.agency = agency }

    public static let categories: Set<String> = ["subjected-to-violence", "used-violence", "child-witness", "young-adult", "not-stated"]
    public static let helpKinds: Set<String> = ["individual-talks", "womens-group", "non-violence-group", "young-adults-group", "child-parent-group"]
    public static let urgencies: Set<String> = ["normal", "high", "acute"]
    public static let riskValues: Set<String> = ["yes", "no", "unknown"]
    public static let consentScopes: Set<String> = ["referral", "status", "outcome"]

    /// Checks the draft and builds the `referrals.submit` body.
    ///
    /// - `forbidden` when `agency` is not one `adapter` may act for (config/agencies.json);
    /// - `validation` otherwise, naming the first wrong field and listing every problem of the
    ///   document in `details` (as the referrals service does), so the agency fixes all at once.
    ///   Control characters are refused everywhere, new lines too except in `notes`
    ///   (reason `control_characters`). A protected person's phone, e-mail and address are
    ///   dropped here, at the edge, and never leave the adapter.
    public func validatedBody(adapter: String, reference: ReferenceData, today: Date = Date()) throws(HubError) -> JSONValue {
        guard reference.agencies.contains(where: { $0.id == agency && $0.adapter == adapter }) else {
            throw HubError(.forbidden, "This adapter may not refer on behalf of that agency.", field: "body.referrer.agency")
        }
        var problems: [HubError.Detail] = []
        func problem(_ field: String, _ message: String, _ reason: HubError.Reason? = nil) {
            problems.append(HubError.Detail(field: field, message: message, reason: reason))
        }
        /// Trimmed text or nil; a problem is recorded (and nil returned) when it is wrong.
        func text(_ value: String?, _ field: String, max: Int = 200, required: Bool = false, multiline: Bool = false) -> JSONValue? {
            let v = value?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if v.isEmpty {
                if required { problem(field, "This field is required.", .required) }
                return nil
            }
            guard v.count <= max else { problem(field, "At most \(max) characters.", .tooLong); return nil }
            let bad = v.unicodeScalars.contains { c in
                let control = c.properties.generalCategory == .control || c == "\u{2028}" || c == "\u{2029}"
                return control && !(multiline && (c == "\n" || c == "\r" || c == "\t"))
            }
            guard !bad else {
                problem(field, multiline ? "Control characters are not allowed." : "Control characters and new lines are not allowed in a one-line field.",
                        .controlCharacters)
                return nil
            }
            return .string(v)
        }
        var body: [String: JSONValue] = ["source": "agency"]
        body["externalRef"] = text(externalRef, "body.externalRef", max: 100, required: true)

        var referrer: [String: JSONValue] = ["agency": .string(agency)]
        referrer["unit"] = text(unit, "body.referrer.unit")
        referrer["contactName"] = text(contactName, "body.referrer.contactName")
        referrer["contactPhone"] = text(contactPhone, "body.referrer.contactPhone", max: 40)
        referrer["contactEmail"] = text(contactEmail, "body.referrer.contactEmail")
        body["referrer"] = .object(referrer)

        if let m = text(municipality, "body.municipality", max: 100, required: true)?.stringValue {
            if reference.centre(serving: m) != nil {
                body["municipality"] = .string(m)
            } else {
                problem("body.municipality", "No centre serves that municipality.", .notAChoice)
            }
        }
        if let c = category, Self.categories.contains(c) {
            body["category"] = .string(c)
        } else {
            problem("body.category", "Category must be one of \(Self.categories.sorted().joined(separator: ", ")).", category == nil ? .required : .notAChoice)
        }
        if help.isEmpty { problem("body.help", "At least one kind of help is required.", .required) }
        for (i, h) in help.enumerated() where !Self.helpKinds.contains(h) {
            problem("body.help[\(i)]", "Help must be one of \(Self.helpKinds.sorted().joined(separator: ", ")).", .notAChoice)
        }
        body["help"] = .array(help.map { .string($0) })

        var client: [String: JSONValue] = [:]
        let number = identityNumber?.trimmingCharacters(in: .whitespaces) ?? ""
        if number.isEmpty {
            if identityKind == nil || identityKind == "none" {
                client["identityKind"] = "none"
            } else {
                problem("body.client.identityNumber", "An identity number is required for this identity kind.", .required)
            }
        } else if identityKind == "none" {
            problem("body.client.identityNumber", "No identity number may be given when the identity kind is none.")
        } else {
            do {
                let pin = try PersonalIdentityNumber(number, today: today)
                if let k = identityKind, k != pin.kind.rawValue {
                    problem("body.client.identityKind", "The number is not a \(k).")
                } else {
                    client["identityKind"] = .string(pin.kind.rawValue)
                    client["identityNumber"] = .string(pin.formatted)
                }
            } catch {
                problem("body.client.identityNumber", error.message)
            }
        }
        client["name"] = text(name, "body.client.name")
        client["protectedIdentity"] = .bool(protectedIdentity)
        // Checked even when dropped (protected identity): a wrong document is wrong either way.
        let clientPhone = text(phone, "body.client.phone", max: 40)
        let clientEmail = text(email, "body.client.email")
        let clientAddress = text(address, "body.client.address", max: 300)
        if !protectedIdentity {
            client["phone"] = clientPhone
            client["email"] = clientEmail
            client["address"] = clientAddress
        }
        for (i, a) in childrenAges.enumerated() where !(0...17).contains(a) {
            problem("body.client.childrenAges[\(i)]", "A child's age is 0–17.", .outOfRange)
        }
        if !childrenAges.isEmpty { client["childrenAges"] = .array(childrenAges.map { .number(Double($0)) }) }
        client["interpreterLanguage"] = text(interpreterLanguage, "body.client.interpreterLanguage", max: 60)
        body["client"] = .object(client)

        var safe: [String: JSONValue] = ["doNotContact": .bool(doNotContact)]
        safe["mayCall"] = .bool(doNotContact ? false : (mayCall ?? false))
        safe["mayLeaveMessage"] = .bool(doNotContact ? false : (mayLeaveMessage ?? false))
        safe["callTimes"] = text(callTimes, "body.safeContact.callTimes")
        body["safeContact"] = .object(safe)

        if consentGiven != true {
            problem("body.consent.given", "The client's consent is required to pass a referral on.", .required)
        }
        let scope = consentScope ?? ["referral", "status", "outcome"]
        for (i, s) in scope.enumerated() where !Self.consentScopes.contains(s) {
            problem("body.consent.scope[\(i)]", "Consent scope is referral, status or outcome.", .notAChoice)
        }
        if !scope.contains("referral") {
            problem("body.consent.scope", "The consent must cover the referral.")
        }
        var consent: [String: JSONValue] = ["given": true, "scope": .array(scope.map { .string($0) })]
        if let at = consentGivenAt, !at.isEmpty {
            if ReferenceData.isDate(at) { consent["givenAt"] = .string(at) } else { problem("body.consent.givenAt", "Not a date (YYYY-MM-DD).", .notADate) }
        }
        consent["recordedBy"] = text(consentRecordedBy, "body.consent.recordedBy")
        body["consent"] = .object(consent)

        let u = urgency ?? "normal"
        if Self.urgencies.contains(u) { body["urgency"] = .string(u) } else { problem("body.urgency", "Urgency is normal, high or acute.", .notAChoice) }
        var risk: [String: JSONValue] = [:]
        for (q, a) in riskAnswers.sorted(by: { $0.key < $1.key }) {
            guard q.count <= 60, Self.riskValues.contains(a) else {
                problem("body.riskAnswers", "A risk answer is yes, no or unknown.", .notAChoice)
                break
            }
            risk[q] = .string(a)
        }
        if !risk.isEmpty { body["riskAnswers"] = .object(risk) }
        body["notes"] = text(notes, "body.notes", max: 2000, multiline: true)
        guard problems.isEmpty else { throw HubError.validation(problems) }
        return .object(body)
    }
}
