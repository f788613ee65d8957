import Foundation
import HubProtocol
import Hummingbird
import HummingbirdTesting
import Testing
import TrainingAPI
@testable import HubGateway
@testable import HubWeb
@testable import MeetingsWeb
@testable import NetworksWeb
@testable import ReferralsWeb
@testable import TrainingWeb

/// The training pages and API against a fake bus: what they send and how they answer.
@Suite("Gateway: training registration, organiser pages, API")
struct TrainingRoutesTests {
    /// The training the fake service answers with (its contract type, as the service writes it).
    static let training = EventPublic.Reply(
        event: TrainingEvent(id: "tr-1", centreId: "sodra-alvsborg", kind: .training, title: "Barn som upplevt våld", focus: "Samtal med barn",
                             audience: "Socialsekreterare", trainers: [Trainer(name: "Utbildare Ett", external: false)],
                             sessions: [Session(id: "s1", number: 1, date: "2031-05-12", startTime: "09:00", endTime: "16:00", venue: "Borås",
                                                startsAt: "2031-05-12T07:00:00Z", endsAt: "2031-05-12T14:00:00Z"),
                                        Session(id: "s2", number: 2, date: "2031-05-19", startTime: "09:00", endTime: "12:00", venue: "Borås",
                                                startsAt: "2031-05-19T07:00:00Z", endsAt: "2031-05-19T10:00:00Z")],
                             firstDate: "2031-05-12", lastDate: "2031-05-19", capacity: 20, deadline: "2031-05-01", taken: 17, seatsLeft: 3),
        centreName: "Utväg Södra Älvsborg", agencies: [AgencyChoice(id: "social-services", name: "Socialtjänsten")], municipalities: ["Borås"])

    func bus() -> FakeBus {
        let bus = FakeBus()
        bus.answer(EventPublic.self, Self.training)
        bus.answer(RegistrationCreate.self, .init(eventId: "tr-1", bookingId: "b1", participants: [.init(participantId: "p1", status: .confirmed)]))
        bus.answer(ReferenceGet.self, .init(centres: [.init(id: "sodra-alvsborg", name: "Utväg Södra Älvsborg", municipalities: ["Borås", "Lerum"])],
                                            agencies: [.init(id: "police", name: "Polisen")], kinds: [.training, .conference]))
        bus.answer(SupervisionCoverage.self, .init(centreId: "sodra-alvsborg", centreName: "Utväg Södra Älvsborg",
                                                   municipalities: [.init(municipality: "Borås", status: .notContacted), .init(municipality: "Lerum", status: .completed)],
                                                   counts: ["not_contacted": 1, "completed": 1]))
        bus.answer(SupervisionList.self, .init(assignments: []))
        return bus
    }

    func sent(_ bus: FakeBus, _ type: String) -> [JSONValue] { bus.state.withLock { $0.requests.filter { $0.type == type }.map(\.body) } }

    @Test func publicPageShowsBothSessionsAndRegistersWithAFreshLink() async throws {
        let fake = bus()
        let h = try await Harness.make(bus: fake)
        try await h.test { client in
            var b = Browser(client: client)
            let page = try await b.get("/utbildning/anmalan/tr-1")
            #expect(page.status == .ok)
            #expect(page.text.contains("2031-05-12 09:00–16:00") && page.text.contains("2031-05-19 09:00–12:00"))
            #expect(page.text.contains("action=\"/utbildning/anmalan/tr-1\"") && page.text.contains("Socialsekreterare"))
            let en = try await b.get("/utbildning/anmalan/tr-1?lang=en")
            #expect(en.text.contains("every session"))
            let csrf = try #require(Browser.csrfField(page.text))
            let missing = try await b.post("/utbildning/anmalan/tr-1", form: ["csrf": csrf])
            #expect(missing.status == .badRequest && missing.text.contains("id=\"name-error\""))
            let r = try await b.post("/utbildning/anmalan/tr-1", form: ["csrf": csrf, "name": "Anna", "email": "anna@boras.se", "agency": "social-services"])
            #expect(r.status == .created)
            let body = try #require(sent(fake, "training.registrations.create").first)
            #expect(body["eventId"]?.stringValue == "tr-1")
            let token = try #require(body["cancelToken"]?.stringValue)
            #expect(r.text.contains("/tr/\(token)"))
        }
    }

    @Test func aFullTrainingIsExplainedOnThePage() async throws {
        let fake = bus()
        fake.setReply(RegistrationCreate.type, .failure(HubError(.conflict, "The training is full.", field: "body.eventId")))
        let h = try await Harness.make(bus: fake)
        try await h.test { client in
            var b = Browser(client: client)
            let csrf = try #require(Browser.csrfField(try await b.get("/utbildning/anmalan/tr-1").text))
            let r = try await b.post("/utbildning/anmalan/tr-1", form: ["csrf": csrf, "name": "Anna", "email": "anna@boras.se", "agency": "social-services"])
            #expect(r.status == .conflict && r.text.contains("fullbokad"))
        }
    }

    @Test func organiserPagesNeedStaffAndShowCoverage() async throws {
        let h = try await Harness.make(bus: bus())
        try await h.test { client in
            var b = Browser(client: client)
            let anonymous = try await b.get("/utbildning/handledning/sodra-alvsborg")
            #expect(anonymous.status != .ok)
            _ = try await b.login()
            let page = try await b.get("/utbildning/handledning/sodra-alvsborg")
            #expect(page.status == .ok)
            #expect(page.text.contains("Ej kontaktad") && page.text.contains("Avslutad") && page.text.contains("<label for=\"unit\">"))
            let form = try await b.get("/utbildning/tillfallen/ny")
            #expect(form.status == .ok && form.text.contains("id=\"s2_date\"") && form.text.contains("<label for=\"s2_date\">"))
        }
    }

    @Test func theEventPageReadsAttendanceParticipantsAndEvaluationThroughTheContract() async throws {
        let fake = bus()
        var event = Self.training.event.viewed(as: .organiser)
        event.taken = 17  // the public view the fake answers with has no seats taken
        let anna = Participant(id: "p1", eventId: "tr-1", bookingId: "b1", name: "Anna Andersson", agency: "police", email: "anna@polisen.se",
                               status: .confirmed, sequence: 1, registeredAt: "2031-04-01T08:00:00Z")
        let bo = Participant(id: "p2", eventId: "tr-1", bookingId: "b2", name: "Bo Berg", agency: "police", email: "bo@polisen.se",
                             status: .waiting, sequence: 2, waitingPosition: 1, registeredAt: "2031-04-02T08:00:00Z")
        fake.answer(AttendanceGet.self, .init(event: event, sessions: event.sessions, participants: [
            .init(participantId: "p1", name: "Anna Andersson", agency: "police", sessions: [true, false], allSessions: false)]))
        fake.answer(RegistrationList.self, .init(event: event, participants: [anna, bo]))
        fake.answer(EvaluationSummary.self, .init(eventId: "tr-1", responses: 2, questions: [.init(question: "overall", answers: 2, average: 4.5,
                                                                                                      distribution: [0, 0, 0, 1, 1])],
                                                  comments: ["Mycket givande"]))
        let h = try await Harness.make(bus: fake)
        try await h.test { client in
            var b = Browser(client: client)
            _ = try await b.login()
            let page = try await b.get("/utbildning/tillfallen/tr-1")
            #expect(page.status == .ok)
            #expect(page.text.contains("<h1 id=\"event-heading\">Barn som upplevt våld</h1>") && page.text.contains("Utbildning · Socialsekreterare"))
            #expect(page.text.contains("Väntelista (1)") && page.text.contains("Plats bekräftad"), "statuses named by the vocabulary")
            #expect(page.text.contains("<dd>4.5</dd>") && page.text.contains("<li>Mycket givande</li>"))
            #expect(page.text.contains("17"), "seats taken from the typed event")
        }
    }

    @Test func theYearInReviewPageAndAPIReadTheContractType() async throws {
        let fake = bus()
        let review = YearReviewGet.Reply(
            centreId: "sodra-alvsborg", centreName: "Utväg Södra Älvsborg", year: 2031,
            trainings: [.init(id: "tr-1", kind: .conference, title: "Barn som upplevt våld", audience: "Socialsekreterare",
                              dates: ["2031-05-12", "2031-05-19"], registered: 17, attendedAll: 12, attendedAny: 15, trainers: ["Utbildare Ett"])],
            networkDays: [.init(id: "d1", title: "KP-nätverksträff", theme: "Barn som upplever våld", date: "2031-05-12", venue: "Knistad",
                                registered: nil)],
            networkDaysAvailable: true, lectures: [], supervision: [], markdown: "# Året 2031\n", html: "<!DOCTYPE html><p>Året</p>",
            statisticsAvailable: false, reportMarkdown: "", reportCSV: "")
        fake.answer(YearReviewGet.self, review)
        let h = try await Harness.make(bus: fake)
        try await h.test { client in
            var b = Browser(client: client)
            _ = try await b.login()
            let page = try await b.get("/utbildning/arsoversikt/sodra-alvsborg?year=2031")
            #expect(page.status == .ok)
            #expect(page.text.contains("<li>2031-05-12, 2031-05-19: Konferens ”Barn som upplevt våld”, Socialsekreterare – 17 / 12</li>"))
            #expect(page.text.contains("<li>2031-05-12: KP-nätverksträff – Barn som upplever våld, Knistad</li>"))
            #expect(page.text.contains("href=\"?year=2031&amp;format=markdown\""))
            let markdown = try await b.get("/utbildning/arsoversikt/sodra-alvsborg?year=2031&format=markdown")
            #expect(markdown.text == "# Året 2031\n")
            let token = try await client.token()
            let api = try await client.json("/api/v1/year-in-review/sodra-alvsborg?year=2031", token: token)
            let expected = try JSONValue.encode(review)
            #expect(api.status == .ok && api.json == expected)
            #expect(try await client.json("/api/v1/year-in-review/sodra-alvsborg?year=2031&format=html", token: token).text == "<!DOCTYPE html><p>Året</p>")
            #expect(sent(fake, YearReviewGet.type).allSatisfy { $0["centreId"] == "sodra-alvsborg" && $0["year"] == 2031 })
        }
    }

    @Test func lecturesParticipantFileAndInvoiceAreReadThroughTheContract() async throws {
        let fake = bus()
        fake.answer(LectureList.self, .init(lectures: [Lecture(id: "l1", centreId: "sodra-alvsborg", date: "2031-03-03", partner: "police",
                                                               partnerName: "Polisen", topic: "Våld i nära relationer", audienceSize: 30)]))
        fake.answer(RegistrationExport.self, .init(filename: "deltagare-utbildning-2031-05-12.csv", csv: "\u{FEFF}Status;Namn\r\n"))
        var day = Self.training.event.viewed(as: .organiser)
        day.feeSEK = 500
        fake.answer(RegistrationInvoice.self, .init(day: day, feeSEK: 500, lines: [InvoiceRow(agency: "police", agencyName: "Polisen",
                                                                                              invoiceReference: "REF-1", people: 2, feeSEK: 500,
                                                                                              amountSEK: 1000)], totalSEK: 1000, people: 2))
        let h = try await Harness.make(bus: fake)
        try await h.test { client in
            var b = Browser(client: client)
            _ = try await b.login()
            let lectures = try await b.get("/utbildning/forelasningar/sodra-alvsborg")
            #expect(lectures.status == .ok && lectures.text.contains("<th scope=\"row\">Våld i nära relationer</th><td>Polisen</td><td></td><td></td><td>30</td>"))
            let file = try await b.get("/utbildning/tillfallen/tr-1/deltagare.csv")
            #expect(file.text == "\u{FEFF}Status;Namn\r\n" && file.headers[.contentDisposition]?.contains("deltagare-utbildning-2031-05-12.csv") == true)
            let invoice = try await b.get("/utbildning/tillfallen/tr-1/fakturaunderlag")
            #expect(invoice.status == .ok && invoice.text.contains("Barn som upplevt våld") && invoice.text.contains("<td id=\"invoice-total\">1000</td>"))
            #expect(sent(fake, RegistrationInvoice.type).first?["eventId"] == "tr-1" && sent(fake, LectureList.type).first?["centreId"] == "sodra-alvsborg")
        }
    }

    @Test func openAPINamesTheTrainingRoutes() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            let doc = try await client.execute(uri: "/openapi.yaml", method: .get).text
            for path in ["/api/v1/trainings:", "/api/v1/trainings/{eventId}/registrations:", "/api/v1/training-sessions/{sessionId}/attendance:",
                         "/api/v1/supervision-coverage/{centreId}:", "/api/v1/year-in-review/{centreId}:"] {
                #expect(doc.contains("\n  " + path + "\n"), "\(path)")
            }
            #expect(doc.contains("\n    TrainingInput: "))
        }
    }

    @Test func trainingStringsHaveTheSameKeysInBothLanguages() {
        #expect(Set(TrainingStrings.swedish.keys) == Set(TrainingStrings.english.keys))
        #expect(Set(TrainingStrings.swedish.keys).isDisjoint(with: NetworkStrings.swedish.keys))
        #expect(Set(TrainingStrings.swedish.keys).isDisjoint(with: Strings.swedish.keys))
    }
}

extension TrainingRoutesTests {
    @Test func serviceRefusalsAreShownInTheLanguageOfThePage() {
        _ = GatewayServer.modules  // installs the modules' strings
        let overlap = HubError(.validation, "The session overlaps session 1.", field: "body.sessions[1].startTime", reason: .overlap)
        #expect(TrainingRoutes.formMessage(overlap, lang: .sv) == "Tillfället överlappar ett annat tillfälle.")
        #expect(TrainingRoutes.formMessage(overlap, lang: .en) == "The session overlaps another session.")
        let order = HubError(.conflict, "The parts come in order: information/training, needs dialogue, on-site supervision. The part before is not done.", field: "body.part", reason: .outOfOrder)
        #expect(TrainingRoutes.formMessage(order, lang: .sv).hasPrefix("Delarna görs i ordning"))
        // Chosen by the reason, never by the English wording: a reworded message changes nothing.
        let reworded = HubError(.validation, "Sessions 1 and 2 clash.", field: "body.sessions[1].startTime", reason: .overlap)
        #expect(TrainingRoutes.formMessage(reworded, lang: .sv) == "Tillfället överlappar ett annat tillfälle.")
        let unexplained = HubError(.validation, "The session overlaps session 1.", field: "body.sessions[1].startTime")
        #expect(TrainingRoutes.formMessage(unexplained, lang: .sv) == "Kontrollera fältet.")
    }

    @Test func everyReasonThePagesTranslateHasATextInBothLanguages() {
        _ = GatewayServer.modules  // installs the modules' strings
        for (reason, key) in Language.reasonKeys {
            #expect(Language.sv.strings[key] != nil && Language.en.strings[key] != nil, "\(reason) → \(key)")
            #expect(Language.sv.fieldError(reason) != Language.en.fieldError(reason), "\(reason) is not translated")
        }
    }

    @Test func thePersonalLinkAndItsCalendarFileHaveEverySession() async throws {
        let fake = bus()
        let participant = Participant(id: "p1", eventId: "tr-1", bookingId: "b1", name: "Anna", agency: "police", email: "anna@boras.se",
                                      status: .waiting, sequence: 1, waitingPosition: 3, registeredAt: "2031-04-01T08:00:00Z")
        fake.answer(RegistrationGet.self, .init(participant: participant, event: Self.training.event))
        let h = try await Harness.make(bus: fake)
        try await h.test { client in
            var b = Browser(client: client)
            let token = String(repeating: "a", count: 43)
            let page = try await b.get("/tr/\(token)")
            #expect(page.status == .ok && page.text.contains("Barn som upplevt våld") && page.text.contains("2031-05-19 09:00–12:00, Borås"))
            #expect(page.text.contains("action=\"/tr/\(token)/avboka\"") && page.text.contains("Väntelista"))
            #expect(page.text.contains("Utbildare Ett"), "the trainers, as the form shows them")
            let ics = try await b.get("/tr/\(token)/kalender.ics")
            #expect(ics.headers[.contentDisposition] == "attachment; filename=\"utbildning.ics\"")
            #expect(ics.text.contains("UID:tr-1-1@training.utvag-hub") && ics.text.contains("UID:tr-1-2@training.utvag-hub"))
            #expect(ics.text.contains("SUMMARY:Barn som upplevt våld (2/2)") && !ics.text.contains("DESCRIPTION:"))
        }
    }
}
