import HubCore
import HubProtocol
import HubStorage

/// Who may send a message type to a service, decided inside the service that owns the
/// data, before its handler runs — one model for every service with organiser work and
/// public pages (networks, training). The gateway only authenticates and names the user
/// (`body.actor`); it decides nothing. docs/authorisation.md lists every type's rule.
public enum AccessRule: Sendable {
    /// Anyone the gateway forwards, visitors on public pages included; what they reach is
    /// limited by the handler itself (a link token, a day's public description).
    case everyone
    /// Administrators and staff of any centre; the handler scopes the answer to the
    /// caller's own centre (`Caller.scopedCentre`).
    case staff
    /// Administrators and staff of the one centre that owns the record the request names;
    /// `owner` finds that centre from the body (inside the request's own transaction). A
    /// record that does not exist is `not_found` from `owner`, the same for everyone.
    case centreStaff(owner: @Sendable (BodyReader, any DatabaseExecutor) async throws -> String)
    /// Administrators only (and the service's own scheduler, which acts as one).
    case admin

    /// The owner is named directly in the body, as `key` (e.g. `centreId`).
    public static func centreNamed(_ key: String = "centreId") -> AccessRule {
        .centreStaff { b, _ in try b.string(key, max: 64) }
    }

    /// The owner is the centre of the record whose id the body names as `key`, as `owner` finds
    /// it (a service's store, inside the request's transaction); a record that does not exist
    /// (nil) is `not_found` (`missing`) naming the field, the same for everyone.
    public static func centreOf(_ key: String, missing: String,
                                _ owner: @escaping @Sendable (any DatabaseExecutor, String) async throws -> String?) -> AccessRule {
        .centreStaff { b, db in
            let id = try b.string(key, max: 64)
            guard let centre = try await owner(db, id) else { throw HubError(.notFound, missing, field: b.field(key)) }
            return centre
        }
    }

    /// The owner is the centre of the row whose id the body names as `key`.
    /// `sql` selects a `centre_id` column with one `?` for the id.
    public static func centreOfRow(_ key: String, sql: String, missing: String) -> AccessRule {
        centreOf(key, missing: missing) { db, id in try await db.query(sql, [.text(id)]).first?.string("centre_id") }
    }

    /// Refuses `caller` unless this rule lets them send `request`.
    public func check(_ caller: Caller, _ request: ServiceRequest, _ context: ServiceContext) async throws {
        switch self {
        case .everyone: return
        case .staff: try caller.requireStaff()
        case .admin:
            guard caller.role == .admin else { throw HubError(.forbidden, "Only administrators may do this.") }
        case .centreStaff(let owner):
            // Cheap refusals first: only admins and staff can ever pass.
            try caller.requireStaff()
            let centre = try await owner(try BodyReader(request.body), context.database)
            try caller.requireCentreStaff(centre)
        }
    }
}

extension MessageHandler {
    /// This handler behind `rule`: the caller is worked out from the broker's stamp and the
    /// gateway's `body.actor` (`Caller.fromAllowingVisitors`) and checked before `run`.
    public func guarded(_ rule: AccessRule, service: String, reference: @escaping @Sendable (String) throws -> ReferenceData) -> MessageHandler {
        let run = self.run
        return MessageHandler(kind) { request, context in
            let caller = try Caller.fromAllowingVisitors(request, reference: try reference(context.configDir), service: service)
            try await rule.check(caller, request, context)
            return try await run(request, context)
        }
    }
}

/// A service's handlers with their access rules: every type has exactly one rule, so a
/// new handler without a decision about who may call it does not compile into the table.
public struct GuardedHandlers: Sendable {
    public private(set) var handlers: [String: MessageHandler] = [:]
    public let service: String
    let reference: @Sendable (String) throws -> ReferenceData

    public init(service: String, reference: @escaping @Sendable (String) throws -> ReferenceData) {
        self.service = service; self.reference = reference
    }

    public mutating func add(_ type: String, _ rule: AccessRule, _ handler: MessageHandler) {
        precondition(handlers[type] == nil, "\(type) is registered twice") // a programming error, not input
        handlers[type] = handler.guarded(rule, service: service, reference: reference)
    }
}
