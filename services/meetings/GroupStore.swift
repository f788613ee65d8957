import HubCore
import HubProtocol
import HubStorage

/// The management groups' terms ("ledamöter över tid") as stored (see `MeetingStore`).
extension MeetingStore {
    /// The members of `centre`'s group on `date`, by role, agency and name.
    func members(centre: String, on date: String) async throws(HubError) -> [Groups.Member] {
        try await db.query("""
            SELECT \(Groups.columns) FROM group_members WHERE centre_id = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?)
            ORDER BY role, agency, name
            """, [.text(centre), .text(date), .text(date)]).map { r throws(HubError) in try Groups.member(r) }
    }

    /// Every term of the centre's group, ended ones too, by agency and start.
    func terms(centre: String) async throws(HubError) -> [Groups.Member] {
        try await db.query("SELECT \(Groups.columns) FROM group_members WHERE centre_id = ? ORDER BY agency, valid_from", [.text(centre)])
            .map { r throws(HubError) in try Groups.member(r) }
    }

    /// One term of the centre's group, or nil.
    func term(centre: String, member: String) async throws(HubError) -> Groups.Member? {
        try await db.queryFirst("SELECT \(Groups.columns) FROM group_members WHERE centre_id = ? AND member_id = ?", [.text(centre), .text(member)])
            .map { r throws(HubError) in try Groups.member(r) }
    }

    /// Ends a term on `date` (its last day).
    func endTerm(centre: String, member: String, on date: String) async throws(HubError) {
        try await db.execute("UPDATE group_members SET valid_to = ? WHERE centre_id = ? AND member_id = ?", [.text(date), .text(centre), .text(member)])
    }

    /// Stores a term from `config/management-groups.json`, or updates the one stored before
    /// (same centre, name, agency and start); an end date set in the hub is kept.
    func upsertConfiguredTerm(centre: String, member: Groups.Member) async throws(HubError) {
        try await db.execute("""
            INSERT INTO group_members (centre_id, name, title, agency, municipality, role, valid_from, valid_to, member_id, email, source)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'config')
            ON CONFLICT (centre_id, name, agency, valid_from) DO UPDATE SET title = excluded.title, role = excluded.role,
                municipality = excluded.municipality, email = excluded.email, member_id = excluded.member_id,
                valid_to = COALESCE(group_members.valid_to, excluded.valid_to)
            """, [.text(centre), .text(member.name), .text(member.title), .text(member.agency), member.municipality.databaseValue,
                  .text(member.role), .text(member.from), member.to.databaseValue, .text(member.id), member.email.databaseValue])
    }

    /// Starts a term made in the hub (not from configuration).
    func insertTerm(centre: String, member: Groups.Member) async throws(HubError) {
        try await db.execute("""
            INSERT INTO group_members (centre_id, name, title, agency, municipality, role, valid_from, valid_to, member_id, email, source)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'hub')
            """, [.text(centre), .text(member.name), .text(member.title), .text(member.agency), member.municipality.databaseValue,
                  .text(member.role), .text(member.from), member.to.databaseValue, .text(member.id), member.email.databaseValue])
    }
}
