import Foundation
import HubCore
import HubProtocol
import HubRegistration
import Testing
@testable import NetworksService

@Suite("Networks: contact persons, coverage, tour, invitations")
struct NetworksContactsTests {
    func contact(_ f: NetworksFixture, agency: String, municipality: String?, email: String, token: String? = nil) async throws -> JSONValue {
        var body: [String: JSONValue] = ["centreId": "sodra-alvsborg", "name": "Kim Kontakt", "title": "Socialsekreterare",
                                         "agency": .string(agency), "email": .string(email), "phone": "033-123 45 67"]
        if let municipality { body["municipality"] = .string(municipality) }
        if let token { body["updateToken"] = .string(token) }
        return try await f.ok("networks.contacts.create", .object(body))
    }

    @Test(arguments: Backend.available)
    func coverageMarksGapsAndContactsUpdateThemselvesByLink(_ backend: Backend) async throws {
        let f = try await NetworksFixture.make(backend)
        let token = RegistrationEngine.makeToken()
        let kim = try await contact(f, agency: "social-services", municipality: "Borås", email: "kim@boras.se", token: token)
        _ = try await contact(f, agency: "police", municipality: nil, email: "p@polisen.se")
        let bad = await f.send("networks.contacts.create", ["centreId": "sodra-alvsborg", "name": "X", "agency": "police", "email": "x@"]).reply
        #expect(bad.error?.code == .validation && bad.error?.field == "body.email")
        let wrongMunicipality = await f.send("networks.contacts.create", ["centreId": "sodra-alvsborg", "name": "X", "agency": "police",
                                                                          "email": "x@polisen.se", "municipality": "Skövde"]).reply
        #expect(wrongMunicipality.error?.field == "body.municipality")
        #expect(try await f.count("SELECT COUNT(*) AS n FROM contact_persons") == 2)

        let coverage = try await f.ok("networks.coverage.get", ["centreId": "sodra-alvsborg"])
        let rows = coverage["municipalities"]?.arrayValue ?? []
        #expect(rows.count == 10)
        func cell(_ m: String, _ a: String) -> JSONValue? {
            rows.first(where: { $0["municipality"]?.stringValue == m })?["agencies"]?.arrayValue?.first(where: { $0["agency"]?.stringValue == a })
        }
        #expect(cell("Borås", "social-services")?["gap"]?.boolValue == false)
        #expect(cell("Lerum", "social-services")?["gap"]?.boolValue == true)
        #expect(cell("Lerum", "police")?["gap"]?.boolValue == false, "a regional police contact covers every municipality")
        #expect(coverage["gaps"]?.numberValue == Double(10 * 9 - 1 - 10))

        // The self-update link: own details yes, agency no, a wrong link never.
        let mine = try await f.ok("networks.contacts.self.get", ["token": .string(token)])
        #expect(mine["id"] == kim["id"])
        let updated = try await f.ok("networks.contacts.self.update", ["token": .string(token), "title": "Enhetschef", "phone": "070-000 00 00"])
        #expect(updated["title"]?.stringValue == "Enhetschef" && updated["agency"]?.stringValue == "social-services")
        let forbidden = await f.send("networks.contacts.self.update", ["token": .string(token), "agency": "police"]).reply
        #expect(forbidden.error?.code == .forbidden && forbidden.error?.field == "body.agency")
        let wrong = await f.send("networks.contacts.self.get", ["token": .string(RegistrationEngine.makeToken())]).reply
        #expect(wrong.error?.code == .notFound && wrong.error?.field == "body.token")
        await f.close()
    }

    @Test(arguments: Backend.available)
    func tourShowsMunicipalitiesNotVisitedThisYear(_ backend: Backend) async throws {
        let f = try await NetworksFixture.make(backend)
        let year = Int(NetworksFixture.dateString(daysFromNow: 0).prefix(4))!
        let visit = try await f.ok("networks.tour.plan", ["centreId": "sodra-alvsborg", "municipality": "Mark", "date": .string("\(year)-03-10")])
        _ = try await f.ok("networks.tour.plan", ["centreId": "sodra-alvsborg", "municipality": "Tranemo", "date": .string("\(year)-04-10")])
        _ = try await f.ok("networks.tour.complete", ["visitId": visit["id"] ?? .null, "notes": "Bra möte med IFO"])
        let again = await f.send("networks.tour.complete", ["visitId": visit["id"] ?? .null]).reply
        #expect(again.error?.code == .conflict)
        let tour = try await f.ok("networks.tour.list", ["centreId": "sodra-alvsborg", "year": .number(Double(year))])
        let notVisited = tour["notVisited"]?.arrayValue?.compactMap { $0["municipality"]?.stringValue } ?? []
        #expect(notVisited.count == 9 && !notVisited.contains("Mark") && notVisited.contains("Tranemo"))
        #expect(tour["notVisited"]?.arrayValue?.first(where: { $0["municipality"]?.stringValue == "Tranemo" })?["planned"]?.boolValue == true)
        await f.close()
    }

    @Test(arguments: Backend.available)
    func invitationsGoToEachContactsAdapterWithICalendarAndCancellationFollows(_ backend: Backend) async throws {
        let f = try await NetworksFixture.make(backend)
        _ = try await contact(f, agency: "social-services", municipality: "Borås", email: "kim@boras.se")
        _ = try await contact(f, agency: "police", municipality: nil, email: "p@polisen.se")
        _ = try await contact(f, agency: "prosecution", municipality: nil, email: "a@aklagare.se") // no adapter: e-mail only
        let day = try await f.createDay(capacity: 30)
        let bad = await f.send("networks.days.invite", ["dayId": .string(day), "registrationUrl": "javascript:alert(1)"]).reply
        #expect(bad.error?.field == "body.registrationUrl")
        let (reply, events) = await f.send("networks.days.invite", ["dayId": .string(day), "registrationUrl": .string("https://hub.example/register/\(day)")])
        #expect(reply.error == nil)
        #expect(reply.body["adapters"]?.arrayValue == ["municipality", "police"])
        let topics = events.map(\.0)
        #expect(topics == ["agency.municipality.invitation", "agency.police.invitation", "event.invitation"])
        let police = events[1].1
        #expect(police["kind"]?.stringValue == "network-day" && police["eventId"]?.stringValue == day)
        let ical = (police["icalendar"]?.stringValue ?? "").replacingOccurrences(of: "\r\n ", with: "")
        #expect(ical.contains("METHOD:REQUEST\r\n") && ical.contains("UID:\(day)@networks.utvag-hub\r\n") && ical.contains("SEQUENCE:0\r\n"))
        #expect(ical.contains("ATTENDEE;CN=\"Kim Kontakt\";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:p@polisen.se"), "the invitation asks for an answer")
        #expect(!ical.contains("kim@boras.se"), "each agency's invitation names only its own contacts")
        #expect(ical.contains("DTSTART;TZID=Europe/Stockholm:") && ical.contains("BEGIN:VTIMEZONE"))
        #expect(events[2].1["recipients"]?.arrayValue?.count == 3)
        // And by e-mail to each contact person, the day as an iCalendar event naming only them.
        #expect(reply.body["mails"] == 3)
        let mails = try await f.ok("networks.mail.outbox", ["dayId": .string(day)])["mail"]?.arrayValue ?? []
        #expect(Set(mails.compactMap { $0["recipient"]?.stringValue }) == ["kim@boras.se", "p@polisen.se", "a@aklagare.se"])
        for mail in mails {
            let cal = (mail["calendar"]?.stringValue ?? "").replacingOccurrences(of: "\r\n ", with: "")
            let me = mail["recipient"]?.stringValue ?? ""
            #expect(mail["kind"] == "invitation" && mail["method"] == "REQUEST" && cal.contains("mailto:\(me)"))
            #expect(cal.components(separatedBy: "ATTENDEE").count == 2, "one attendee: the recipient")
        }

        let (cancelled, cancelEvents) = await f.send("networks.days.cancel", ["dayId": .string(day)])
        #expect(cancelled.body["status"]?.stringValue == "cancelled")
        let cancelCal = cancelEvents.first { $0.0 == "agency.police.invitation" }?.1["icalendar"]?.stringValue ?? ""
        #expect(cancelCal.contains("METHOD:CANCEL\r\n") && cancelCal.contains("SEQUENCE:1\r\n") && cancelCal.contains("STATUS:CANCELLED"))
        #expect(try await f.count("SELECT COUNT(*) AS n FROM network_invitations") == 4)
        let after = try await f.ok("networks.mail.outbox", ["dayId": .string(day)])["mail"]?.arrayValue ?? []
        #expect(after.filter { $0["kind"] == "cancellation" && $0["method"] == "CANCEL" }.count == 3)
        // No relay is configured in the tests: the mail waits, and flushing says so.
        let flushed = try await f.ok("networks.mail.flush", [:])
        #expect(flushed["configured"] == false && flushed["pending"] == 6)
        await f.close()
    }

    @Test(arguments: Backend.available)
    func badDaysAreRefusedNamingTheField(_ backend: Backend) async throws {
        let f = try await NetworksFixture.make(backend)
        let base: [String: JSONValue] = ["centreId": "sodra-alvsborg", "title": "Dag", "theme": "Tema", "date": "2031-05-12",
                                         "startTime": "09:00", "endTime": "15:00", "venue": "Borås", "capacity": 30, "deadline": "2031-05-01"]
        for (change, field) in [(["endTime": "08:00"], "body.endTime"), (["deadline": "2031-05-13"], "body.deadline"),
                                (["capacity": 0], "body.capacity"), (["date": "2031-02-30"], "body.date"),
                                (["centreId": "nowhere"], "body.centreId"), (["feeSEK": -5], "body.feeSEK"),
                                (["programme": [["start": "9", "title": "X"]]], "body.programme[0].start")] as [([String: JSONValue], String)] {
            var body = base
            for (k, v) in change { body[k] = v }
            let reply = await f.send("networks.days.create", .object(body)).reply
            #expect(reply.error?.field == field, "\(change)")
        }
        // Several wrong fields at once: every one is named, so the form can show them all.
        var several = base
        several["title"] = nil; several["capacity"] = 0; several["contactEmail"] = "inte-en-adress"
        let reply = await f.send("networks.days.create", .object(several)).reply
        #expect(Set(reply.error?.details?.map(\.field) ?? []) == ["body.title", "body.capacity", "body.contactEmail"])
        #expect(try await f.count("SELECT COUNT(*) AS n FROM network_days") == 0)
        #expect(try await f.count("SELECT COUNT(*) AS n FROM registration_events") == 0)
        await f.close()
    }
}

@Suite("iCalendar (RFC 5545)")
struct ICalendarTests {
    @Test func foldsAt75OctetsWithoutSplittingCharactersAndEscapesText() {
        let long = String(repeating: "Våld i nära relationer; barn, ", count: 8)
        let text = ICalendar.render([ICalendar.Event(uid: "x@hub", sequence: 2, start: .init(date: "2026-05-12", time: "09:00"),
                                                     end: .init(date: "2026-05-12", time: "15:30"), summary: long,
                                                     description: "Rad ett\nRad två\\", organizer: .init(email: "o@utvag.se", name: "Utväg \"Borås\""))],
                                    method: .request)
        let lines = text.components(separatedBy: "\r\n")
        #expect(text.hasSuffix("END:VCALENDAR\r\n"))
        #expect(lines.allSatisfy { $0.utf8.count <= 75 })
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "only CRLF line ends")
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: "")
        #expect(unfolded.contains("SUMMARY:" + long.replacingOccurrences(of: ";", with: "\\;").replacingOccurrences(of: ",", with: "\\,")))
        #expect(unfolded.contains("DESCRIPTION:Rad ett\\nRad två\\\\"))
        #expect(unfolded.contains("ORGANIZER;CN=\"Utväg Borås\":mailto:o@utvag.se"))
        #expect(unfolded.contains("DTSTART;TZID=Europe/Stockholm:20260512T090000"))
        #expect(unfolded.contains("DTEND;TZID=Europe/Stockholm:20260512T153000"))
        #expect(unfolded.contains("SEQUENCE:2") && unfolded.contains("TZID:Europe/Stockholm"))
        #expect(ICalendar.fold(String(repeating: "ä", count: 60)).components(separatedBy: "\r\n ").allSatisfy { $0.utf8.count <= 74 || $0.utf8.count == 75 })
        #expect(ICalendar.fold(String(repeating: "ä", count: 60)).components(separatedBy: "\r\n ").joined() == String(repeating: "ä", count: 60))
    }
}

/// What network-day mail says, and where its links point.
struct NetworkMailTests {
    @Test func theConfirmationCarriesThePersonalLinkOnlyWhenThePublicAddressIsConfigured() throws {
        let dir = NetworksFixture.configDir
        func load(_ env: [String: String]) throws -> RegistrationMailSettings {
            try RegistrationMailSettings.load(file: "networks.json", configDir: dir, environment: env)
        }
        let configured = try load(["HUB_PUBLIC_URL": "https://hub.utvag.example/"])
        #expect(configured.publicURL == "https://hub.utvag.example")
        let token = RegistrationEngine.makeToken()
        let link = try #require(configured.link("/r/", token: token))
        #expect(link == "https://hub.utvag.example/r/\(token)")
        let mail = RegistrationMail.confirmation(to: "a@b.se", title: "Vårträff", status: .confirmed, position: nil, cancelURL: link)
        #expect(mail.body.contains(link) && mail.subject == "Anmälan bekräftad: Vårträff")
        let waiting = RegistrationMail.confirmation(to: "a@b.se", title: "Vårträff", status: .waiting, position: 4, cancelURL: nil)
        #expect(waiting.body.contains("plats 4") && !waiting.body.contains("/r/"))
        // Without a configured address no link is made (never from a request's Host header).
        #expect(try load([:]).link("/r/", token: token) == nil)
        for bad in ["javascript:alert(1)", "ftp://hub.example", "https://"] {
            #expect(throws: HubError.self) { try load(["HUB_PUBLIC_URL": bad]) }
        }
        #expect(throws: HubError.self) { try load(["HUB_SMTP_PORT": "70000"]) }
    }
}
