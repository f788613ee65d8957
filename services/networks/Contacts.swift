import Foundation
import HubBus
import HubCore
import HubProtocol
import HubRegistration
import HubStorage
import NetworksAPI

/// Contact persons per centre, the coverage they give (municipalities × agencies),
/// and the collaboration tour ("samverkansturné").
enum Contacts {
    static let handlers: [String: (AccessRule, MessageHandler)] = [
        ContactCreate.type: (Access.centre, MessageHandler(.command, create)),
        ContactUpdate.type: (Access.contact, MessageHandler(.command, update)),
        ContactList.type: (Access.centre, MessageHandler(.query, list)),
        ContactSelfGet.type: (Access.everyone, MessageHandler(.query, selfGet)),
        ContactSelfUpdate.type: (Access.everyone, MessageHandler(.command, selfUpdate)),
        CoverageGet.type: (Access.centre, MessageHandler(.query, coverage)),
        TourPlan.type: (Access.centre, MessageHandler(.command, planVisit)),
        TourComplete.type: (Access.visit, MessageHandler(.command, completeVisit)),
        TourList.type: (Access.centre, MessageHandler(.query, tour)),
        AgenciesList.type: (Access.everyone, MessageHandler(.query, agencies)),
    ]

    /// `networks.agencies.list {}` → the partner agencies and the centres of the reference data
    /// (`{"agencies":[{"id","name","kind"}],"centres":[{"id","name"}]}`), for the organisers' forms.
    @Sendable static func agencies(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        return try JSONValue.encode(AgenciesList.Reply(agencies: agencyInfo(reference),
                                                       centres: reference.data.centres.map { CentreInfo(id: $0.id, name: $0.name, municipalities: $0.municipalities) }))
    }

    /// The partner agencies of the reference data, as the forms list them.
    static func agencyInfo(_ reference: Reference) -> [AgencyInfo] {
        reference.data.agencies.map { AgencyInfo(id: $0.id, name: $0.name, kind: $0.kind) }
    }

    struct Fields {
        var name: String, title: String?, unit: String?, agency: String, municipality: String?
        var email: String, phone: String?, activeFrom: String, activeTo: String?
    }

    static func fields(_ b: BodyReader, reference: Reference, centre: ReferenceData.Centre, existing: Fields? = nil) throws(HubError) -> Fields {
        func pick(_ key: String, _ old: String?, max: Int = 200) throws(HubError) -> String? {
            b.object[key] == nil ? old : try b.optionalString(key, max: max)
        }
        let name = try pick("name", existing?.name)
        guard let name else { throw HubError(.validation, "This field is required.", field: "body.name") }
        let agency = try pick("agency", existing?.agency)
        guard let agency else { throw HubError(.validation, "This field is required.", field: "body.agency") }
        guard reference.agency(agency) != nil else { throw HubError(.validation, "Choose one of the partner agencies.", field: "body.agency") }
        let municipality = try pick("municipality", existing?.municipality, max: 100)
        if let municipality, !centre.municipalities.contains(municipality) {
            throw HubError(.validation, "The municipality is not one the centre serves.", field: "body.municipality")
        }
        let email = try pick("email", existing?.email, max: RegistrationEngine.Limits.email)
        guard let email else { throw HubError(.validation, "This field is required.", field: "body.email") }
        guard RegistrationEngine.isValidEmail(email) else { throw HubError(.validation, "The e-mail address is not valid.", field: "body.email") }
        let phone = try pick("phone", existing?.phone, max: 40)
        if let phone, !phone.allSatisfy({ $0.isNumber || " +-()".contains($0) }) {
            throw HubError(.validation, "A phone number has digits, spaces, '+', '-' and parentheses only.", field: "body.phone")
        }
        let from = b.object["activeFrom"] == nil ? (existing?.activeFrom ?? Clock.today()) : (try b.optionalDate("activeFrom") ?? Clock.today())
        let to = b.object["activeTo"] == nil ? existing?.activeTo : try b.optionalDate("activeTo")
        if let to, to < from { throw HubError(.validation, "The end date is before the start date.", field: "body.activeTo") }
        return Fields(name: name, title: try pick("title", existing?.title), unit: try pick("unit", existing?.unit), agency: agency,
                      municipality: municipality, email: email, phone: phone, activeFrom: from, activeTo: to)
    }

    /// `networks.contacts.create {centreId, name, title?, unit?, agency, municipality?, email, phone?, activeFrom?, activeTo?, updateToken?}`
    @Sendable static func create(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        let centre = try reference.centre(try b.string("centreId", max: 64))
        let f = try fields(b, reference: reference, centre: centre)
        let token = try b.token("updateToken", required: false)
        let id = Clock.id(), now = Clock.now()
        try await context.database.execute("""
            INSERT INTO contact_persons (id, centre_id, name, title, unit, agency, municipality, email, phone, active_from, active_to,
                update_token_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, id, centre.id, f.name, f.title, f.unit, f.agency, f.municipality, f.email, f.phone, f.activeFrom, f.activeTo,
            token.map(RegistrationEngine.hash), now, now)
        return try JSONValue.encode(try await contact(id, context.database))
    }

    /// `networks.contacts.update {contactId, …fields to change}` (organisers).
    @Sendable static func update(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        let id = try b.string("contactId", max: 64)
        return try await save(id: id, b: b, reference: reference, context: context, field: "body.contactId")
    }

    static func save(id: String, b: BodyReader, reference: Reference, context: ServiceContext, field: String) async throws -> JSONValue {
        guard let row = try await context.database.queryFirst("SELECT * FROM contact_persons WHERE id = ?", id) else {
            throw HubError(.notFound, "No such contact person.", field: field)
        }
        let centre = try reference.centre(try row.string("centre_id"))
        let old = Fields(name: try row.string("name"), title: try row.optionalString("title"), unit: try row.optionalString("unit"),
                         agency: try row.string("agency"), municipality: try row.optionalString("municipality"), email: try row.string("email"),
                         phone: try row.optionalString("phone"), activeFrom: try row.string("active_from"), activeTo: try row.optionalString("active_to"))
        let f = try fields(b, reference: reference, centre: centre, existing: old)
        try await context.database.execute("""
            UPDATE contact_persons SET name = ?, title = ?, unit = ?, agency = ?, municipality = ?, email = ?, phone = ?,
                active_from = ?, active_to = ?, updated_at = ? WHERE id = ?
            """, f.name, f.title, f.unit, f.agency, f.municipality, f.email, f.phone, f.activeFrom, f.activeTo, Clock.now(), id)
        return try JSONValue.encode(try await contact(id, context.database))
    }

    /// `networks.contacts.list {centreId, includeInactive?}` → `{"contacts":[…]}`.
    @Sendable static func list(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        let centre = try reference.centre(try b.string("centreId", max: 64))
        let all = try b.optionalBool("includeInactive") ?? false
        let today = Clock.today()
        let rows = try await context.database.query("""
            SELECT * FROM contact_persons WHERE centre_id = ? AND (? = 1 OR (active_from <= ? AND (active_to IS NULL OR active_to >= ?)))
            ORDER BY municipality, agency, name
            """, centre.id, all, today, today)
        return try JSONValue.encode(ContactList.Reply(contacts: try rows.map { row throws(HubError) in try contact(row) }))
    }

    /// `networks.contacts.self.get {token}`: the contact person's own details, by their link.
    @Sendable static func selfGet(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let b = try BodyReader(request.body)
        let id = try await byToken(try b.token("token", required: true)!, context.database)
        return try JSONValue.encode(try await contact(id, context.database))
    }

    /// `networks.contacts.self.update {token, name?, title?, unit?, email?, phone?}`: agency and municipality stay with the organiser.
    @Sendable static func selfUpdate(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        let id = try await byToken(try b.token("token", required: true)!, context.database)
        for key in ["agency", "municipality", "activeFrom", "activeTo", "centreId"] where b.object[key] != nil {
            throw HubError(.forbidden, "Only the organiser can change this.", field: "body.\(key)")
        }
        return try await save(id: id, b: b, reference: reference, context: context, field: "body.token")
    }

    static func byToken(_ token: String, _ db: any DatabaseExecutor) async throws(HubError) -> String {
        guard let row = try await db.queryFirst("SELECT id FROM contact_persons WHERE update_token_hash = ?", RegistrationEngine.hash(token)) else {
            throw HubError(.notFound, "The link is not valid.", field: "body.token")
        }
        return try row.string("id")
    }

    static func contact(_ id: String, _ db: any DatabaseExecutor) async throws -> Contact {
        guard let row = try await db.queryFirst("SELECT * FROM contact_persons WHERE id = ?", id) else {
            throw HubError(.notFound, "No such contact person.", field: "body.contactId")
        }
        return try contact(row)
    }

    static func contact(_ row: DatabaseRow) throws(HubError) -> Contact {
        Contact(id: try row.string("id"), centreId: try row.string("centre_id"), name: try row.string("name"),
                title: try row.optionalString("title"), unit: try row.optionalString("unit"), agency: try row.string("agency"),
                municipality: try row.optionalString("municipality"), email: try row.string("email"), phone: try row.optionalString("phone"),
                activeFrom: try row.string("active_from"), activeTo: try row.optionalString("active_to"))
    }

    /// `networks.coverage.get {centreId, date?}` → municipalities × agencies: who is the
    /// contact, and `gap: true` where there is none. Agencies that are not per
    /// municipality (police, psychiatry…) count a contact without a municipality as
    /// covering every municipality of the centre.
    @Sendable static func coverage(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        let centre = try reference.centre(try b.string("centreId", max: 64))
        let day = try b.optionalDate("date") ?? Clock.today()
        let rows = try await context.database.query("""
            SELECT id, name, agency, municipality FROM contact_persons
            WHERE centre_id = ? AND active_from <= ? AND (active_to IS NULL OR active_to >= ?) ORDER BY name
            """, centre.id, day, day)
        var cells: [String: [Coverage.Person]] = [:]
        var regionWide: [String: [Coverage.Person]] = [:]
        for row in rows {
            let person = Coverage.Person(id: try row.string("id"), name: try row.string("name"))
            let agency = try row.string("agency")
            if let m = try row.optionalString("municipality") { cells["\(m)|\(agency)", default: []].append(person) }
            else { regionWide[agency, default: []].append(person) }
        }
        var gaps = 0
        var out: [Coverage.Row] = []
        for m in centre.municipalities {
            var columns: [Coverage.Cell] = []
            for a in reference.data.agencies {
                var people = cells["\(m)|\(a.id)"] ?? []
                if a.perMunicipality != true { people += regionWide[a.id] ?? [] }
                if people.isEmpty { gaps += 1 }
                columns.append(Coverage.Cell(agency: a.id, contacts: people, gap: people.isEmpty))
            }
            out.append(Coverage.Row(municipality: m, agencies: columns))
        }
        return try JSONValue.encode(Coverage(centreId: centre.id, centreName: centre.name, date: day, agencies: agencyInfo(reference),
                                             municipalities: out, gaps: gaps))
    }

    /// `networks.tour.plan {centreId, municipality, date, notes?}` → the planned visit.
    @Sendable static func planVisit(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        let centre = try reference.centre(try b.string("centreId", max: 64))
        let municipality = try b.string("municipality", max: 100)
        guard centre.municipalities.contains(municipality) else {
            throw HubError(.validation, "The municipality is not one the centre serves.", field: "body.municipality")
        }
        let date = try b.date("date")
        let id = Clock.id()
        try await context.database.execute("""
            INSERT INTO tour_visits (id, centre_id, municipality, planned_date, status, notes, created_at) VALUES (?, ?, ?, ?, 'planned', ?, ?)
            """, id, centre.id, municipality, date, try b.optionalString("notes", max: 2000, multiline: true), Clock.now())
        return try JSONValue.encode(try await visit(id, context.database))
    }

    /// `networks.tour.complete {visitId, date?, notes?}` → the visit, now completed.
    @Sendable static func completeVisit(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let b = try BodyReader(request.body)
        let id = try b.string("visitId", max: 64)
        guard let row = try await context.database.queryFirst("SELECT status, planned_date, notes FROM tour_visits WHERE id = ?", id) else {
            throw HubError(.notFound, "No such visit.", field: "body.visitId")
        }
        guard try row.string("status") == "planned" else { throw HubError(.conflict, "The visit is already completed.", field: "body.visitId") }
        let date = try b.optionalDate("date") ?? (try row.string("planned_date"))
        let notes = try b.optionalString("notes", max: 2000, multiline: true) ?? (try row.optionalString("notes"))
        try await context.database.execute("UPDATE tour_visits SET status = 'completed', completed_date = ?, notes = ? WHERE id = ?", date, notes, id)
        return try JSONValue.encode(try await visit(id, context.database))
    }

    /// `networks.tour.list {centreId, year?}` → visits of the year, and the municipalities not yet visited.
    @Sendable static func tour(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        let centre = try reference.centre(try b.string("centreId", max: 64))
        let year = try b.optionalInt("year", range: 1900...2200) ?? Int(Clock.today().prefix(4))!
        let rows = try await context.database.query("""
            SELECT id FROM tour_visits WHERE centre_id = ? AND (planned_date LIKE ? OR completed_date LIKE ?) ORDER BY planned_date
            """, centre.id, "\(year)-%", "\(year)-%")
        var visits: [TourVisit] = []
        var visited = Set<String>(), planned = Set<String>()
        for row in rows {
            let v = try await visit(try row.string("id"), context.database)
            visits.append(v)
            if v.status == .completed, v.completedDate?.hasPrefix("\(year)-") == true { visited.insert(v.municipality) } else { planned.insert(v.municipality) }
        }
        let notVisited = centre.municipalities.filter { !visited.contains($0) }
        return try JSONValue.encode(TourList.Reply(centreId: centre.id, year: year, visits: visits,
                                                   notVisited: notVisited.map { .init(municipality: $0, planned: planned.contains($0)) }))
    }

    static func visit(_ id: String, _ db: any DatabaseExecutor) async throws -> TourVisit {
        guard let row = try await db.queryFirst("SELECT * FROM tour_visits WHERE id = ?", id) else {
            throw HubError(.notFound, "No such visit.", field: "body.visitId")
        }
        return TourVisit(id: try row.string("id"), centreId: try row.string("centre_id"), municipality: try row.string("municipality"),
                         plannedDate: try row.string("planned_date"), completedDate: try row.optionalString("completed_date"),
                         status: VisitStatus(rawValue: try row.string("status")) ?? .planned, notes: try row.optionalString("notes"))
    }
}
