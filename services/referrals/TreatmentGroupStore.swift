import HubCore
import HubProtocol
import HubStorage
import ReferralsAPI

/// The treatment groups and the referrals they draw from, as stored (see `ReferralStore`).
extension ReferralStore {
    /// The group, or not_found.
    func group(_ id: String) async throws(HubError) -> Groups.Group {
        guard let row = try await db.queryFirst("SELECT * FROM treatment_groups WHERE id = ?", [.text(id)]) else {
            throw HubError(.notFound, "No such group.", field: "body.groupId")
        }
        return try Self.group(row)
    }

    /// The centre's groups by name.
    func groups(centre: String) async throws(HubError) -> [Groups.Group] {
        try await db.query("SELECT * FROM treatment_groups WHERE centre_id = ? ORDER BY name", [.text(centre)]).map(Self.group)
    }

    /// Stores a new group definition.
    func insertGroup(_ group: Groups.Group, at now: String) async throws(HubError) {
        try await db.execute("""
            INSERT INTO treatment_groups (id, centre_id, name, help, min_participants, max_participants, age_min, age_max, starts_on, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(group.id), .text(group.centre), .text(group.name), .text(group.help.rawValue), .integer(Int64(group.min)),
                  .integer(Int64(group.max)), .integer(Int64(group.ageMin)), .integer(Int64(group.ageMax)), group.startsOn.databaseValue, .text(now)])
    }

    /// The referrals in treatment in the group.
    func members(ofGroup id: String) async throws(HubError) -> [ReferralRecord] {
        try await referrals("SELECT \(ReferralRecord.columns) FROM referrals WHERE group_id = ? AND status = 'in-treatment'", [.text(id)])
    }

    /// The centre's referrals a group may take: waiting or offered an appointment, in queue order.
    func groupCandidates(centre: String) async throws(HubError) -> [ReferralRecord] {
        try await referrals("""
            SELECT \(ReferralRecord.columns) FROM referrals WHERE centre_id = ? AND status IN ('accepted', 'appointment-offered')
            ORDER BY \(Self.queueOrder)
            """, [.text(centre)])
    }

    private static func group(_ row: DatabaseRow) throws(HubError) -> Groups.Group {
        guard let help = HelpKind(rawValue: try row.string("help")) else { throw HubError(.storage, "A stored group has an unknown kind.") }
        return Groups.Group(id: try row.string("id"), centre: try row.string("centre_id"), name: try row.string("name"), help: help,
                            min: try row.int("min_participants"), max: try row.int("max_participants"),
                            ageMin: try row.int("age_min"), ageMax: try row.int("age_max"), startsOn: try row.optionalString("starts_on"))
    }
}
