import HubWeb

/// The training part of the OpenAPI document (paths under /api/v1 and their schemas),
/// kept apart like NetworksOpenAPI. Every operation forwards to one `training.*` message;
/// the operations are listed once and rendered into YAML.
enum TrainingOpenAPI {
    typealias Op = APIOperation
    static let centreYear = [APIParameter("centre", APISchema.centre, required: true), APIParameter("year", APISchema.year)]
    static let kinds = ["training", "open-house", "conference", "manual-training"]
    static let parts = ["information", "dialogue", "onsite"]

    /// A lecture, in a municipality the centre serves.
    static let lecture = "{ allOf: [" + APISchema.object([
        ("centreId", APISchema.centre), ("date", APISchema.date), ("partner", APISchema.agency), ("unit", APISchema.text(200)),
        ("municipality", APISchema.municipality), ("topic", APISchema.text(300, required: true)),
        ("audienceSize", "{ type: integer, minimum: 1, maximum: 10000 }"), ("lecturer", APISchema.text(200)),
    ], required: ["centreId", "date", "partner", "topic", "audienceSize"], closed: true) + ", \(APISchema.servedMunicipality)] }"
    /// A supervision assignment, in a municipality the centre serves.
    static let supervision = "{ allOf: [" + APISchema.object([
        ("centreId", APISchema.centre), ("municipality", APISchema.municipality), ("agency", APISchema.agency),
        ("unit", APISchema.text(200, required: true)), ("notes", APISchema.text(2000, multiline: true)),
    ], required: ["centreId", "municipality", "agency", "unit"], closed: true) + ", \(APISchema.servedMunicipality)] }"

    /// Every operation, with its reply schema from `replies`.
    static let operations = APIOperation.replying(table, replies)

    static let table: [APIOperation] = [
        Op("get", "/api/v1/trainings", id: "listTrainings", tag: "training", summary: "Trainings by first date (training.events.list)",
           query: [APIParameter("centre", APISchema.centre), APIParameter("year", APISchema.year), APIParameter("kind", APISchema.choice(kinds))]),
        Op("post", "/api/v1/trainings", id: "createTraining", tag: "training",
           summary: "Publish a training with its sessions (admin, staff; training.events.create). Each session ends after it starts, sessions do not overlap, the deadline is before the first session",
           body: "{ $ref: \"#/components/schemas/TrainingInput\" }", status: 201),
        Op("get", "/api/v1/trainings/{eventId}", id: "getTraining", tag: "training", summary: "A training with sessions and seats (training.events.get)"),
        Op("post", "/api/v1/trainings/{eventId}/cancel", id: "cancelTraining", tag: "training", summary: "Cancel a training (training.events.cancel)", conflict: true),
        Op("post", "/api/v1/trainings/{eventId}/invitations", id: "inviteTraining", tag: "training",
           summary: "Send invitations with iCalendar to the agencies' adapters (training.events.invite)",
           body: APISchema.object([("registrationUrl", "{ type: string, format: uri, maxLength: 500 }"), ("agencies", "{ type: array, maxItems: 20, items: \(APISchema.agency) }")], closed: true),
           bodyRequired: false, conflict: true),
        Op("post", "/api/v1/trainings/{eventId}/registrations", id: "registerForTraining", tag: "training",
           summary: "Register one person; the reply carries the cancellation link once (training.registrations.create)",
           body: "{ $ref: \"#/components/schemas/TrainingRegistrationInput\" }", status: 201, conflict: true),
        Op("get", "/api/v1/trainings/{eventId}/registrations", id: "listTrainingRegistrations", tag: "training",
           summary: "Participants: seats, waiting list, cancellations (training.registrations.list)"),
        Op("get", "/api/v1/trainings/{eventId}/attendance", id: "getTrainingAttendance", tag: "training",
           summary: "Attendance per session and certificates (training.attendance.get)"),
        Op("post", "/api/v1/training-sessions/{sessionId}/attendance", id: "markAttendance", tag: "training",
           summary: "Mark attendance for a session that has begun (training.attendance.mark)", body: "{ $ref: \"#/components/schemas/AttendanceInput\" }", conflict: true),
        Op("post", "/api/v1/trainings/{eventId}/certificates", id: "issueCertificates", tag: "training",
           summary: "Issue certificates; refused for someone who missed a session (training.certificates.issue)",
           body: APISchema.object([("participantId", APISchema.id)], closed: true), bodyRequired: false, status: 201, conflict: true),
        Op("get", "/api/v1/certificates/{certificateId}", id: "getCertificate", tag: "training", summary: "A certificate with its print-ready HTML (training.certificates.get)"),
        Op("get", "/api/v1/trainings/{eventId}/evaluation", id: "getEvaluationSummary", tag: "training", summary: "Aggregated anonymous evaluation (training.evaluations.summary)"),
        Op("get", "/api/v1/lectures", id: "listLectures", tag: "training", summary: "Commissioned lectures (training.lectures.list)", query: centreYear),
        Op("post", "/api/v1/lectures", id: "createLecture", tag: "training",
           summary: "Log a lecture (training.lectures.create); the municipality is one the centre serves",
           body: lecture,
           status: 201),
        Op("get", "/api/v1/supervision-assignments", id: "listSupervision", tag: "training", summary: "Targeted supervision assignments (training.supervision.list)", query: centreYear),
        Op("post", "/api/v1/supervision-assignments", id: "createSupervision", tag: "training",
           summary: "New assignment (training.supervision.create); the municipality is one the centre serves",
           body: supervision,
           status: 201),
        Op("get", "/api/v1/supervision-assignments/{assignmentId}", id: "getSupervision", tag: "training", summary: "An assignment with parts and sessions"),
        Op("post", "/api/v1/supervision-assignments/{assignmentId}/parts", id: "setSupervisionPart", tag: "training",
           summary: "Set a part; a date is needed unless not_started; out of order is 409 (training.supervision.part)",
           body: APISchema.object([("part", APISchema.choice(parts)), ("status", APISchema.choice(["not_started", "planned", "done"])), ("date", APISchema.date)],
                                  required: ["part", "status"], closed: true),
           conflict: true),
        Op("post", "/api/v1/supervision-assignments/{assignmentId}/sessions", id: "logSupervisionSession", tag: "training",
           summary: "Log a session of a planned part (training.supervision.session)",
           body: APISchema.object([("part", APISchema.choice(parts)), ("date", APISchema.date), ("participants", "{ type: integer, minimum: 0, maximum: 10000 }"),
                                   ("notes", APISchema.text(2000, multiline: true))], required: ["part", "date"], closed: true),
           status: 201, conflict: true),
        Op("get", "/api/v1/supervision-coverage/{centreId}", id: "getSupervisionCoverage", tag: "training",
           summary: "Each municipality: not_contacted, dialogue_held, supervision_ongoing or completed (training.supervision.coverage)",
           pathSchemas: ["centreId": APISchema.centre]),
        Op("get", "/api/v1/year-in-review/{centreId}", id: "getYearInReview", tag: "training",
           summary: "Trainings, network days, lectures and supervision of a year; format=markdown|html gives the document (training.year.review)",
           query: [APIParameter("year", APISchema.year), APIParameter("format", APISchema.choice(["json", "markdown", "md", "html"]))],
           pathSchemas: ["centreId": APISchema.centre],
           response: [("application/json", "{ type: object }"), ("text/markdown", "{ type: string }"), ("text/html", "{ type: string }")]),
    ]

    static var paths: String { APIOperation.paths(operations) }

    static let schemas = """
        TrainingInput: \(APISchema.object([
            ("centreId", APISchema.centre), ("kind", APISchema.choice(kinds)), ("title", APISchema.text(300, required: true)),
            ("focus", APISchema.text(500)), ("audience", APISchema.text(300, required: true)), ("description", APISchema.text(5000, multiline: true)),
            ("trainers", "{ type: array, maxItems: 20, items: \(APISchema.object([("name", APISchema.text(200, required: true)), ("external", APISchema.boolean), ("organisation", APISchema.text(200))], required: ["name"], closed: true)) }"),
            ("sessions", "{ type: array, minItems: 1, maxItems: 30, items: \(APISchema.object([("date", APISchema.date), ("startTime", APISchema.time), ("endTime", APISchema.time), ("venue", APISchema.text(300, required: true))], required: ["date", "startTime", "endTime", "venue"], closed: true)) }"),
            ("capacity", "{ type: integer, minimum: 1, maximum: 100000 }"), ("feeSEK", "{ type: integer, minimum: 0, maximum: 1000000 }"),
            ("deadline", APISchema.deadline), ("waitingList", "{ type: boolean, default: true, description: \"false: a full training refuses registrations\" }"),
            ("contactEmail", APISchema.email), ("purgeAfterDays", "{ type: integer, minimum: 0, maximum: 3650 }"),
        ], required: ["centreId", "kind", "title", "audience", "sessions", "capacity", "deadline"], closed: true))
        AttendanceInput: \(APISchema.object([("marks", "{ type: array, minItems: 1, maxItems: 500, items: \(APISchema.object([("participantId", APISchema.id), ("attended", "{ type: boolean, default: true }")], required: ["participantId"], closed: true)) }")], required: ["marks"], closed: true))
        TrainingRegistrationInput: \(APISchema.object([
            ("name", APISchema.text(200, required: true)), ("agency", APISchema.agency), ("municipality", APISchema.municipality),
            ("email", APISchema.email), ("dietary", APISchema.text(500)), ("invoiceReference", APISchema.text(100)), ("language", "{ enum: [sv, en] }"),
        ], required: ["name", "agency", "email"], closed: true, blankIsAbsent: false))
    """
}
