// Every message type of the referrals service, each with its request type and, where the
// reply has a fixed shape, its reply type. Callers use `X.type` instead of writing the
// type's name; `ReferralsAPI.messageTypes` lists them all (a test checks it against the
// service's handler table).

import HubProtocol

/// One message type of the referrals contract.
public protocol ReferralsMessage {
    /// The message type on the bus (`referrals.submit`).
    static var type: String { get }
    associatedtype Request: Codable & Sendable
    associatedtype Reply: Codable & Sendable
}

/// The referrals service's contract: its name, its messages and its error reasons.
public enum ReferralsAPI {
    public static let service = "referrals"

    /// Every message type the service handles, in the order of services/referrals/README.md.
    public static let messages: [any ReferralsMessage.Type] = [
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

/// A body with no fields.
public struct EmptyRequest: Codable, Sendable, Equatable { public init() {} }

/// A referral named by its id.
public struct ReferralID: Codable, Sendable, Equatable {
    public var id: String
    public init(id: String) { self.id = id }
}

// MARK: Reference data

/// `referrals.centres.list`: the centres and the municipalities each serves.
public enum ListCentres: ReferralsMessage {
    public static let type = "referrals.centres.list"
    public typealias Request = EmptyRequest
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
public enum ReferralOptions: ReferralsMessage {
    public static let type = "referrals.options"
    public typealias Request = EmptyRequest
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
public enum ReceiveReferral: ReferralsMessage {
    public static let type = "referrals.receive"
    public typealias Request = ReferralID
    public typealias Reply = ReferralSummary
}

/// `referrals.assess {id, decision, priority?, reason?, redirectTo?}`.
public enum AssessReferral: ReferralsMessage {
    public static let type = "referrals.assess"
    public struct Request: Codable, Sendable, Equatable {
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
    }
    public typealias Reply = ReferralSummary
}

/// `referrals.appointment {id, date, channel}`.
public enum OfferAppointment: ReferralsMessage {
    public static let type = "referrals.appointment"
    public struct Request: Codable, Sendable, Equatable {
        public var id: String
        /// YYYY-MM-DD.
        public var date: String
        public var channel: AppointmentChannel
        public init(id: String, date: String, channel: AppointmentChannel) { self.id = id; self.date = date; self.channel = channel }
    }
    public typealias Reply = ReferralSummary
}

/// `referrals.treatment.start {id, mode, groupId?}`.
public enum StartTreatment: ReferralsMessage {
    public static let type = "referrals.treatment.start"
    public struct Request: Codable, Sendable, Equatable {
        public var id: String
        public var mode: TreatmentMode
        public var groupId: String?
        public init(id: String, mode: TreatmentMode, groupId: String? = nil) { self.id = id; self.mode = mode; self.groupId = groupId }
    }
    public typealias Reply = ReferralSummary
}

/// `referrals.close {id, reason, note?}`.
public enum CloseReferral: ReferralsMessage {
    public static let type = "referrals.close"
    public struct Request: Codable, Sendable, Equatable {
        public var id: String
        /// A closure reason code (config/referrals.json).
        public var reason: String
        public var note: String?
        public init(id: String, reason: String, note: String? = nil) { self.id = id; self.reason = reason; self.note = note }
    }
    public typealias Reply = ReferralSummary
}

/// `referrals.withdraw {id, reason}`: by the referring agency or staff.
public enum WithdrawReferral: ReferralsMessage {
    public static let type = "referrals.withdraw"
    public struct Request: Codable, Sendable, Equatable {
        public var id: String
        /// A withdraw reason code (config/referrals.json).
        public var reason: String
        public init(id: String, reason: String) { self.id = id; self.reason = reason }
    }
    public typealias Reply = ReferralSummary
}

/// `referrals.reprioritise {id, priority, reason}`.
public enum ReprioritiseReferral: ReferralsMessage {
    public static let type = "referrals.reprioritise"
    public struct Request: Codable, Sendable, Equatable {
        public var id: String
        public var priority: Int
        /// Free text, kept sealed in the history.
        public var reason: String
        public init(id: String, priority: Int, reason: String) { self.id = id; self.priority = priority; self.reason = reason }
    }
    public typealias Reply = ReferralSummary
}

// MARK: Reading referrals

/// One history entry. `actor` and `note` only in the staff's view; `reason`, `priority`
/// only with consent to the outcome in the referrer's.
public struct ReferralHistoryEntry: Codable, Sendable, Equatable {
    public var status: ReferralStatus
    public var action: String
    public var at: String
    public var reason: String?
    public var priority: Int?
    public var actor: String?
    public var note: String?
    public init(status: ReferralStatus, action: String, at: String, reason: String? = nil, priority: Int? = nil, actor: String? = nil, note: String? = nil) {
        self.status = status; self.action = action; self.at = at; self.reason = reason; self.priority = priority; self.actor = actor; self.note = note
    }
}

/// What the referring agency may see of its referral (no personal data ever): the reply
/// of `referrals.status`, and of `referrals.get` for the referrer.
public struct ReferralStatusView: Codable, Sendable, Equatable {
    public var id: String
    public var reference: String
    public var centre: String
    public var centreName: String
    /// `submitted` unless the client consented to status.
    public var status: ReferralStatus
    public var submittedAt: String
    public var category: String
    public var history: [ReferralHistoryEntry]
    public var consentToStatus: Bool
    public var externalRef: String?
    public var reason: String?
    /// `individual` or `group:<name>` (with consent to the outcome).
    public var treatment: String?

    public init(id: String, reference: String, centre: String, centreName: String, status: ReferralStatus, submittedAt: String, category: String,
                history: [ReferralHistoryEntry], consentToStatus: Bool, externalRef: String?, reason: String? = nil, treatment: String? = nil) {
        self.id = id; self.reference = reference; self.centre = centre; self.centreName = centreName; self.status = status
        self.submittedAt = submittedAt; self.category = category; self.history = history; self.consentToStatus = consentToStatus
        self.externalRef = externalRef; self.reason = reason; self.treatment = treatment
    }

    enum CodingKeys: String, CodingKey { case id, reference, centre, centreName, status, submittedAt, category, history, consentToStatus, externalRef, reason, treatment }

    /// As the service has always sent it: `externalRef` present (null when absent).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(reference, forKey: .reference); try c.encode(centre, forKey: .centre)
        try c.encode(centreName, forKey: .centreName); try c.encode(status, forKey: .status); try c.encode(submittedAt, forKey: .submittedAt)
        try c.encode(category, forKey: .category); try c.encode(history, forKey: .history); try c.encode(consentToStatus, forKey: .consentToStatus)
        try c.encode(externalRef, forKey: .externalRef)
        try c.encodeIfPresent(reason, forKey: .reason); try c.encodeIfPresent(treatment, forKey: .treatment)
    }
}

/// `referrals.get {id, purpose}`: the full referral for the centre's staff (audited; the
/// reply is the summary with `personal`, `history`, `linked`, `queue`); the status view
/// (`ReferralStatusView`) for the referring agency. The reply is read as JSON.
public enum GetReferral: ReferralsMessage {
    public static let type = "referrals.get"
    public struct Request: Codable, Sendable, Equatable {
        public var id: String
        /// A `ReadPurpose` code; required from staff.
        public var purpose: String?
        public init(id: String, purpose: String? = nil) { self.id = id; self.purpose = purpose }
    }
    public typealias Reply = JSONValue
}

/// `referrals.status {id}`: the referrer's view.
public enum ReferralStatusQuery: ReferralsMessage {
    public static let type = "referrals.status"
    public typealias Request = ReferralID
    public typealias Reply = ReferralStatusView
}

/// `referrals.list {view, centre?, limit?}`: the referrer's own (`mine`), a centre's queue
/// per category (`queue`) or its open cases (`centre`). The reply's shape depends on the view.
public enum ListReferrals: ReferralsMessage {
    public static let type = "referrals.list"
    public struct Request: Codable, Sendable, Equatable {
        public var view: ReferralListView?
        public var centre: String?
        public var limit: Int?
        public init(view: ReferralListView? = nil, centre: String? = nil, limit: Int? = nil) { self.view = view; self.centre = centre; self.limit = limit }
    }
    public typealias Reply = JSONValue
}

/// `referrals.find`: finding a case in any status. Every field is optional; unknown fields
/// are refused (`validation`, "Unknown field.", naming the first in sorted order).
public enum FindReferrals: ReferralsMessage {
    public static let type = "referrals.find"
    public struct Request: Codable, Sendable, Equatable, StrictlyDecodable {
        public var centre: String?
        public var status: ReferralStatus?
        public var category: ClientCategory?
        public var municipality: String?
        public var agency: String?
        public var from: String?
        public var to: String?
        public var reference: String?
        public var externalRef: String?
        /// Staff only, with a `purpose`; audited.
        public var identityNumber: String?
        public var purpose: ReadPurpose?
        /// `newest` (default) or `oldest`.
        public var order: String?
        public var limit: Int?
        public var cursor: String?
        public init() {}
        public static let fieldNames: Set<String> = ["centre", "status", "category", "municipality", "agency", "from", "to", "reference",
                                                     "externalRef", "identityNumber", "purpose", "order", "limit", "cursor"]
    }
    public typealias Reply = JSONValue
}

// MARK: Queue, intake and capacity

/// `referrals.intake.set {centre, paused, message?, alternatives?, categories?}`.
public enum SetIntake: ReferralsMessage {
    public static let type = "referrals.intake.set"
    public struct Request: Codable, Sendable, Equatable {
        public var centre: String
        public var paused: Bool
        public var message: String?
        public var alternatives: String?
        /// `ClientCategory` codes; empty or absent: the whole centre.
        public var categories: [ClientCategory]?
        public init(centre: String, paused: Bool, message: String? = nil, alternatives: String? = nil, categories: [ClientCategory]? = nil) {
            self.centre = centre; self.paused = paused; self.message = message; self.alternatives = alternatives; self.categories = categories
        }
    }
    public typealias Reply = JSONValue
}

/// `referrals.capacity {centre?}`: each centre's intake state per category (also published as `capacity.<centre>`).
public enum ReferralCapacity: ReferralsMessage {
    public static let type = "referrals.capacity"
    public struct Request: Codable, Sendable, Equatable {
        public var centre: String?
        public init(centre: String? = nil) { self.centre = centre }
    }
    public struct Category: Codable, Sendable, Equatable {
        public var category: ClientCategory
        public var state: IntakeStateCode
        public var waitBand: WaitBand?
        public var message: String?
        public var alternatives: String?
    }
    public struct Centre: Codable, Sendable, Equatable {
        public var centre: String
        public var centreName: String
        public var at: String
        public var categories: [Category]
    }
    public typealias Reply = JSONValue
}

// MARK: Treatment groups

/// `referrals.groups.define`.
public enum DefineGroup: ReferralsMessage {
    public static let type = "referrals.groups.define"
    public struct Request: Codable, Sendable, Equatable {
        public var centre: String
        public var name: String
        /// A `HelpKind` code.
        public var help: String
        /// Participants: at least and at most (1–30).
        public var min: Int
        public var max: Int
        public var ageMin: Int
        public var ageMax: Int
        /// YYYY-MM-DD.
        public var startsOn: String?
        public init(centre: String, name: String, help: String, min: Int, max: Int, ageMin: Int, ageMax: Int, startsOn: String? = nil) {
            self.centre = centre; self.name = name; self.help = help; self.min = min; self.max = max
            self.ageMin = ageMin; self.ageMax = ageMax; self.startsOn = startsOn
        }
    }
    public typealias Reply = JSONValue
}

/// `referrals.groups.list {centre}`.
public enum ListGroups: ReferralsMessage {
    public static let type = "referrals.groups.list"
    public struct Request: Codable, Sendable, Equatable {
        public var centre: String?
        public init(centre: String? = nil) { self.centre = centre }
    }
    public typealias Reply = JSONValue
}

/// `referrals.groups.assign {groupId, referralIds}`.
public enum AssignGroup: ReferralsMessage {
    public static let type = "referrals.groups.assign"
    public struct Request: Codable, Sendable, Equatable {
        public var groupId: String
        public var referralIds: [String]
        public init(groupId: String, referralIds: [String]) { self.groupId = groupId; self.referralIds = referralIds }
    }
    public typealias Reply = JSONValue
}

// MARK: Statistics, audit, retention

/// `referrals.statistics {centre?, year?, view?, format?}`: the annual report's tables.
public enum ReferralStatistics: ReferralsMessage {
    public static let type = "referrals.statistics"
    public struct Request: Codable, Sendable, Equatable {
        public var centre: String?
        public var year: Int?
        /// `internal` (the centre's staff) or `shared` (small numbers suppressed).
        public var view: String?
        /// `json` or `csv`.
        public var format: String?
        public init(centre: String? = nil, year: Int? = nil, view: String? = nil, format: String? = nil) {
            self.centre = centre; self.year = year; self.view = view; self.format = format
        }
    }
    public typealias Reply = JSONValue
}

/// `referrals.statistics.import {csv, replace?}`: earlier years' figures (`centre;year;table;key;count`), administrators.
public enum ImportReferralStatistics: ReferralsMessage {
    public static let type = "referrals.statistics.import"
    public struct Request: Codable, Sendable, Equatable {
        public var csv: String
        /// Replace figures already imported for the same centre and year.
        public var replace: Bool?
        public init(csv: String, replace: Bool? = nil) { self.csv = csv; self.replace = replace }
    }
    public typealias Reply = JSONValue
}

/// `referrals.audit.list {centre?, referralId?, limit?}`: the log of every read of personal data.
public enum ListAudit: ReferralsMessage {
    public static let type = "referrals.audit.list"
    public struct Request: Codable, Sendable, Equatable {
        public var centre: String?
        public var referralId: String?
        public var limit: Int?
        public init(centre: String? = nil, referralId: String? = nil, limit: Int? = nil) { self.centre = centre; self.referralId = referralId; self.limit = limit }
    }
    public typealias Reply = JSONValue
}

/// `referrals.retention.run {dryRun}`: anonymises referrals past the retention time (admins).
public enum RunRetention: ReferralsMessage {
    public static let type = "referrals.retention.run"
    public struct Request: Codable, Sendable, Equatable {
        /// True: only report what would be anonymised.
        public var dryRun: Bool
        public init(dryRun: Bool) { self.dryRun = dryRun }
    }
    public typealias Reply = JSONValue
}
