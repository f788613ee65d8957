import HubCore
import HubProtocol

/// Who is acting on a request — one notion for every service.
///
/// The broker authenticates the *process* (`gateway`, `adapter:police`) and stamps its
/// principal on the request. Adapters act for the agencies whose `adapter` is theirs in
/// `config/agencies.json`. The gateway names its signed-in user in `body.actor`
/// (`{user, role, agency?, centre?}`), which is trusted from the gateway, and from a service
/// that forwards the user it acts for; any other principal is refused.
public struct Caller: Sendable {
    /// The roles of the gateway's users, plus agency adapters.
    /// The roles of the gateway's users, plus agency adapters, plus `visitor`: someone on a
    /// public page (registration, a personal link) whom the gateway forwards without an account.
    public enum Role: String, Sendable { case admin, staff, agency, board, adapter, visitor }
    public var role: Role
    /// For audit logs: `user:<name>` or `adapter:<name>`.
    public var who: String
    /// The staff or board member's centre.
    public var centre: String?
    /// Agencies this caller acts for (an agency user: one; an adapter: those configured for it).
    public var agencies: Set<String>

    public init(role: Role, who: String, centre: String?, agencies: Set<String>) {
        self.role = role; self.who = who; self.centre = centre; self.agencies = agencies
    }

    /// The caller of `request` to the service named `service` (for messages only).
    public static func from(_ request: ServiceRequest, reference: ReferenceData, service: String) throws(HubError) -> Caller {
        let p = request.principal
        if p.kind == "adapter", let q = p.qualifier {
            let agencies = Set(reference.agencies.filter { $0.adapter == String(q) }.map(\.id))
            guard !agencies.isEmpty else { throw HubError(.forbidden, "This adapter acts for no configured agency.") }
            return Caller(role: .adapter, who: p.name, centre: nil, agencies: agencies)
        }
        // A service asking another on a user's behalf (training's year in review asks networks
        // for the days) forwards that user's `actor` as it got it from the gateway.
        guard p == .gateway || p.kind == "service" else { throw HubError(.forbidden, "Only the gateway and agency adapters call the \(service) service.") }
        guard case .object(let a)? = request.body["actor"], case .string(let user)? = a["user"], !user.isEmpty,
              case .string(let roleText)? = a["role"], let role = Role(rawValue: roleText), role != .adapter, role != .visitor else {
            if p != .gateway { throw HubError(.forbidden, "Only the gateway and agency adapters call the \(service) service.") }
            throw HubError(.unauthenticated, "The gateway must name the signed-in user and role.", field: "body.actor")
        }
        let centre = a["centre"]?.stringValue, agency = a["agency"]?.stringValue
        if role == .staff || role == .board, centre == nil {
            throw HubError(.forbidden, "Your account is not linked to a centre.", field: "body.actor.centre")
        }
        if role == .agency, agency == nil {
            throw HubError(.forbidden, "Your account is not linked to an agency.", field: "body.actor.agency")
        }
        return Caller(role: role, who: "user:" + user, centre: centre, agencies: agency.map { [$0] } ?? [])
    }

    /// As `from`, for services with public pages (networks, training): a request from the
    /// gateway that names no signed-in user is a `visitor`, who may use only what a public
    /// page offers (a day's public description, registering, one's own link).
    public static func fromAllowingVisitors(_ request: ServiceRequest, reference: ReferenceData, service: String) throws(HubError) -> Caller {
        if request.principal == .gateway {
            switch request.body["actor"] {
            case nil, .null?: return Caller(role: .visitor, who: "visitor", centre: nil, agencies: [])
            default: break
            }
        }
        return try from(request, reference: reference, service: service)
    }

    /// Administrators, and staff of `centre`.
    public func isCentreStaff(_ centre: String) -> Bool { role == .admin || (role == .staff && self.centre == centre) }

    /// Refuses everyone but administrators and staff of `centre` (the centre that owns
    /// what is asked for). Staff of another centre, board members, agencies, adapters and
    /// visitors get `forbidden`, which says why without naming the other centre's data.
    public func requireCentreStaff(_ centre: String) throws(HubError) {
        guard isCentreStaff(centre) else {
            throw HubError(.forbidden, role == .staff ? "This belongs to another centre; only its own staff may see or change it."
                                                      : "Only Utväg staff may do this.")
        }
    }

    /// Refuses everyone but administrators and staff (of any centre); for work that is
    /// then scoped to the staff member's own centre.
    public func requireStaff() throws(HubError) {
        guard role == .admin || role == .staff else { throw HubError(.forbidden, "Only Utväg staff may do this.") }
    }

    /// The centre a staff member works in when a request names none; an administrator may
    /// name any centre (or none: every centre). Staff naming another centre are refused.
    public func scopedCentre(_ named: String?) throws(HubError) -> String? {
        try requireStaff()
        if role == .admin { return named }
        if let named { try requireCentreStaff(named); return named }
        return centre
    }

    /// The unit recorded in audit logs.
    public var unit: String { centre ?? agencies.sorted().joined(separator: ",") }
}
