// The replies of the referrals contract's reading messages (`referrals.get`, `.list`,
// `.find`): the staff's full referral, the lists per view and the search's pages. Each is
// written as the service has always sent it; a reply whose shape depends on who asks is an
// enum of its shapes, told apart by a member only one of them has.

import HubProtocol

/// A referral in the referring agency's lists (`referrals.list` `mine`, `referrals.find`):
/// no personal data, and its status only with the client's consent to status.
public struct AgencyReferral: Codable, Sendable, Equatable {
    public var id: String
    public var reference: String
    public var centre: String
    public var centreName: String
    public var category: ClientCategory
    /// `submitted` unless the client consented to status.
    public var status: ReferralStatus
    public var submittedAt: String
    /// When the agency last had something new to see (`referrals.list` only; left out by `referrals.find`).
    public var changedAt: String?
    @Nullable public var externalRef: String?

    public init(id: String, reference: String, centre: String, centreName: String, category: ClientCategory, status: ReferralStatus,
                submittedAt: String, changedAt: String? = nil, externalRef: String?) {
        self.id = id; self.reference = reference; self.centre = centre; self.centreName = centreName; self.category = category
        self.status = status; self.submittedAt = submittedAt; self.changedAt = changedAt; self.externalRef = externalRef
    }
}

/// A waiting referral's place in its centre's and category's queue, and the wait estimated from it.
public struct QueuePosition: Codable, Sendable, Equatable {
    public var position: Int
    /// How many wait in the category (in `referrals.get` only).
    public var of: Int?
    public var estimatedWaitDays: Int
    public var waitBand: WaitBand
    public init(position: Int, of: Int? = nil, estimatedWaitDays: Int, waitBand: WaitBand) {
        self.position = position; self.of = of; self.estimatedWaitDays = estimatedWaitDays; self.waitBand = waitBand
    }
}

/// A referral in a centre's queue: its summary with its place in line, as one object.
public struct QueuedReferral: Codable, Sendable, Equatable {
    public var summary: ReferralSummary
    public var place: QueuePosition

    public init(summary: ReferralSummary, place: QueuePosition) { self.summary = summary; self.place = place }
    public init(from decoder: any Decoder) throws {
        summary = try ReferralSummary(from: decoder)
        place = try QueuePosition(from: decoder)
    }
    public func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        try place.encode(to: encoder)
    }
}

/// The centre's staff's view of one referral (`referrals.get`): the summary with how to
/// reach the client, the opened personal data (audited; absent once anonymised), the whole
/// history with actors and notes, the same person's other referrals and the place in the queue.
public struct ReferralCase: Codable, Sendable, Equatable {
    /// The opened personal data; a protected identity keeps no contact details.
    public struct Personal: Codable, Sendable, Equatable {
        public var name: String?
        /// `YYYYMMDD-NNNN`.
        public var identityNumber: String?
        public var phone: String?
        public var email: String?
        public var address: String?
        public var callTimes: String?
        public var referrerContactName: String?
        public var referrerContactPhone: String?
        public var referrerContactEmail: String?
        public var interpreterLanguage: String?
        public var consentRecordedBy: String?
        public var notes: String?
        /// Risk-screening question id → `RiskAnswer` code.
        public var riskAnswers: [String: String]
        public init(riskAnswers: [String: String]) { self.riskAnswers = riskAnswers }
    }
    /// Another referral of the same person (found by the blind index), without personal data.
    public struct Linked: Codable, Sendable, Equatable {
        public var id: String
        public var reference: String
        public var centre: String
        public var status: ReferralStatus
        public var submittedAt: String
        public init(id: String, reference: String, centre: String, status: ReferralStatus, submittedAt: String) {
            self.id = id; self.reference = reference; self.centre = centre; self.status = status; self.submittedAt = submittedAt
        }
    }
    /// The extra members, beside the summary's.
    public struct Details: Codable, Sendable, Equatable {
        @Nullable public var externalRef: String?
        @Nullable public var referrerUnit: String?
        public var identityKind: IdentityKind
        public var consentScope: [ConsentScope]
        public var mayCall: Bool
        public var mayLeaveMessage: Bool
        public var personal: Personal?
        public var history: [ReferralHistoryEntry]
        public var linked: [Linked]
        public var queue: QueuePosition?
        public init(externalRef: String?, referrerUnit: String?, identityKind: IdentityKind, consentScope: [ConsentScope], mayCall: Bool,
                    mayLeaveMessage: Bool, personal: Personal?, history: [ReferralHistoryEntry], linked: [Linked], queue: QueuePosition?) {
            self.externalRef = externalRef; self.referrerUnit = referrerUnit; self.identityKind = identityKind; self.consentScope = consentScope
            self.mayCall = mayCall; self.mayLeaveMessage = mayLeaveMessage; self.personal = personal; self.history = history
            self.linked = linked; self.queue = queue
        }
    }

    public var summary: ReferralSummary
    public var details: Details

    public init(summary: ReferralSummary, details: Details) { self.summary = summary; self.details = details }
    public init(from decoder: any Decoder) throws {
        summary = try ReferralSummary(from: decoder)
        details = try Details(from: decoder)
    }
    public func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        try details.encode(to: encoder)
    }
}

extension GetReferral {
    /// The staff's full referral, or the referring agency's status view (which alone has `consentToStatus`).
    public enum Reply: Codable, Sendable, Equatable {
        case full(ReferralCase)
        case status(ReferralStatusView)

        enum Probe: String, CodingKey { case consentToStatus }

        /// The staff's view, if this is it.
        public var full: ReferralCase? { if case .full(let referral) = self { return referral }; return nil }
        /// The referring agency's view, if this is it.
        public var statusView: ReferralStatusView? { if case .status(let view) = self { return view }; return nil }

        public var id: String { full?.summary.id ?? statusView?.id ?? "" }
        public var reference: String { full?.summary.reference ?? statusView?.reference ?? "" }
        public var centre: String { full?.summary.centre ?? statusView?.centre ?? "" }
        public var centreName: String { full?.summary.centreName ?? statusView?.centreName ?? "" }
        /// The status the reader may see (`submitted` for an agency without consent to status).
        public var status: ReferralStatus { full?.summary.status ?? statusView?.status ?? .submitted }
        public var category: String { full?.summary.category ?? statusView?.category ?? "" }
        public var submittedAt: String { full?.summary.submittedAt ?? statusView?.submittedAt ?? "" }
        public var externalRef: String? { full?.details.externalRef ?? statusView?.externalRef }
        /// The outcome's coded reason (for an agency only with consent to the outcome).
        public var reason: String? { full?.summary.reason ?? statusView?.reason }
        /// `individual` or `group:<name>` (for an agency only with consent to the outcome).
        public var treatment: String? { full?.summary.treatment ?? statusView?.treatment }
        public var history: [ReferralHistoryEntry] { full?.details.history ?? statusView?.history ?? [] }

        public init(from decoder: any Decoder) throws {
            if try decoder.container(keyedBy: Probe.self).contains(.consentToStatus) {
                self = .status(try ReferralStatusView(from: decoder))
            } else {
                self = .full(try ReferralCase(from: decoder))
            }
        }
        public func encode(to encoder: any Encoder) throws {
            switch self {
            case .full(let referral): try referral.encode(to: encoder)
            case .status(let view): try view.encode(to: encoder)
            }
        }
    }
}

extension ListReferrals {
    /// One category's queue, in order.
    public struct QueueCategory: Codable, Sendable, Equatable {
        public var category: ClientCategory
        public var count: Int
        public var referrals: [QueuedReferral]
        public init(category: ClientCategory, count: Int, referrals: [QueuedReferral]) {
            self.category = category; self.count = count; self.referrals = referrals
        }
    }
    /// The `queue` view: every category's waiting list and the centre's capacity.
    public struct Queue: Codable, Sendable, Equatable {
        public var centre: String
        public var categories: [QueueCategory]
        public var capacity: ReferralCapacity.Centre
        public init(centre: String, categories: [QueueCategory], capacity: ReferralCapacity.Centre) {
            self.centre = centre; self.categories = categories; self.capacity = capacity
        }
    }
    /// The `centre` view: everything open at the centre, and what ended in the last 30 days.
    public struct Open: Codable, Sendable, Equatable {
        public var centre: String
        public var referrals: [ReferralSummary]
        public init(centre: String, referrals: [ReferralSummary]) { self.centre = centre; self.referrals = referrals }
    }
    /// The `mine` view: the agency's own referrals, newest first.
    public struct Mine: Codable, Sendable, Equatable {
        public var referrals: [AgencyReferral]
        public init(referrals: [AgencyReferral]) { self.referrals = referrals }
    }

    /// The reply of one view, named by its `view` member.
    public enum Reply: Codable, Sendable, Equatable {
        case queue(Queue)
        case centre(Open)
        case mine(Mine)

        enum Keys: String, CodingKey { case view }

        public var view: ReferralListView {
            switch self { case .queue: .queue; case .centre: .centre; case .mine: .mine }
        }
        /// The queue view's content, if this is it.
        public var queue: Queue? { if case .queue(let queue) = self { return queue }; return nil }
        /// The centre view's content, if this is it.
        public var open: Open? { if case .centre(let open) = self { return open }; return nil }
        /// The agency's view's content, if this is it.
        public var mine: Mine? { if case .mine(let mine) = self { return mine }; return nil }

        public init(from decoder: any Decoder) throws {
            switch try decoder.container(keyedBy: Keys.self).decode(ReferralListView.self, forKey: .view) {
            case .queue: self = .queue(try Queue(from: decoder))
            case .centre: self = .centre(try Open(from: decoder))
            case .mine: self = .mine(try Mine(from: decoder))
            }
        }
        public func encode(to encoder: any Encoder) throws {
            switch self {
            case .queue(let queue): try queue.encode(to: encoder)
            case .centre(let open): try open.encode(to: encoder)
            case .mine(let mine): try mine.encode(to: encoder)
            }
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(view, forKey: .view)
        }
    }
}

extension FindReferrals {
    /// A referral found: the summary for the centre's staff (which alone has `version`), the
    /// agency's view for a referring agency.
    public enum Found: Codable, Sendable, Equatable {
        case handled(ReferralSummary)
        case referred(AgencyReferral)

        enum Probe: String, CodingKey { case version }

        public var id: String { switch self { case .handled(let s): s.id; case .referred(let a): a.id } }
        public var reference: String { switch self { case .handled(let s): s.reference; case .referred(let a): a.reference } }
        public var centreName: String { switch self { case .handled(let s): s.centreName; case .referred(let a): a.centreName } }
        public var category: String { switch self { case .handled(let s): s.category; case .referred(let a): a.category.rawValue } }
        public var status: ReferralStatus { switch self { case .handled(let s): s.status; case .referred(let a): a.status } }
        public var submittedAt: String { switch self { case .handled(let s): s.submittedAt; case .referred(let a): a.submittedAt } }
        /// The agency's own reference (in the agency's view only).
        public var externalRef: String? { if case .referred(let a) = self { return a.externalRef }; return nil }
        /// The municipality (in the staff's view only).
        public var municipality: String? { if case .handled(let s) = self { return s.municipality }; return nil }
        public var highRisk: Bool { if case .handled(let s) = self { return s.highRisk }; return false }

        public init(from decoder: any Decoder) throws {
            if try decoder.container(keyedBy: Probe.self).contains(.version) {
                self = .handled(try ReferralSummary(from: decoder))
            } else {
                self = .referred(try AgencyReferral(from: decoder))
            }
        }
        public func encode(to encoder: any Encoder) throws {
            switch self {
            case .handled(let summary): try summary.encode(to: encoder)
            case .referred(let referral): try referral.encode(to: encoder)
            }
        }
    }

    /// One page of the search, and the cursor of the next (null on the last).
    public struct Reply: Codable, Sendable, Equatable {
        public var referrals: [Found]
        /// `newest` or `oldest`.
        public var order: String
        @Nullable public var nextCursor: String?
        /// True when the search was by personnummer (and so audited); left out otherwise.
        public var audited: Bool?
        public init(referrals: [Found], order: String, nextCursor: String?, audited: Bool? = nil) {
            self.referrals = referrals; self.order = order; self.nextCursor = nextCursor; self.audited = audited
        }
    }
}
