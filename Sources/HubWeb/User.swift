import Foundation

/// What a user may do. Staff and board members are bound to a centre; an agency
/// user to one agency; an admin to neither.
public enum UserRole: String, Sendable, Codable, CaseIterable {
    case admin
    /// Utväg staff at one centre.
    case staff
    /// A person at one partner agency.
    case agency
    /// A management-group ("ledningsgrupp") member of one centre.
    case board
}

/// A gateway user. Never carries the password hash outside the store.
public struct User: Sendable, Codable, Equatable {
    public var id: String
    public var username: String
    public var role: UserRole
    public var agency: String?
    public var centre: String?
    public init(id: String, username: String, role: UserRole, agency: String?, centre: String?) {
        self.id = id; self.username = username; self.role = role; self.agency = agency; self.centre = centre
    }
}
