import HubBus
import HubCore
import HubProtocol
import ReferralsAPI

/// The caller of a referrals message (see `Caller` in HubBus), and what it may see.
typealias Actor = Caller

extension Caller {
    /// Centre staff and administrators handle referrals.
    var handlesReferrals: Bool { role == .admin || role == .staff }

    /// May this caller handle (see personal data of, change) referrals of `centre`?
    func mayHandle(centre c: String) -> Bool { isCentreStaff(c) }

    /// May this caller follow the status of a referral made by `agency`?
    func mayFollow(referrerAgency: String?) -> Bool {
        guard let a = referrerAgency else { return false }
        return (role == .agency || role == .adapter) && agencies.contains(a)
    }

    func requireHandler(centre c: String) throws(HubError) {
        guard mayHandle(centre: c) else { throw HubError(.forbidden, "Only the centre's staff may do this.") }
    }
}
