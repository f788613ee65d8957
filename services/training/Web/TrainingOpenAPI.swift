/// The training part of the OpenAPI document (paths under /api/v1 and their schemas),
/// kept apart like NetworksOpenAPI. Every operation forwards to one `training.*` message;
/// the operations are listed once and rendered into YAML.
enum TrainingOpenAPI {
    struct Operation {
        var method: String, path: String, id: String, summary: String
        var params: [String] = [], query: [String] = [], body: String? = nil, created = false
    }

    static let operations: [Operation] = [
        .init(method: "get", path: "/api/v1/trainings", id: "listTrainings", summary: "Trainings by first date (training.events.list)", query: ["centre", "year", "kind"]),
        .init(method: "post", path: "/api/v1/trainings", id: "createTraining", summary: "Publish a training with its sessions (admin, staff; training.events.create)",
              body: "TrainingInput", created: true),
        .init(method: "get", path: "/api/v1/trainings/{eventId}", id: "getTraining", summary: "A training with sessions and seats (training.events.get)", params: ["eventId"]),
        .init(method: "post", path: "/api/v1/trainings/{eventId}/cancel", id: "cancelTraining", summary: "Cancel a training (training.events.cancel)", params: ["eventId"]),
        .init(method: "post", path: "/api/v1/trainings/{eventId}/invitations", id: "inviteTraining",
              summary: "Send invitations with iCalendar to the agencies' adapters (training.events.invite)", params: ["eventId"]),
        .init(method: "post", path: "/api/v1/trainings/{eventId}/registrations", id: "registerForTraining",
              summary: "Register one person; the reply carries the cancellation link once (training.registrations.create)",
              params: ["eventId"], body: "RegistrationInput", created: true),
        .init(method: "get", path: "/api/v1/trainings/{eventId}/registrations", id: "listTrainingRegistrations",
              summary: "Participants: seats, waiting list, cancellations (training.registrations.list)", params: ["eventId"]),
        .init(method: "get", path: "/api/v1/trainings/{eventId}/attendance", id: "getTrainingAttendance",
              summary: "Attendance per session and certificates (training.attendance.get)", params: ["eventId"]),
        .init(method: "post", path: "/api/v1/training-sessions/{sessionId}/attendance", id: "markAttendance",
              summary: "Mark attendance for a session: {marks: [{participantId, attended}]} (training.attendance.mark)", params: ["sessionId"], body: "AttendanceInput"),
        .init(method: "post", path: "/api/v1/trainings/{eventId}/certificates", id: "issueCertificates",
              summary: "Issue certificates: {participantId?}; refused for someone who missed a session (training.certificates.issue)",
              params: ["eventId"], created: true),
        .init(method: "get", path: "/api/v1/certificates/{certificateId}", id: "getCertificate", summary: "A certificate with its print-ready HTML (training.certificates.get)",
              params: ["certificateId"]),
        .init(method: "get", path: "/api/v1/trainings/{eventId}/evaluation", id: "getEvaluationSummary",
              summary: "Aggregated anonymous evaluation (training.evaluations.summary)", params: ["eventId"]),
        .init(method: "get", path: "/api/v1/lectures", id: "listLectures", summary: "Commissioned lectures (training.lectures.list)", query: ["centre", "year"]),
        .init(method: "post", path: "/api/v1/lectures", id: "createLecture",
              summary: "Log a lecture: {centreId, date, partner, unit?, municipality?, topic, audienceSize, lecturer?} (training.lectures.create)", created: true),
        .init(method: "get", path: "/api/v1/supervision-assignments", id: "listSupervision", summary: "Targeted supervision assignments (training.supervision.list)",
              query: ["centre", "year"]),
        .init(method: "post", path: "/api/v1/supervision-assignments", id: "createSupervision",
              summary: "New assignment: {centreId, municipality, agency, unit, notes?} (training.supervision.create)", created: true),
        .init(method: "get", path: "/api/v1/supervision-assignments/{assignmentId}", id: "getSupervision", summary: "An assignment with parts and sessions",
              params: ["assignmentId"]),
        .init(method: "post", path: "/api/v1/supervision-assignments/{assignmentId}/parts", id: "setSupervisionPart",
              summary: "Set a part: {part: information|dialogue|onsite, status: not_started|planned|done, date}; out of order is 409 (training.supervision.part)",
              params: ["assignmentId"]),
        .init(method: "post", path: "/api/v1/supervision-assignments/{assignmentId}/sessions", id: "logSupervisionSession",
              summary: "Log a session: {part, date, participants?, notes?} (training.supervision.session)", params: ["assignmentId"], created: true),
        .init(method: "get", path: "/api/v1/supervision-coverage/{centreId}", id: "getSupervisionCoverage",
              summary: "Each municipality: not_contacted, dialogue_held, supervision_ongoing or completed (training.supervision.coverage)", params: ["centreId"]),
        .init(method: "get", path: "/api/v1/year-in-review/{centreId}", id: "getYearInReview",
              summary: "Trainings, network days, lectures and supervision of a year; format=markdown|html gives the document (training.year.review)",
              params: ["centreId"], query: ["year", "format"]),
    ]

    /// The operations as YAML under `paths:` (two-space indent), grouped by path.
    static var paths: String {
        var out: [String] = []
        var seen: [String] = []
        for op in operations where !seen.contains(op.path) { seen.append(op.path) }
        for path in seen {
            out.append("  \(path):")
            for op in operations where op.path == path {
                out.append("    \(op.method):")
                out.append("      summary: \"\(op.summary)\"")
                out.append("      operationId: \(op.id)")
                out.append("      tags: [training]")
                let params = op.params.map { "        - { name: \($0), in: path, required: true, schema: { type: string } }" }
                    + op.query.map { "        - { name: \($0), in: query, required: false, schema: { type: \($0 == "year" ? "integer" : "string") } }" }
                if !params.isEmpty { out.append("      parameters:"); out.append(contentsOf: params) }
                if op.method == "post" {
                    out.append("      requestBody:")
                    out.append("        required: \(op.body != nil)")
                    out.append("        content:")
                    out.append("          application/json:")
                    out.append("            schema: " + (op.body.map { "{ $ref: \"#/components/schemas/\($0)\" }" } ?? "{ type: object }"))
                }
                out.append("      responses:")
                out.append("        \"\(op.created ? 201 : 200)\":")
                out.append("          description: The training service's reply")
                out.append("          content:")
                out.append("            application/json:")
                out.append("              schema: { type: object }")
                for (code, ref) in [("400", "BadRequest"), ("422", "Unprocessable"), ("401", "Unauthorized"), ("403", "Forbidden"), ("503", "Unavailable")] {
                    out.append("        \"\(code)\": { $ref: \"#/components/responses/\(ref)\" }")
                }
            }
        }
        return out.joined(separator: "\n")
    }

    static let schemas = #"""
        TrainingInput:
          type: object
          required: [centreId, kind, title, audience, sessions, capacity, deadline]
          properties:
            centreId: { type: string }
            kind: { type: string, enum: [training, open-house, conference, manual-training] }
            title: { type: string, maxLength: 300 }
            focus: { type: string, maxLength: 500 }
            audience: { type: string, maxLength: 300 }
            description: { type: string, maxLength: 5000 }
            trainers:
              type: array
              items: { type: object, required: [name], properties: { name: { type: string }, external: { type: boolean }, organisation: { type: string } } }
            sessions:
              type: array
              minItems: 1
              maxItems: 30
              description: Each ends after it starts; sessions may not overlap
              items:
                type: object
                required: [date, startTime, endTime, venue]
                properties:
                  date: { type: string, format: date }
                  startTime: { type: string, pattern: "^[0-2][0-9]:[0-5][0-9]$" }
                  endTime: { type: string, pattern: "^[0-2][0-9]:[0-5][0-9]$" }
                  venue: { type: string, maxLength: 300 }
            capacity: { type: integer, minimum: 1, maximum: 100000 }
            feeSEK: { type: integer, minimum: 0 }
            deadline: { type: string, description: "YYYY-MM-DD or YYYY-MM-DDTHH:MM, before the first session" }
            waitingList: { type: boolean, default: true, description: "false: a full training refuses registrations" }
            contactEmail: { type: string, format: email }
            purgeAfterDays: { type: integer, minimum: 0, maximum: 3650 }
        AttendanceInput:
          type: object
          required: [marks]
          properties:
            marks:
              type: array
              items: { type: object, required: [participantId], properties: { participantId: { type: string }, attended: { type: boolean, default: true } } }
    """#
}
