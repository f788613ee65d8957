import Foundation
import HubMail
import HubProtocol
import HubStorage
import Logging
@testable import MeetingsService
import Synchronization
import Testing

/// A local SMTP sink (scripts/smtp-sink.py over aiosmtpd) that writes each message to a folder.
final class SMTPSink: @unchecked Sendable {
    let process = Process()
    let folder: URL
    let port: Int
    private let input = Pipe()

    /// nil when python3 or aiosmtpd is missing (scripts/setup.sh installs it).
    init?() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-sink-\(UUID().uuidString)")
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Harness.root.appendingPathComponent("scripts/smtp-sink.py").path, folder.path]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        guard line.hasPrefix("PORT "), let p = Int(line.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            return nil
        }
        port = p
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }

    func messages() -> [String] {
        let files = ((try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == "eml" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
        return files.compactMap { try? String(contentsOf: $0, encoding: .utf8) }
    }
}

/// The base64 parts of a MIME message, decoded.
func decodedParts(_ message: String) -> [String] {
    message.components(separatedBy: "\r\n\r\n").dropFirst().compactMap { part in
        let b64 = part.components(separatedBy: "\r\n--").first!.replacingOccurrences(of: "\r\n", with: "")
        return Data(base64Encoded: b64).map { String(decoding: $0, as: UTF8.self) }
    }
}

@Suite(.serialized) struct MailTests {
    @Test func agendaGoesThroughTheRelay() async throws {
        guard let sink = try SMTPSink() else { return } // no aiosmtpd on this machine
        defer { sink.stop() }
        let h = try await Harness.make(.sqlite, environment: ["HUB_SMTP_HOST": "127.0.0.1", "HUB_SMTP_PORT": String(sink.port)])
        let id = try await h.meeting("2026-03-20")
        _ = try await h.ok("meetings.agenda.circulate", ["meetingId": .string(id)])
        let flushed = try await h.ok("meetings.mail.flush")
        #expect(flushed["sent"]?.numberValue == 5)
        #expect(flushed["failed"]?.numberValue == 0)
        let messages = sink.messages()
        #expect(messages.count == 5)
        let first = try #require(messages.first)
        #expect(first.contains("Content-Type: text/calendar; charset=utf-8; method=REQUEST"))
        #expect(first.contains("Subject: =?UTF-8?B?"))
        let parts = decodedParts(first)
        #expect(parts.contains { $0.hasPrefix("Dagordning ledningsgruppsmöte Utväg Skaraborg 2026-03-20") })
        let ics = try #require(parts.first { $0.hasPrefix("BEGIN:VCALENDAR") })
        #expect(ics.contains("UID:meeting-\(id)@utvag-hub\r\n"))
        // Every line of the calendar is at most 75 octets and ends in CRLF.
        #expect(ics.hasSuffix("\r\n"))
        #expect(ics.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 75 })
        #expect(ics.components(separatedBy: "BEGIN:").count == ics.components(separatedBy: "END:").count)
        // Sent mail is not sent again.
        #expect(try await h.ok("meetings.mail.flush")["sent"]?.numberValue == 0)
        let outbox = try await h.ok("meetings.mail.outbox", ["meetingId": .string(id)])["mail"]!.arrayValue!
        #expect(outbox.allSatisfy { $0["sentAt"]?.stringValue != nil })
        // Once the relay has it, the outbox keeps who got what, not the text.
        let texts = try await h.database.query("SELECT body, calendar FROM mail_outbox WHERE meeting_id = ?", [.text(id)])
        #expect(!texts.isEmpty && texts.allSatisfy { (try? $0.string("body")) == "" })
        // Nor the invitation, which names every attendee.
        #expect(texts.allSatisfy { ((try? $0.optionalString("calendar")) ?? nil).map(\.isEmpty) ?? true })
        await h.close()
    }

    @Test func unreachableRelayKeepsMailQueued() async throws {
        let h = try await Harness.make(.sqlite, environment: ["HUB_SMTP_HOST": "127.0.0.1", "HUB_SMTP_PORT": "1"])
        let id = try await h.meeting("2026-03-20")
        _ = try await h.ok("meetings.agenda.circulate", ["meetingId": .string(id)])
        let flushed = try await h.ok("meetings.mail.flush")
        #expect(flushed["sent"]?.numberValue == 0 && flushed["failed"]?.numberValue == 5)
        let outbox = try await h.ok("meetings.mail.outbox", ["meetingId": .string(id)])["mail"]!.arrayValue!
        #expect(outbox.allSatisfy { $0["sentAt"] == .null && $0["attempts"]?.numberValue == 1 })
        await h.close()
    }

    /// The timed work `hub run meetings` does: due reminders, their events published, mail queued.
    @Test func timedWorkSendsRemindersOnce() async throws {
        let h = try await Harness.make(.sqlite)
        let id = try await h.meeting("2026-03-03")
        let published = Mutex<[String]>([])
        await h.dispatcher.tick { events in published.withLock { $0 += events.map(\.0) } }
        await h.dispatcher.tick { events in published.withLock { $0 += events.map(\.0) } }
        #expect(published.withLock { $0 }.filter { $0 == "agency.police.meeting.reminder" }.count == 1)
        let mail = try await h.ok("meetings.mail.outbox", ["meetingId": .string(id)])["mail"]!.arrayValue!
        #expect(mail.filter { $0["kind"]?.stringValue == "reminder" }.count == 5)
        await h.close()
    }
}

/// Sent mail keeps neither its text nor its calendar, and its delivery record goes after its period.
@Suite("Mail outbox: nothing kept longer than needed")
struct MailOutboxRetentionTests {
    @Test func deliveryRecordsArePurgedAfterTheirPeriodAndTextsWhenSent() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mail-\(UUID().uuidString)").path
        let db = try await Databases.open(.sqlite(path: dir + "/mail.sqlite"), logger: Logger(label: "test"))
        defer { Task { await db.close(); try? FileManager.default.removeItem(atPath: dir) } }
        let outbox = MailOutbox(table: "mail_outbox", refColumn: "ref")
        try await db.migrate([MailOutbox.migration(version: 1)])
        for (i, when) in ["2020-01-01T10:00:00.000Z", "2031-01-01T10:00:00.000Z"].enumerated() {
            try await outbox.enqueue(OutgoingMail(kind: "minutes", recipient: "ledamot\(i)@example.se", subject: "Protokoll",
                                                  body: "Hemlig text \(i)", calendar: "BEGIN:VCALENDAR", calendarMethod: "REQUEST"),
                                     ref: "m1", at: when, on: db)
        }
        try await db.execute("UPDATE mail_outbox SET sent_at = created_at, body = '', calendar = '' ", [])
        #expect(try await outbox.purgeDelivered(before: try #require(Timestamp.date(from: "2025-01-01T00:00:00.000Z")), on: db) == 1)
        let left = try await db.query("SELECT recipient FROM mail_outbox", [])
        #expect(try left.map { try $0.string("recipient") } == ["ledamot1@example.se"])
    }
}
