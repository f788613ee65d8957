import Foundation
import HubProtocol
import Hummingbird
import HummingbirdTesting
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
    static let day: JSONValue = [
        "id": "day-1", "centreId": "sodra-alvsborg", "centreName": "Utväg Södra Älvsborg", "title": "Nätverksdag våren",
        "theme": "Barn som upplever våld", "date": "2031-05-12", "startTime": "09:00", "endTime": "15:30", "venue": "Knistad Herrgård",
        "organisers": ["Utväg"], "programme": [["start": "09:00", "end": "10:00", "title": "Välkomna", "speaker": nil]],
        "capacity": 30, "feeSEK": 500, "deadline": "2031-05-01", "status": "open", "seatsLeft": 3, "waiting": 0,
        "registrationOpen": true, "agencies": [["id": "police", "name": "Polisen"], ["id": "social-services", "name": "Socialtjänsten"]],
        "municipalities": ["Borås", "Lerum"],
    ]

    func bus() -> FakeBus {
        let bus = FakeBus()
        bus.setReply("networks.days.public", .success(Self.day))
        bus.setReply("networks.registrations.create", .success(["dayId": "day-1", "bookingId": "b1",
                                                                 "participants": [["participantId": "p1", "status": "waiting", "waitingPosition": 4]]]))
        return bus
    }

    func sent(_ bus: FakeBus, _ type: String) -> [JSONValue] { bus.state.withLock { $0.requests.filter { $0.type == type }.map(\.body) } }

    static let filled = ["name": "Anna Andersson", "email": "anna@boras.se", "agency": "social-services", "municipality": "Borås",
                         "dietary": "Vegan", "invoiceReference": "IFO 4711"]

    @Test func publicFormIsSwedishByDefaultEnglishOnRequestAndShowsNoParticipants() async throws {
        let h = try await Harness.make(bus: bus())
        try await h.test { client in
            var b = Browser(client: client)
            let sv = try await b.get("/anmalan/day-1")
            #expect(sv.status == .ok)
            #expect(sv.text.contains("<html lang=\"sv\">") && sv.text.contains("Skicka anmälan") && sv.text.contains("Om dina personuppgifter"))
            #expect(sv.text.contains("<label for=\"email\">") && sv.text.contains("id=\"website\"") && sv.text.contains("class=\"hp\""))
            #expect(sv.text.contains("Fakturareferens"), "a fee asks for an invoice reference")
            #expect(!sv.text.contains("anna@"), "no participant data on the public page")
            let en = try await b.get("/anmalan/day-1?lang=en")
            #expect(en.text.contains("<html lang=\"en\">") && en.text.contains("About your personal data") && en.text.contains(">Register<"))
        }
    }

    @Test func theEnglishAddressesOfBeforeRedirectPermanentlyToTheSwedishOnes() async throws {
        let h = try await Harness.make(bus: bus())
        try await h.test { client in
            var b = Browser(client: client)
            let mailed = try await b.get("/register/day-1?lang=en")
            #expect(mailed.status == .movedPermanently && mailed.location == "/anmalan/day-1?lang=en", "an invitation mailed before still opens the form")
            #expect(try await b.get("/register/day-1/group").location == "/anmalan/day-1/grupp")
            #expect(try await b.get("/networks").location == "/natverk")
            #expect(try await b.get("/training/register/tr-1").location == "/utbildning/anmalan/tr-1")
            let odd = try await b.get("/register/a%22b%3Cc")
            #expect(odd.location == "/anmalan/a%22b%3Cc", "a parameter is carried over encoded, never as markup or a second path")
        }
    }

    @Test func registrationPostsToTheBusWithAFreshLinkTokenAndShowsTheCancelLink() async throws {
        let fake = bus()
        let h = try await Harness.make(bus: fake)
        try await h.test { client in
            var b = Browser(client: client)
            let page = try await b.get("/anmalan/day-1")
            let csrf = try #require(Browser.csrfField(page.text))
            let noCSRF = try await b.post("/anmalan/day-1", form: Self.filled)
            #expect(noCSRF.status == .forbidden)
            let r = try await b.post("/anmalan/day-1", form: Self.filled.merging(["csrf": csrf]) { $1 })
            #expect(r.status == .created)
            #expect(r.text.contains("nummer 4 på väntelistan"))
            let sentBody = try #require(sent(fake, "networks.registrations.create").first)
            #expect(sentBody["email"]?.stringValue == "anna@boras.se" && sentBody["dayId"]?.stringValue == "day-1")
            let token = try #require(sentBody["cancelToken"]?.stringValue)
            #expect(token.count >= 43)
            #expect(r.text.contains("/r/\(token)"))
            #expect(sentBody["language"]?.stringValue == "sv", "the mail about the place follows the page's language")

            // From the English page, the service is told to write in English.
            let english = try await b.get("/anmalan/day-1?lang=en")
            let csrfEN = try #require(Browser.csrfField(english.text))
            let en = try await b.post("/anmalan/day-1", form: Self.filled.merging(["csrf": csrfEN]) { $1 })
            #expect(en.status == .created)
            #expect(sent(fake, "networks.registrations.create").last?["language"]?.stringValue == "en")
        }
    }

    @Test func honeypotStoresNothingAndServiceErrorsAppearBesideTheField() async throws {
        let fake = bus()
        let h = try await Harness.make(bus: fake)
        try await h.test { client in
            var b = Browser(client: client)
            let csrf = try #require(Browser.csrfField(try await b.get("/anmalan/day-1").text))
            let robot = try await b.post("/anmalan/day-1", form: Self.filled.merging(["csrf": csrf, "website": "http://spam"]) { $1 })
            #expect(robot.status == .ok)
            #expect(sent(fake, "networks.registrations.create").isEmpty)

            let missing = try await b.post("/anmalan/day-1", form: ["csrf": csrf, "email": "anna@boras.se"])
            #expect(missing.status == .badRequest)
            #expect(missing.text.contains("id=\"name-error\"") && missing.text.contains("id=\"agency-error\"") && missing.text.contains("id=\"invoiceReference-error\""))
            #expect(missing.text.contains("value=\"anna@boras.se\""), "what was typed is kept")
            #expect(sent(fake, "networks.registrations.create").isEmpty)

            fake.setReply("networks.registrations.create", .failure(HubError(.conflict, "This e-mail address is already registered for the event.", field: "body.email", reason: .taken)))
            let taken = try await b.post("/anmalan/day-1", form: Self.filled.merging(["csrf": csrf]) { $1 })
            #expect(taken.status == .badRequest)
            #expect(taken.text.contains("id=\"email-error\">Den här e-postadressen är redan anmäld"))
            #expect(taken.text.contains("aria-invalid=\"true\""))

            fake.setReply("networks.registrations.create", .failure(HubError(.conflict, "The registration deadline has passed.", field: "body.dayId", reason: .deadlinePassed)))
            let late = try await b.post("/anmalan/day-1", form: Self.filled.merging(["csrf": csrf]) { $1 })
            #expect(late.status == .conflict && late.text.contains("Sista anmälningsdag har passerat"))
        }
    }

    @Test func anAgencyBooksSeveralColleaguesOnOneInvoiceReferenceAndGetsOneManageLink() async throws {
        let fake = bus()
        let h = try await Harness.make(bus: fake)
        try await h.test { client in
            var b = Browser(client: client)
            let page = try await b.get("/anmalan/day-1")
            #expect(page.text.contains("href=\"/anmalan/day-1/grupp\""))
            let form = try await b.get("/anmalan/day-1/grupp")
            #expect(form.status == .ok && form.text.contains("<label for=\"name_1\">") && form.text.contains("<label for=\"email_6\">"))
            #expect(form.text.contains("<legend>Deltagare 2</legend>") && form.text.contains("id=\"privacy-notice\""))
            let csrf = try #require(Browser.csrfField(form.text))

            // Nothing filled in, and a row with a name but no address: every problem at once, nothing sent.
            let empty = try await b.post("/anmalan/day-1/grupp", form: ["csrf": csrf, "name_2": "Bo Berg"])
            #expect(empty.status == .badRequest)
            #expect(empty.text.contains("id=\"bookerName-error\"") && empty.text.contains("id=\"agency-error\"") && empty.text.contains("id=\"email_2-error\""))
            #expect(empty.text.contains("href=\"#email_2\"") && empty.text.contains("value=\"Bo Berg\""))
            #expect(sent(fake, "networks.registrations.create").isEmpty)

            let filled = ["csrf": csrf, "bookerName": "Cecilia Chef", "bookerEmail": "chef@boras.se", "agency": "social-services",
                          "municipality": "Borås", "invoiceReference": "IFO 4711",
                          "name_1": "Anna Andersson", "email_1": "anna@boras.se", "name_3": "Bo Berg", "email_3": "bo@boras.se", "dietary_3": "Vegan"]
            fake.setReply("networks.registrations.create", .failure(HubError(.conflict, "This e-mail address is already registered for the event.",
                                                                             field: "body.participants[1].email", reason: .taken)))
            let taken = try await b.post("/anmalan/day-1/grupp", form: filled)
            #expect(taken.status == .badRequest && taken.text.contains("id=\"email_3-error\">Den här e-postadressen är redan anmäld"))

            fake.setReply("networks.registrations.create", .success(["dayId": "day-1", "bookingId": "bk-1", "participants": [
                ["participantId": "p1", "status": "confirmed"], ["participantId": "p2", "status": "waiting", "waitingPosition": 1]]]))
            let done = try await b.post("/anmalan/day-1/grupp", form: filled)
            #expect(done.status == .created)
            let body = try #require(sent(fake, "networks.registrations.create").last)
            let people = body["participants"]?.arrayValue ?? []
            #expect(people.map { $0["email"]?.stringValue } == ["anna@boras.se", "bo@boras.se"])
            #expect(people.allSatisfy { $0["agency"] == "social-services" && $0["municipality"] == "Borås" && ($0["cancelToken"]?.stringValue?.count ?? 0) >= 43 })
            #expect(people[1]["dietary"] == "Vegan" && body["invoiceReference"] == "IFO 4711" && body["booker"]?["email"] == "chef@boras.se")
            let manage = try #require(body["manageToken"]?.stringValue)
            #expect(done.text.contains("/b/\(manage)") && done.text.contains("Anna Andersson") && done.text.contains("Bo Berg"))
            #expect(!done.text.contains(people[0]["cancelToken"]?.stringValue ?? "-"), "each person's own link goes to them, not to the booker")
        }
    }

    @Test func publicFormIsRateLimitedPerAddress() async throws {
        let fake = bus()
        let h = try await Harness.make(bus: fake)
        try await h.test { client in
            var b = Browser(client: client)
            let csrf = try #require(Browser.csrfField(try await b.get("/anmalan/day-1").text))
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<21 { statuses.append(try await b.post("/anmalan/day-1", form: Self.filled.merging(["csrf": csrf]) { $1 }).status) }
            #expect(statuses.prefix(20).allSatisfy { $0 == .created })
            #expect(statuses.last == .tooManyRequests)
            #expect(sent(fake, "networks.registrations.create").count == 20)
        }
    }

    @Test func cancellationLinkPageAndWrongLink() async throws {
        let fake = bus()
        fake.setReply("networks.registrations.get", .success(["participant": ["name": "Anna Andersson", "status": "confirmed"], "day": Self.day]))
        fake.setReply("networks.registrations.cancel", .failure(HubError(.conflict, "used", field: "body.token")))
        let h = try await Harness.make(bus: fake)
        try await h.test { client in
            var b = Browser(client: client)
            let token = String(repeating: "a", count: 43)
            let page = try await b.get("/r/\(token)")
            #expect(page.status == .ok && page.text.contains("Avboka min plats") && page.text.contains("Plats bekräftad"))
            let csrf = try #require(Browser.csrfField(page.text))
            let asked = try await b.post("/r/\(token)/avboka", form: ["csrf": csrf])
            #expect(asked.status == .ok && asked.text.contains("Vill du avboka din plats?"), "cancelling asks first")
            #expect(sent(fake, "networks.registrations.cancel").isEmpty)
            let used = try await b.post("/r/\(token)/avboka", form: ["csrf": csrf, "confirmed": "yes"])
            #expect(used.status == .notFound && used.text.contains("Länken är inte giltig"))
            fake.setReply("networks.registrations.get", .failure(HubError(.notFound, "The link is not valid.", field: "body.token")))
            #expect(try await b.get("/r/\(token)").status == .notFound)
        }
    }

    @Test func apiRolesTokensAndOrganiserPages() async throws {
        let fake = bus()
        fake.setReply("networks.days.create", .success(Self.day))
        fake.setReply("networks.registrations.export", .success(["filename": "deltagare-2031-05-12.csv", "csv": "status,name\r\n"]))
        fake.setReply("networks.coverage.get", .success([
            "centreName": "Utväg Södra Älvsborg", "gaps": 1, "agencies": [["id": "police", "name": "Polisen"]],
            "municipalities": [["municipality": "Lerum", "agencies": [["agency": "police", "contacts": [], "gap": true]]]],
        ]))
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
        let participant: JSONValue = ["id": "p1", "eventId": "day-1", "name": "Anna Andersson", "agency": "police", "municipality": "Borås",
                                      "dietary": "Vegan", "status": "confirmed", "attended": false, "sequence": 1]
        let waiting: JSONValue = ["id": "p2", "eventId": "day-1", "name": "Bo Berg", "agency": "police", "status": "waiting",
                                  "waitingPosition": 1, "attended": false, "sequence": 2]
        fake.setReply("networks.registrations.list", .success(["day": Self.day, "participants": [participant, waiting]]))
        fake.setReply("networks.agencies.list", .success(["agencies": [["id": "police", "name": "Polisen"]]]))
        fake.setReply("networks.registrations.checkin", .success(participant))
        fake.setReply("networks.registrations.invoice", .success(["day": Self.day, "feeSEK": 500, "people": 1, "totalSEK": 500,
                                                                  "lines": [["agencyName": "Polisen", "invoiceReference": "R1", "people": 1, "feeSEK": 500, "amountSEK": 500]]]))
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
            fake.setReply("networks.registrations.move", .failure(HubError(.validation, "Required.", field: "body.reason", reason: .required)))
            let refused = try await b.post("/natverk/dagar/day-1/flytta", form: ["csrf": csrf, "participantId": "p2", "to": "confirmed", "reason": ""])
            #expect(refused.status == .seeOther && refused.location == "/natverk/dagar/day-1?flytt=required")
            #expect(try await b.get("/natverk/dagar/day-1?flytt=required").text.contains("id=\"move-error\"><p>Fyll i fältet."))
            fake.setReply("networks.registrations.move", .success(waiting))
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
        fake.setReply("networks.agencies.list", .success(["agencies": [], "centres": [["id": "sodra-alvsborg", "name": "Utväg Södra Älvsborg"]]]))
        fake.setReply("networks.days.create", .failure(HubError(.validation, "Not a date (YYYY-MM-DD).", field: "body.date", reason: .notADate)))
        fake.setReply("networks.days.invite", .success(["adapters": ["police"], "recipients": 1]))
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
            fake.setReply("networks.days.create", .success(Self.day))
            let ok = try await b.post("/natverk/dagar/ny", form: fields)
            #expect(ok.status == .seeOther && ok.location == "/natverk/dagar/day-1?klart=day_created")
            let invited = try await b.post("/natverk/dagar/day-1/inbjud", form: ["csrf": csrf])
            #expect(invited.status == .seeOther && invited.location == "/natverk/dagar/day-1?klart=day_invited")
            #expect(sent(fake, "networks.days.invite").first?["registrationUrl"]?.stringValue?.hasSuffix("/anmalan/day-1") == true)
        }
    }

    @Test func contactPersonUpdatesOwnDetailsByLink() async throws {
        let fake = bus()
        fake.setReply("networks.contacts.self.get", .success(["id": "c1", "name": "Kim Kontakt", "email": "kim@boras.se", "title": "Socialsekreterare"]))
        fake.setReply("networks.contacts.self.update", .failure(HubError(.validation, "The e-mail address is not valid.", field: "body.email", reason: .invalidEmail)))
        let h = try await Harness.make(bus: fake)
        try await h.test { client in
            var b = Browser(client: client)
            let token = String(repeating: "k", count: 43)
            let page = try await b.get("/c/\(token)")
            #expect(page.status == .ok && page.text.contains("value=\"Kim Kontakt\"") && page.text.contains("<label for=\"phone\">"))
            let csrf = try #require(Browser.csrfField(page.text))
            let bad = try await b.post("/c/\(token)", form: ["csrf": csrf, "name": "Kim Kontakt", "email": "kim@"])
            #expect(bad.status == .badRequest && bad.text.contains("id=\"email-error\""))
            fake.setReply("networks.contacts.self.update", .success(["id": "c1"]))
            let ok = try await b.post("/c/\(token)", form: ["csrf": csrf, "name": "Kim Kontakt", "email": "kim@boras.se", "title": ""])
            #expect(ok.status == .ok && ok.text.contains("id=\"self-saved\""))
            let body = try #require(sent(fake, "networks.contacts.self.update").last)
            #expect(body["token"]?.stringValue == token && body["title"] == .null && body["agency"] == nil)
            fake.setReply("networks.contacts.self.get", .failure(HubError(.notFound, "The link is not valid.", field: "body.token")))
            #expect(try await b.get("/c/\(token)").status == .notFound)
        }
    }

    @Test func contactsAttendanceAndTourPages() async throws {
        let fake = bus()
        fake.setReply("networks.agencies.list", .success([
            "agencies": [["id": "police", "name": "Polisen"], ["id": "prosecution", "name": "Åklagarmyndigheten"]],
            "centres": [["id": "sodra-alvsborg", "name": "Utväg Södra Älvsborg", "municipalities": ["Borås", "Lerum"]]]]))
        fake.setReply("networks.contacts.list", .success(["contacts": [["id": "c1", "name": "Kim Kontakt", "agency": "police", "email": "kim@polisen.se"]]]))
        fake.setReply("networks.contacts.create", .success(["id": "c2"]))
        fake.setReply("networks.attendance.get", .success(["days": [["id": "d1"]], "agencies": [
            ["agency": "police", "name": "Polisen", "registered": 3, "attended": 2, "daysRepresented": 1],
            ["agency": "prosecution", "name": "Åklagarmyndigheten", "registered": 0, "attended": 0, "daysRepresented": 0]]]))
        fake.setReply("networks.tour.list", .success(["year": 2031, "visits": [["id": "v1", "municipality": "Borås", "plannedDate": "2031-03-01", "status": "planned"]],
                                                      "notVisited": [["municipality": "Borås", "planned": true], ["municipality": "Lerum", "planned": false]]]))
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
