import Foundation
import HubCore
import HubProtocol
import ReferralsAPI

// The vocabulary (ClientCategory, HelpKind, ReferralStatus, Urgency, IdentityKind,
// ConsentScope, …) is the contract's: services/referrals/API/Vocabulary.swift.

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

extension RiskScreening {
    /// The questions from `config/risk-screening.json`, checked.
    static func load(configDir: String) throws(HubError) -> RiskScreening {
        try ConfigFile.decode(RiskScreening.self, path: configDir + "/" + file).validated()
    }
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
