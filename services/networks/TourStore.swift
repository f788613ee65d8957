import HubProtocol
import HubStorage
import NetworksAPI

/// The collaboration tour's visits ("samverkansturné") as stored (see `NetworkStore`).
extension NetworkStore {
    /// The visit, or not_found.
    func visit(_ id: String) async throws(HubError) -> TourVisit {
        guard let row = try await db.queryFirst("SELECT * FROM tour_visits WHERE id = ?", id) else {
            throw HubError(.notFound, "No such visit.", field: "body.visitId")
        }
        return try Self.visit(row)
    }

    /// The centre's visits planned or completed in `year`, by planned date.
    func visits(centre: String, year: Int) async throws(HubError) -> [TourVisit] {
        try await db.query("""
            SELECT * FROM tour_visits WHERE centre_id = ? AND (planned_date LIKE ? OR completed_date LIKE ?) ORDER BY planned_date
            """, centre, "\(year)-%", "\(year)-%").map { row throws(HubError) in try Self.visit(row) }
    }

    /// The centre of the visit, or nil when there is no such visit.
    func centre(ofVisit id: String) async throws(HubError) -> String? {
        try await db.queryFirst("SELECT centre_id FROM tour_visits WHERE id = ?", id)?.string("centre_id")
    }

    /// Plans a visit to one of the centre's municipalities.
    func insertVisit(id: String, centre: String, municipality: String, date: String, notes: String?, at now: String) async throws(HubError) {
        try await db.execute("""
            INSERT INTO tour_visits (id, centre_id, municipality, planned_date, status, notes, created_at) VALUES (?, ?, ?, ?, 'planned', ?, ?)
            """, id, centre, municipality, date, notes, now)
    }

    /// Marks a visit as completed on `date`.
    func completeVisit(_ id: String, on date: String, notes: String?) async throws(HubError) {
        try await db.execute("UPDATE tour_visits SET status = 'completed', completed_date = ?, notes = ? WHERE id = ?", date, notes, id)
    }

    static func visit(_ row: DatabaseRow) throws(HubError) -> TourVisit {
        TourVisit(id: try row.string("id"), centreId: try row.string("centre_id"), municipality: try row.string("municipality"),
                  plannedDate: try row.string("planned_date"), completedDate: try row.optionalString("completed_date"),
                  status: VisitStatus(rawValue: try row.string("status")) ?? .planned, notes: try row.optionalString("notes"))
    }
}
