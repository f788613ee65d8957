import Foundation
import HubProtocol
import HubStorage
import Logging

/// The SMTP relay a service sends through (a service's own section `smtp` in its
/// configuration file). `HUB_SMTP_HOST` / `HUB_SMTP_PORT` override the relay.
public struct SMTPSettings: Sendable, Codable, Equatable {
    /// Empty: mail is queued in the outbox but not sent.
    public var host: String
    public var port: Int
    /// The sender address.
    public var from: String
    public var helo: String
    public var timeoutSeconds: Int

    public init(host: String = "", port: Int = 25, from: String, helo: String = "utvag-hub.invalid", timeoutSeconds: Int = 10) {
        self.host = host; self.port = port; self.from = from; self.helo = helo; self.timeoutSeconds = timeoutSeconds
    }

    /// These settings with the environment's overrides applied and checked; `file` names
    /// the configuration file in errors (`networks.json:smtp.port`).
    public func checked(file: String, environment: [String: String]) throws(HubError) -> SMTPSettings {
        var s = self
        if let h = environment["HUB_SMTP_HOST"] { s.host = h }
        if let p = environment["HUB_SMTP_PORT"].flatMap(Int.init) { s.port = p }
        guard (1...65535).contains(s.port) else { throw HubError(.validation, "Must be 1–65535.", field: "\(file):smtp.port") }
        guard Mail.isAddress(s.from) else { throw HubError(.validation, "Not an e-mail address.", field: "\(file):smtp.from") }
        guard (1...300).contains(s.timeoutSeconds) else { throw HubError(.validation, "Must be 1–300.", field: "\(file):smtp.timeoutSeconds") }
        return s
    }
}

/// One e-mail to send: plain text, optionally with an iCalendar part (`method` REQUEST or CANCEL).
public struct OutgoingMail: Sendable, Equatable {
    public var kind: String
    public var recipient: String
    public var subject: String
    public var body: String
    public var calendar: String?
    public var calendarMethod: String?

    public init(kind: String, recipient: String, subject: String, body: String, calendar: String? = nil, calendarMethod: String? = nil) {
        self.kind = kind; self.recipient = recipient; self.subject = subject; self.body = body
        self.calendar = calendar; self.calendarMethod = calendarMethod
    }
}

/// E-mail waiting for the SMTP relay, in a table of the service's own database.
///
/// A mail is queued in the same transaction as the change it tells about, so nothing is
/// mailed for a change that was rolled back; `flush` sends what is queued and marks each
/// message sent only after the relay accepted it (at least once; five attempts at most).
/// Its text is deleted once sent — the outbox keeps who got what, not what it said — so
/// a personal link in a confirmation does not stay at rest. `ref` ties a mail to what it
/// is about (a meeting, a network day); the meetings service's older table names that
/// column `meeting_id`.
public struct MailOutbox: Sendable {
    public let table: String
    public let refColumn: String

    public init(table: String = "mail_outbox", refColumn: String = "ref") {
        self.table = table
        self.refColumn = refColumn
    }

    /// The migration that creates the table (the service picks its version number).
    public static func migration(version: Int, table: String = "mail_outbox") -> Migration {
        Migration(version: version, name: table, sql: """
            CREATE TABLE \(table) (
                id TEXT PRIMARY KEY,
                ref TEXT NOT NULL,
                kind TEXT NOT NULL,
                recipient TEXT NOT NULL,
                subject TEXT NOT NULL,
                body TEXT NOT NULL,
                calendar TEXT,
                calendar_method TEXT,
                created_at TEXT NOT NULL,
                sent_at TEXT,
                attempts BIGINT NOT NULL
            );
            CREATE INDEX \(table)_pending ON \(table) (sent_at, created_at);
            CREATE INDEX \(table)_ref ON \(table) (ref)
            """)
    }

    /// Queues `mail` about `ref`; false (nothing queued) when the recipient is not an address.
    @discardableResult
    public func enqueue(_ mail: OutgoingMail, ref: String, at stamp: String, on db: any DatabaseExecutor) async throws(HubError) -> Bool {
        guard let statement = enqueueStatement(mail, ref: ref, at: stamp) else { return false }
        try await db.execute(statement.sql, statement.binds)
        return true
    }

    /// The insert that queues `mail`, to send together with other writes
    /// (`DatabaseExecutor.execute(all:)`); nil when the recipient is not an address.
    public func enqueueStatement(_ mail: OutgoingMail, ref: String, at stamp: String) -> SQLStatement? {
        guard Mail.isAddress(mail.recipient) else { return nil }
        return SQLStatement("""
            INSERT INTO \(table) (id, \(refColumn), kind, recipient, subject, body, calendar, calendar_method, created_at, attempts)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
            """, [.text(MessageID.make()), .text(ref), .text(mail.kind), .text(mail.recipient), .text(mail.subject), .text(mail.body),
                  mail.calendar.map { .text($0) } ?? .null, mail.calendarMethod.map { .text($0) } ?? .null, .text(stamp)])
    }

    /// The queued and sent mail about `ref`, oldest first (without the texts).
    public func list(ref: String, on db: any DatabaseExecutor) async throws(HubError) -> [OutboxMail] {
        try await db.query("""
            SELECT id, kind, recipient, subject, calendar, calendar_method, sent_at, attempts FROM \(table)
            WHERE \(refColumn) = ? ORDER BY created_at, recipient
            """, [.text(ref)]).map { row throws(HubError) in
            OutboxMail(id: try row.string("id"), kind: try row.string("kind"), recipient: try row.string("recipient"),
                       subject: try row.string("subject"), calendar: try row.optionalString("calendar"),
                       method: try row.optionalString("calendar_method"), sentAt: try row.optionalString("sent_at"),
                       attempts: try row.int("attempts"))
        }
    }

    /// Deletes the delivery records (recipient, subject, when) of mail sent — or given up
    /// after five attempts — before `cutoff`: the texts went when the relay took them; the
    /// record of who was told goes after the period the service keeps it for.
    @discardableResult
    public func purgeDelivered(before cutoff: Date, on db: any DatabaseExecutor) async throws(HubError) -> Int {
        let stamp = Timestamp.string(from: cutoff)
        return try await db.execute("""
            DELETE FROM \(table) WHERE (sent_at IS NOT NULL AND sent_at < ?) OR (sent_at IS NULL AND attempts >= 5 AND created_at < ?)
            """, [.text(stamp), .text(stamp)])
    }

    /// Sends up to `limit` queued mails through `smtp`. With no relay configured nothing is
    /// sent and the reply says how many wait.
    public func flush(smtp: SMTPSettings, limit: Int, now: Date, on db: any DatabaseExecutor, logger: Logger) async throws(HubError) -> MailFlushReply {
        let rows = try await db.query("""
            SELECT id, recipient, subject, body, calendar, calendar_method FROM \(table) WHERE sent_at IS NULL AND attempts < 5
            ORDER BY created_at LIMIT \(max(1, min(limit, 500)))
            """, [])
        guard !smtp.host.isEmpty else { return MailFlushReply(configured: false, sent: 0, pending: rows.count) }
        let client = SMTPClient(host: smtp.host, port: smtp.port, helo: smtp.helo, timeoutSeconds: smtp.timeoutSeconds)
        var sent = 0, failed = 0
        for row in rows {
            let id = try row.string("id"), to = try row.string("recipient")
            let message = Mail.compose(from: smtp.from, to: to, subject: try row.string("subject"), body: try row.string("body"),
                                       calendar: try row.optionalString("calendar"), method: try row.optionalString("calendar_method"),
                                       date: now, messageID: "\(id)@\(smtp.helo)")
            do {
                try await client.send(from: smtp.from, to: to, message: message)
                try await db.execute("UPDATE \(table) SET sent_at = ?, attempts = attempts + 1, body = '', calendar = CASE WHEN calendar IS NULL THEN NULL ELSE '' END WHERE id = ?",
                                     [.text(Timestamp.string(from: now)), .text(id)])
                sent += 1
            } catch {
                try await db.execute("UPDATE \(table) SET attempts = attempts + 1 WHERE id = ?", [.text(id)])
                failed += 1
                logger.warning("mail not accepted by the relay", metadata: ["hub.mail.id": "\(id)", "hub.error": "\((error as? HubError)?.code.rawValue ?? "io")"])
            }
        }
        return MailFlushReply(configured: true, sent: sent, failed: failed)
    }
}
