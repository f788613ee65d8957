// The referrals contract's reading messages: the full referral, the referrer's status
// view, the lists and the search.

import HubProtocol

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
/// (`ReferralStatusView`) for the referring agency. The reply: `GetReferral.Reply` (ReadReplies.swift).
public struct GetReferral: ContractRequest, Equatable {
    public static let type = "referrals.get"
    public var id: String
    /// A `ReadPurpose` code; required from staff.
    public var purpose: String?
    public init(id: String, purpose: String? = nil) { self.id = id; self.purpose = purpose }
    public enum CodingKeys: String, CodingKey, CaseIterable { case id, purpose }
}

/// `referrals.status {id}`: the referrer's view.
public struct ReferralStatusQuery: ContractRequest, Equatable {
    public static let type = "referrals.status"
    public var id: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case id }
    public init(id: String) { self.id = id }
    public typealias Reply = ReferralStatusView
}

/// `referrals.list {view, centre?, limit?}`: the referrer's own (`mine`), a centre's queue
/// per category (`queue`) or its open cases (`centre`). The reply's shape depends on the view
/// (`ListReferrals.Reply`, ReadReplies.swift).
public struct ListReferrals: ContractRequest, Equatable {
    public static let type = "referrals.list"
    public var view: ReferralListView?
    public var centre: String?
    public var limit: Int?
    public init(view: ReferralListView? = nil, centre: String? = nil, limit: Int? = nil) { self.view = view; self.centre = centre; self.limit = limit }
    public enum CodingKeys: String, CodingKey, CaseIterable { case view, centre, limit }
}

/// `referrals.find`: finding a case in any status. Every field is optional; unknown fields
/// are refused (`validation`, "Unknown field.", naming the first in sorted order).
public struct FindReferrals: ContractRequest, Equatable {
    public static let type = "referrals.find"
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
    public enum CodingKeys: String, CodingKey, CaseIterable { case centre, status, category, municipality, agency, from, to, reference, externalRef, identityNumber, purpose, order, limit, cursor }
    // The reply: `FindReferrals.Reply` (ReadReplies.swift).
}
