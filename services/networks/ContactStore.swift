import HubProtocol
import HubRegistration
import HubStorage
import NetworksAPI

/// The contact persons as stored (see `NetworkStore`).
extension NetworkStore {
    /// The order a list of contact persons comes in.
    enum ContactOrder: String {
        /// By name (the coverage grid).
        case name = "name"
        /// By agency, then name (the invitations).
        case agency = "agency, name"
        /// By municipality, agency and name (the organisers' list).
        case municipality = "municipality, agency, name"
    }

    /// The contact person, or not_found naming `field`.
    func contact(_ id: String, field: String = "body.contactId") async throws(HubError) -> Contact {
        guard let row = try await db.queryFirst("SELECT * FROM contact_persons WHERE id = ?", id) else {
            throw HubError(.notFound, "No such contact person.", field: field)
        }
        return try Self.contact(row)
    }

    /// The centre's contact persons active on `date` (or every one, `includeInactive`), in `order`.
    func contacts(centre: String, activeOn date: String, includeInactive: Bool = false, order: ContactOrder) async throws(HubError) -> [Contact] {
        try await db.query("""
            SELECT * FROM contact_persons WHERE centre_id = ? AND (? = 1 OR (active_from <= ? AND (active_to IS NULL OR active_to >= ?)))
            ORDER BY \(order.rawValue)
            """, centre, includeInactive, date, date).map { row throws(HubError) in try Self.contact(row) }
    }

    /// The id of the contact person whose self-update link this is, or nil.
    func contactID(updateToken token: String) async throws(HubError) -> String? {
        try await db.queryFirst("SELECT id FROM contact_persons WHERE update_token_hash = ?", RegistrationEngine.hash(token))?.string("id")
    }

    /// The centre of the contact person, or nil when there is no such person.
    func centre(ofContact id: String) async throws(HubError) -> String? {
        try await db.queryFirst("SELECT centre_id FROM contact_persons WHERE id = ?", id)?.string("centre_id")
    }

    /// Stores a new contact person; only the SHA-256 of their self-update link's token is kept.
    func insertContact(id: String, centre: String, _ fields: Contacts.Fields, updateToken: String?, at now: String) async throws(HubError) {
        try await db.execute("""
            INSERT INTO contact_persons (id, centre_id, name, title, unit, agency, municipality, email, phone, active_from, active_to,
                update_token_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, id, centre, fields.name, fields.title, fields.unit, fields.agency, fields.municipality, fields.email, fields.phone,
            fields.activeFrom, fields.activeTo, updateToken.map(RegistrationEngine.hash), now, now)
    }

    /// Writes a contact person's fields.
    func updateContact(_ id: String, _ fields: Contacts.Fields, at now: String) async throws(HubError) {
        try await db.execute("""
            UPDATE contact_persons SET name = ?, title = ?, unit = ?, agency = ?, municipality = ?, email = ?, phone = ?,
                active_from = ?, active_to = ?, updated_at = ? WHERE id = ?
            """, fields.name, fields.title, fields.unit, fields.agency, fields.municipality, fields.email, fields.phone,
            fields.activeFrom, fields.activeTo, now, id)
    }

    static func contact(_ row: DatabaseRow) throws(HubError) -> Contact {
        Contact(id: try row.string("id"), centreId: try row.string("centre_id"), name: try row.string("name"),
                title: try row.optionalString("title"), unit: try row.optionalString("unit"), agency: try row.string("agency"),
                municipality: try row.optionalString("municipality"), email: try row.string("email"), phone: try row.optionalString("phone"),
                activeFrom: try row.string("active_from"), activeTo: try row.optionalString("active_to"))
    }
}
