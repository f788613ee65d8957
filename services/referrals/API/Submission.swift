// `referrals.submit`: the referral as an agency, the gateway or an adapter sends it, and
// the service's receipt. Every field of the request is optional so that the service can
// name each missing one instead of stopping at the first (its validation is in
// services/referrals/SubmissionValidator.swift).

import HubProtocol

/// `referrals.submit`: a new referral (the request is a `ReferralSubmission`).
public typealias SubmitReferral = ReferralSubmission

/// The body of `referrals.submit`, as sent. A command; the reply is a `SubmissionReceipt`,
/// or `intake_paused`, `validation` (every problem in `details`) or `forbidden`. Unknown
/// members are ignored, not refused: agencies' systems add their own.
public struct ReferralSubmission: ContractRequest, Equatable {
    public static let type = "referrals.submit"
    public typealias Reply = SubmissionReceipt
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case externalRef, source, referrer, municipality, category, help, client, safeContact, consent, urgency, riskAnswers, notes
    }
    /// Who refers: the agency, its unit and contact person (absent for a self-referral).
    public struct Referrer: Codable, Sendable, Equatable {
        public var agency: String?
        public var unit: String?
        public var contactName: String?
        public var contactPhone: String?
        public var contactEmail: String?
        public init(agency: String? = nil, unit: String? = nil, contactName: String? = nil, contactPhone: String? = nil, contactEmail: String? = nil) {
            self.agency = agency; self.unit = unit; self.contactName = contactName; self.contactPhone = contactPhone; self.contactEmail = contactEmail
        }
    }
    /// The client: identity (`IdentityKind`), contact details, children and interpreter.
    public struct Client: Codable, Sendable, Equatable {
        public var identityKind: String?
        public var identityNumber: String?
        public var name: String?
        public var protectedIdentity: Bool?
        public var phone: String?
        public var email: String?
        public var address: String?
        public var childrenAges: [Int]?
        public var interpreterLanguage: String?
        public init(identityKind: String? = nil, identityNumber: String? = nil, name: String? = nil, protectedIdentity: Bool? = nil,
                    phone: String? = nil, email: String? = nil, address: String? = nil, childrenAges: [Int]? = nil, interpreterLanguage: String? = nil) {
            self.identityKind = identityKind; self.identityNumber = identityNumber; self.name = name; self.protectedIdentity = protectedIdentity
            self.phone = phone; self.email = email; self.address = address; self.childrenAges = childrenAges; self.interpreterLanguage = interpreterLanguage
        }
    }
    /// How the client may be contacted.
    public struct SafeContact: Codable, Sendable, Equatable {
        public var doNotContact: Bool?
        public var mayCall: Bool?
        public var callTimes: String?
        public var mayLeaveMessage: Bool?
        public init(doNotContact: Bool? = nil, mayCall: Bool? = nil, callTimes: String? = nil, mayLeaveMessage: Bool? = nil) {
            self.doNotContact = doNotContact; self.mayCall = mayCall; self.callTimes = callTimes; self.mayLeaveMessage = mayLeaveMessage
        }
    }
    /// The client's consent (`ConsentScope` codes), when and who recorded it.
    public struct Consent: Codable, Sendable, Equatable {
        public var given: Bool?
        public var scope: [String]?
        public var givenAt: String?
        public var recordedBy: String?
        public init(given: Bool? = nil, scope: [String]? = nil, givenAt: String? = nil, recordedBy: String? = nil) {
            self.given = given; self.scope = scope; self.givenAt = givenAt; self.recordedBy = recordedBy
        }
    }

    public var externalRef: String?
    /// `ReferralSource`: `agency` or `self`; absent with a referrer means `agency`.
    public var source: String?
    public var referrer: Referrer?
    public var municipality: String?
    /// A `ClientCategory` code.
    public var category: String?
    /// `HelpKind` codes.
    public var help: [String]?
    public var client: Client?
    public var safeContact: SafeContact?
    public var consent: Consent?
    /// An `Urgency` code.
    public var urgency: String?
    /// Risk-screening question id → `RiskAnswer` code.
    public var riskAnswers: [String: String]?
    public var notes: String?

    public init(externalRef: String? = nil, source: String? = nil, referrer: Referrer? = nil, municipality: String? = nil,
                category: String? = nil, help: [String]? = nil, client: Client? = nil, safeContact: SafeContact? = nil,
                consent: Consent? = nil, urgency: String? = nil, riskAnswers: [String: String]? = nil, notes: String? = nil) {
        self.externalRef = externalRef; self.source = source; self.referrer = referrer; self.municipality = municipality
        self.category = category; self.help = help; self.client = client; self.safeContact = safeContact; self.consent = consent
        self.urgency = urgency; self.riskAnswers = riskAnswers; self.notes = notes
    }
}

/// The reply to `referrals.submit`: the referral's id, its reference ("ärendenummer"),
/// status `submitted` and the centre that will handle it.
public struct SubmissionReceipt: Codable, Sendable, Equatable {
    public var id: String
    public var reference: String
    /// Always `submitted`.
    public var status: ReferralStatus
    public var centre: String
    public var centreName: String
    public var submittedAt: String
    /// The reserve id ("reservnummer") of an anonymous client.
    public var reserveId: String?
    public var externalRef: String?
    /// For a protected identity: the contact fields that were not stored (`client.name`, …).
    public var droppedFields: [String]?
    /// Why fields were dropped.
    public var notice: String?

    public init(id: String, reference: String, status: ReferralStatus = .submitted, centre: String, centreName: String, submittedAt: String,
                reserveId: String? = nil, externalRef: String? = nil, droppedFields: [String]? = nil, notice: String? = nil) {
        self.id = id; self.reference = reference; self.status = status; self.centre = centre; self.centreName = centreName
        self.submittedAt = submittedAt; self.reserveId = reserveId; self.externalRef = externalRef; self.droppedFields = droppedFields; self.notice = notice
    }
}
