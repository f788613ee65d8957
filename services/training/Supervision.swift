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
        let store = TrainingStore(context.database)
        try await store.insertLecture(.init(id: id, centre: centre.id, date: date, partner: partner, unit: unit, municipality: municipality,
                                            topic: topic, audienceSize: size, lecturer: lecturer), at: env.nowText)
        return try JSONValue.encode(try await store.lectures(centre: centre.id, year: nil, id: id, agencyName: reference.agencyName)[0])
    }

    /// `training.lectures.list {centreId, year?}` → `{lectures: [...]}` by date.
    @Sendable static func listLectures(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let b = try BodyReader(request.body)
        let centre = try reference.centre(try b.string("centreId", max: 64))
        let year = try b.optionalInt("year", range: 1900...2200)
        return try JSONValue.encode(LectureList.Reply(
            lectures: try await TrainingStore(context.database).lectures(centre: centre.id, year: year, agencyName: reference.agencyName)))
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
        try await TrainingStore(context.database).insertAssignment(id: id, centre: centre.id, municipality: municipality, agency: agency, unit: unit,
                                                                   notes: notes, at: env.nowText)
        return try JSONValue.encode(try await assignment(id, reference: reference, db: context.database))
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
        let states = current.parts
        let index = parts.firstIndex(of: part)!
        if status != "not_started", index > 0 {
            let previous = states[index - 1]
            guard previous.status == .done else {
                throw HubError(.conflict, "The parts come in order: information/training, needs dialogue, on-site supervision. The part before is not done.", field: "body.part", reason: .outOfOrder)
            }
            if let date, let before = previous.date, date < before {
                throw HubError(.validation, "The date is before the previous part's date.", field: "body.date", reason: .beforePrevious)
            }
        }
        if status != "done", index + 1 < parts.count, states[index + 1].status != .notStarted {
            throw HubError(.conflict, "A later part has already started.", field: "body.status", reason: .laterStarted)
        }
        let changed = try await TrainingStore(context.database).setPart(
            assignment: id, part: SupervisionPartName(rawValue: part) ?? .information, status: PartStatus(rawValue: status) ?? .notStarted,
            date: status == "not_started" ? nil : date, at: env.nowText)
        guard changed else { throw HubError(.notFound, "No such assignment.", field: "body.assignmentId") }
        return try JSONValue.encode(try await assignment(id, reference: reference, db: context.database))
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
        let state = current.parts.first { $0.part.rawValue == part }
        guard state?.status != .notStarted else {
            throw HubError(.conflict, "Plan this part before logging its sessions.", field: "body.part", reason: .notPlanned)
        }
        try await TrainingStore(context.database).logSession(assignment: id, part: SupervisionPartName(rawValue: part) ?? .information, date: date,
                                                             participants: participants, notes: notes, at: env.nowText)
        return try JSONValue.encode(try await assignment(id, reference: reference, db: context.database))
    }

    /// `training.supervision.get {assignmentId}` → the assignment with its parts and session log.
    @Sendable static func get(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        return try JSONValue.encode(try await assignment(try BodyReader(request.body).string("assignmentId", max: 64), reference: reference,
                                                         db: context.database))
    }

    /// `training.supervision.list {centreId, year?}` → assignments (with a part or session dated in the year, or created in it).
    @Sendable static func list(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let b = try BodyReader(request.body)
        let centre = try reference.centre(try b.string("centreId", max: 64))
        let year = try b.optionalInt("year", range: 1900...2200)
        return try JSONValue.encode(SupervisionList.Reply(assignments: try await assignments(centre.id, year: year, reference: reference,
                                                                                            db: context.database)))
    }

    /// The centre's assignments with something in the year (or all), by municipality, agency and unit.
    static func assignments(_ centre: String, year: Int?, reference: TrainingReference, db: any DatabaseExecutor) async throws -> [Assignment] {
        var out: [Assignment] = []
        for id in try await TrainingStore(db).assignmentIDs(centre: centre, yearPattern: year.map { "\($0)-%" } ?? "%") {
            out.append(try await assignment(id, reference: reference, db: db))
        }
        return out
    }

    /// The stage an assignment has reached, as the coverage view names it.
    static func stage(_ parts: [Assignment.Part]) -> SupervisionStage {
        if parts[2].status == .done { return .completed }
        if parts[2].status == .planned { return .supervisionOngoing }
        if parts[1].status == .done { return .dialogueHeld }
        return .notContacted
    }

    /// The assignment with its parts, session log and stage, or not_found.
    static func assignment(_ id: String, reference: TrainingReference, db: any DatabaseExecutor) async throws -> Assignment {
        let store = TrainingStore(db)
        guard let stored = try await store.assignment(id) else {
            throw HubError(.notFound, "No such assignment.", field: "body.assignmentId")
        }
        return Assignment(id: id, centreId: stored.centreId, municipality: stored.municipality, agency: stored.agency,
                          agencyName: reference.agencyName(stored.agency), unit: stored.unit, notes: stored.notes, parts: stored.parts,
                          sessions: try await store.supervisionSessions(assignment: id), stage: stage(stored.parts), updatedAt: stored.updatedAt)
    }

    /// `training.supervision.coverage {centreId}` → each of the centre's municipalities with the furthest stage any
    /// of its assignments reached: `not_contacted`, `dialogue_held`, `supervision_ongoing`, `completed`.
    @Sendable static func coverage(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let centre = try reference.centre(try BodyReader(request.body).string("centreId", max: 64))
        let all = try await assignments(centre.id, year: nil, reference: reference, db: context.database)
        let order = SupervisionStage.allCases
        var counts = [SupervisionStage: Int]()
        typealias Reply = SupervisionCoverage.Reply
        let rows: [Reply.Row] = centre.municipalities.map { m in
            let mine = all.filter { $0.municipality == m }
            let best = mine.map(\.stage).max { (order.firstIndex(of: $0) ?? 0) < (order.firstIndex(of: $1) ?? 0) } ?? .notContacted
            counts[best, default: 0] += 1
            let informed = mine.contains { $0.parts.first?.status == .done }
            return Reply.Row(municipality: m, status: best, assignments: mine.count, informationGiven: informed,
                             units: mine.map { Reply.Unit(assignmentId: $0.id, agency: $0.agency, unit: $0.unit, stage: $0.stage) })
        }
        return try JSONValue.encode(Reply(centreId: centre.id, centreName: centre.name, municipalities: rows,
                                          counts: Dictionary(uniqueKeysWithValues: order.map { ($0.rawValue, counts[$0] ?? 0) })))
    }
}
