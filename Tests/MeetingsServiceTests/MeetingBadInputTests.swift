import Foundation
import HubProtocol
@testable import MeetingsService
import Testing

/// Each bad input is a clear error naming its field, and nothing is half-stored.
@Suite struct MeetingBadInputTests {
    /// Runs `type` with `body`, expects `code` (and `field`), and checks that no table changed.
    func refused(_ h: Harness, _ type: String, _ body: JSONValue, as actor: JSONValue? = Actors.staff, principal: Principal = .gateway,
                 code: String, field: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let before = try await h.snapshot()
        let e = await h.failure(type, body, as: actor, principal: principal, sourceLocation: sourceLocation)
        #expect(e.code.rawValue == code, "\(type): \(e)", sourceLocation: sourceLocation)
        if let field { #expect(e.field == field, "\(type): \(e)", sourceLocation: sourceLocation) }
        #expect(try await h.snapshot() == before, "\(type) left rows behind", sourceLocation: sourceLocation)
    }

    @Test(arguments: Backend.available)
    func meetingInput(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        let otherCentreMember = try await h.member("sodra-alvsborg", agency: "psychiatry")
        try await refused(h, "meetings.create", ["centre": "skaraborg", "date": "2026-02-30"], code: "validation", field: "body.date")
        try await refused(h, "meetings.create", ["centre": "skaraborg", "date": "20-03-2026"], code: "validation", field: "body.date")
        try await refused(h, "meetings.create", ["centre": "skaraborg"], code: "validation", field: "body.date")
        try await refused(h, "meetings.create", ["centre": "skaraborg", "date": "2026-03-20", "start": "15:00", "end": "14:00"], code: "validation", field: "body.end")
        try await refused(h, "meetings.create", ["centre": "skaraborg", "date": "2026-03-20", "start": "25:00"], code: "validation", field: "body.start")
        try await refused(h, "meetings.create", ["centre": "skaraborg", "date": "2026-03-20", "link": "http://meet.example/x"], code: "validation", field: "body.link")
        try await refused(h, "meetings.create", ["centre": "skaraborg", "date": "2026-03-20", "chairMemberId": .string(otherCentreMember)],
                          code: "validation", field: "body.chairMemberId")
        try await refused(h, "meetings.create", ["centre": "skaraborg", "date": "2026-03-20", "series": ["2026-13-01"]], code: "validation", field: "body.series[0]")
        try await refused(h, "meetings.create", ["centre": "skaraborg", "date": "2026-03-20", "series": ["2026-01-01"]], code: "validation", field: "body.series[0]")
        // A bad later date in a series stores none of the series.
        try await refused(h, "meetings.create", ["centre": "skaraborg", "date": "2026-03-20", "series": ["2026-05-20", "2026-02-29"]], code: "validation", field: "body.series[1]")
        try await refused(h, "meetings.create", ["centre": "nowhere", "date": "2026-03-20"], code: "not_found", field: "body.centre")
        try await refused(h, "meetings.create", ["centre": "skaraborg", "date": "2026-03-20"], as: Actors.staffBoras, code: "forbidden")
        try await refused(h, "meetings.create", ["centre": "skaraborg", "date": "2026-03-20"], as: Actors.police, code: "forbidden")
        try await refused(h, "meetings.create", ["centre": "skaraborg", "date": "2026-03-20"], as: nil, code: "unauthenticated", field: "body.actor")
        try await refused(h, "meetings.create", ["centre": "skaraborg", "date": "2026-03-20"], as: nil, principal: .service("networks"), code: "forbidden")
        _ = try await h.meeting("2026-03-20")
        try await refused(h, "meetings.create", ["centre": "skaraborg", "date": "2026-03-20"], code: "conflict", field: "body.date")
        await h.close()
    }

    @Test(arguments: Backend.available)
    func agendaAndReports(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        let id = try await h.meeting("2026-03-20")
        // A status report from an agency that is not a member of Skaraborg's group (psychiatry): no such member, 404.
        try await refused(h, "meetings.status-report.submit", ["meetingId": .string(id), "agency": "psychiatry", "text": "Läget"],
                          as: nil, principal: .adapter("psychiatry"), code: "conflict", field: "body.agency")
        try await refused(h, "meetings.status-report.submit", ["meetingId": .string(id), "text": "Läget"], as: Actors.psychiatry, code: "conflict", field: "body.agency")
        // The police may not report for another agency.
        try await refused(h, "meetings.status-report.submit", ["meetingId": .string(id), "agency": "kriminalvarden", "text": "Läget"],
                          as: nil, principal: .adapter("police"), code: "forbidden", field: "body.agency")
        try await refused(h, "meetings.status-report.submit", ["meetingId": .string(id)], as: nil, principal: .adapter("police"), code: "validation", field: "body.text")
        try await refused(h, "meetings.status-report.submit", ["meetingId": "no-such", "text": "x"], as: nil, principal: .adapter("police"), code: "not_found", field: "body.meetingId")
        try await refused(h, "meetings.agenda.add", ["meetingId": .string(id)], as: Actors.police, code: "validation", field: "body.title")
        // After the deadline (2026-03-13) no item is added.
        h.clock.set("2026-03-14T08:00:00.000Z")
        try await refused(h, "meetings.agenda.add", ["meetingId": .string(id), "title": "Sent inkommen punkt"], as: Actors.police,
                          code: "deadline_passed", field: "body.meetingId")
        try await refused(h, "meetings.agenda.add", ["meetingId": .string(id), "title": "Sent inkommen punkt"], code: "deadline_passed", field: "body.meetingId")
        try await refused(h, "meetings.attendance.set", ["meetingId": .string(id), "entries": [["memberId": "nobody", "status": "present"]]],
                          code: "conflict", field: "body.entries[0].memberId")
        let police = try await h.member(agency: "police"), kv = try await h.member(agency: "kriminalvarden")
        try await refused(h, "meetings.attendance.set", ["meetingId": .string(id), "entries": [["memberId": .string(police), "status": "maybe"]]],
                          code: "validation", field: "body.entries[0].status")
        // The police may answer for its own representative only.
        try await refused(h, "meetings.attendance.reply", ["meetingId": .string(id), "memberId": .string(kv), "reply": "attending"], as: Actors.police, code: "forbidden")
        try await refused(h, "meetings.attendance.reply", ["calendar": "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR"], as: Actors.police,
                          code: "validation", field: "body.calendar")
        try await refused(h, "meetings.groups.replace", ["centre": "skaraborg", "memberId": .string(police), "from": "2026-04-31", "name": "N", "title": "T"],
                          code: "validation", field: "body.from")
        try await refused(h, "meetings.groups.replace", ["centre": "skaraborg", "memberId": .string(police), "from": "2026-04-01", "name": "N", "title": "T",
                                                         "email": "not-an-address"], code: "validation", field: "body.email")
        await h.close()
    }

    @Test(arguments: Backend.available)
    func minutesInput(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        let id = try await h.meeting("2026-03-20")
        let item = try await h.item(id, kind: "welcome")
        let limit = 180_000
        let big = Data(repeating: 0x41, count: limit + 1).base64EncodedString()
        try await refused(h, "meetings.minutes.attachments.add", ["meetingId": .string(id), "filename": "stor.txt", "contentType": "text/plain", "data": .string(big)],
                          code: "too_large", field: "body.data")
        try await refused(h, "meetings.minutes.attachments.add", ["meetingId": .string(id), "filename": "virus.exe", "contentType": "application/x-msdownload",
                                                                  "data": .string(Data("MZ".utf8).base64EncodedString())], code: "validation", field: "body.contentType")
        try await refused(h, "meetings.minutes.attachments.add", ["meetingId": .string(id), "filename": "falsk.pdf", "contentType": "application/pdf",
                                                                  "data": .string(Data("not a pdf".utf8).base64EncodedString())], code: "validation", field: "body.data")
        try await refused(h, "meetings.minutes.attachments.add", ["meetingId": .string(id), "filename": "../etc/passwd", "contentType": "text/plain", "data": "QQ=="],
                          code: "validation", field: "body.filename")
        try await refused(h, "meetings.minutes.attachments.add", ["meetingId": .string(id), "filename": "a.txt", "contentType": "text/plain", "data": "***"],
                          code: "validation", field: "body.data")
        try await refused(h, "meetings.minutes.links.add", ["meetingId": .string(id), "title": "Länk", "url": "javascript:alert(1)"], code: "validation", field: "body.url")
        // What the OpenAPI pattern refuses, the service refuses (a host is letters, digits, dots and dashes).
        for url in ["http://Q0A*", "https://exa mple.se/", "https://exempel.se/\"citat\"", "http://-a.se"] {
            try await refused(h, "meetings.minutes.links.add", ["meetingId": .string(id), "title": "Länk", "url": .string(url)], code: "validation", field: "body.url")
        }
        // A meeting service's join link, query and all, is taken.
        _ = try await h.ok("meetings.minutes.links.add", ["meetingId": .string(id), "title": "Teams",
            "url": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=%7b%22Tid%22%3a%221%22%7d&x=1#top"])
        // An agenda item the body names that is not on this meeting's agenda: the agenda decides (409), the meeting exists.
        try await refused(h, "meetings.minutes.links.add", ["meetingId": .string(id), "itemId": "no-such-item", "title": "Länk", "url": "https://exempel.se"],
                          code: "conflict", field: "body.itemId")
        try await refused(h, "meetings.minutes.actions.add", ["meetingId": .string(id), "text": "Gör något", "owner": "Anna", "due": "2026-02-31"],
                          code: "validation", field: "body.due")
        try await refused(h, "meetings.minutes.actions.add", ["meetingId": .string(id), "text": "Gör något", "owner": "Anna", "agency": "nasa"],
                          code: "validation", field: "body.agency")
        try await refused(h, "meetings.minutes.item.set", ["meetingId": .string(id), "itemId": "not-an-item", "text": "x"], code: "not_found", field: "body.itemId")
        try await refused(h, "meetings.minutes.item.set", ["meetingId": .string(id), "itemId": .string(item), "text": .string(String(repeating: "x", count: 20_001))],
                          code: "validation", field: "body.text")
        try await refused(h, "meetings.minutes.item.set", ["meetingId": .string(id), "itemId": .string(item), "text": "x"], as: Actors.police, code: "forbidden")
        try await refused(h, "meetings.minutes.approve", ["meetingId": .string(id)], code: "invalid_transition", field: "body.meetingId")

        // A good attachment is stored with its checksum and comes back verified.
        let pdf = Data("%PDF-1.4\n%fake but typed\n".utf8)
        let added = try await h.ok("meetings.minutes.attachments.add", ["meetingId": .string(id), "itemId": .string(item), "filename": "Eftervård 251118.pdf",
                                                                        "contentType": "application/pdf", "data": .string(pdf.base64EncodedString())])
        #expect(added["sha256"]?.stringValue == Ids.sha256([UInt8](pdf)))
        #expect(added["size"]?.numberValue == Double(pdf.count))
        let back = try await h.ok("meetings.minutes.attachments.get", ["meetingId": .string(id), "attachmentId": added["id"]!])
        #expect(back["data"]?.stringValue == pdf.base64EncodedString())

        // Imported minutes are filed: they never change.
        let imported = try await h.ok("meetings.import", ["text": .string(Fixtures.plain)])
        let mid = imported["meetingId"]!.stringValue!
        let first = try await h.ok("meetings.get", ["meetingId": .string(mid)])["agenda"]!.arrayValue![0]["id"]!
        try await refused(h, "meetings.minutes.item.set", ["meetingId": .string(mid), "itemId": first, "text": "Ändrat i efterhand"],
                          code: "minutes_locked", field: "body.meetingId")
        try await refused(h, "meetings.import", ["text": "Inköpslista\nmjölk\nbröd\n"], code: "not_minutes", field: "file")
        // A date that does not exist is no date: the error names the override.
        try await refused(h, "meetings.import", ["text": "Mötesanteckningar ledningsgruppsmöte Utväg Skaraborg 2025-02-30\n\n1. **Välkomna:** Hej"],
                          code: "validation", field: "body.date")
        // The same minutes twice: a conflict, not a second copy.
        try await refused(h, "meetings.import", ["text": .string(Fixtures.plain)], code: "conflict", field: "body.date")
        await h.close()
    }
}
