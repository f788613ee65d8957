import HubCore
import HubProtocol

/// Who is acting on a request — one notion for every service.
///
/// The broker authenticates the *process* (`gateway`, `adapter:police`) and stamps its
/// principal on the request. Adapters act for the agencies whose `adapter` is theirs in
/// `config/agencies.json`. The gateway names its signed-in user in `body.actor`
/// (`{user, role, agency?, centre?}`), which is trusted from the gateway only; any other
/// principal is refused.
public struct Caller: Sendable {
    /// The roles of the gateway's users, plus agency adapters.
    public enum Role: String, Sendable { case admin, staff, agency, board, adapter }
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
        guard p == .gateway else { throw HubError(.forbidden, "Only the gateway and agency adapters call the \(service) service.") }
        guard case .object(let a)? = request.body["actor"], case .string(let user)? = a["user"], !user.isEmpty,
              case .string(let roleText)? = a["role"], let role = Role(rawValue: roleText), role != .adapter else {
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

    /// Administrators, and staff of `centre`.
    public func isCentreStaff(_ centre: String) -> Bool { role == .admin || (role == .staff && self.centre == centre) }

    /// The unit recorded in audit logs.
    public var unit: String { centre ?? agencies.sorted().joined(separator: ",") }
}
