import Foundation
import HubBus
import HubCore
import HubProtocol
import HubRegistration
import HubStorage
import TrainingAPI

/// Certificates of attendance (print-ready HTML) for people who attended every session,
/// and the short anonymous evaluation after a training.
///
/// Anonymity: an answer is stored only as counts per question and score, and a comment
/// without time or sender; the one-time evaluation token is kept (hashed) in a table of
/// its own, so no answer can be traced to a person or a link.
enum Certificates {
    static let handlers: [String: (AccessRule, MessageHandler.Kind, TrainingHandler)] = [
        CertificateIssue.type: (Access.event, .command, issue),
        CertificateGet.type: (Access.certificate, .query, get),
        EvaluationSubmit.type: (Access.everyone, .command, evaluate),
        EvaluationSummary.type: (Access.event, .query, summary),
    ]

    /// The evaluation's questions, each scored 1–5.
    static let questions = ["overall", "content", "useful"]

    /// `training.certificates.issue {eventId, participantId?}`: for one person (refused with `conflict`
    /// on `body.participantId` when a session was missed or they are not registered), or for everyone
    /// who attended every session. Issuing again returns the certificate already issued.
    @Sendable static func issue(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let b = try BodyReader(request.body)
        let eventId = try b.string("eventId", max: 64)
        let one = try b.optionalString("participantId", max: 64)
        let e = try await TrainingEvents.typedEvent(eventId, context.database, reference: reference, env: env)
        guard e.ended else {
            throw HubError(.conflict, "Certificates are issued after the last session.", field: "body.eventId")
        }
        let (_, rows) = try await TrainingRegistrations.matrix(eventId, reference: reference, db: context.database)
        var chosen = rows
        if let one {
            guard let row = rows.first(where: { $0.0.id == one }) else {
                throw HubError(.conflict, "This person is not registered with a seat for the training.", field: "body.participantId")
            }
            guard row.1.allSatisfy({ $0 }) else {
                throw HubError(.conflict, "This person missed a session; a certificate needs every session attended.", field: "body.participantId")
            }
            chosen = [row]
        }
        let store = TrainingStore(context.database)
        var issued: [Certificate] = []
        for (p, marks) in chosen where marks.allSatisfy({ $0 }) {
            if let existing = try await store.certificateID(participant: p.id) {
                issued.append(try await certificate(existing, reference: reference, env: env, db: context.database))
                continue
            }
            // Numbered per year of the last session: UTB-<year>-<nnnn>.
            let prefix = "UTB-\(e.lastDate.prefix(4))-"
            let count = try await store.certificateCount(numberPrefix: prefix)
            let id = Ids.make()
            try await store.insertCertificate(id: id, event: eventId, participant: p.id, number: prefix + String(format: "%04d", count + 1), at: env.nowText)
            issued.append(try await certificate(id, reference: reference, env: env, db: context.database))
        }
        return try JSONValue.encode(CertificateIssue.Reply(eventId: eventId, certificates: issued, notEligible: rows.filter { !$0.1.allSatisfy { $0 } }.count))
    }

    /// `training.certificates.get {certificateId}` → the certificate with its HTML.
    @Sendable static func get(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        return try JSONValue.encode(try await certificate(try BodyReader(request.body).string("certificateId", max: 64), reference: reference, env: env,
                                                          db: context.database))
    }

    static func certificate(_ id: String, reference: TrainingReference, env: TrainingEnvironment, db: any DatabaseExecutor) async throws -> Certificate {
        guard let stored = try await TrainingStore(db).certificate(id) else {
            throw HubError(.notFound, "No such certificate.", field: "body.certificateId")
        }
        let p = try await reference.engine.participant(id: stored.participantId, on: db)
        let e = try await TrainingEvents.typedEvent(stored.eventId, db, reference: reference, env: env)
        let centre = try reference.centre(e.centreId)
        return Certificate(id: id, number: stored.number, eventId: e.id, participantId: p.id, issuedAt: stored.issuedAt,
                           html: certificateHTML(e, name: p.name, centre: centre.name, number: stored.number, issued: stored.issuedAt))
    }

    /// A one-page, print-ready certificate (A4, no scripts, no external resources).
    static func certificateHTML(_ e: TrainingEvent, name: String, centre: String, number: String, issued: String) -> String {
        let sessions = e.sessions
        var minutes = 0
        for s in sessions {
            let parser = ISO8601DateFormatter()
            if let starts = parser.date(from: s.startsAt), let ends = parser.date(from: s.endsAt) { minutes += Int(ends.timeIntervalSince(starts) / 60) }
        }
        let dates = sessions.map { "<li>\(html($0.date)) \(html($0.startTime))–\(html($0.endTime)), \(html($0.venue))</li>" }
        let trainers = e.trainers.map { t in html(t.name) + (t.organisation.map { " (\(html($0)))" } ?? "") }.joined(separator: ", ")
        return """
            <!DOCTYPE html>
            <html lang="sv"><head><meta charset="utf-8"><title>Intyg \(html(number))</title>
            <style>@page { size: A4; margin: 25mm } body { font-family: Georgia, serif; color: #111; text-align: center }
            h1 { font-size: 28pt; margin-top: 30mm } .name { font-size: 22pt; margin: 12mm 0 } ul { list-style: none; padding: 0 }
            footer { margin-top: 25mm; font-size: 10pt }</style>
            <link rel="stylesheet" href="/static/training.css"></head>
            <body class="certificate"><main>
            <h1>Intyg om deltagande</h1>
            <p>Härmed intygas att</p>
            <p class="name">\(html(name))</p>
            <p>har deltagit i samtliga \(sessions.count) tillfällen av</p>
            <h2>\(html(e.title))</h2>
            \(e.focus.map { "<p>\(html($0))</p>" } ?? "")
            <ul>\(dates.joined())</ul>
            <p>Omfattning: \(minutes / 60) timmar\(minutes % 60 > 0 ? " \(minutes % 60) minuter" : "")</p>
            \(trainers.isEmpty ? "" : "<p>Utbildare: \(trainers)</p>")
            <footer><p>\(html(centre))</p><p>Intyg nr \(html(number)), utfärdat \(html(String(issued.prefix(10))))</p></footer>
            </main></body></html>
            """
    }

    /// `training.evaluations.submit {eventId, token, overall, content, useful, comment?}`: after the last session,
    /// within 60 days; scores 1–5; the token (32–128 base64url, made by the form) is usable once.
    @Sendable static func evaluate(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let b = try BodyReader(request.body)
        let eventId = try b.string("eventId", max: 64)
        let token = try b.string("token", max: 128)
        guard RegistrationEngine.isToken(token) else {
            throw HubError(.validation, "The token must be 32–128 characters A–Z, a–z, 0–9, '-', '_'.", field: "body.token")
        }
        var scores: [(String, Int)] = []
        for q in questions {
            guard let s = try b.optionalInt(q, range: 1...5) else { throw HubError(.validation, "This field is required.", field: "body.\(q)") }
            scores.append((q, s))
        }
        let comment = try b.optionalString("comment", max: 1000, multiline: true)
        let state = try await reference.engine.eventState(eventId, field: "body.eventId", on: context.database)
        guard state.status == "open", env.nowText >= state.ends else {
            throw HubError(.conflict, "The evaluation opens after the last session.", field: "body.eventId")
        }
        if let ends = ISO8601DateFormatter().date(from: state.ends), env.now().timeIntervalSince(ends) > 60 * 86_400 {
            throw HubError(.conflict, "The evaluation closed 60 days after the training.", field: "body.eventId")
        }
        let hash = RegistrationEngine.hash(token)
        let store = TrainingStore(context.database)
        guard try await !store.evaluationTokenUsed(hash) else {
            throw HubError(.conflict, "This evaluation has already been answered.", field: "body.token")
        }
        try await store.useEvaluationToken(hash, event: eventId)
        for (question, score) in scores { try await store.countAnswer(event: eventId, question: question, score: score) }
        if let comment { try await store.insertComment(event: eventId, comment: comment) }
        return try JSONValue.encode(EvaluationSubmit.Reply(eventId: eventId, received: true))
    }

    /// `training.evaluations.summary {eventId}` → responses, per question the average and the count per score,
    /// and the comments in alphabetical order (never in the order they came).
    @Sendable static func summary(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let eventId = try BodyReader(request.body).string("eventId", max: 64)
        _ = try await TrainingEvents.typedEvent(eventId, context.database, reference: reference, env: env)
        let store = TrainingStore(context.database)
        let rows = try await store.answerCounts(event: eventId)
        var result: [EvaluationSummary.Reply.Question] = []
        var responses = 0
        for q in questions {
            var counts = [Int](repeating: 0, count: 5)
            for r in rows where r.question == q && (1...5).contains(r.score) { counts[r.score - 1] = r.answers }
            let n = counts.reduce(0, +)
            responses = max(responses, n)
            let sum = counts.enumerated().reduce(0) { $0 + ($1.offset + 1) * $1.element }
            result.append(EvaluationSummary.Reply.Question(question: q, answers: n, average: n == 0 ? nil : (Double(sum) / Double(n) * 10).rounded() / 10,
                                                           distribution: counts))
        }
        let comments = try await store.comments(event: eventId).sorted()
        return try JSONValue.encode(EvaluationSummary.Reply(eventId: eventId, responses: responses, questions: result, comments: comments))
    }
}
