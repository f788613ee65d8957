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

/// The public registration pages of a network day (form, language, registration, honeypot,
/// group booking, rate limit, cancellation link): tests of `NetworkRoutesTests`, in their own file.
extension NetworkRoutesTests {
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

            fake.setReply(RegistrationCreate.type, .failure(HubError(.conflict, "This e-mail address is already registered for the event.", field: "body.email", reason: .taken)))
            let taken = try await b.post("/anmalan/day-1", form: Self.filled.merging(["csrf": csrf]) { $1 })
            #expect(taken.status == .badRequest)
            #expect(taken.text.contains("id=\"email-error\">Den här e-postadressen är redan anmäld"))
            #expect(taken.text.contains("aria-invalid=\"true\""))

            fake.setReply(RegistrationCreate.type, .failure(HubError(.conflict, "The registration deadline has passed.", field: "body.dayId", reason: .deadlinePassed)))
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
            fake.setReply(RegistrationCreate.type, .failure(HubError(.conflict, "This e-mail address is already registered for the event.",
                                                                             field: "body.participants[1].email", reason: .taken)))
            let taken = try await b.post("/anmalan/day-1/grupp", form: filled)
            #expect(taken.status == .badRequest && taken.text.contains("id=\"email_3-error\">Den här e-postadressen är redan anmäld"))

            fake.answer(RegistrationCreate.self, .init(eventId: "day-1", bookingId: "bk-1", participants: [
                .init(participantId: "p1", status: .confirmed), .init(participantId: "p2", status: .waiting, waitingPosition: 1)]))
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
        fake.answer(RegistrationGet.self, PlaceWithDay(participant: Self.participant("p1", "Anna Andersson", .confirmed), day: Self.typedDay))
        fake.setReply(RegistrationCancel.type, .failure(HubError(.conflict, "used", field: "body.token")))
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
            fake.setReply(RegistrationGet.type, .failure(HubError(.notFound, "The link is not valid.", field: "body.token")))
            #expect(try await b.get("/r/\(token)").status == .notFound)
        }
    }

    @Test func theBookingPageAndTheCalendarFileShowTheDayAsItsContractWritesIt() async throws {
        let fake = bus()
        fake.answer(RegistrationGet.self, PlaceWithDay(participant: Self.participant("p1", "Anna Andersson", .confirmed), day: Self.typedDay))
        fake.answer(BookingGet.self, BookingWithDay(bookingId: "b1", invoiceReference: "REF-1",
                                                    participants: [Self.participant("p1", "Anna Andersson", .confirmed),
                                                                   Self.participant("p2", "Bo Berg", .waiting, waitingPosition: 2)], day: Self.typedDay))
        let h = try await Harness.make(bus: fake)
        try await h.test { client in
            var b = Browser(client: client)
            let token = String(repeating: "a", count: 43)
            let booking = try await b.get("/b/\(token)")
            #expect(booking.status == .ok && booking.text.contains("Nätverksdag våren") && booking.text.contains("REF-1"))
            #expect(booking.text.contains("Väntelista (2)") && booking.text.contains("Plats bekräftad"))
            let ics = try await b.get("/r/\(token)/kalender.ics")
            #expect(ics.headers[.contentDisposition] == "attachment; filename=\"natverkstraff-2031-05-12.ics\"")
            #expect(ics.text.contains("UID:day-1@networks.utvag-hub") && ics.text.contains("DESCRIPTION:Barn som upplever våld"))
            #expect(ics.text.contains("LOCATION:Knistad Herrgård") && ics.text.contains("DTSTART;TZID=Europe/Stockholm:20310512T090000"))
            #expect(ics.text.replacingOccurrences(of: "\r\n ", with: "").contains("RSVP=TRUE:mailto:p1@polisen.se") && ics.text.components(separatedBy: "BEGIN:VEVENT").count == 2)
        }
    }
}
