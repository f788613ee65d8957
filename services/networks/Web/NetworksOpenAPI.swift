import HubWeb

/// The network-day part of the OpenAPI document (paths under /api/v1 and their schemas),
/// kept apart so that other features' paths merge without touching it.
enum NetworksOpenAPI {
    typealias Op = APIOperation
    static let centreYear = [APIParameter("centre", APISchema.centre, required: true), APIParameter("year", APISchema.year)]

    /// Every operation, with its reply schema from `replies`.
    static let operations = APIOperation.replying(table, replies)

    static let table: [APIOperation] = [
        Op("get", "/api/v1/network-days", id: "listNetworkDays", tag: "networks", summary: "Network days, by date (networks.days.list)",
           query: [APIParameter("centre", APISchema.centre), APIParameter("year", APISchema.year)],
           response: [("application/json", "{ type: object, required: [days], properties: { days: { type: array, items: { $ref: \"#/components/schemas/NetworkDay\" } } } }")]),
        Op("post", "/api/v1/network-days", id: "createNetworkDay", tag: "networks",
           summary: "Create a network day, open for registration (admin, staff; networks.days.create). The day ends after it starts; the deadline is not after the start",
           body: "{ $ref: \"#/components/schemas/NetworkDayInput\" }", status: 201, response: [("application/json", "{ $ref: \"#/components/schemas/NetworkDay\" }")]),
        Op("get", "/api/v1/network-days/{dayId}", id: "getNetworkDay", tag: "networks", summary: "One day with seats taken, left and waiting (networks.days.get)",
           response: [("application/json", "{ $ref: \"#/components/schemas/NetworkDay\" }")]),
        Op("patch", "/api/v1/network-days/{dayId}", id: "updateNetworkDay", tag: "networks",
           summary: "Change a day; raises the iCalendar SEQUENCE and re-sends invitations (admin, staff)",
           body: "{ $ref: \"#/components/schemas/NetworkDayChange\" }", response: [("application/json", "{ $ref: \"#/components/schemas/NetworkDay\" }")], conflict: true),
        Op("post", "/api/v1/network-days/{dayId}/cancel", id: "cancelNetworkDay", tag: "networks",
           summary: "Cancel a day; METHOD:CANCEL goes to invited agencies (admin, staff)",
           response: [("application/json", "{ $ref: \"#/components/schemas/NetworkDay\" }")], conflict: true),
        Op("post", "/api/v1/network-days/{dayId}/invitations", id: "inviteToNetworkDay", tag: "networks",
           summary: "Send invitations with iCalendar to the agency adapter of each contact person, and for e-mail (admin, staff)",
           body: "{ $ref: \"#/components/schemas/Invitation\" }", bodyRequired: false, conflict: true),
        Op("post", "/api/v1/network-days/{dayId}/registrations", id: "registerForNetworkDay", tag: "networks",
           summary: "Register one person, or a group on one invoice reference; the hub makes the cancel and manage links and returns them once",
           body: "{ $ref: \"#/components/schemas/RegistrationInput\" }", status: 201, conflict: true),
        Op("get", "/api/v1/network-days/{dayId}/registrations", id: "listRegistrations", tag: "networks",
           summary: "Participants: seats, waiting list in order, cancellations (admin, staff)"),
        Op("get", "/api/v1/network-days/{dayId}/participants.csv", id: "exportParticipants", tag: "networks",
           summary: "Participant list as RFC 4180 CSV (admin, staff)", responseDescription: "CSV file (Content-Disposition attachment)",
           response: [("text/csv", "{ type: string }")]),
        Op("get", "/api/v1/network-days/{dayId}/invoice-basis", id: "invoiceBasis", tag: "networks",
           summary: "People × fee per agency and invoice reference (admin, staff)"),
        Op("post", "/api/v1/registrations/{participantId}/check-in", id: "checkIn", tag: "networks",
           summary: "Mark attendance on the day (admin, staff)",
           body: APISchema.object([("attended", APISchema.boolean)], closed: true), bodyRequired: false, conflict: true),
        Op("post", "/api/v1/registrations/{participantId}/move", id: "moveParticipant", tag: "networks",
           summary: "Move someone with a reason: to confirmed, waiting, or another day (toDayId) — never beyond capacity (admin, staff)",
           body: APISchema.object([("to", APISchema.choice(["confirmed", "waiting", "day"])), ("toDayId", APISchema.id),
                                   ("reason", APISchema.text(500, required: true, multiline: true))], required: ["to", "reason"], closed: true),
           conflict: true),
        Op("get", "/api/v1/contact-persons", id: "listContactPersons", tag: "networks", summary: "Active contact persons of a centre (admin, staff)",
           query: [APIParameter("centre", APISchema.centre, required: true), APIParameter("includeInactive", APISchema.choice(["true", "false"]))]),
        Op("post", "/api/v1/contact-persons", id: "createContactPerson", tag: "networks",
           summary: "Add a contact person; the reply carries selfUpdateUrl, their self-update link, shown once (admin, staff). The municipality is one the centre serves; activeTo is not before activeFrom",
           body: "{ $ref: \"#/components/schemas/ContactInput\" }", status: 201),
        Op("patch", "/api/v1/contact-persons/{contactId}", id: "updateContactPerson", tag: "networks", summary: "Change a contact person (admin, staff)",
           body: "{ $ref: \"#/components/schemas/ContactChange\" }"),
        Op("get", "/api/v1/coverage/{centreId}", id: "getCoverage", tag: "networks",
           summary: "Municipalities × agencies with contacts, and gap: true where there is none (admin, staff)", pathSchemas: ["centreId": APISchema.centre]),
        Op("get", "/api/v1/tour-visits", id: "listTourVisits", tag: "networks",
           summary: "Collaboration tour: visits of a year and municipalities not visited (admin, staff)", query: centreYear),
        Op("post", "/api/v1/tour-visits", id: "planTourVisit", tag: "networks", summary: "Plan a visit to a municipality the centre serves (admin, staff)",
           body: "{ allOf: [\(APISchema.object([("centreId", APISchema.centre), ("municipality", APISchema.municipality), ("date", APISchema.date), ("notes", APISchema.text(2000, multiline: true))], required: ["centreId", "municipality", "date"], closed: true)), \(APISchema.servedMunicipality)] }",
           status: 201),
        Op("post", "/api/v1/tour-visits/{visitId}/complete", id: "completeTourVisit", tag: "networks", summary: "Mark a visit completed (admin, staff)",
           body: APISchema.object([("date", APISchema.date), ("notes", APISchema.text(2000, multiline: true))], closed: true), bodyRequired: false, conflict: true),
        Op("get", "/api/v1/network-attendance", id: "networkAttendance", tag: "networks",
           summary: "Registrations and attendance per agency across the network days of a centre (admin, staff)", query: centreYear),
    ]

    /// The operations' YAML under `paths:`.
    static var paths: String { APIOperation.paths(operations) }

    static let dayFields: [(String, String)] = [
        ("title", APISchema.text(300, required: true)), ("theme", APISchema.text(500, required: true)),
        ("date", APISchema.date), ("startTime", APISchema.time), ("endTime", APISchema.time),
        ("venue", APISchema.text(300, required: true)),
        ("organisers", "{ type: array, maxItems: 20, items: \(APISchema.text(200, required: true)) }"),
        ("programme", "{ type: array, maxItems: 50, items: \(APISchema.object([("start", APISchema.time), ("end", APISchema.time), ("title", APISchema.text(300, required: true)), ("speaker", APISchema.text(200))], required: ["start", "title"], closed: true, blankIsAbsent: false)) }"),
        ("capacity", "{ type: integer, minimum: 1, maximum: 10000 }"), ("feeSEK", "{ type: integer, minimum: 0, maximum: 100000 }"),
        ("deadline", APISchema.deadline), ("contactEmail", APISchema.email),
        ("purgeAfterDays", "{ type: integer, minimum: 0, maximum: 3650, description: \"Participant data is purged this many days after the day (default 90)\" }"),
    ]
    static let contactFields: [(String, String)] = [
        ("name", APISchema.text(200, required: true)), ("title", APISchema.text(200)), ("unit", APISchema.text(200)),
        ("agency", APISchema.agency), ("municipality", APISchema.municipality), ("email", APISchema.email),
        ("phone", "{ type: string, maxLength: 40, pattern: '^[0-9 +()-]*$' }"), ("activeFrom", APISchema.date), ("activeTo", APISchema.date),
    ]
    static let person: [(String, String)] = [
        ("name", APISchema.text(200, required: true)), ("agency", APISchema.agency), ("municipality", APISchema.municipality),
        ("email", APISchema.email), ("dietary", APISchema.text(500)),
    ]

    /// Schemas referenced by `paths`, placed under `components.schemas`.
    static let schemas = """
        NetworkDayInput: \(APISchema.object([("centreId", APISchema.centre)] + dayFields,
                                            required: ["centreId", "title", "theme", "date", "startTime", "endTime", "venue", "capacity", "deadline"], closed: true))
        NetworkDayChange: \(APISchema.object(dayFields, closed: true))
        ContactInput: { allOf: [\(APISchema.object([("centreId", APISchema.centre)] + contactFields, required: ["centreId", "name", "agency", "email"], closed: true)), \(APISchema.servedMunicipality)] }
        ContactChange: \(APISchema.object(contactFields, closed: true))
        Invitation: \(APISchema.object([("registrationUrl", "{ type: string, format: uri, maxLength: 500, description: \"Defaults to this gateway's /anmalan/{dayId}\" }")], closed: true))
        RegistrationInput:
          description: One person, or a group (participants, booker) on one invoice reference. The hub makes the links; never send cancelToken or manageToken. invoiceReference is required when the day has a fee.
          oneOf:
            - \(APISchema.object(person + [("invoiceReference", APISchema.text(100)), ("language", "{ enum: [sv, en] }")],
                                 required: ["name", "agency", "email"], closed: true, blankIsAbsent: false))
            - \(APISchema.object([("participants", "{ type: array, minItems: 1, maxItems: 50, items: \(APISchema.object(person, required: ["name", "agency", "email"], closed: true, blankIsAbsent: false)) }"),
                                  ("booker", APISchema.object([("name", APISchema.text(200, required: true)), ("email", APISchema.email)], required: ["name", "email"], closed: true)),
                                  ("invoiceReference", APISchema.text(100)), ("language", "{ enum: [sv, en] }")],
                                 required: ["participants"], closed: true))
        NetworkDay:
          type: object
          required: [id, centreId, title, date, startTime, endTime, status, capacity]
          properties:
            id: { type: string }
            centreId: { type: string }
            title: { type: string }
            theme: { type: string }
            date: { type: string }
            startTime: { type: string }
            endTime: { type: string }
            venue: { type: string }
            capacity: { type: integer }
            feeSEK: { type: integer }
            deadline: { type: string }
            status: { type: string }
            sequence: { type: integer }
            taken: { type: integer }
            seatsLeft: { type: integer }
            waiting: { type: integer }
            registrationOpen: { type: boolean }
    """
}
