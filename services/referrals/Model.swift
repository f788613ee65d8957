import Foundation
import HubCore
import HubProtocol

/// The client category used in the annual report ("målgrupp").
public enum ClientCategory: String, CaseIterable, Sendable, Codable {
    /// "utsatt för våld"
    case subjectedToViolence = "subjected-to-violence"
    /// "utövat våld"
    case usedViolence = "used-violence"
    /// "barn som upplevt våld"
    case childWitness = "child-witness"
    /// "unga vuxna 18–25"
    case youngAdult = "young-adult"
    /// "ej angiven"
    case notStated = "not-stated"
}

/// The help a referrer asks for ("insats").
public enum HelpKind: String, CaseIterable, Sendable, Codable {
    case individualTalks = "individual-talks"
    case womensGroup = "womens-group"
    case nonViolenceGroup = "non-violence-group"
    case youngAdultsGroup = "young-adults-group"
    case childParentGroup = "child-parent-group"
}

/// A referral's place in its life cycle. Every change is an event and a history row.
public enum ReferralStatus: String, CaseIterable, Sendable, Codable {
    case submitted, received, accepted, redirected, declined
    case appointmentOffered = "appointment-offered"
    case inTreatment = "in-treatment"
    case closed, withdrawn

    /// Statuses after which nothing more happens.
    public var isFinal: Bool { [.redirected, .declined, .closed, .withdrawn].contains(self) }
    /// Statuses in which the person waits in the centre's queue.
    public static let waiting: [ReferralStatus] = [.accepted]
}

/// How urgent the referrer thinks it is.
public enum Urgency: String, CaseIterable, Sendable, Codable { case normal, high, acute }

/// How the client is identified.
public enum IdentityKind: String, CaseIterable, Sendable, Codable {
    case personnummer, samordningsnummer
    /// Anonymous: the referral gets a reserve id ("reservnummer") instead.
    case none
}

/// What the client consented to: `referral` (the referral may be passed to Utväg) is
/// required from an agency; `status` lets the referrer follow status changes;
/// `outcome` lets it also see the reasons and the treatment form.
public enum ConsentScope: String, CaseIterable, Sendable, Codable { case referral, status, outcome }

/// A coded reason with Swedish and English labels (from `config/referrals.json`).
public struct CodedReason: Sendable, Codable, Equatable {
    public var code: String
    public var sv: String
    public var en: String
}

/// The referrals service's policies, from `config/referrals.json`.
public struct ReferralSettings: Sendable, Codable {
    public struct WaitEstimate: Sendable, Codable {
        public var lookbackDays: Int
        public var fallbackDaysPerPosition: Double
    }
    public var smallNumberThreshold: Int
    public var retentionDays: Int
    public var maxFreeTextChars: Int
    public var waitEstimate: WaitEstimate
    public var declineReasons: [CodedReason]
    public var redirectReasons: [CodedReason]
    public var closureReasons: [CodedReason]
    public var withdrawReasons: [CodedReason]

    public static func load(configDir: String) throws(HubError) -> ReferralSettings {
        let s = try ConfigFile.decode(ReferralSettings.self, path: configDir + "/referrals.json")
        guard (1...100).contains(s.smallNumberThreshold) else {
            throw HubError(.validation, "Must be 1–100.", field: "referrals.json:smallNumberThreshold")
        }
        guard s.retentionDays >= 30 else { throw HubError(.validation, "Must be at least 30.", field: "referrals.json:retentionDays") }
        guard (100...100_000).contains(s.maxFreeTextChars) else {
            throw HubError(.validation, "Must be 100–100000.", field: "referrals.json:maxFreeTextChars")
        }
        for (name, list) in [("declineReasons", s.declineReasons), ("redirectReasons", s.redirectReasons),
                             ("closureReasons", s.closureReasons), ("withdrawReasons", s.withdrawReasons)] {
            guard !list.isEmpty, Set(list.map(\.code)).count == list.count else {
                throw HubError(.validation, "Needs at least one reason and unique codes.", field: "referrals.json:" + name)
            }
        }
        return s
    }
}

/// The risk-screening questions asked at referral, from `config/risk-screening.json`.
public struct RiskScreening: Sendable, Codable {
    public struct Question: Sendable, Codable {
        public var id: String
        public var sv: String
        public var en: String
        public var required: Bool
    }
    public var answers: [String]
    /// The number of "yes" answers at which a referral is flagged as high risk.
    public var highRiskAt: Int
    public var questions: [Question]

    public static func load(configDir: String) throws(HubError) -> RiskScreening {
        let r = try ConfigFile.decode(RiskScreening.self, path: configDir + "/risk-screening.json")
        guard !r.questions.isEmpty, Set(r.questions.map(\.id)).count == r.questions.count else {
            throw HubError(.validation, "Needs at least one question and unique ids.", field: "risk-screening.json:questions")
        }
        guard r.answers.contains("yes") else { throw HubError(.validation, "The answers must include 'yes'.", field: "risk-screening.json:answers") }
        return r
    }

    /// The number of "yes" answers.
    public func score(_ answers: [String: String]) -> Int { answers.values.filter { $0 == "yes" }.count }
}

/// What `referrals.submit` takes, as sent (every field optional so that validation can
/// name each missing one instead of stopping at the first).
struct SubmissionInput: Decodable {
    struct Referrer: Decodable {
        var agency: String?; var unit: String?; var contactName: String?; var contactPhone: String?; var contactEmail: String?
    }
    struct Client: Decodable {
        var identityKind: String?; var identityNumber: String?; var name: String?
        var protectedIdentity: Bool?; var phone: String?; var email: String?; var address: String?
        var childrenAges: [Int]?; var interpreterLanguage: String?
    }
    struct SafeContact: Decodable {
        var doNotContact: Bool?; var mayCall: Bool?; var callTimes: String?; var mayLeaveMessage: Bool?
    }
    struct Consent: Decodable {
        var given: Bool?; var scope: [String]?; var givenAt: String?; var recordedBy: String?
    }
    var externalRef: String?
    var source: String?
    var referrer: Referrer?
    var municipality: String?
    var category: String?
    var help: [String]?
    var client: Client?
    var safeContact: SafeContact?
    var consent: Consent?
    var urgency: String?
    var riskAnswers: [String: String]?
    var notes: String?
}

/// Personal data of a referral: sealed with AES-GCM as one JSON document, never in a
/// plain column. For a protected identity only the identity number is kept.
struct PersonalData: Codable, Equatable {
    var name: String?
    var identityNumber: String?
    var phone: String?
    var email: String?
    var address: String?
    var referrerContactName: String?
    var referrerContactPhone: String?
    var referrerContactEmail: String?
    var callTimes: String?
    var interpreterLanguage: String?
    var consentRecordedBy: String?
    var riskAnswers: [String: String]
    var notes: String?
}

/// A submission that passed every check, ready to store.
struct ValidSubmission {
    var externalRef: String?
    var source: String          // "agency" | "self"
    var referrerAgency: String?
    var referrerUnit: String?
    var municipality: String
    var centreID: String
    var category: ClientCategory
    var help: [HelpKind]
    var identityKind: IdentityKind
    var identity: PersonalIdentityNumber?
    var protectedIdentity: Bool
    var doNotContact: Bool
    var mayCall: Bool
    var mayLeaveMessage: Bool
    var consentGiven: Bool
    var consentScope: [ConsentScope]
    var consentGivenAt: String?
    var urgency: Urgency
    var childrenAges: [Int]
    var riskScore: Int
    var personal: PersonalData
    /// Contact fields left out because the person has a protected identity.
    var droppedFields: [String]
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
        let input = try body.decode(SubmissionInput.self)
        var problems: [HubError.Detail] = []
        func problem(_ field: String, _ message: String, _ reason: HubError.Reason? = nil) {
            problems.append(.init(field: "body." + field, message: message, reason: reason))
        }
        /// A text field; only `multiline` ones (the notes) may hold line breaks and tabs:
        /// a new line in a name or phone is refused as `control_characters` (docs/protocol.md).
        func text(_ value: String?, _ field: String, max: Int, required: Bool, multiline: Bool = false) -> String? {
            let t = value?.trimmingCharacters(in: .whitespacesAndNewlines)
            if let t, !t.isEmpty {
                if t.unicodeScalars.count > max { problem(field, "Too long: at most \(max) characters.", .tooLong) ; return nil }
                let allowed: Set<Unicode.Scalar> = multiline ? ["\n", "\r", "\t"] : []
                if t.unicodeScalars.contains(where: { ($0.properties.generalCategory == .control || $0 == "\u{2028}" || $0 == "\u{2029}") && !allowed.contains($0) }) {
                    problem(field, multiline ? "Contains control characters." : "Control characters and new lines are not allowed in a one-line field.",
                            .controlCharacters)
                    return nil
                }
                return t
            }
            if required { problem(field, "Required.", .required) }
            return nil
        }

        let externalRef = text(input.externalRef, "externalRef", max: 100, required: false)
        // Source and referrer.
        let source = input.source ?? (input.referrer == nil ? nil : "agency")
        var referrerAgency: String?, unit: String?
        var contactName: String?, contactPhone: String?, contactEmail: String?
        switch source {
        case "agency":
            guard let r = input.referrer else { problem("referrer", "An agency referral names the referring agency, unit and contact person.", .required); break }
            if let a = text(r.agency, "referrer.agency", max: 64, required: true) {
                if !reference.agencies.contains(where: { $0.id == a }) {
                    problem("referrer.agency", "Unknown agency; known agencies: \(reference.agencies.map(\.id).joined(separator: ", ")).", .notAChoice)
                } else {
                    referrerAgency = a
                }
            }
            unit = text(r.unit, "referrer.unit", max: 200, required: true)
            contactName = text(r.contactName, "referrer.contactName", max: 200, required: true)
            contactPhone = text(r.contactPhone, "referrer.contactPhone", max: 40, required: false)
            contactEmail = text(r.contactEmail, "referrer.contactEmail", max: 254, required: false)
            if let e = contactEmail, !Self.isEmail(e) { problem("referrer.contactEmail", "Not an e-mail address.", .invalidEmail) }
            if let p = contactPhone, !Self.isPhone(p) { problem("referrer.contactPhone", "Not a phone number.", .invalidPhone) }
        case "self":
            if input.referrer != nil { problem("referrer", "A self-referral has no referring agency.", .notAllowed) }
        case nil:
            problem("source", "Required: 'agency' or 'self'.", .required)
        default:
            problem("source", "Must be 'agency' or 'self'.", .notAChoice)
        }

        // Municipality decides the centre.
        var centreID = ""
        let municipality = text(input.municipality, "municipality", max: 100, required: true) ?? ""
        if !municipality.isEmpty {
            if let c = reference.centre(serving: municipality) { centreID = c.id } else {
                let served = reference.centres.flatMap(\.municipalities).sorted()
                problem("municipality", "No Utväg centre serves this municipality. Served municipalities: \(served.joined(separator: ", ")).", .notServed)
            }
        }

        var category = ClientCategory.notStated
        if let c = input.category {
            if let v = ClientCategory(rawValue: c) { category = v } else {
                problem("category", "Unknown category; use one of \(ClientCategory.allCases.map(\.rawValue).joined(separator: ", ")).", .notAChoice)
            }
        } else { problem("category", "Required; use one of \(ClientCategory.allCases.map(\.rawValue).joined(separator: ", ")).", .required) }

        var help: [HelpKind] = []
        if let h = input.help, !h.isEmpty {
            for (i, s) in h.enumerated() {
                if let v = HelpKind(rawValue: s) { if !help.contains(v) { help.append(v) } } else {
                    problem("help[\(i)]", "Unknown kind of help; use \(HelpKind.allCases.map(\.rawValue).joined(separator: ", ")).", .notAChoice)
                }
            }
        } else { problem("help", "Choose at least one kind of help.", .required) }

        // Client and identity.
        let client = input.client ?? SubmissionInput.Client()
        var identityKind = IdentityKind.none
        var identity: PersonalIdentityNumber?
        switch client.identityKind {
        case nil: problem("client.identityKind", "Required: personnummer, samordningsnummer or none.", .required)
        case let k?:
            if let v = IdentityKind(rawValue: k) { identityKind = v } else {
                problem("client.identityKind", "Must be personnummer, samordningsnummer or none.", .notAChoice)
            }
        }
        if identityKind != .none {
            if let n = text(client.identityNumber, "client.identityNumber", max: 20, required: true) {
                do {
                    let id = try PersonalIdentityNumber(n, field: "body.client.identityNumber", today: today)
                    if id.kind.rawValue != identityKind.rawValue {
                        problem("client.identityNumber", identityKind == .personnummer
                                ? "This is a samordningsnummer (day + 60), not a personnummer."
                                : "This is a personnummer, not a samordningsnummer (day + 60).", .wrongKind)
                    } else { identity = id }
                } catch { problems.append(.init(field: error.field ?? "body.client.identityNumber", message: error.message, reason: error.reason)) }
            }
        } else if let n = client.identityNumber, !n.isEmpty {
            problem("client.identityNumber", "An anonymous referral has no identity number.", .notAllowed)
        }
        let protectedIdentity = client.protectedIdentity ?? false
        let name = text(client.name, "client.name", max: 200, required: identityKind != .none && !protectedIdentity)
        let phone = text(client.phone, "client.phone", max: 40, required: false)
        let email = text(client.email, "client.email", max: 254, required: false)
        let address = text(client.address, "client.address", max: 300, required: false)
        if let p = phone, !Self.isPhone(p) { problem("client.phone", "Not a phone number.", .invalidPhone) }
        if let e = email, !Self.isEmail(e) { problem("client.email", "Not an e-mail address.", .invalidEmail) }
        var childrenAges: [Int] = []
        if let ages = client.childrenAges {
            if ages.count > 20 { problem("client.childrenAges", "At most 20 children.", .tooMany) }
            for (i, a) in ages.prefix(20).enumerated() {
                if (0...17).contains(a) { childrenAges.append(a) } else { problem("client.childrenAges[\(i)]", "A child's age is 0–17.", .outOfRange) }
            }
        }
        if category == .childWitness, childrenAges.isEmpty {
            problem("client.childrenAges", "A referral of a child gives the child's age.", .required)
        }
        let interpreter = text(client.interpreterLanguage, "client.interpreterLanguage", max: 60, required: false)

        // Safe contact.
        let sc = input.safeContact
        let doNotContact = sc?.doNotContact ?? false
        let mayCall = doNotContact ? false : (sc?.mayCall ?? false)
        let mayLeaveMessage = doNotContact ? false : (sc?.mayLeaveMessage ?? false)
        let callTimes = text(sc?.callTimes, "safeContact.callTimes", max: 200, required: false)
        if sc == nil { problem("safeContact", "Say how the client may be contacted, or that they must not be contacted.", .required) }

        // Consent.
        var scope: [ConsentScope] = []
        let consentGiven = input.consent?.given ?? false
        var givenAt: String?
        var recordedBy: String?
        if let c = input.consent {
            for (i, s) in (c.scope ?? []).enumerated() {
                if let v = ConsentScope(rawValue: s) { if !scope.contains(v) { scope.append(v) } } else {
                    problem("consent.scope[\(i)]", "Unknown scope; use referral, status, outcome.", .notAChoice)
                }
            }
            if let g = c.givenAt {
                if ReferenceData.isDate(g) { givenAt = g } else { problem("consent.givenAt", "Not a date (YYYY-MM-DD).", .notADate) }
            }
            recordedBy = text(c.recordedBy, "consent.recordedBy", max: 200, required: source == "agency" && consentGiven)
        }
        if source == "agency" {
            if !consentGiven || !scope.contains(.referral) {
                problem("consent", "An agency may refer only with the client's consent to pass the referral to Utväg (consent.given and scope 'referral').", .consentMissing)
            } else if givenAt == nil { problem("consent.givenAt", "Say when the client gave consent.", .required) }
        }
        if (scope.contains(.status) || scope.contains(.outcome)), !scope.contains(.referral) {
            problem("consent.scope", "Status or outcome consent requires consent to the referral itself.", .notAllowed)
        }

        var urgency = Urgency.normal
        if let u = input.urgency {
            if let v = Urgency(rawValue: u) { urgency = v } else { problem("urgency", "Must be normal, high or acute.", .notAChoice) }
        }

        // Risk screening answers: questions from configuration.
        var answers: [String: String] = [:]
        let known = Dictionary(uniqueKeysWithValues: risk.questions.map { ($0.id, $0) })
        for (k, v) in (input.riskAnswers ?? [:]).sorted(by: { $0.key < $1.key }) {
            if known[k] == nil { problem("riskAnswers.\(k)", "Unknown risk-screening question.", .notAChoice); continue }
            if !risk.answers.contains(v) { problem("riskAnswers.\(k)", "Answer with \(risk.answers.joined(separator: ", ")).", .notAChoice) ; continue }
            answers[k] = v
        }
        if category != .usedViolence {
            for q in risk.questions where q.required && answers[q.id] == nil {
                problem("riskAnswers.\(q.id)", "Required risk-screening question.", .required)
            }
        }
        let notes = text(input.notes, "notes", max: settings.maxFreeTextChars, required: false, multiline: true)

        if let allowed = allowedAgencies {
            if source == "self" { problem("source", "Only centre staff register self-referrals.", .notAllowed) }
            else if let a = referrerAgency, !allowed.contains(a) {
                throw HubError(.forbidden, "You may not refer on behalf of this agency.", field: "body.referrer.agency")
            }
        }
        guard problems.isEmpty else { throw HubError.validation(problems) }

        // A protected identity: no contact details are stored at all, nor the name.
        var dropped: [String] = []
        var personal = PersonalData(name: name, identityNumber: identity?.normalized, phone: phone, email: email, address: address,
                                    referrerContactName: contactName, referrerContactPhone: contactPhone, referrerContactEmail: contactEmail,
                                    callTimes: callTimes, interpreterLanguage: interpreter, consentRecordedBy: recordedBy,
                                    riskAnswers: answers, notes: notes)
        if protectedIdentity {
            if personal.name != nil { dropped.append("client.name"); personal.name = nil }
            if personal.phone != nil { dropped.append("client.phone"); personal.phone = nil }
            if personal.email != nil { dropped.append("client.email"); personal.email = nil }
            if personal.address != nil { dropped.append("client.address"); personal.address = nil }
            personal.callTimes = nil
        }
        return ValidSubmission(
            externalRef: externalRef, source: source ?? "agency", referrerAgency: referrerAgency, referrerUnit: unit,
            municipality: municipality, centreID: centreID, category: category, help: help,
            identityKind: identityKind, identity: identity, protectedIdentity: protectedIdentity,
            doNotContact: doNotContact, mayCall: mayCall, mayLeaveMessage: mayLeaveMessage,
            consentGiven: consentGiven, consentScope: scope, consentGivenAt: givenAt, urgency: urgency,
            childrenAges: childrenAges, riskScore: risk.score(answers), personal: personal, droppedFields: dropped)
    }

    /// The hub's one e-mail check (`EmailAddress` in HubProtocol).
    static func isEmail(_ s: String) -> Bool { EmailAddress.isValid(s) }
    static func isPhone(_ s: String) -> Bool {
        let digits = s.filter(\.isNumber)
        return (6...15).contains(digits.count) && s.allSatisfy { $0.isNumber || " +-()".contains($0) }
    }
}
