import HubBus
import HubCore
import HubProtocol

/// Who is acting, and what they may see. The broker authenticates the process
/// (`gateway`, `adapter:police`); the gateway names the signed-in user in
/// `body.actor`, which is trusted only from the gateway.
struct Actor: Sendable {
    enum Role: String, Sendable { case admin, staff, agency, board, adapter }
    var role: Role
    /// For the audit log: `user:<name>` or `adapter:<name>`.
    var who: String
    /// The staff member's or board member's centre.
    var centre: String?
    /// Agencies this actor acts for (agency users: one; adapters: those configured for it).
    var agencies: Set<String>

    static func from(_ request: ServiceRequest, reference: ReferenceData) throws(HubError) -> Actor {
        let p = request.principal
        if p.kind == "adapter", let q = p.qualifier {
            let agencies = Set(reference.agencies.filter { $0.adapter == String(q) }.map(\.id))
            guard !agencies.isEmpty else { throw HubError(.forbidden, "This adapter acts for no configured agency.") }
            return Actor(role: .adapter, who: p.name, centre: nil, agencies: agencies)
        }
        guard p == .gateway else { throw HubError(.forbidden, "Only the gateway and agency adapters call the referrals service.") }
        guard case .object(let a)? = request.body["actor"], case .string(let user)? = a["user"], !user.isEmpty,
              case .string(let roleText)? = a["role"], let role = Role(rawValue: roleText), role != .adapter else {
            throw HubError(.unauthenticated, "The gateway must name the signed-in user and role.", field: "body.actor")
        }
        let centre = a["centre"]?.stringValue
        let agency = a["agency"]?.stringValue
        if role == .staff || role == .board, centre == nil {
            throw HubError(.forbidden, "Your account is not linked to a centre.", field: "body.actor.centre")
        }
        if role == .agency, agency == nil {
            throw HubError(.forbidden, "Your account is not linked to an agency.", field: "body.actor.agency")
        }
        return Actor(role: role, who: "user:" + user, centre: centre, agencies: agency.map { [$0] } ?? [])
    }

    /// Centre staff and administrators handle referrals.
    var handlesReferrals: Bool { role == .admin || role == .staff }

    /// May this actor handle (see personal data of, change) referrals of `centre`?
    func mayHandle(centre c: String) -> Bool {
        role == .admin || (role == .staff && centre == c)
    }

    /// May this actor follow the status of a referral made by `agency`?
    func mayFollow(referrerAgency: String?) -> Bool {
        guard let a = referrerAgency else { return false }
        return (role == .agency || role == .adapter) && agencies.contains(a)
    }

    func requireHandler(centre c: String) throws(HubError) {
        guard mayHandle(centre: c) else { throw HubError(.forbidden, "Only the centre's staff may do this.") }
    }

    /// The unit recorded in the audit log.
    var unit: String { centre ?? agencies.sorted().joined(separator: ",") }
}
