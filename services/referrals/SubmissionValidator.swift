// `SubmissionValidator`: every check of a `referrals.submit` body, one function per part of
// the referral form (referrer, municipality, category and help, client, safe contact,
// consent, urgency, risk answers). Each writes into one `SubmissionProblems`, so the
// problems come back in the order of the form, each naming its field.

import Foundation
import HubCore
import HubProtocol
import ReferralsAPI

/// The problems found in one submission so far, in the order they were found, and the
/// check every text field goes through.
struct SubmissionProblems {
    private(set) var details: [HubError.Detail] = []
    var isEmpty: Bool { details.isEmpty }

    /// A problem with `body.<field>`.
    mutating func add(_ field: String, _ message: String, _ reason: HubError.Reason? = nil) {
        details.append(.init(field: "body." + field, message: message, reason: reason))
    }

    /// A problem another check reported with its own full field name.
    mutating func add(_ detail: HubError.Detail) { details.append(detail) }

    /// A text field; only `multiline` ones (the notes) may hold line breaks and tabs:
    /// a new line in a name or phone is refused as `control_characters` (docs/protocol.md).
    mutating func text(_ value: String?, _ field: String, max: Int, required: Bool, multiline: Bool = false) -> String? {
        let t = value?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let t, !t.isEmpty {
            // Counted as sent, white space around it too, as JSON Schema's maxLength counts.
            if let value, value.unicodeScalars.count > max { add(field, "Too long: at most \(max) characters.", .tooLong) ; return nil }
            let allowed: Set<Unicode.Scalar> = multiline ? ["\n", "\r", "\t"] : []
            if t.unicodeScalars.contains(where: { ($0.properties.generalCategory == .control || $0 == "\u{2028}" || $0 == "\u{2029}") && !allowed.contains($0) }) {
                add(field, multiline ? "Contains control characters." : "Control characters and new lines are not allowed in a one-line field.",
                    .controlCharacters)
                return nil
            }
            return t
        }
        if required { add(field, "Required.", .required) }
        return nil
    }
}

/// Checks a submission and collects every problem, each naming its field.
struct SubmissionValidator {
    let reference: ReferenceData
    let settings: ReferralSettings
    let risk: RiskScreening
    /// Agencies the caller may refer for (nil: any, e.g. centre staff).
    let allowedAgencies: Set<String>?
    var today: Date = Date()

    func validate(_ body: JSONValue) throws(HubError) -> ValidSubmission {
        guard case .object = body else { throw HubError(.validation, "The body must be a JSON object.", field: "body") }
        let input = try body.decode(ReferralSubmission.self)
        var problems = SubmissionProblems()
        let externalRef = problems.text(input.externalRef, "externalRef", max: 100, required: false)
        let referrer = checkReferrer(input, &problems)
        let (municipality, centreID) = checkMunicipality(input.municipality, &problems)
        let category = checkCategory(input.category, &problems)
        let help = checkHelp(input.help, &problems)
        let client = checkClient(input.client ?? ReferralSubmission.Client(), category: category, &problems)
        let contact = checkSafeContact(input.safeContact, &problems)
        let consent = checkConsent(input.consent, source: referrer.source, &problems)
        let urgency = checkUrgency(input.urgency, &problems)
        let answers = checkRiskAnswers(input.riskAnswers, category: category, &problems)
        let notes = problems.text(input.notes, "notes", max: settings.maxFreeTextChars, required: false, multiline: true)
        try checkAllowedAgency(referrer, &problems)
        guard problems.isEmpty else { throw HubError.validation(problems.details) }

        let (personal, dropped) = Self.personalData(referrer: referrer, client: client, contact: contact, consent: consent,
                                                    riskAnswers: answers, notes: notes)
        return ValidSubmission(
            externalRef: externalRef, source: referrer.source ?? "agency", referrerAgency: referrer.agency, referrerUnit: referrer.unit,
            municipality: municipality, centreID: centreID, category: category, help: help,
            identityKind: client.identityKind, identity: client.identity, protectedIdentity: client.protectedIdentity,
            doNotContact: contact.doNotContact, mayCall: contact.mayCall, mayLeaveMessage: contact.mayLeaveMessage,
            consentGiven: consent.given, consentScope: consent.scope, consentGivenAt: consent.givenAt, urgency: urgency,
            childrenAges: client.childrenAges, riskScore: risk.score(answers), personal: personal, droppedFields: dropped)
    }

    /// The hub's one e-mail check (`EmailAddress` in HubProtocol).
    static func isEmail(_ s: String) -> Bool { EmailAddress.isValid(s) }
    static func isPhone(_ s: String) -> Bool {
        let digits = s.filter(\.isNumber)
        return (6...15).contains(digits.count) && s.allSatisfy { $0.isNumber || " +-()".contains($0) }
    }
}

// MARK: The parts of the form

extension SubmissionValidator {
    /// Who sends the referral: the source and, for an agency, the agency, unit and contact person.
    struct CheckedReferrer {
        var source: String?
        var agency: String?
        var unit: String?
        var contactName: String?
        var contactPhone: String?
        var contactEmail: String?
    }

    /// Source and referrer.
    func checkReferrer(_ input: ReferralSubmission, _ problems: inout SubmissionProblems) -> CheckedReferrer {
        var checked = CheckedReferrer(source: input.source ?? (input.referrer == nil ? nil : "agency"))
        switch checked.source {
        case "agency":
            guard let r = input.referrer else { problems.add("referrer", "An agency referral names the referring agency, unit and contact person.", .required); break }
            if let a = problems.text(r.agency, "referrer.agency", max: 64, required: true) {
                if !reference.agencies.contains(where: { $0.id == a }) {
                    problems.add("referrer.agency", "Unknown agency; known agencies: \(reference.agencies.map(\.id).joined(separator: ", ")).", .notAChoice)
                } else {
                    checked.agency = a
                }
            }
            checked.unit = problems.text(r.unit, "referrer.unit", max: 200, required: true)
            checked.contactName = problems.text(r.contactName, "referrer.contactName", max: 200, required: true)
            checked.contactPhone = problems.text(r.contactPhone, "referrer.contactPhone", max: 40, required: false)
            checked.contactEmail = problems.text(r.contactEmail, "referrer.contactEmail", max: 254, required: false)
            if let e = checked.contactEmail, !Self.isEmail(e) { problems.add("referrer.contactEmail", "Not an e-mail address.", .invalidEmail) }
            if let p = checked.contactPhone, !Self.isPhone(p) { problems.add("referrer.contactPhone", "Not a phone number.", .invalidPhone) }
        case "self":
            if input.referrer != nil { problems.add("referrer", "A self-referral has no referring agency.", .notAllowed) }
        case nil:
            problems.add("source", "Required: 'agency' or 'self'.", .required)
        default:
            problems.add("source", "Must be 'agency' or 'self'.", .notAChoice)
        }
        return checked
    }

    /// The municipality decides the centre (empty when it is missing or not served).
    func checkMunicipality(_ value: String?, _ problems: inout SubmissionProblems) -> (municipality: String, centreID: String) {
        var centreID = ""
        let municipality = problems.text(value, "municipality", max: 100, required: true) ?? ""
        if !municipality.isEmpty {
            if let c = reference.centre(serving: municipality) { centreID = c.id } else {
                let served = reference.centres.flatMap(\.municipalities).sorted()
                problems.add("municipality", "No Utväg centre serves this municipality. Served municipalities: \(served.joined(separator: ", ")).", .notServed)
            }
        }
        return (municipality, centreID)
    }

    func checkCategory(_ value: String?, _ problems: inout SubmissionProblems) -> ClientCategory {
        var category = ClientCategory.notStated
        if let c = value {
            if let v = ClientCategory(rawValue: c) { category = v } else {
                problems.add("category", "Unknown category; use one of \(ClientCategory.allCases.map(\.rawValue).joined(separator: ", ")).", .notAChoice)
            }
        } else { problems.add("category", "Required; use one of \(ClientCategory.allCases.map(\.rawValue).joined(separator: ", ")).", .required) }
        return category
    }

    /// At least one kind of help; each once, in the order given.
    func checkHelp(_ value: [String]?, _ problems: inout SubmissionProblems) -> [HelpKind] {
        var help: [HelpKind] = []
        if let h = value, !h.isEmpty {
            for (i, s) in h.enumerated() {
                if let v = HelpKind(rawValue: s) { if !help.contains(v) { help.append(v) } } else {
                    problems.add("help[\(i)]", "Unknown kind of help; use \(HelpKind.allCases.map(\.rawValue).joined(separator: ", ")).", .notAChoice)
                }
            }
        } else { problems.add("help", "Choose at least one kind of help.", .required) }
        return help
    }

    /// The client as checked: identity, contact details, children and interpreter.
    struct CheckedClient {
        var identityKind: IdentityKind
        var identity: PersonalIdentityNumber?
        var protectedIdentity: Bool
        var name: String?
        var phone: String?
        var email: String?
        var address: String?
        var childrenAges: [Int]
        var interpreterLanguage: String?
    }

    /// Client and identity.
    func checkClient(_ client: ReferralSubmission.Client, category: ClientCategory, _ problems: inout SubmissionProblems) -> CheckedClient {
        let (identityKind, identity) = checkIdentity(client, &problems)
        let protectedIdentity = client.protectedIdentity ?? false
        let name = problems.text(client.name, "client.name", max: 200, required: identityKind != .none && !protectedIdentity)
        let phone = problems.text(client.phone, "client.phone", max: 40, required: false)
        let email = problems.text(client.email, "client.email", max: 254, required: false)
        let address = problems.text(client.address, "client.address", max: 300, required: false)
        if let p = phone, !Self.isPhone(p) { problems.add("client.phone", "Not a phone number.", .invalidPhone) }
        if let e = email, !Self.isEmail(e) { problems.add("client.email", "Not an e-mail address.", .invalidEmail) }
        let childrenAges = checkChildrenAges(client.childrenAges, category: category, &problems)
        let interpreter = problems.text(client.interpreterLanguage, "client.interpreterLanguage", max: 60, required: false)
        return CheckedClient(identityKind: identityKind, identity: identity, protectedIdentity: protectedIdentity, name: name, phone: phone,
                             email: email, address: address, childrenAges: childrenAges, interpreterLanguage: interpreter)
    }

    /// The kind of identity and, unless anonymous, a personnummer or samordningsnummer of that kind.
    func checkIdentity(_ client: ReferralSubmission.Client, _ problems: inout SubmissionProblems) -> (IdentityKind, PersonalIdentityNumber?) {
        var identityKind = IdentityKind.none
        var identity: PersonalIdentityNumber?
        switch client.identityKind {
        case nil: problems.add("client.identityKind", "Required: personnummer, samordningsnummer or none.", .required)
        case let k?:
            if let v = IdentityKind(rawValue: k) { identityKind = v } else {
                problems.add("client.identityKind", "Must be personnummer, samordningsnummer or none.", .notAChoice)
            }
        }
        if identityKind != .none {
            if let n = problems.text(client.identityNumber, "client.identityNumber", max: 20, required: true) {
                do {
                    let id = try PersonalIdentityNumber(n, field: "body.client.identityNumber", today: today)
                    if id.kind.rawValue != identityKind.rawValue {
                        problems.add("client.identityNumber", identityKind == .personnummer
                                     ? "This is a samordningsnummer (day + 60), not a personnummer."
                                     : "This is a personnummer, not a samordningsnummer (day + 60).", .wrongKind)
                    } else { identity = id }
                } catch { problems.add(.init(field: error.field ?? "body.client.identityNumber", message: error.message, reason: error.reason)) }
            }
        } else if let n = client.identityNumber, !n.isEmpty {
            problems.add("client.identityNumber", "An anonymous referral has no identity number.", .notAllowed)
        }
        return (identityKind, identity)
    }

    /// At most 20 children, each 0–17; a referral of a child gives at least one age.
    func checkChildrenAges(_ ages: [Int]?, category: ClientCategory, _ problems: inout SubmissionProblems) -> [Int] {
        var childrenAges: [Int] = []
        if let ages {
            if ages.count > 20 { problems.add("client.childrenAges", "At most 20 children.", .tooMany) }
            for (i, a) in ages.prefix(20).enumerated() {
                if (0...17).contains(a) { childrenAges.append(a) } else { problems.add("client.childrenAges[\(i)]", "A child's age is 0–17.", .outOfRange) }
            }
        }
        if category == .childWitness, childrenAges.isEmpty {
            problems.add("client.childrenAges", "A referral of a child gives the child's age.", .required)
        }
        return childrenAges
    }

    /// How the client may be contacted (nothing at all when they must not be).
    struct CheckedContact {
        var doNotContact: Bool
        var mayCall: Bool
        var mayLeaveMessage: Bool
        var callTimes: String?
    }

    /// Safe contact.
    func checkSafeContact(_ safeContact: ReferralSubmission.SafeContact?, _ problems: inout SubmissionProblems) -> CheckedContact {
        let doNotContact = safeContact?.doNotContact ?? false
        let checked = CheckedContact(
            doNotContact: doNotContact,
            mayCall: doNotContact ? false : (safeContact?.mayCall ?? false),
            mayLeaveMessage: doNotContact ? false : (safeContact?.mayLeaveMessage ?? false),
            callTimes: problems.text(safeContact?.callTimes, "safeContact.callTimes", max: 200, required: false))
        if safeContact == nil { problems.add("safeContact", "Say how the client may be contacted, or that they must not be contacted.", .required) }
        return checked
    }

    /// What the client consented to, when and who recorded it.
    struct CheckedConsent {
        var given: Bool
        var scope: [ConsentScope] = []
        var givenAt: String?
        var recordedBy: String?
    }

    /// Consent: an agency refers only with consent to the referral; status or outcome consent needs it too.
    func checkConsent(_ consent: ReferralSubmission.Consent?, source: String?, _ problems: inout SubmissionProblems) -> CheckedConsent {
        var checked = CheckedConsent(given: consent?.given ?? false)
        if let c = consent {
            for (i, s) in (c.scope ?? []).enumerated() {
                if let v = ConsentScope(rawValue: s) { if !checked.scope.contains(v) { checked.scope.append(v) } } else {
                    problems.add("consent.scope[\(i)]", "Unknown scope; use referral, status, outcome.", .notAChoice)
                }
            }
            if let g = c.givenAt {
                if LocalTime.isDate(g) { checked.givenAt = g } else { problems.add("consent.givenAt", "Not a date (YYYY-MM-DD).", .notADate) }
            }
            checked.recordedBy = problems.text(c.recordedBy, "consent.recordedBy", max: 200, required: source == "agency" && checked.given)
        }
        if source == "agency" {
            if !checked.given || !checked.scope.contains(.referral) {
                problems.add("consent", "An agency may refer only with the client's consent to pass the referral to Utväg (consent.given and scope 'referral').", .consentMissing)
            } else if checked.givenAt == nil { problems.add("consent.givenAt", "Say when the client gave consent.", .required) }
        }
        if (checked.scope.contains(.status) || checked.scope.contains(.outcome)), !checked.scope.contains(.referral) {
            problems.add("consent.scope", "Status or outcome consent requires consent to the referral itself.", .notAllowed)
        }
        return checked
    }

    func checkUrgency(_ value: String?, _ problems: inout SubmissionProblems) -> Urgency {
        var urgency = Urgency.normal
        if let u = value {
            if let v = Urgency(rawValue: u) { urgency = v } else { problems.add("urgency", "Must be normal, high or acute.", .notAChoice) }
        }
        return urgency
    }

    /// Risk screening answers: questions from configuration (the required ones unless the
    /// client is referred for having used violence).
    func checkRiskAnswers(_ given: [String: String]?, category: ClientCategory, _ problems: inout SubmissionProblems) -> [String: String] {
        let checked = risk.check(given ?? [:], category: category)
        for detail in checked.problems { problems.add(detail.field, detail.message, detail.reason) }
        return checked.answers
    }

    /// Whether the caller may refer this way: only staff register self-referrals, and an
    /// agency user or adapter refers only for its own agencies (refused outright, not listed).
    func checkAllowedAgency(_ referrer: CheckedReferrer, _ problems: inout SubmissionProblems) throws(HubError) {
        guard let allowed = allowedAgencies else { return }
        if referrer.source == "self" { problems.add("source", "Only centre staff register self-referrals.", .notAllowed) }
        else if let a = referrer.agency, !allowed.contains(a) {
            throw HubError(.forbidden, "You may not refer on behalf of this agency.", field: "body.referrer.agency")
        }
    }

    /// The personal data to seal. A protected identity: no contact details are stored at
    /// all, nor the name; the fields left out are named.
    static func personalData(referrer: CheckedReferrer, client: CheckedClient, contact: CheckedContact, consent: CheckedConsent,
                             riskAnswers: [String: String], notes: String?) -> (PersonalData, dropped: [String]) {
        var dropped: [String] = []
        var personal = PersonalData(name: client.name, identityNumber: client.identity?.normalized, phone: client.phone, email: client.email,
                                    address: client.address, referrerContactName: referrer.contactName, referrerContactPhone: referrer.contactPhone,
                                    referrerContactEmail: referrer.contactEmail, callTimes: contact.callTimes,
                                    interpreterLanguage: client.interpreterLanguage, consentRecordedBy: consent.recordedBy,
                                    riskAnswers: riskAnswers, notes: notes)
        if client.protectedIdentity {
            if personal.name != nil { dropped.append("client.name"); personal.name = nil }
            if personal.phone != nil { dropped.append("client.phone"); personal.phone = nil }
            if personal.email != nil { dropped.append("client.email"); personal.email = nil }
            if personal.address != nil { dropped.append("client.address"); personal.address = nil }
            personal.callTimes = nil
        }
        return (personal, dropped)
    }
}
