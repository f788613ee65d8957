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
    /// - `validation` naming the field otherwise. A protected person's phone, e-mail and
    ///   address are dropped here, at the edge, and never leave the adapter.
    public func validatedBody(adapter: String, reference: ReferenceData, today: Date = Date()) throws(HubError) -> JSONValue {
        guard reference.agencies.contains(where: { $0.id == agency && $0.adapter == adapter }) else {
            throw HubError(.forbidden, "This adapter may not refer on behalf of that agency.", field: "body.referrer.agency")
        }
        func text(_ value: String?, _ field: String, max: Int = 200, required: Bool = false) throws(HubError) -> JSONValue? {
            let v = value?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if v.isEmpty {
                if required { throw HubError(.validation, "This field is required.", field: field) }
                return nil
            }
            guard v.count <= max else { throw HubError(.validation, "At most \(max) characters.", field: field) }
            guard !v.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\r" && $0 != "\t" }) else {
                throw HubError(.validation, "Control characters are not allowed.", field: field)
            }
            return .string(v)
        }
        var body: [String: JSONValue] = ["source": "agency"]
        body["externalRef"] = try text(externalRef, "body.externalRef", max: 100, required: true)

        var referrer: [String: JSONValue] = ["agency": .string(agency)]
        referrer["unit"] = try text(unit, "body.referrer.unit")
        referrer["contactName"] = try text(contactName, "body.referrer.contactName")
        referrer["contactPhone"] = try text(contactPhone, "body.referrer.contactPhone", max: 40)
        referrer["contactEmail"] = try text(contactEmail, "body.referrer.contactEmail")
        body["referrer"] = .object(referrer)

        guard let m = try text(municipality, "body.municipality", max: 100, required: true)?.stringValue,
              reference.centre(serving: m) != nil else {
            throw HubError(.validation, "No centre serves that municipality.", field: "body.municipality")
        }
        body["municipality"] = .string(m)
        guard let c = category, Self.categories.contains(c) else {
            throw HubError(.validation, "Category must be one of \(Self.categories.sorted().joined(separator: ", ")).", field: "body.category")
        }
        body["category"] = .string(c)
        guard !help.isEmpty else { throw HubError(.validation, "At least one kind of help is required.", field: "body.help") }
        for (i, h) in help.enumerated() where !Self.helpKinds.contains(h) {
            throw HubError(.validation, "Help must be one of \(Self.helpKinds.sorted().joined(separator: ", ")).", field: "body.help[\(i)]")
        }
        body["help"] = .array(help.map { .string($0) })

        var client: [String: JSONValue] = [:]
        let number = identityNumber?.trimmingCharacters(in: .whitespaces) ?? ""
        if number.isEmpty {
            guard identityKind == nil || identityKind == "none" else {
                throw HubError(.validation, "An identity number is required for this identity kind.", field: "body.client.identityNumber")
            }
            client["identityKind"] = "none"
        } else {
            guard identityKind != "none" else {
                throw HubError(.validation, "No identity number may be given when the identity kind is none.", field: "body.client.identityNumber")
            }
            let pin: PersonalIdentityNumber
            do { pin = try PersonalIdentityNumber(number, today: today) } catch {
                throw HubError(.validation, error.message, field: "body.client.identityNumber")
            }
            if let k = identityKind, k != pin.kind.rawValue {
                throw HubError(.validation, "The number is not a \(k).", field: "body.client.identityKind")
            }
            client["identityKind"] = .string(pin.kind.rawValue)
            client["identityNumber"] = .string(pin.formatted)
        }
        client["name"] = try text(name, "body.client.name")
        client["protectedIdentity"] = .bool(protectedIdentity)
        if !protectedIdentity {
            client["phone"] = try text(phone, "body.client.phone", max: 40)
            client["email"] = try text(email, "body.client.email")
            client["address"] = try text(address, "body.client.address", max: 300)
        }
        for (i, a) in childrenAges.enumerated() where !(0...17).contains(a) {
            throw HubError(.validation, "A child's age is 0–17.", field: "body.client.childrenAges[\(i)]")
        }
        if !childrenAges.isEmpty { client["childrenAges"] = .array(childrenAges.map { .number(Double($0)) }) }
        client["interpreterLanguage"] = try text(interpreterLanguage, "body.client.interpreterLanguage", max: 60)
        body["client"] = .object(client)

        var safe: [String: JSONValue] = ["doNotContact": .bool(doNotContact)]
        safe["mayCall"] = .bool(doNotContact ? false : (mayCall ?? false))
        safe["mayLeaveMessage"] = .bool(doNotContact ? false : (mayLeaveMessage ?? false))
        safe["callTimes"] = try text(callTimes, "body.safeContact.callTimes")
        body["safeContact"] = .object(safe)

        guard consentGiven == true else {
            throw HubError(.validation, "The client's consent is required to pass a referral on.", field: "body.consent.given")
        }
        let scope = consentScope ?? ["referral", "status", "outcome"]
        for (i, s) in scope.enumerated() where !Self.consentScopes.contains(s) {
            throw HubError(.validation, "Consent scope is referral, status or outcome.", field: "body.consent.scope[\(i)]")
        }
        guard scope.contains("referral") else {
            throw HubError(.validation, "The consent must cover the referral.", field: "body.consent.scope")
        }
        var consent: [String: JSONValue] = ["given": true, "scope": .array(scope.map { .string($0) })]
        if let at = consentGivenAt, !at.isEmpty {
            guard ReferenceData.isDate(at) else { throw HubError(.validation, "Not a date (YYYY-MM-DD).", field: "body.consent.givenAt") }
            consent["givenAt"] = .string(at)
        }
        consent["recordedBy"] = try text(consentRecordedBy, "body.consent.recordedBy")
        body["consent"] = .object(consent)

        let u = urgency ?? "normal"
        guard Self.urgencies.contains(u) else { throw HubError(.validation, "Urgency is normal, high or acute.", field: "body.urgency") }
        body["urgency"] = .string(u)
        var risk: [String: JSONValue] = [:]
        for (q, a) in riskAnswers {
            guard q.count <= 60, Self.riskValues.contains(a) else {
                throw HubError(.validation, "A risk answer is yes, no or unknown.", field: "body.riskAnswers")
            }
            risk[q] = .string(a)
        }
        if !risk.isEmpty { body["riskAnswers"] = .object(risk) }
        body["notes"] = try text(notes, "body.notes", max: 2000)
        return .object(body)
    }
}
