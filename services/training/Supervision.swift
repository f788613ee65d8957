import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
import TrainingAPI

/// Commissioned lectures ("föreläsningar på uppdrag") and targeted supervision ("Riktad
/// handledning"): assignments per partner unit and municipality with three parts in a
/// fixed order — information/training, needs dialogue, on-site consultation/supervision —
/// a log of sessions, and the coverage of a centre's municipalities.
enum Supervision {
    static let handlers: [String: (AccessRule, MessageHandler.Kind, TrainingHandler)] = [
        LectureCreate.type: (Access.centre, .command, createLecture),
        LectureList.type: (Access.centre, .query, listLectures),
        SupervisionCreate.type: (Access.centre, .command, create),
        SupervisionPart.type: (Access.assignment, .command, setPart),
        SupervisionSession.type: (Access.assignment, .command, logSession),
        SupervisionGet.type: (Access.assignment, .query, get),
        SupervisionList.type: (Access.centre, .query, list),
        SupervisionCoverage.type: (Access.centre, .query, coverage),
    ]

    /// The three parts in the order they must happen.
    static let parts = SupervisionPartName.codes
    static let statuses = PartStatus.codes

    /// `training.lectures.create {centreId, date, partner (agency id), unit?, municipality?, topic, audienceSize, lecturer?}`.
    @Sendable static func createLecture(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let b = try BodyReader(request.body)
        let centre = try reference.centre(try b.string("centreId", max: 64))
        let date = try b.date("date")
        let partner = try b.string("partner", max: 64)
        guard reference.data.agencies.contains(where: { $0.id == partner }) else {
            throw HubError(.validation, "Choose one of the partner agencies.", field: "body.partner", reason: .notAChoice)
        }
        let unit = try b.optionalString("unit", max: 200)
        let municipality = try b.optionalString("municipality", max: 100)
        if let municipality, !centre.municipalities.contains(municipality) {
            throw HubError(.validation, "Choose one of the centre's municipalities.", field: "body.municipality", reason: .notAChoice)
        }
        let topic = try b.string("topic", max: 300)
        guard let size = try b.optionalInt("audienceSize", range: 1...10_000) else {
            throw HubError(.validation, "This field is required.", field: "body.audienceSize")
        }
        let lecturer = try b.optionalString("lecturer", max: 200)
        let id = Ids.make()
        try await context.database.execute("""
            INSERT INTO training_lectures (id, centre_id, lecture_date, partner, unit, municipality, topic, audience_size, lecturer, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, id, centre.id, date, partner, unit, municipality, topic, size, lecturer, env.nowText)
        return try await lectures(centre.id, year: nil, id: id, reference: reference, db: context.database)[0]
    }

    /// `training.lectures.list {centreId, year?}` → `{lectures: [...]}` by date.
    @Sendable static func listLectures(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let b = try BodyReader(request.body)
        let centre = try reference.centre(try b.string("centreId", max: 64))
        let year = try b.optionalInt("year", range: 1900...2200)
        return .object(["lectures": .array(try await lectures(centre.id, year: year, reference: reference, db: context.database))])
    }

    static func lectures(_ centre: String, year: Int?, id: String? = nil, reference: TrainingReference, db: any DatabaseExecutor) async throws -> [JSONValue] {
        try await db.query("""
            SELECT * FROM training_lectures WHERE centre_id = ? AND (? = '' OR lecture_date LIKE ?) AND (? = '' OR id = ?) ORDER BY lecture_date, topic
            """, centre, year.map(String.init) ?? "", year.map { "\($0)-%" } ?? "", id ?? "", id ?? "").map { r in
            try JSONValue.encode(Lecture(id: try r.string("id"), centreId: centre, date: try r.string("lecture_date"), partner: try r.string("partner"),
                                         partnerName: reference.agencyName(try r.string("partner")), unit: try r.optionalString("unit"),
                                         municipality: try r.optionalString("municipality"), topic: try r.string("topic"),
                                         audienceSize: try r.int("audience_size"), lecturer: try r.optionalString("lecturer")))
        }
    }

    /// `training.supervision.create {centreId, municipality, agency, unit, notes?}` → an assignment with every part not started.
    @Sendable static func create(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let b = try BodyReader(request.body)
        let centre = try reference.centre(try b.string("centreId", max: 64))
        let municipality = try b.string("municipality", max: 100)
        guard centre.municipalities.contains(municipality) else {
            throw HubError(.validation, "Choose one of the centre's municipalities.", field: "body.municipality", reason: .notAChoice)
        }
        let agency = try b.string("agency", max: 64)
        guard reference.data.agencies.contains(where: { $0.id == agency }) else {
            throw HubError(.validation, "Choose one of the partner agencies.", field: "body.agency", reason: .notAChoice)
        }
        let unit = try b.string("unit", max: 200)
        let notes = try b.optionalString("notes", max: 2000, multiline: true)
        let id = Ids.make()
        try await context.database.execute("""
            INSERT INTO supervision_assignments (id, centre_id, municipality, agency, unit, notes, information_status, dialogue_status,
                onsite_status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'not_started', 'not_started', 'not_started', ?, ?)
            """, id, centre.id, municipality, agency, unit, notes, env.nowText, env.nowText)
        return try await assignment(id, reference: reference, db: context.database)
    }

    /// `training.supervision.part {assignmentId, part, status, date?}`: a part may be planned or done only when
    /// the part before it is done (and not dated before it); a part may go back only while the next has not started.
    @Sendable static func setPart(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let b = try BodyReader(request.body)
        let id = try b.string("assignmentId", max: 64)
        let part = try b.choice("part", parts)
        let status = try b.choice("status", statuses)
        let date = status != "not_started" ? try b.date("date") : try b.optionalDate("date")
        let current = try await assignment(id, reference: reference, db: context.database)
        let states = current["parts"]?.arrayValue ?? []
        let index = parts.firstIndex(of: part)!
        if status != "not_started", index > 0 {
            let previous = states[index - 1]
            guard previous["status"]?.text == "done" else {
                throw HubError(.conflict, "The parts come in order: information/training, needs dialogue, on-site supervision. The part before is not done.", field: "body.part", reason: .outOfOrder)
            }
            if let date, let before = previous["date"]?.stringValue, date < before {
                throw HubError(.validation, "The date is before the previous part's date.", field: "body.date", reason: .beforePrevious)
            }
        }
        if status != "done", index + 1 < parts.count, states[index + 1]["status"]?.text != "not_started" {
            throw HubError(.conflict, "A later part has already started.", field: "body.status", reason: .laterStarted)
        }
        let changed = try await context.database.execute(
            "UPDATE supervision_assignments SET \(part)_status = ?, \(part)_date = ?, updated_at = ? WHERE id = ?",
            status, status == "not_started" ? nil : date, env.nowText, id)
        guard changed == 1 else { throw HubError(.notFound, "No such assignment.", field: "body.assignmentId") }
        return try await assignment(id, reference: reference, db: context.database)
    }

    /// `training.supervision.session {assignmentId, part, date, participants?, notes?}`: logs a session of a part
    /// that has been planned or done; a session of a part not yet reached is refused.
    @Sendable static func logSession(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let b = try BodyReader(request.body)
        let id = try b.string("assignmentId", max: 64)
        let part = try b.choice("part", parts)
        let date = try b.date("date")
        let participants = try b.optionalInt("participants", range: 0...10_000)
        let notes = try b.optionalString("notes", max: 2000, multiline: true)
        let current = try await assignment(id, reference: reference, db: context.database)
        let state = current["parts"]?.arrayValue?.first { $0["part"]?.text == part }
        guard state?["status"]?.text != "not_started" else {
            throw HubError(.conflict, "Plan this part before logging its sessions.", field: "body.part", reason: .notPlanned)
        }
        try await context.database.execute("""
            INSERT INTO supervision_sessions (id, assignment_id, part, session_date, participants, notes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, Ids.make(), id, part, date, participants, notes, env.nowText)
        try await context.database.execute("UPDATE supervision_assignments SET updated_at = ? WHERE id = ?", env.nowText, id)
        return try await assignment(id, reference: reference, db: context.database)
    }

    /// `training.supervision.get {assignmentId}` → the assignment with its parts and session log.
    @Sendable static func get(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        return try await assignment(try BodyReader(request.body).string("assignmentId", max: 64), reference: reference, db: context.database)
    }

    /// `training.supervision.list {centreId, year?}` → assignments (with a part or session dated in the year, or created in it).
    @Sendable static func list(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let b = try BodyReader(request.body)
        let centre = try reference.centre(try b.string("centreId", max: 64))
        let year = try b.optionalInt("year", range: 1900...2200)
        return .object(["assignments": .array(try await assignments(centre.id, year: year, reference: reference, db: context.database))])
    }

    static func assignments(_ centre: String, year: Int?, reference: TrainingReference, db: any DatabaseExecutor) async throws -> [JSONValue] {
        let y = year.map { "\($0)-%" } ?? "%"
        let rows = try await db.query("""
            SELECT id FROM supervision_assignments a WHERE centre_id = ? AND (created_at LIKE ? OR information_date LIKE ? OR dialogue_date LIKE ?
                OR onsite_date LIKE ? OR EXISTS (SELECT 1 FROM supervision_sessions s WHERE s.assignment_id = a.id AND s.session_date LIKE ?))
            ORDER BY municipality, agency, unit
            """, centre, y, y, y, y, y)
        var out: [JSONValue] = []
        for r in rows { out.append(try await assignment(try r.string("id"), reference: reference, db: db)) }
        return out
    }

    /// The stage an assignment has reached, as the coverage view names it.
    static func stage(_ parts: [JSONValue], sessions: Int) -> String {
        let s = parts.map { $0["status"]?.text ?? "" }
        if s[2] == "done" { return "completed" }
        if s[2] == "planned" { return "supervision_ongoing" }
        if s[1] == "done" { return "dialogue_held" }
        return "not_contacted"
    }

    static func assignment(_ id: String, reference: TrainingReference, db: any DatabaseExecutor) async throws -> JSONValue {
        guard let r = try await db.queryFirst("SELECT * FROM supervision_assignments WHERE id = ?", id) else {
            throw HubError(.notFound, "No such assignment.", field: "body.assignmentId")
        }
        var partStates: [Assignment.Part] = []
        for p in SupervisionPartName.allCases {
            partStates.append(Assignment.Part(part: p, status: PartStatus(rawValue: try r.string("\(p.rawValue)_status")) ?? .notStarted,
                                              date: try r.optionalString("\(p.rawValue)_date")))
        }
        let sessions = try await db.query("SELECT * FROM supervision_sessions WHERE assignment_id = ? ORDER BY session_date, created_at", id).map { s throws(HubError) in
            Assignment.LoggedSession(id: try s.string("id"), part: SupervisionPartName(rawValue: try s.string("part")) ?? .information,
                                     date: try s.string("session_date"), participants: try s.optionalInt("participants"), notes: try s.optionalString("notes"))
        }
        let agency = try r.string("agency")
        let partJSON = try partStates.map { p throws(HubError) in try JSONValue.encode(p) }
        return try JSONValue.encode(Assignment(
            id: id, centreId: try r.string("centre_id"), municipality: try r.string("municipality"), agency: agency,
            agencyName: reference.agencyName(agency), unit: try r.string("unit"), notes: try r.optionalString("notes"), parts: partStates,
            sessions: sessions, stage: SupervisionStage(rawValue: stage(partJSON, sessions: sessions.count)) ?? .notContacted,
            updatedAt: try r.string("updated_at")))
    }

    /// `training.supervision.coverage {centreId}` → each of the centre's municipalities with the furthest stage any
    /// of its assignments reached: `not_contacted`, `dialogue_held`, `supervision_ongoing`, `completed`.
    @Sendable static func coverage(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let centre = try reference.centre(try BodyReader(request.body).string("centreId", max: 64))
        let all = try await assignments(centre.id, year: nil, reference: reference, db: context.database)
        let order = SupervisionStage.codes
        var counts = [String: Int]()
        typealias Reply = SupervisionCoverage.Reply
        let rows: [Reply.Row] = centre.municipalities.map { m in
            let mine = all.filter { $0["municipality"]?.text == m }
            let best = mine.map { $0["stage"]?.text ?? "" }.max { (order.firstIndex(of: $0) ?? 0) < (order.firstIndex(of: $1) ?? 0) } ?? "not_contacted"
            counts[best, default: 0] += 1
            let informed = mine.contains { $0["parts"]?[index: 0]?["status"]?.text == "done" }
            return Reply.Row(municipality: m, status: SupervisionStage(rawValue: best) ?? .notContacted, assignments: mine.count, informationGiven: informed,
                             units: mine.map { Reply.Unit(assignmentId: $0["id"]?.text ?? "", agency: $0["agency"]?.text ?? "", unit: $0["unit"]?.text ?? "",
                                                          stage: SupervisionStage(rawValue: $0["stage"]?.text ?? "") ?? .notContacted) })
        }
        return try JSONValue.encode(Reply(centreId: centre.id, centreName: centre.name, municipalities: rows,
                                          counts: Dictionary(uniqueKeysWithValues: order.map { ($0, counts[$0] ?? 0) })))
    }
}

extension JSONValue {
    /// The element at `index` of an array value.
    subscript(index index: Int) -> JSONValue? {
        guard let a = arrayValue, a.indices.contains(index) else { return nil }
        return a[index]
    }
}
