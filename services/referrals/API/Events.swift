// The events the referrals service publishes: the referring agency's status event
// (through its adapter) and the internal status event.

import HubProtocol

/// `agency.<adapter>.referral.status`: a referral's status changed; sent to the referring
/// agency's adapter. Without consent to status only `submitted` is sent; `reason` and
/// `treatment` only with consent to the outcome. No personal data ever.
public struct ReferralStatusEvent: Codable, Sendable, Equatable {
    /// The topic for an adapter (`agency.police.referral.status`).
    public static func topic(adapter: String) -> String { "agency.\(adapter).referral.status" }
    /// True for the topic of any adapter's status event.
    public static func isTopic(_ topic: String) -> Bool { topic.hasPrefix("agency.") && topic.hasSuffix(".referral.status") }

    public var referralId: String
    public var reference: String
    public var agency: String
    public var centre: String
    public var status: ReferralStatus
    public var at: String
    /// The agency's own reference; sent as `null` when there is none.
    public var externalRef: String?
    /// The coded reason (config/referrals.json) of a decline, redirect, closure or withdrawal.
    public var reason: String?
    /// `individual` or `group` (`TreatmentMode`): never the group's name.
    public var treatment: TreatmentMode?

    public init(referralId: String, reference: String, agency: String, centre: String, status: ReferralStatus, at: String,
                externalRef: String?, reason: String? = nil, treatment: TreatmentMode? = nil) {
        self.referralId = referralId; self.reference = reference; self.agency = agency; self.centre = centre
        self.status = status; self.at = at; self.externalRef = externalRef; self.reason = reason; self.treatment = treatment
    }

    enum CodingKeys: String, CodingKey { case referralId, reference, agency, centre, status, at, externalRef, reason, treatment }

    /// As the service has always sent it: `externalRef` present (null when absent).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(referralId, forKey: .referralId); try c.encode(reference, forKey: .reference)
        try c.encode(agency, forKey: .agency); try c.encode(centre, forKey: .centre)
        try c.encode(status, forKey: .status); try c.encode(at, forKey: .at)
        try c.encode(externalRef, forKey: .externalRef)
        try c.encodeIfPresent(reason, forKey: .reason); try c.encodeIfPresent(treatment, forKey: .treatment)
    }
}

/// `referral.status.<status>`: the internal event of every status change (statistics,
/// the capacity broadcast, the pages' live updates).
public struct ReferralStatusChanged: Codable, Sendable, Equatable {
    public static func topic(_ status: ReferralStatus) -> String { "referral.status.\(status.rawValue)" }
    public var referralId: String
    public var centre: String
    public var status: ReferralStatus
    /// A `ClientCategory` code.
    public var category: String
    public var at: String
    public init(referralId: String, centre: String, status: ReferralStatus, category: String, at: String) {
        self.referralId = referralId; self.centre = centre; self.status = status; self.category = category; self.at = at
    }
}
