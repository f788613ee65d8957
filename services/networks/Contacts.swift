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

    /// A contact person's own fields, checked: what is stored and what an update merges into.
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
        let store = NetworkStore(context.database)
        try await store.insertContact(id: id, centre: centre.id, f, updateToken: token, at: now)
        return try JSONValue.encode(try await store.contact(id))
    }

    /// `networks.contacts.update {contactId, …fields to change}` (organisers).
    @Sendable static func update(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        let id = try b.string("contactId", max: 64)
        return try await save(id: id, b: b, reference: reference, context: context, field: "body.contactId")
    }

    static func save(id: String, b: BodyReader, reference: Reference, context: ServiceContext, field: String) async throws -> JSONValue {
        let store = NetworkStore(context.database)
        let stored = try await store.contact(id, field: field)
        let centre = try reference.centre(stored.centreId)
        let old = Fields(name: stored.name, title: stored.title, unit: stored.unit, agency: stored.agency, municipality: stored.municipality,
                         email: stored.email, phone: stored.phone, activeFrom: stored.activeFrom, activeTo: stored.activeTo)
        let f = try fields(b, reference: reference, centre: centre, existing: old)
        try await store.updateContact(id, f, at: Clock.now())
        return try JSONValue.encode(try await store.contact(id))
    }

    /// `networks.contacts.list {centreId, includeInactive?}` → `{"contacts":[…]}`.
    @Sendable static func list(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        let centre = try reference.centre(try b.string("centreId", max: 64))
        let all = try b.optionalBool("includeInactive") ?? false
        let contacts = try await NetworkStore(context.database).contacts(centre: centre.id, activeOn: Clock.today(), includeInactive: all,
                                                                         order: .municipality)
        return try JSONValue.encode(ContactList.Reply(contacts: contacts))
    }

    /// `networks.contacts.self.get {token}`: the contact person's own details, by their link.
    @Sendable static func selfGet(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let b = try BodyReader(request.body)
        let id = try await byToken(try b.token("token", required: true)!, context.database)
        return try JSONValue.encode(try await NetworkStore(context.database).contact(id))
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

    /// The contact person whose self-update link this is; an unknown link is `not_found`.
    static func byToken(_ token: String, _ db: any DatabaseExecutor) async throws(HubError) -> String {
        guard let id = try await NetworkStore(db).contactID(updateToken: token) else {
            throw HubError(.notFound, "The link is not valid.", field: "body.token")
        }
        return id
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
        var cells: [String: [Coverage.Person]] = [:]
        var regionWide: [String: [Coverage.Person]] = [:]
        for contact in try await NetworkStore(context.database).contacts(centre: centre.id, activeOn: day, order: .name) {
            let person = Coverage.Person(id: contact.id, name: contact.name)
            if let m = contact.municipality { cells["\(m)|\(contact.agency)", default: []].append(person) }
            else { regionWide[contact.agency, default: []].append(person) }
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
        let store = NetworkStore(context.database)
        try await store.insertVisit(id: id, centre: centre.id, municipality: municipality, date: date,
                                    notes: try b.optionalString("notes", max: 2000, multiline: true), at: Clock.now())
        return try JSONValue.encode(try await store.visit(id))
    }

    /// `networks.tour.complete {visitId, date?, notes?}` → the visit, now completed.
    @Sendable static func completeVisit(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let b = try BodyReader(request.body)
        let id = try b.string("visitId", max: 64)
        let store = NetworkStore(context.database)
        let planned = try await store.visit(id)
        guard planned.status == .planned else { throw HubError(.conflict, "The visit is already completed.", field: "body.visitId") }
        let date = try b.optionalDate("date") ?? planned.plannedDate
        let notes = try b.optionalString("notes", max: 2000, multiline: true) ?? planned.notes
        try await store.completeVisit(id, on: date, notes: notes)
        return try JSONValue.encode(try await store.visit(id))
    }

    /// `networks.tour.list {centreId, year?}` → visits of the year, and the municipalities not yet visited.
    @Sendable static func tour(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        let centre = try reference.centre(try b.string("centreId", max: 64))
        let year = try b.optionalInt("year", range: 1900...2200) ?? Int(Clock.today().prefix(4))!
        let visits = try await NetworkStore(context.database).visits(centre: centre.id, year: year)
        var visited = Set<String>(), planned = Set<String>()
        for v in visits {
            if v.status == .completed, v.completedDate?.hasPrefix("\(year)-") == true { visited.insert(v.municipality) } else { planned.insert(v.municipality) }
        }
        let notVisited = centre.municipalities.filter { !visited.contains($0) }
        return try JSONValue.encode(TourList.Reply(centreId: centre.id, year: year, visits: visits,
                                                   notVisited: notVisited.map { .init(municipality: $0, planned: planned.contains($0)) }))
    }
}
