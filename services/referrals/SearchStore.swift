import HubCore
import HubProtocol
import HubStorage

/// Finding referrals again (`referrals.find`), as stored (see `ReferralStore`): the handler
/// decides who may find what and reads the request; this turns the filter into one query.
extension ReferralStore {
    /// What a search asks for; every condition given must hold.
    struct SearchFilter: Sendable {
        /// The centre whose referrals are searched (staff and administrators).
        var centre: String?
        /// The referring agencies whose referrals are searched (an agency's own).
        var referrerAgencies: [String]?
        /// Only referrals whose client consented that the referrer follows the status.
        var consentedToStatus = false
        var status: String?
        var category: String?
        var municipality: String?
        var agency: String?
        /// Sent at or after this instant.
        var submittedFrom: String?
        /// Sent before this instant.
        var submittedBefore: String?
        /// The case number or reserve id (upper case).
        var reference: String?
        var externalRef: String?
        /// The person's blind index.
        var personIndex: String?
        /// Past the last referral of the previous page (its time sent and id).
        var after: (at: String, id: String)?
        var newest = true
        var limit = 50
    }

    /// The referrals the filter finds, newest (or oldest) first: up to one more than its
    /// limit, so the caller knows whether another page follows.
    func find(_ filter: SearchFilter) async throws(HubError) -> [ReferralRecord] {
        var conditions: [String] = []
        var binds: [DatabaseValue] = []
        func add(_ condition: String, _ values: [String]) {
            conditions.append(condition); binds += values.map { .text($0) }
        }
        if let centre = filter.centre { add("centre_id = ?", [centre]) }
        if let agencies = filter.referrerAgencies {
            add("referrer_agency IN (\(agencies.map { _ in "?" }.joined(separator: ", ")))", agencies)
        }
        if let status = filter.status {
            if filter.consentedToStatus { add("consent_scope LIKE '%status%' OR consent_scope LIKE '%outcome%'", []) }
            add("status = ?", [status])
        }
        if let category = filter.category { add("category = ?", [category]) }
        if let municipality = filter.municipality { add("municipality = ?", [municipality]) }
        if let agency = filter.agency { add("referrer_agency = ?", [agency]) }
        if let from = filter.submittedFrom { add("submitted_at >= ?", [from]) }
        if let before = filter.submittedBefore { add("submitted_at < ?", [before]) }
        if let reference = filter.reference { add("(reference = ? OR reserve_id = ?)", [reference, reference]) }
        if let externalRef = filter.externalRef { add("external_ref = ?", [externalRef]) }
        if let personIndex = filter.personIndex { add("person_index = ?", [personIndex]) }
        if let (at, id) = filter.after {
            add(filter.newest ? "(submitted_at < ? OR (submitted_at = ? AND id < ?))" : "(submitted_at > ? OR (submitted_at = ? AND id > ?))", [at, at, id])
        }
        let direction = filter.newest ? "DESC" : "ASC"
        let sql = "SELECT \(ReferralRecord.columns) FROM referrals"
            + (conditions.isEmpty ? "" : " WHERE " + conditions.map { "(\($0))" }.joined(separator: " AND "))
            + " ORDER BY submitted_at \(direction), id \(direction) LIMIT \(filter.limit + 1)"
        return try await referrals(sql, binds)
    }
}
