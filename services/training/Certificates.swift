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
        let e = try await TrainingEvents.event(eventId, context.database, reference: reference, env: env)
        guard e["ended"]?.boolValue == true else {
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
        var issued: [Certificate] = []
        for (p, marks) in chosen where marks.allSatisfy({ $0 }) {
            if let existing = try await context.database.queryFirst("SELECT id FROM training_certificates WHERE participant_id = ?", p.id) {
                issued.append(try await certificate(try existing.string("id"), reference: reference, env: env, db: context.database))
                continue
            }
            let year = String(e["lastDate"]?.text.prefix(4) ?? "")
            let count = try await context.database.queryFirst(
                "SELECT COUNT(*) AS n FROM training_certificates WHERE number LIKE ?", "UTB-\(year)-%")?.int("n") ?? 0
            let id = Ids.make()
            try await context.database.execute(
                "INSERT INTO training_certificates (id, event_id, participant_id, number, issued_at) VALUES (?, ?, ?, ?, ?)",
                id, eventId, p.id, "UTB-\(year)-" + String(format: "%04d", count + 1), env.nowText)
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
        guard let row = try await db.queryFirst("SELECT * FROM training_certificates WHERE id = ?", id) else {
            throw HubError(.notFound, "No such certificate.", field: "body.certificateId")
        }
        let p = try await reference.engine.participant(id: try row.string("participant_id"), on: db)
        let e = try await TrainingEvents.event(try row.string("event_id"), db, reference: reference, env: env)
        let centre = try reference.centre(e["centreId"]?.text ?? "")
        let number = try row.string("number"), issued = try row.string("issued_at")
        return Certificate(id: id, number: number, eventId: e["id"]?.text ?? "", participantId: p.id, issuedAt: issued,
                           html: certificateHTML(e, name: p.name, centre: centre.name, number: number, issued: issued))
    }

    /// A one-page, print-ready certificate (A4, no scripts, no external resources).
    static func certificateHTML(_ e: JSONValue, name: String, centre: String, number: String, issued: String) -> String {
        let sessions = e["sessions"]?.arrayValue ?? []
        var minutes = 0
        for s in sessions {
            let parser = ISO8601DateFormatter()
            let a = s["startsAt"]?.stringValue.flatMap { parser.date(from: $0) }, b = s["endsAt"]?.stringValue.flatMap { parser.date(from: $0) }
            if let a, let b { minutes += Int(b.timeIntervalSince(a) / 60) }
        }
        let dates = sessions.map { "<li>\(html($0["date"]?.text ?? "")) \(html($0["startTime"]?.text ?? ""))–\(html($0["endTime"]?.text ?? "")), \(html($0["venue"]?.text ?? ""))</li>" }
        let trainers = (e["trainers"]?.arrayValue ?? []).map { t in
            html(t["name"]?.text ?? "") + (t["organisation"]?.stringValue.map { " (\(html($0)))" } ?? "")
        }.joined(separator: ", ")
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
            <h2>\(html(e["title"]?.text ?? ""))</h2>
            \(e["focus"]?.stringValue.map { "<p>\(html($0))</p>" } ?? "")
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
        guard try await context.database.queryFirst("SELECT token_hash FROM training_evaluation_tokens WHERE token_hash = ?", hash) == nil else {
            throw HubError(.conflict, "This evaluation has already been answered.", field: "body.token")
        }
        try await context.database.execute("INSERT INTO training_evaluation_tokens (token_hash, event_id) VALUES (?, ?)", hash, eventId)
        for (q, s) in scores {
            let changed = try await context.database.execute(
                "UPDATE training_evaluation_counts SET answers = answers + 1 WHERE event_id = ? AND question = ? AND score = ?", eventId, q, s)
            if changed == 0 {
                try await context.database.execute(
                    "INSERT INTO training_evaluation_counts (event_id, question, score, answers) VALUES (?, ?, ?, 1)", eventId, q, s)
            }
        }
        if let comment {
            try await context.database.execute("INSERT INTO training_evaluation_comments (id, event_id, comment) VALUES (?, ?, ?)", Ids.make(), eventId, comment)
        }
        return try JSONValue.encode(EvaluationSubmit.Reply(eventId: eventId, received: true))
    }

    /// `training.evaluations.summary {eventId}` → responses, per question the average and the count per score,
    /// and the comments in alphabetical order (never in the order they came).
    @Sendable static func summary(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let eventId = try BodyReader(request.body).string("eventId", max: 64)
        _ = try await TrainingEvents.event(eventId, context.database, reference: reference, env: env)
        let rows = try await context.database.query("SELECT question, score, answers FROM training_evaluation_counts WHERE event_id = ?", eventId)
        var result: [EvaluationSummary.Reply.Question] = []
        var responses = 0
        for q in questions {
            var counts = [Int](repeating: 0, count: 5)
            for r in rows {
                let score = try r.int("score")
                if try r.string("question") == q, (1...5).contains(score) { counts[score - 1] = try r.int("answers") }
            }
            let n = counts.reduce(0, +)
            responses = max(responses, n)
            let sum = counts.enumerated().reduce(0) { $0 + ($1.offset + 1) * $1.element }
            result.append(EvaluationSummary.Reply.Question(question: q, answers: n, average: n == 0 ? nil : (Double(sum) / Double(n) * 10).rounded() / 10,
                                                           distribution: counts))
        }
        let comments = try await context.database.query("SELECT comment FROM training_evaluation_comments WHERE event_id = ?", eventId)
            .map { try $0.string("comment") }.sorted()
        return try JSONValue.encode(EvaluationSummary.Reply(eventId: eventId, responses: responses, questions: result, comments: comments))
    }
}
