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
