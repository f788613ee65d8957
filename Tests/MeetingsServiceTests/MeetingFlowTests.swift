import Foundation
import HubProtocol
@testable import MeetingsService
import Testing

/// The whole cycle on each backend: meeting from the template, items and status reports
/// before the deadline, agenda with invitations, minutes written, circulated, changed,
/// approved at the next meeting and filed.
@Suite struct MeetingFlowTests {
    @Test(arguments: Backend.available)
    func wholeCycle(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        let created = try await h.ok("meetings.create", ["centre": "skaraborg", "date": "2026-03-20", "series": ["2026-05-20", "2026-09-15"]])
        let id = created["id"]!.stringValue!
        let next = created["series"]!.arrayValue![0].stringValue!
        #expect(created["agenda"]!.arrayValue!.map { $0["kind"]!.stringValue! } == ["welcome", "review", "centre-state", "status-round", "other", "upcoming"])
        #expect(created["attendees"]!.arrayValue!.count == 5)
        #expect(created["chair"]?.stringValue == "Ingvar Exempel")
        #expect(created["start"]?.stringValue == "14:00")
        #expect(created["itemDeadline"]?.stringValue == "2026-03-13")
        #expect(created["upcoming"]!.arrayValue!.count == 2)

        // A member agency adds an item of the day; it lands before the status round.
        _ = try await h.ok("meetings.agenda.add", ["meetingId": .string(id), "title": "Ny lagstiftning om kontaktförbud"], as: Actors.police)
        var m = try await h.ok("meetings.get", ["meetingId": .string(id)])
        #expect(m["agenda"]!.arrayValue!.map { $0["kind"]!.stringValue! } == ["welcome", "review", "centre-state", "day", "status-round", "other", "upcoming"])
        #expect(m["agenda"]!.arrayValue![3]["agency"]?.stringValue == "police")

        // Status reports: through the police adapter, and from the web for social services.
        let (rep, repEvents) = await h.call("meetings.status-report.submit", ["meetingId": .string(id), "text": "Tre nya barnförhållningsledare."],
                                            as: nil, principal: .adapter("police"))
        #expect(rep.error == nil)
        #expect(repEvents.map(\.0) == ["agenda.status-report"])
        let pending = try await h.ok("meetings.status-report.pending", [:], as: nil, principal: .adapter("municipality"))
        #expect(pending["pending"]!.arrayValue!.contains { $0["meetingId"]?.stringValue == id })
        let policePending = try await h.ok("meetings.status-report.pending", [:], as: nil, principal: .adapter("police"))
        #expect(!policePending["pending"]!.arrayValue!.contains { $0["meetingId"]?.stringValue == id })
        _ = try await h.ok("meetings.status-report.submit", ["meetingId": .string(id), "agency": "social-services", "text": "Regional samverkan fyra gånger per år."])

        // The agenda goes out: one event per member agency's adapter, mail with an iCalendar REQUEST.
        let (circ, events) = await h.call("meetings.agenda.circulate", ["meetingId": .string(id)])
        #expect(circ.error == nil)
        #expect(events.map(\.0).sorted() == ["agency.kriminalvarden.meeting.agenda", "agency.municipality.meeting.agenda",
                                             "agency.police.meeting.agenda", "agenda.circulated"])
        let ics = circ.body["calendar"]!.stringValue!
        #expect(ics.contains("METHOD:REQUEST\r\n"))
        #expect(ics.contains("UID:meeting-\(id)@utvag-hub\r\n"))
        #expect(ics.contains("SEQUENCE:0\r\n"))
        #expect(ics.contains("DTSTART;TZID=Europe/Stockholm:20260320T140000"))
        #expect(ics.contains("ORGANIZER"))
        #expect(ics.contains("RSVP=TRUE"))
        #expect(circ.body["mails"]?.numberValue == 5)
        let agendaEvent = events.first { $0.0 == "agency.police.meeting.agenda" }!.1
        #expect(agendaEvent["agenda"]!.stringValue!.contains("Ny lagstiftning om kontaktförbud"))

        // A change of time raises SEQUENCE and sends the updated invitation.
        let updated = try await h.ok("meetings.update", ["meetingId": .string(id), "start": "13:00"])
        #expect(updated["sequence"]?.numberValue == 1)
        let outbox = try await h.ok("meetings.mail.outbox", ["meetingId": .string(id)])["mail"]!.arrayValue!
        let update = outbox.filter { $0["kind"]?.stringValue == "update" }
        #expect(update.count == 5)
        #expect(update[0]["calendar"]!.stringValue!.contains("SEQUENCE:1\r\n"))
        #expect(update[0]["calendar"]!.stringValue!.contains("DTSTART;TZID=Europe/Stockholm:20260320T130000"))

        // The police representative declines from the calendar program: regrets in advance.
        let policeMember = try await h.member(agency: "police")
        let email = m["attendees"]!.arrayValue!.first { $0["memberId"]?.stringValue == policeMember }!["email"]!.stringValue!
        let reply = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:meeting-\(id)@utvag-hub\r\n"
            + "ATTENDEE;PARTSTAT=DECLINED;CN=\"X\":mailto:\(email.uppercased())\r\nSEQUENCE:1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        let replied = try await h.ok("meetings.attendance.reply", ["calendar": .string(reply)], as: Actors.police)
        #expect(replied["status"]?.stringValue == "regrets")

        // Before the meeting has begun its minutes cannot go out, and the page is told so.
        let early = await h.failure("meetings.minutes.circulate", ["meetingId": .string(id)])
        #expect(early.code.rawValue == "invalid_transition" && early.reason?.rawValue == "not_started")
        #expect(try await h.ok("meetings.get", ["meetingId": .string(id)])["started"] == false)

        // The meeting is held.
        h.clock.set("2026-03-20T15:00:00.000Z")
        #expect(try await h.ok("meetings.get", ["meetingId": .string(id)])["started"] == true)
        let entries: [JSONValue] = m["attendees"]!.arrayValue!.map {
            let mid = $0["memberId"]!.stringValue!
            return .object(["memberId": .string(mid), "status": .string(mid == policeMember ? "regrets" : "present")])
        }
        _ = try await h.ok("meetings.attendance.set", ["meetingId": .string(id), "entries": .array(entries)])

        // Minutes: text per item, a confidential item, an action item.
        let welcome = try await h.item(id, kind: "welcome"), state = try await h.item(id, kind: "centre-state"), day = try await h.item(id, kind: "day")
        _ = try await h.ok("meetings.minutes.item.set", ["meetingId": .string(id), "itemId": .string(welcome), "text": "Alla hälsas välkomna."])
        _ = try await h.ok("meetings.minutes.item.set", ["meetingId": .string(id), "itemId": .string(state), "text": "Kön är hanterbar."])
        _ = try await h.ok("meetings.minutes.item.set", ["meetingId": .string(id), "itemId": .string(day), "text": "Hemlig diskussion om ett enskilt ärende.",
                                                         "confidential": true, "decisions": "Frågan tas upp igen."])
        let action = try await h.ok("meetings.minutes.actions.add", ["meetingId": .string(id), "itemId": .string(welcome), "text": "Sprida information om kvinnogruppen",
                                                                     "owner": "Helena Prov", "agency": "police", "due": "2026-05-01"])
        _ = try await h.ok("meetings.minutes.links.add", ["meetingId": .string(id), "itemId": .string(state), "title": "Konferens", "url": "https://example.invalid/konferens"])
        let booking = try await h.ok("meetings.minutes.actions.add", ["meetingId": .string(id), "text": "Boka lokal till hösten", "owner": "Sara", "agency": "utvag"])

        // The start pages' "open action items": the centre's for its staff and board, the agency's own
        // for the agency, by due date with undated last; refused to staff of another centre.
        let open = try await h.ok("meetings.actions.open", [:])["actions"]?.arrayValue ?? []
        #expect(open.compactMap { $0["text"]?.stringValue } == ["Sprida information om kvinnogruppen", "Boka lokal till hösten"])
        #expect(open.first?["agencyName"]?.stringValue == "Polisen" && open.first?["centreName"]?.stringValue == "Utväg Skaraborg")
        #expect(try await h.ok("meetings.actions.open", [:], as: Actors.board)["actions"]?.arrayValue?.count == 2)
        let polices = try await h.ok("meetings.actions.open", [:], as: Actors.police)["actions"]?.arrayValue ?? []
        #expect(polices.compactMap { $0["text"]?.stringValue } == ["Sprida information om kvinnogruppen"], "an agency sees only its own items")
        #expect(try await h.ok("meetings.actions.open", [:], as: Actors.psychiatry)["actions"]?.arrayValue?.isEmpty == true)
        #expect(await h.failure("meetings.actions.open", ["centre": "skaraborg"], as: Actors.staffBoras).code == .forbidden)
        _ = try await h.ok("meetings.minutes.actions.update", ["meetingId": .string(id), "actionId": booking["id"]!, "status": "done"])
        #expect(try await h.ok("meetings.actions.open", [:])["actions"]?.arrayValue?.count == 1, "a done item is no longer open")

        let (v1, v1Events) = await h.call("meetings.minutes.circulate", ["meetingId": .string(id)])
        #expect(v1.error == nil)
        #expect(v1.body["version"]?.numberValue == 1)
        let minutesEvent = v1Events.first { $0.0 == "agency.police.minutes" }!.1
        let circulated = minutesEvent["markdown"]!.stringValue!
        #expect(!circulated.contains("Hemlig diskussion"))
        #expect(circulated.contains("Polisen: Tre nya barnförhållningsledare."))
        #expect(circulated.contains("Skövde kommun: Regional samverkan"))
        #expect(circulated.contains("**Åtgärd:** Sprida information om kvinnogruppen"))
        #expect(v1Events.map(\.0).contains("minutes.circulated"))
        // The police member sees the circulated version, never the draft with the confidential item.
        let asPolice = try await h.ok("meetings.export", ["meetingId": .string(id)], as: Actors.police)
        #expect(asPolice["text"]?.stringValue == circulated)
        #expect(await h.failure("meetings.minutes.circulate", ["meetingId": .string(id)]).code.rawValue == "invalid_transition")

        // A change after circulation: a new version with a visible diff.
        _ = try await h.ok("meetings.minutes.item.set", ["meetingId": .string(id), "itemId": .string(state), "text": "Kön är hanterbar men växer."])
        let v2 = try await h.ok("meetings.minutes.circulate", ["meetingId": .string(id)])
        #expect(v2["version"]?.numberValue == 2)
        let diff = v2["diff"]!.stringValue!
        #expect(diff.contains("- Kön är hanterbar.") && diff.contains("+ Kön är hanterbar men växer."))
        let versions = try await h.ok("meetings.minutes.versions", ["meetingId": .string(id)])["versions"]!.arrayValue!
        #expect(versions.count == 2)

        // The next meeting: the action item is carried over; the review item approves version 2.
        var n = try await h.ok("meetings.get", ["meetingId": .string(next)])
        #expect(n["carriedActions"]!.arrayValue!.map { $0["id"]!.stringValue! } == [action["id"]!.stringValue!])
        #expect(n["agenda"]!.arrayValue!.first { $0["kind"]?.stringValue == "review" }!["reviewMeetingId"]?.stringValue == id)
        h.clock.set("2026-05-20T12:00:00.000Z")
        let (approved, approvedEvents) = await h.call("meetings.minutes.approve", ["meetingId": .string(next)])
        #expect(approved.error == nil)
        #expect(approved.body["version"]?.numberValue == 2)
        #expect(approvedEvents.map(\.0) == ["minutes.approved"])
        n = try await h.ok("meetings.get", ["meetingId": .string(next)])
        let review = n["agenda"]!.arrayValue!.first { $0["kind"]?.stringValue == "review" }!
        #expect(review["reviewVersion"]?.numberValue == 2)
        #expect(review["title"]?.stringValue == "Genomgång av föregående mötesanteckningar från den 20 mars 2026")
        #expect(review["text"]?.stringValue?.contains("lades till handlingarna") == true)

        // Approved minutes never change; then they are filed.
        let before = try await h.snapshot()
        #expect(await h.failure("meetings.minutes.item.set", ["meetingId": .string(id), "itemId": .string(state), "text": "Ändrat"]).code.rawValue == "minutes_locked")
        #expect(await h.failure("meetings.status-report.submit", ["meetingId": .string(id), "agency": "police", "text": "Sent"]).code.rawValue == "minutes_locked")
        _ = try await h.ok("meetings.minutes.file", ["meetingId": .string(id)])
        #expect(await h.failure("meetings.minutes.actions.add", ["meetingId": .string(id), "text": "x", "owner": "y"]).code.rawValue == "minutes_locked")
        #expect(try await h.snapshot() == before)

        // Done at the next meeting: no longer carried.
        _ = try await h.ok("meetings.minutes.actions.update", ["meetingId": .string(next), "actionId": action["id"]!, "status": "done"])
        n = try await h.ok("meetings.get", ["meetingId": .string(next)])
        #expect(n["carriedActions"]!.arrayValue!.isEmpty)
        m = try await h.ok("meetings.get", ["meetingId": .string(id)])
        #expect(m["minutes"]?["status"]?.stringValue == "filed")
        await h.close()
    }

    @Test(arguments: Backend.available)
    func cancellationRemindersAndAbsence(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        // A meeting tomorrow gets its reminder once.
        let soon = try await h.meeting("2026-03-03")
        _ = try await h.ok("meetings.agenda.circulate", ["meetingId": .string(soon)])
        let later = try await h.meeting("2026-04-20")
        let (rem, remEvents) = await h.call("meetings.reminders.run")
        #expect(rem.body["reminded"]?.arrayValue == [.string(soon)])
        #expect(remEvents.map(\.0).contains("agency.police.meeting.reminder"))
        #expect(try await h.ok("meetings.reminders.run")["reminded"]?.arrayValue == [])

        // Cancelling: METHOD:CANCEL with a raised SEQUENCE, and the adapters hear of it.
        let (cancel, cancelEvents) = await h.call("meetings.cancel", ["meetingId": .string(soon)])
        #expect(cancel.body["status"]?.stringValue == "cancelled")
        #expect(cancelEvents.map(\.0).contains("agency.police.meeting.cancelled"))
        let mail = try await h.ok("meetings.mail.outbox", ["meetingId": .string(soon)])["mail"]!.arrayValue!
        let c = mail.first { $0["kind"]?.stringValue == "cancel" }!["calendar"]!.stringValue!
        #expect(c.contains("METHOD:CANCEL\r\n") && c.contains("SEQUENCE:1\r\n") && c.contains("STATUS:CANCELLED\r\n"))
        #expect(c.contains("UID:meeting-\(soon)@utvag-hub"))
        #expect(await h.failure("meetings.attendance.reply", ["meetingId": .string(soon), "memberId": "x", "reply": "attending"]).code == .conflict)
        _ = later

        // Kriminalvården absent twice in a row is flagged; the police, present, is not.
        let kv = try await h.member(agency: "kriminalvarden"), police = try await h.member(agency: "police")
        for date in ["2026-01-10", "2026-02-10"] {
            let id = try await h.meeting(date)
            _ = try await h.ok("meetings.attendance.set", ["meetingId": .string(id), "entries": [
                ["memberId": .string(kv), "status": "absent"], ["memberId": .string(police), "status": "present"]]])
        }
        let att = try await h.ok("meetings.attendance.agencies", ["centre": "skaraborg"])
        let agencies = att["agencies"]!.arrayValue!
        #expect(agencies.first { $0["agency"]?.stringValue == "kriminalvarden" }?["flagged"] == .bool(true))
        #expect(agencies.first { $0["agency"]?.stringValue == "kriminalvarden" }?["absentInARow"]?.numberValue == 2)
        #expect(agencies.first { $0["agency"]?.stringValue == "police" }?["flagged"] == .bool(false))
        #expect(await h.failure("meetings.attendance.agencies", ["centre": "skaraborg"], as: Actors.police).code == .forbidden)
        await h.close()
    }

    @Test(arguments: Backend.available)
    func representativeChangesKeepHistory(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        let police = try await h.member(agency: "police")
        let r = try await h.ok("meetings.groups.replace", ["centre": "skaraborg", "memberId": .string(police), "from": "2026-04-01",
                                                           "name": "Nils Nyssén", "title": "Lokalpolisområdeschef", "email": "nils@example.invalid"])
        #expect(r["endedOn"]?.stringValue == "2026-03-31")
        let history = try await h.ok("meetings.groups.history", ["centre": "skaraborg"])["members"]!.arrayValue!
        #expect(history.filter { $0["agency"]?.stringValue == "police" }.map { $0["name"]!.stringValue! } == ["Helena Prov", "Nils Nyssén"])
        let march = try await h.ok("meetings.get", ["meetingId": .string(try await h.meeting("2026-03-25"))])
        let may = try await h.ok("meetings.get", ["meetingId": .string(try await h.meeting("2026-05-25"))])
        #expect(march["attendees"]!.arrayValue!.contains { $0["name"]?.stringValue == "Helena Prov" })
        #expect(may["attendees"]!.arrayValue!.contains { $0["name"]?.stringValue == "Nils Nyssén" })
        #expect(!may["attendees"]!.arrayValue!.contains { $0["name"]?.stringValue == "Helena Prov" })
        // A meeting moved past the change invites the new representative instead.
        let moved = try await h.ok("meetings.update", ["meetingId": march["id"]!, "date": "2026-04-15"])
        #expect(moved["attendees"]!.arrayValue!.contains { $0["name"]?.stringValue == "Nils Nyssén" })
        #expect(!moved["attendees"]!.arrayValue!.contains { $0["name"]?.stringValue == "Helena Prov" })
        // A restart reloads the configuration without losing the hub's change.
        try await h.dispatcher.prepare()
        let after = try await h.ok("meetings.groups.list", ["centre": "skaraborg", "date": "2026-05-01"])["members"]!.arrayValue!
        #expect(after.filter { $0["agency"]?.stringValue == "police" }.map { $0["name"]!.stringValue! } == ["Nils Nyssén"])
        await h.close()
    }
}
