// The types between the adapter host and each adapter: what goes back to an agency
// (`AgencyDelivery`), who delivers it, an intake as recorded, a status change, and the
// delivery's retry settings.

import Foundation
import HubCore
import HubProtocol
import ReferralsAPI

/// What the hub sends back towards an agency, in the hub's terms; each adapter turns
/// it into its own form (callback, CSV/text files, FHIR Task, XML).
public enum AgencyDelivery: Sendable {
    /// The hub's answer to one intake: the referral id, or why it was refused.
    case receipt(IntakeRecord)
    /// A referral status change (`agency.<adapter>.referral.status`).
    case status(StatusUpdate, IntakeRecord?)
    /// Anything else for the agency (agenda, minutes, invitation, capacity), delivered as is.
    case document(topic: String, eventID: String, body: JSONValue)
}

/// Delivers to the agency; returns true only once the agency side has it
/// (a 2xx from the callback, a file written and synced). False means "try again later".
public protocol AgencyDeliverer: Sendable {
    func deliver(_ item: AgencyDelivery) async -> Bool
    /// True when the agency reads documents from the inbox later (FHIR `Communication`):
    /// a delivered document's payload then stays (sealed) until the inbox retention ends,
    /// instead of being dropped at once.
    var keepsDocuments: Bool { get }
}

extension AgencyDeliverer {
    public var keepsDocuments: Bool { false }
}

/// One intake (one agency document) and what the hub answered.
public struct IntakeRecord: Sendable, Equatable {
    public var messageID: String
    public var agency: String
    public var externalRef: String
    /// Where it came from and where answers go: a municipality, a file name, "http".
    public var channel: String
    public var receivedAt: String
    public var referralID: String?
    /// Set when the hub refused the referral.
    public var error: HubError?
    /// The hub's reply has arrived (referralID or error set).
    public var answered: Bool
}

/// A referral status change as the referrals service publishes it (`ReferralStatusEvent`).
public struct StatusUpdate: Sendable, Equatable {
    public var eventID: String
    public var referralID: String
    public var externalRef: String?
    public var agency: String?
    public var centre: String?
    public var status: String
    public var at: String
    public var reason: String?
    /// `individual` or `group` (with consent to the outcome).
    public var treatment: String?
    /// A free-text comment and a group's name: not in the referrals contract (the service
    /// sends neither), so nil from the hub; the formats keep their columns for them.
    public var reasonText: String?
    public var group: String?

    init(eventID: String, event: ReferralStatusEvent) {
        self.eventID = eventID
        referralID = event.referralId
        externalRef = event.externalRef
        agency = event.agency
        centre = event.centre
        status = event.status.rawValue
        at = event.at
        reason = event.reason
        treatment = event.treatment?.rawValue
    }
}

/// How the delivery loop retries towards the agency.
public struct DeliverySettings: Sendable {
    public var retryBase: Duration
    public var retryMax: Duration
    public var poll: Duration
    /// How long a refused request's envelope (and a rejected file, sealed) is kept for staff.
    public var rejectedRetention: TimeInterval
    /// How long a delivered inbox event is kept (its id for deduplication; a pull adapter's document, sealed).
    public var inboxRetention: TimeInterval
    /// How often the purge runs (it also runs at start).
    public var purgeEvery: Duration
    public init(retryBase: Duration = .seconds(1), retryMax: Duration = .seconds(300), poll: Duration = .milliseconds(250),
                rejectedRetention: TimeInterval = 14 * 86_400, inboxRetention: TimeInterval = 14 * 86_400, purgeEvery: Duration = .seconds(3600)) {
        self.retryBase = retryBase; self.retryMax = retryMax; self.poll = poll
        self.rejectedRetention = rejectedRetention; self.inboxRetention = inboxRetention; self.purgeEvery = purgeEvery
    }
}
