import Foundation
import HubProtocol
import Hummingbird
import HummingbirdTesting
import NetworksAPI
import Testing
@testable import HubGateway
@testable import HubWeb
@testable import MeetingsWeb
@testable import NetworksWeb
@testable import ReferralsWeb
@testable import TrainingWeb

/// The network-day pages and API against a fake bus: what they send and how they answer.
@Suite("Gateway: network days, public registration, organiser pages")
struct NetworkRoutesTests {
    /// The day the fake networks service answers with (its contract type, as the service writes it).
    static let typedDay = Day(id: "day-1", centreId: "sodra-alvsborg", title: "Nätverksdag våren", theme: "Barn som upplever våld", date: "2031-05-12",
                              startTime: "09:00", endTime: "15:30", venue: "Knistad Herrgård", organisers: ["Utväg"],
                              programme: [ProgrammeItem(start: "09:00", end: "10:00", title: "Välkomna")], capacity: 30, feeSEK: 500,
                              deadline: "2031-05-01", taken: 27, seatsLeft: 3)
    static let publicDay = DayPublic.Reply(event: typedDay, centreName: "Utväg Södra Älvsborg",
                                           agencies: [AgencyChoice(id: "police", name: "Polisen"), AgencyChoice(id: "social-services", name: "Socialtjänsten")],
                                           municipalities: ["Borås", "Lerum"])
    static let reference = AgenciesList.Reply(
        agencies: [AgencyInfo(id: "police", name: "Polisen", kind: "state"), AgencyInfo(id: "prosecution", name: "Åklagarmyndigheten", kind: "state")],
        centres: [CentreInfo(id: "sodra-alvsborg", name: "Utväg Södra Älvsborg", municipalities: ["Borås", "Lerum"])])
    static func participant(_ id: String, _ name: String, _ status: ParticipantStatus, waitingPosition: Int? = nil) -> Participant {
        Participant(id: id, eventId: "day-1", bookingId: "b-\(id)", name: name, agency: "police", municipality: "Borås", email: "\(id)@polisen.se",
                    dietary: "Vegan", status: status, sequence: 1, waitingPosition: waitingPosition, registeredAt: "2031-04-01T08:00:00Z")
    }

    func bus() -> FakeBus {
        let bus = FakeBus()
        bus.answer(DayPublic.self, Self.publicDay)
        bus.answer(RegistrationCreate.self, .init(eventId: "day-1", bookingId: "b1", participants: [.init(participantId: "p1", status: .waiting, waitingPosition: 4)]))
        return bus
    }

    func sent(_ bus: FakeBus, _ type: String) -> [JSONValue] { bus.state.withLock { $0.requests.filter { $0.type == type }.map(\.body) } }

    static let filled = ["name": "Anna Andersson", "email": "anna@boras.se", "agency": "social-services", "municipality": "Borås",
                         "dietary": "Vegan", "invoiceReference": "IFO 4711"]

    @Test func apiRolesTokensAndOrganiserPages() async throws {
        let fake = bus()
        fake.answer(DayCreate.self, Self.typedDay)
        fake.answer(RegistrationExport.self, ExportReply(filename: "deltagare-2031-05-12.csv", csv: "status,name\r\n"))
        fake.answer(CoverageGet.self, Coverage(centreId: "sodra-alvsborg", centreName: "Utväg Södra Älvsborg", date: "2031-05-01",
                                               agencies: [AgencyInfo(id: "police", name: "Polisen", kind: "state")],
                                               municipalities: [.init(municipality: "Lerum", agencies: [.init(agency: "police", contacts: [], gap: true)])], gaps: 1))
        let h = try await Harness.make(bus: fake)
        _ = try await h.users.create(username: "polis", password: "polisens lösenord 1", role: "agency", agency: "police")
        try await h.test { client in
            let admin = try await client.token()
            let created = try await client.json("/api/v1/network-days", method: .post, token: admin, body: #"{"centreId":"sodra-alvsborg"}"#)
            #expect(created.status == .created)
            let agency = try await client.token(username: "polis", password: "polisens lösenord 1")
            let refused = try await client.json("/api/v1/network-days", method: .post, token: agency, body: #"{"centreId":"sodra-alvsborg"}"#)
            #expect(refused.status == .forbidden)
            // An agency user books colleagues; the hub makes the links, never the client.
            let forged = try await client.json("/api/v1/network-days/day-1/registrations", method: .post, token: agency,
                                               body: #"{"name":"A","email":"a@polisen.se","agency":"police","cancelToken":"x"}"#)
            #expect(forged.status == .unprocessableContent && forged.json?["error"]?["field"]?.stringValue == "body.cancelToken")
            let booked = try await client.json("/api/v1/network-days/day-1/registrations", method: .post, token: agency,
                                               body: #"{"name":"A","email":"a@polisen.se","agency":"police","invoiceReference":"R1"}"#)
            #expect(booked.status == .created)
            #expect(booked.json?["cancelUrl"]?.stringValue?.contains("/r/") == true)
            fake.answer(RegistrationCreate.self, .init(eventId: "day-1", bookingId: "b2", participants: [.init(participantId: "p1", status: .confirmed),
                                                                                                    .init(participantId: "p2", status: .waiting, waitingPosition: 1)]))
            let group = try await client.json("/api/v1/network-days/day-1/registrations", method: .post, token: agency,
                                              body: #"{"booker":{"name":"B","email":"b@polisen.se"},"participants":[{"name":"A","email":"a@polisen.se","agency":"police"},{"name":"C","email":"c@polisen.se","agency":"police"}]}"#)
            #expect(group.status == .created && group.json?["manageUrl"]?.stringValue?.contains("/b/") == true)
            let places = group.json?["participants"]?.arrayValue ?? []
            #expect(places.count == 2 && places.allSatisfy { $0["cancelUrl"]?.stringValue?.contains("/r/") == true }, "each place its own link")
            #expect(places.last?["waitingPosition"]?.numberValue == 1 && places.first?["waitingPosition"] == .null && group.json?["cancelUrl"] == nil)
            let csv = try await client.json("/api/v1/network-days/day-1/participants.csv", token: admin)
            #expect(csv.status == .ok && csv.headers[.contentDisposition] == "attachment; filename=\"deltagare-2031-05-12.csv\"")
            #expect(try await client.json("/api/v1/network-days/day-1/participants.csv", token: agency).status == .forbidden)

            var b = Browser(client: client)
            #expect(try await b.get("/natverk/tackning/sodra-alvsborg").location == "/login")
            try await b.login()
            let coverage = try await b.get("/natverk/tackning/sodra-alvsborg")
            #expect(coverage.status == .ok && coverage.text.contains("class=\"gap\"") && coverage.text.contains("Saknas"))
        }
    }

    @Test func organiserPagesListCheckInPrintAndInvoice() async throws {
        let fake = bus()
        let participant = Self.participant("p1", "Anna Andersson", .confirmed)
        let waiting = Self.participant("p2", "Bo Berg", .waiting, waitingPosition: 1)
        fake.answer(RegistrationList.self, .init(day: Self.typedDay, participants: [participant, waiting]))
        fake.answer(AgenciesList.self, Self.reference)
        fake.answer(RegistrationCheckIn.self, participant)
        fake.answer(RegistrationInvoice.self, .init(day: Self.typedDay, feeSEK: 500,
                                                    lines: [InvoiceRow(agency: "police", agencyName: "Polisen", invoiceReference: "R1", people: 1, feeSEK: 500, amountSEK: 500)],
                                                    totalSEK: 500, people: 1))
        let h = try await Harness.make(bus: fake)
        _ = try await h.users.create(username: "styrelse", password: "styrelsens lösenord 1", role: "board", centre: "sodra-alvsborg")
        try await h.test { client in
            var board = Browser(client: client)
            try await board.login(username: "styrelse", password: "styrelsens lösenord 1")
            #expect(try await board.get("/natverk/dagar/day-1").status == .forbidden, "only Utväg staff see participants")

            var b = Browser(client: client)
            try await b.login()
            let page = try await b.get("/natverk/dagar/day-1")
            #expect(page.status == .ok)
            #expect(page.text.contains("Anna Andersson") && page.text.contains("Polisen") && page.text.contains("Markera närvarande"))
            #expect(page.text.contains("Väntelista (1)"))
            let csrf = try #require(Browser.csrfField(page.text))
            let checked = try await b.post("/natverk/dagar/day-1/incheckning", form: ["csrf": csrf, "participantId": "p1", "attended": "1"])
            #expect(checked.status == .seeOther && checked.location == "/natverk/dagar/day-1?klart=checked_in")
            let after = try await b.get("/natverk/dagar/day-1?klart=checked_in")
            #expect(after.text.contains(#"id="action-done">Närvaron är antecknad.</p>"#), "a message after the action")
            #expect(!(try await b.get("/natverk/dagar/day-1?klart=%3Cscript%3E")).text.contains("action-done"), "an unknown step shows nothing")
            #expect(sent(fake, "networks.registrations.checkin").first?["attended"]?.boolValue == true)
            let withoutCSRF = try await b.post("/natverk/dagar/day-1/incheckning", form: ["participantId": "p1"])
            #expect(withoutCSRF.status == .forbidden)
            let print = try await b.get("/natverk/dagar/day-1/utskrift")
            #expect(print.text.contains("Anna Andersson") && !print.text.contains("Bo Berg"), "the print list has people with a seat")
            let invoice = try await b.get("/natverk/dagar/day-1/fakturaunderlag")
            #expect(invoice.text.contains("id=\"invoice-total\">500<"))

            // Moving someone: a seat to the waiting list or the other way, always with a reason.
            #expect(page.text.contains("<label for=\"reason-p1\">Skäl</label>") && page.text.contains("Till väntelistan"))
            #expect(page.text.contains("<label for=\"reason-p2\">Skäl</label>") && page.text.contains("Ge plats"))
            fake.setReply(RegistrationMove.type, .failure(HubError(.validation, "Required.", field: "body.reason", reason: .required)))
            let refused = try await b.post("/natverk/dagar/day-1/flytta", form: ["csrf": csrf, "participantId": "p2", "to": "confirmed", "reason": ""])
            #expect(refused.status == .seeOther && refused.location == "/natverk/dagar/day-1?flytt=required")
            #expect(try await b.get("/natverk/dagar/day-1?flytt=required").text.contains("id=\"move-error\"><p>Fyll i fältet."))
            fake.answer(RegistrationMove.self, .init(participant: waiting, promoted: [], moves: []))
            let moved = try await b.post("/natverk/dagar/day-1/flytta", form: ["csrf": csrf, "participantId": "p2", "to": "confirmed", "reason": "Talare"])
            #expect(moved.location == "/natverk/dagar/day-1?flytt=ok")
            let sentMove = sent(fake, "networks.registrations.move").last
            #expect(sentMove?["reason"] == "Talare" && sentMove?["to"] == "confirmed" && sentMove?["actor"]?["user"] == "admin")
            #expect(try await b.get("/natverk/dagar/day-1?flytt=ok").text.contains("id=\"move-notice\""))
            #expect(try await b.post("/natverk/dagar/day-1/flytta", form: ["participantId": "p2", "to": "confirmed", "reason": "x"]).status == .forbidden)
        }
    }

    @Test func organiserCreatesADayAndSendsInvitationsFromThePages() async throws {
        let fake = bus()
        fake.answer(AgenciesList.self, Self.reference)
        fake.setReply(DayCreate.type, .failure(HubError(.validation, "Not a date (YYYY-MM-DD).", field: "body.date", reason: .notADate)))
        fake.answer(DayInvite.self, InvitationsSent(dayId: "day-1", method: .request, sequence: 0, adapters: ["police"], recipients: 1, mails: 1))
        let h = try await Harness.make(bus: fake)
        try await h.test { client in
            var b = Browser(client: client)
            try await b.login()
            let form = try await b.get("/natverk/dagar/ny")
            #expect(form.status == .ok && form.text.contains("Utväg Södra Älvsborg") && form.text.contains("<label for=\"deadline\">"))
            let csrf = try #require(Browser.csrfField(form.text))
            let fields = ["csrf": csrf, "centreId": "sodra-alvsborg", "title": "Vårträff", "theme": "Tema", "date": "2031-02-30",
                          "startTime": "09:00", "endTime": "15:00", "venue": "Borås", "capacity": "30", "deadline": "2031-02-01",
                          "organisers": "Utväg, Borås stad", "programme": "09:00 Välkomna\n10:00 Föreläsning"]
            let bad = try await b.post("/natverk/dagar/ny", form: fields)
            #expect(bad.status == .badRequest && bad.text.contains("id=\"date-error\"") && bad.text.contains("value=\"Vårträff\""))
            // The service's reason is shown in the page's language; its English message is not.
            #expect(bad.text.contains("Ange ett datum som ÅÅÅÅ-MM-DD.") && !bad.text.contains("Not a date"))
            let sentBody = try #require(sent(fake, "networks.days.create").first)
            #expect(sentBody["capacity"]?.numberValue == 30)
            #expect(sentBody["organisers"]?.arrayValue == ["Utväg", "Borås stad"])
            #expect(sentBody["programme"]?[index: 1]?["title"]?.stringValue == "Föreläsning")
            fake.answer(DayCreate.self, Self.typedDay)
            let ok = try await b.post("/natverk/dagar/ny", form: fields)
            #expect(ok.status == .seeOther && ok.location == "/natverk/dagar/day-1?klart=day_created")
            let invited = try await b.post("/natverk/dagar/day-1/inbjud", form: ["csrf": csrf])
            #expect(invited.status == .seeOther && invited.location == "/natverk/dagar/day-1?klart=day_invited")
            #expect(sent(fake, "networks.days.invite").first?["registrationUrl"]?.stringValue?.hasSuffix("/anmalan/day-1") == true)
        }
    }

    @Test func contactPersonUpdatesOwnDetailsByLink() async throws {
        let fake = bus()
        let kim = Contact(id: "c1", centreId: "sodra-alvsborg", name: "Kim Kontakt", title: "Socialsekreterare", agency: "police",
                          email: "kim@boras.se", activeFrom: "2031-01-01")
        fake.answer(ContactSelfGet.self, kim)
        fake.setReply(ContactSelfUpdate.type, .failure(HubError(.validation, "The e-mail address is not valid.", field: "body.email", reason: .invalidEmail)))
        let h = try await Harness.make(bus: fake)
        try await h.test { client in
            var b = Browser(client: client)
            let token = String(repeating: "k", count: 43)
            let page = try await b.get("/c/\(token)")
            #expect(page.status == .ok && page.text.contains("value=\"Kim Kontakt\"") && page.text.contains("<label for=\"phone\">"))
            let csrf = try #require(Browser.csrfField(page.text))
            let bad = try await b.post("/c/\(token)", form: ["csrf": csrf, "name": "Kim Kontakt", "email": "kim@"])
            #expect(bad.status == .badRequest && bad.text.contains("id=\"email-error\""))
            fake.answer(ContactSelfUpdate.self, kim)
            let ok = try await b.post("/c/\(token)", form: ["csrf": csrf, "name": "Kim Kontakt", "email": "kim@boras.se", "title": ""])
            #expect(ok.status == .ok && ok.text.contains("id=\"self-saved\""))
            let body = try #require(sent(fake, "networks.contacts.self.update").last)
            #expect(body["token"]?.stringValue == token && body["title"] == .null && body["agency"] == nil)
            fake.setReply(ContactSelfGet.type, .failure(HubError(.notFound, "The link is not valid.", field: "body.token")))
            #expect(try await b.get("/c/\(token)").status == .notFound)
        }
    }

    @Test func contactsAttendanceAndTourPages() async throws {
        let fake = bus()
        fake.answer(AgenciesList.self, Self.reference)
        let kim = Contact(id: "c1", centreId: "sodra-alvsborg", name: "Kim Kontakt", agency: "police", email: "kim@polisen.se", activeFrom: "2031-01-01")
        fake.answer(ContactList.self, .init(contacts: [kim]))
        fake.answer(ContactCreate.self, kim)
        fake.answer(AttendanceGet.self, .init(centreId: "sodra-alvsborg", days: [.init(id: "d1", title: "Vårträff", date: "2031-05-12")], agencies: [
            .init(agency: "police", name: "Polisen", daysRepresented: 1, registered: 3, attended: 2, perDay: [.init(dayId: "d1", registered: 3, attended: 2)]),
            .init(agency: "prosecution", name: "Åklagarmyndigheten", daysRepresented: 0, registered: 0, attended: 0, perDay: [])]))
        fake.answer(TourList.self, .init(centreId: "sodra-alvsborg", year: 2031,
                                         visits: [TourVisit(id: "v1", centreId: "sodra-alvsborg", municipality: "Borås", plannedDate: "2031-03-01", status: .planned)],
                                         notVisited: [.init(municipality: "Borås", planned: true), .init(municipality: "Lerum", planned: false)]))
        let h = try await Harness.make(bus: fake)
        try await h.test { client in
            var b = Browser(client: client)
            try await b.login()
            let contacts = try await b.get("/natverk/kontaktpersoner/sodra-alvsborg")
            #expect(contacts.status == .ok && contacts.text.contains("Kim Kontakt") && contacts.text.contains("<td>Polisen</td>"))
            let csrf = try #require(Browser.csrfField(contacts.text))
            let added = try await b.post("/natverk/kontaktpersoner/sodra-alvsborg", form: ["csrf": csrf, "name": "Ny Person", "agency": "police", "email": "ny@polisen.se"])
            #expect(added.status == .ok && added.text.contains("id=\"self-link\""))
            let token = try #require(sent(fake, "networks.contacts.create").first?["updateToken"]?.stringValue)
            #expect(added.text.contains("/c/\(token)"))
            let attendance = try await b.get("/natverk/narvaro/sodra-alvsborg")
            #expect(attendance.status == .ok && attendance.text.contains("Ingen närvaro") && attendance.text.contains("1 / 1"))
            let tour = try await b.get("/natverk/besok/sodra-alvsborg")
            #expect(tour.status == .ok && tour.text.contains("Inget besök planerat") && tour.text.contains("Markera genomfört"))
            let unknown = try await b.get("/natverk/kontaktpersoner/nowhere")
            #expect(unknown.status == .notFound)
        }
    }

    @Test func openAPINamesEveryNetworkRoute() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            let doc = try await client.execute(uri: "/openapi.yaml", method: .get).text
            for path in ["/api/v1/network-days:", "/api/v1/network-days/{dayId}:", "/api/v1/network-days/{dayId}/cancel:",
                         "/api/v1/network-days/{dayId}/invitations:", "/api/v1/network-days/{dayId}/registrations:",
                         "/api/v1/network-days/{dayId}/participants.csv:", "/api/v1/network-days/{dayId}/invoice-basis:",
                         "/api/v1/registrations/{participantId}/check-in:", "/api/v1/registrations/{participantId}/move:",
                         "/api/v1/contact-persons:", "/api/v1/contact-persons/{contactId}:", "/api/v1/coverage/{centreId}:",
                         "/api/v1/tour-visits:", "/api/v1/tour-visits/{visitId}/complete:", "/api/v1/network-attendance:",
                         "    NetworkDayInput:", "    RegistrationInput:"] {
                // A path stands alone on its line; a schema's name starts its line (its schema may follow on it).
                #expect(doc.contains("\n" + (path.hasPrefix(" ") ? path : "  " + path + "\n")), "\(path)")
            }
            try? doc.write(toFile: FileManager.default.temporaryDirectory.path + "/hub-openapi-check.yaml", atomically: true, encoding: .utf8)
        }
    }

    @Test func networkStringsHaveTheSameKeysInBothLanguages() {
        #expect(Set(NetworkStrings.swedish.keys) == Set(NetworkStrings.english.keys))
        #expect(Set(NetworkStrings.swedish.keys).isDisjoint(with: Strings.swedish.keys))
        #expect(Set(NetworkStrings.swedish.keys).isDisjoint(with: ReferralStrings.swedish.keys))
    }
}
