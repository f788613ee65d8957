import Foundation
import HubCore
import HubProtocol
import ReferralsAPI

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

    // The codes the referrals contract knows (services/referrals/API/Vocabulary.swift).
    public static let categories = Set(ClientCategory.codes)
    public static let helpKinds = Set(HelpKind.codes)
    public static let urgencies = Set(Urgency.codes)
    public static let consentScopes = Set(ConsentScope.codes)

    /// The `referrals.submit` body as JSON (`validatedSubmission`, encoded).
    public func validatedBody(adapter: String, reference: ReferenceData, risk: RiskScreening, today: Date = Date()) throws(HubError) -> JSONValue {
        let submission = try validatedSubmission(adapter: adapter, reference: reference, risk: risk, today: today)
        do { return try JSONValue.from(submission) } catch { throw HubError(.internal, "The referral could not be written.") }
    }

    /// Checks the draft and builds the `referrals.submit` request (the contract's type).
    ///
    /// - `forbidden` when `agency` is not one `adapter` may act for (config/agencies.json);
    /// - `validation` otherwise, naming the first wrong field and listing every problem of the
    ///   document in `details` (as the referrals service does), so the agency fixes all at once.
    ///   Control characters are refused everywhere, new lines too except in `notes`
    ///   (reason `control_characters`). A protected person's phone, e-mail and address are
    ///   dropped here, at the edge, and never leave the adapter.
    public func validatedSubmission(adapter: String, reference: ReferenceData, risk: RiskScreening, today: Date = Date()) throws(HubError) -> ReferralSubmission {
        guard reference.agencies.contains(where: { $0.id == agency && $0.adapter == adapter }) else {
            throw HubError(.forbidden, "This adapter may not refer on behalf of that agency.", field: "body.referrer.agency")
        }
        var problems: [HubError.Detail] = []
        func problem(_ field: String, _ message: String, _ reason: HubError.Reason? = nil) {
            problems.append(HubError.Detail(field: field, message: message, reason: reason))
        }
        /// Trimmed text or nil; a problem is recorded (and nil returned) when it is wrong.
        func text(_ value: String?, _ field: String, max: Int = 200, required: Bool = false, multiline: Bool = false) -> String? {
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
            return v
        }
        var body = ReferralSubmission(source: ReferralSource.agency.rawValue)
        body.externalRef = text(externalRef, "body.externalRef", max: 100, required: true)

        body.referrer = ReferralSubmission.Referrer(
            agency: agency, unit: text(unit, "body.referrer.unit"), contactName: text(contactName, "body.referrer.contactName"),
            contactPhone: text(contactPhone, "body.referrer.contactPhone", max: 40), contactEmail: text(contactEmail, "body.referrer.contactEmail"))

        if let m = text(municipality, "body.municipality", max: 100, required: true) {
            if reference.centre(serving: m) != nil {
                body.municipality = m
            } else {
                problem("body.municipality", "No centre serves that municipality.", .notAChoice)
            }
        }
        if let c = category, Self.categories.contains(c) {
            body.category = c
        } else {
            problem("body.category", "Category must be one of \(Self.categories.sorted().joined(separator: ", ")).", category == nil ? .required : .notAChoice)
        }
        if help.isEmpty { problem("body.help", "At least one kind of help is required.", .required) }
        for (i, h) in help.enumerated() where !Self.helpKinds.contains(h) {
            problem("body.help[\(i)]", "Help must be one of \(Self.helpKinds.sorted().joined(separator: ", ")).", .notAChoice)
        }
        body.help = help

        var client = ReferralSubmission.Client()
        let number = identityNumber?.trimmingCharacters(in: .whitespaces) ?? ""
        if number.isEmpty {
            if identityKind == nil || identityKind == IdentityKind.none.rawValue {
                client.identityKind = IdentityKind.none.rawValue
            } else {
                problem("body.client.identityNumber", "An identity number is required for this identity kind.", .required)
            }
        } else if identityKind == IdentityKind.none.rawValue {
            problem("body.client.identityNumber", "No identity number may be given when the identity kind is none.")
        } else {
            do {
                let pin = try PersonalIdentityNumber(number, today: today)
                if let k = identityKind, k != pin.kind.rawValue {
                    problem("body.client.identityKind", "The number is not a \(k).")
                } else {
                    client.identityKind = pin.kind.rawValue
                    client.identityNumber = pin.formatted
                }
            } catch {
                problem("body.client.identityNumber", error.message)
            }
        }
        client.name = text(name, "body.client.name")
        client.protectedIdentity = protectedIdentity
        // Checked even when dropped (protected identity): a wrong document is wrong either way.
        let clientPhone = text(phone, "body.client.phone", max: 40)
        let clientEmail = text(email, "body.client.email")
        let clientAddress = text(address, "body.client.address", max: 300)
        if !protectedIdentity {
            client.phone = clientPhone
            client.email = clientEmail
            client.address = clientAddress
        }
        for (i, a) in childrenAges.enumerated() where !(0...17).contains(a) {
            problem("body.client.childrenAges[\(i)]", "A child's age is 0–17.", .outOfRange)
        }
        if !childrenAges.isEmpty { client.childrenAges = childrenAges }
        client.interpreterLanguage = text(interpreterLanguage, "body.client.interpreterLanguage", max: 60)
        body.client = client

        body.safeContact = ReferralSubmission.SafeContact(
            doNotContact: doNotContact, mayCall: doNotContact ? false : (mayCall ?? false),
            callTimes: text(callTimes, "body.safeContact.callTimes"), mayLeaveMessage: doNotContact ? false : (mayLeaveMessage ?? false))

        if consentGiven != true {
            problem("body.consent.given", "The client's consent is required to pass a referral on.", .required)
        }
        let scope = consentScope ?? ConsentScope.codes
        for (i, s) in scope.enumerated() where !Self.consentScopes.contains(s) {
            problem("body.consent.scope[\(i)]", "Consent scope is referral, status or outcome.", .notAChoice)
        }
        if !scope.contains(ConsentScope.referral.rawValue) {
            problem("body.consent.scope", "The consent must cover the referral.")
        }
        var consent = ReferralSubmission.Consent(given: true, scope: scope)
        if let at = consentGivenAt, !at.isEmpty {
            if LocalTime.isDate(at) { consent.givenAt = at } else { problem("body.consent.givenAt", "Not a date (YYYY-MM-DD).", .notADate) }
        }
        // Who recorded the consent is required of an agency, as the referrals service requires it.
        consent.recordedBy = text(consentRecordedBy, "body.consent.recordedBy", required: consentGiven == true)
        body.consent = consent

        let u = urgency ?? Urgency.normal.rawValue
        if Self.urgencies.contains(u) { body.urgency = u } else { problem("body.urgency", "Urgency is normal, high or acute.", .notAChoice) }
        let checked = risk.check(riskAnswers, category: body.category.flatMap(ClientCategory.init(rawValue:)))
        for detail in checked.problems { problem("body." + detail.field, detail.message, detail.reason) }
        if !checked.answers.isEmpty { body.riskAnswers = checked.answers }
        body.notes = text(notes, "body.notes", max: 2000, multiline: true)
        guard problems.isEmpty else { throw HubError.validation(problems) }
        return body
    }
}
