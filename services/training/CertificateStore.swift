import HubProtocol
import HubStorage
import TrainingAPI

/// Attendance per session, certificates and the anonymous evaluations as stored (see `TrainingStore`).
extension TrainingStore {
    // MARK: Attendance

    /// Marks whether someone attended a session (a second mark replaces the first).
    func setAttendance(session: String, participant: String, attended: Bool, at now: String) async throws(HubError) {
        let changed = try await db.execute(
            "UPDATE training_attendance SET attended = ?, marked_at = ? WHERE session_id = ? AND participant_id = ?",
            attended, now, session, participant)
        if changed == 0 {
            try await db.execute(
                "INSERT INTO training_attendance (session_id, participant_id, attended, marked_at) VALUES (?, ?, ?, ?)",
                session, participant, attended, now)
        }
    }

    /// How many sessions the participant is marked as having attended.
    func sessionsAttended(participant: String) async throws(HubError) -> Int {
        try await db.queryFirst(
            "SELECT COUNT(*) AS n FROM training_attendance WHERE participant_id = ? AND attended = 1", participant)?.int("n") ?? 0
    }

    /// Who attended which session of a training, as (session id, participant id) pairs.
    func attendance(event id: String) async throws(HubError) -> [(session: String, participant: String)] {
        try await db.query("""
            SELECT a.session_id, a.participant_id FROM training_attendance a JOIN training_sessions s ON s.id = a.session_id
            WHERE s.event_id = ? AND a.attended = 1
            """, id).map { row throws(HubError) in (try row.string("session_id"), try row.string("participant_id")) }
    }

    // MARK: Certificates

    /// A certificate as stored (its page is made when it is read).
    struct StoredCertificate {
        var id: String, eventId: String, participantId: String, number: String, issuedAt: String
    }

    /// The certificate, or nil.
    func certificate(_ id: String) async throws(HubError) -> StoredCertificate? {
        guard let row = try await db.queryFirst("SELECT * FROM training_certificates WHERE id = ?", id) else { return nil }
        return StoredCertificate(id: id, eventId: try row.string("event_id"), participantId: try row.string("participant_id"),
                                 number: try row.string("number"), issuedAt: try row.string("issued_at"))
    }

    /// The id of the certificate already issued to the participant, if any.
    func certificateID(participant: String) async throws(HubError) -> String? {
        try await db.queryFirst("SELECT id FROM training_certificates WHERE participant_id = ?", participant)?.string("id")
    }

    /// The certificates issued for a training, by participant id.
    func certificateIDs(event id: String) async throws(HubError) -> [String: String] {
        var out: [String: String] = [:]
        for row in try await db.query("SELECT id, participant_id FROM training_certificates WHERE event_id = ?", id) {
            out[try row.string("participant_id")] = try row.string("id")
        }
        return out
    }

    /// How many certificates carry a number that starts with `prefix` (`UTB-<year>-`).
    func certificateCount(numberPrefix prefix: String) async throws(HubError) -> Int {
        try await db.queryFirst("SELECT COUNT(*) AS n FROM training_certificates WHERE number LIKE ?", prefix + "%")?.int("n") ?? 0
    }

    /// Stores an issued certificate.
    func insertCertificate(id: String, event: String, participant: String, number: String, at now: String) async throws(HubError) {
        try await db.execute(
            "INSERT INTO training_certificates (id, event_id, participant_id, number, issued_at) VALUES (?, ?, ?, ?, ?)",
            id, event, participant, number, now)
    }

    // MARK: Evaluations (anonymous: counts and comments, never who or when)

    /// Whether the evaluation token (hashed) has been used.
    func evaluationTokenUsed(_ hash: String) async throws(HubError) -> Bool {
        try await db.queryFirst("SELECT token_hash FROM training_evaluation_tokens WHERE token_hash = ?", hash) != nil
    }

    /// Spends the evaluation token (hashed), kept apart from the answers.
    func useEvaluationToken(_ hash: String, event: String) async throws(HubError) {
        try await db.execute("INSERT INTO training_evaluation_tokens (token_hash, event_id) VALUES (?, ?)", hash, event)
    }

    /// Counts one answer of `score` to `question`.
    func countAnswer(event: String, question: String, score: Int) async throws(HubError) {
        let changed = try await db.execute(
            "UPDATE training_evaluation_counts SET answers = answers + 1 WHERE event_id = ? AND question = ? AND score = ?", event, question, score)
        if changed == 0 {
            try await db.execute(
                "INSERT INTO training_evaluation_counts (event_id, question, score, answers) VALUES (?, ?, ?, 1)", event, question, score)
        }
    }

    /// Stores a comment without time or sender.
    func insertComment(event: String, comment: String) async throws(HubError) {
        try await db.execute("INSERT INTO training_evaluation_comments (id, event_id, comment) VALUES (?, ?, ?)", Ids.make(), event, comment)
    }

    /// The answers counted per question and score.
    func answerCounts(event: String) async throws(HubError) -> [(question: String, score: Int, answers: Int)] {
        try await db.query("SELECT question, score, answers FROM training_evaluation_counts WHERE event_id = ?", event).map { row throws(HubError) in
            (try row.string("question"), try row.int("score"), try row.int("answers"))
        }
    }

    /// The comments, in no particular order (the summary sorts them).
    func comments(event: String) async throws(HubError) -> [String] {
        try await db.query("SELECT comment FROM training_evaluation_comments WHERE event_id = ?", event).map { row throws(HubError) in
            try row.string("comment")
        }
    }
}
