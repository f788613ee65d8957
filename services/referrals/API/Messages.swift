// Every message type of the referrals service, each with its request type and, where the
// reply has a fixed shape, its reply type. Callers use `X.type` instead of writing the
// type's name; `ReferralsAPI.messageTypes` lists them all (a test checks it against the
// service's handler table).

import HubProtocol

/// The referrals service's contract: its name, its messages and its error reasons.
public enum ReferralsAPI {
    public static let service = "referrals"

    /// Every message type the service handles, in the order of services/referrals/README.md.
    public static let messages: [any ContractRequest.Type] = [
        ListCentres.self, ReferralOptions.self, SubmitReferral.self, ReceiveReferral.self, AssessReferral.self,
        OfferAppointment.self, StartTreatment.self, CloseReferral.self, WithdrawReferral.self, ReprioritiseReferral.self,
        GetReferral.self, ReferralStatusQuery.self, ListReferrals.self, FindReferrals.self, SetIntake.self, ReferralCapacity.self,
        DefineGroup.self, ListGroups.self, AssignGroup.self, ReferralStatistics.self, ImportReferralStatistics.self,
        ListAudit.self, RunRetention.self,
    ]
    public static var messageTypes: [String] { messages.map { $0.type } }

    /// The error codes the service answers with besides the hub's common ones
    /// (`validation`, `forbidden`, `not_found`, `conflict`, `internal`, `storage`).
    public static let intakePaused = HubError.Code.intakePaused
    public static let invalidTransition = HubError.Code("invalid_transition")
    public static let errorCodes: [HubError.Code] = [.validation, .forbidden, .notFound, .conflict, intakePaused, invalidTransition, .internal, .storage]

    /// The reasons (`HubError.Reason`) a field problem of `referrals.submit` can carry.
    public static let fieldReasons: [HubError.Reason] = [
        .required, .tooLong, .controlCharacters, .notAChoice, .invalidEmail, .invalidPhone, .notServed, .wrongKind,
        .notAllowed, .outOfRange, .tooMany, .notADate, .identityFormat, .checkDigit, .consentMissing, .wrongType,
    ]
}

// MARK: Reference data

/// `referrals.centres.list`: the centres and the municipalities each serves.
public struct ListCentres: MemberlessRequest, Equatable {
    public static let type = "referrals.centres.list"
    public init() {}
    public struct Centre: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var town: String
        public var municipalities: [String]
        public init(id: String, name: String, town: String, municipalities: [String]) {
            self.id = id; self.name = name; self.town = town; self.municipalities = municipalities
        }
    }
    public struct Reply: Codable, Sendable, Equatable {
        public var centres: [Centre]
        public init(centres: [Centre]) { self.centres = centres }
    }
}

/// `referrals.options`: what a referral form offers (codes, centres and their intake,
/// agencies, risk questions, the coded reasons of config/referrals.json).
public struct ReferralOptions: MemberlessRequest, Equatable {
    public static let type = "referrals.options"
    public init() {}
    /// A coded reason with its names (from config/referrals.json).
    public struct Reason: Codable, Sendable, Equatable {
        public var code: String; public var sv: String; public var en: String
        public init(code: String, sv: String, en: String) { self.code = code; self.sv = sv; self.en = en }
    }
    public struct Intake: Codable, Sendable, Equatable {
        public var paused: Bool
        public var categories: [String]
        public var message: String?
        public var alternatives: String?
        public var since: String?
        public init(paused: Bool, categories: [String], message: String? = nil, alternatives: String? = nil, since: String? = nil) {
            self.paused = paused; self.categories = categories; self.message = message; self.alternatives = alternatives; self.since = since
        }
    }
    public struct Centre: Codable, Sendable, Equatable {
        public var id: String; public var name: String; public var municipalities: [String]; public var intake: Intake?
        public init(id: String, name: String, municipalities: [String], intake: Intake? = nil) {
            self.id = id; self.name = name; self.municipalities = municipalities; self.intake = intake
        }
    }
    public struct Agency: Codable, Sendable, Equatable {
        public var id: String; public var name: String
        public init(id: String, name: String) { self.id = id; self.name = name }
    }
    public struct RiskQuestion: Codable, Sendable, Equatable {
        public var id: String; public var sv: String; public var en: String; public var required: Bool
        public init(id: String, sv: String, en: String, required: Bool) { self.id = id; self.sv = sv; self.en = en; self.required = required }
    }
    public struct Reply: Codable, Sendable, Equatable {
        public var categories: [ClientCategory]
        public var help: [HelpKind]
        public var urgency: [Urgency]
        public var centres: [Centre]
        public var agencies: [Agency]
        public var riskQuestions: [RiskQuestion]
        public var riskAnswers: [String]
        public var declineReasons: [Reason]
        public var redirectReasons: [Reason]
        public var closureReasons: [Reason]
        public var withdrawReasons: [Reason]
        public var maxFreeTextChars: Int
        public init(categories: [ClientCategory], help: [HelpKind], urgency: [Urgency], centres: [Centre], agencies: [Agency],
                    riskQuestions: [RiskQuestion], riskAnswers: [String], declineReasons: [Reason], redirectReasons: [Reason],
                    closureReasons: [Reason], withdrawReasons: [Reason], maxFreeTextChars: Int) {
            self.categories = categories; self.help = help; self.urgency = urgency; self.centres = centres; self.agencies = agencies
            self.riskQuestions = riskQuestions; self.riskAnswers = riskAnswers; self.declineReasons = declineReasons
            self.redirectReasons = redirectReasons; self.closureReasons = closureReasons; self.withdrawReasons = withdrawReasons
            self.maxFreeTextChars = maxFreeTextChars
        }
    }
}

// MARK: The life cycle's steps (each answers with the referral's summary and the action)

/// The reply of every step: the referral's non-personal summary after the step, and the
/// action recorded (`ReferralAction`).
public struct ReferralSummary: Codable, Sendable, Equatable {
    public var id: String
    public var reference: String
    public var centre: String
    public var centreName: String
    public var municipality: String
    public var category: String
    public var help: [String]
    public var source: String
    public var status: ReferralStatus
    public var urgency: String
    public var submittedAt: String
    public var protectedIdentity: Bool
    public var doNotContact: Bool
    public var riskScore: Int
    public var highRisk: Bool
    public var childrenAges: [Int]
    public var version: Int
    public var referrerAgency: String?
    public var priority: Int?
    public var reserveId: String?
    public var receivedAt: String?
    public var clientAge: Int?
    /// `individual` or `group:<name>`.
    public var treatment: String?
    public var groupId: String?
    public var reason: String?
    public var redirectTo: String?
    public var appointmentDate: String?
    public var endedAt: String?
    public var anonymised: Bool?
    /// The step's action (in a step's reply only).
    public var action: String?

    public init(id: String, reference: String, centre: String, centreName: String, municipality: String, category: String, help: [String],
                source: String, status: ReferralStatus, urgency: String, submittedAt: String, protectedIdentity: Bool, doNotContact: Bool,
                riskScore: Int, highRisk: Bool, childrenAges: [Int], version: Int) {
        self.id = id; self.reference = reference; self.centre = centre; self.centreName = centreName; self.municipality = municipality
        self.category = category; self.help = help; self.source = source; self.status = status; self.urgency = urgency
        self.submittedAt = submittedAt; self.protectedIdentity = protectedIdentity; self.doNotContact = doNotContact
        self.riskScore = riskScore; self.highRisk = highRisk; self.childrenAges = childrenAges; self.version = version
    }
}

/// `referrals.receive {id}`.
public struct ReceiveReferral: ContractRequest, Equatable {
    public static let type = "referrals.receive"
    public var id: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case id }
    public init(id: String) { self.id = id }
    public typealias Reply = ReferralSummary
}

/// `referrals.assess {id, decision, priority?, reason?, redirectTo?}`.
public struct AssessReferral: ContractRequest, Equatable {
    public static let type = "referrals.assess"
    public var id: String
    public var decision: AssessmentDecision
    /// 1–3, for `accept`.
    public var priority: Int?
    /// A redirect or decline reason code (config/referrals.json).
    public var reason: String?
    /// For `redirect`.
    public var redirectTo: String?
    public init(id: String, decision: AssessmentDecision, priority: Int? = nil, reason: String? = nil, redirectTo: String? = nil) {
        self.id = id; self.decision = decision; self.priority = priority; self.reason = reason; self.redirectTo = redirectTo
    }
    public enum CodingKeys: String, CodingKey, CaseIterable { case id, decision, priority, reason, redirectTo }
    public typealias Reply = ReferralSummary
}

/// `referrals.appointment {id, date, channel}`.
public struct OfferAppointment: ContractRequest, Equatable {
    public static let type = "referrals.appointment"
    public var id: String
    /// YYYY-MM-DD.
    public var date: String
    public var channel: AppointmentChannel
    public init(id: String, date: String, channel: AppointmentChannel) { self.id = id; self.date = date; self.channel = channel }
    public enum CodingKeys: String, CodingKey, CaseIterable { case id, date, channel }
    public typealias Reply = ReferralSummary
}

/// `referrals.treatment.start {id, mode, groupId?}`.
public struct StartTreatment: ContractRequest, Equatable {
    public static let type = "referrals.treatment.start"
    public var id: String
    public var mode: TreatmentMode
    public var groupId: String?
    public init(id: String, mode: TreatmentMode, groupId: String? = nil) { self.id = id; self.mode = mode; self.groupId = groupId }
    public enum CodingKeys: String, CodingKey, CaseIterable { case id, mode, groupId }
    public typealias Reply = ReferralSummary
}

/// `referrals.close {id, reason, note?}`.
public struct CloseReferral: ContractRequest, Equatable {
    public static let type = "referrals.close"
    public var id: String
    /// A closure reason code (config/referrals.json).
    public var reason: String
    public var note: String?
    public init(id: String, reason: String, note: String? = nil) { self.id = id; self.reason = reason; self.note = note }
    public enum CodingKeys: String, CodingKey, CaseIterable { case id, reason, note }
    public typealias Reply = ReferralSummary
}

/// `referrals.withdraw {id, reason}`: by the referring agency or staff.
public struct WithdrawReferral: ContractRequest, Equatable {
    public static let type = "referrals.withdraw"
    public var id: String
    /// A withdraw reason code (config/referrals.json).
    public var reason: String
    public init(id: String, reason: String) { self.id = id; self.reason = reason }
    public enum CodingKeys: String, CodingKey, CaseIterable { case id, reason }
    public typealias Reply = ReferralSummary
}

/// `referrals.reprioritise {id, priority, reason}`.
public struct ReprioritiseReferral: ContractRequest, Equatable {
    public static let type = "referrals.reprioritise"
    public var id: String
    public var priority: Int
    /// Free text, kept sealed in the history.
    public var reason: String
    public init(id: String, priority: Int, reason: String) { self.id = id; self.priority = priority; self.reason = reason }
    public enum CodingKeys: String, CodingKey, CaseIterable { case id, priority, reason }
    public typealias Reply = ReferralSummary
}
