import Foundation
import HubBus
import HubProtocol
import HubRegistration
import HubStorage
@_exported import HubTestSupport
import Logging
import NetworksAPI
import ReferralsAPI
import Synchronization
import Testing
import TrainingService

/// A clock tests move forward (to the day of a session, after the training).
/// Answers `networks.days.list` as the networks service would, and `referrals.statistics`
/// (format report) as the referrals service would (year in review).
struct FakeNetworks: BusRequester {
    func request(_ type: String, body: JSONValue, id: String, timeout: Duration) async throws(HubError) -> JSONValue {
        // The referrals service's answer, through its contract.
        if type == ReferralStatistics.type {
            let asked = try ReferralStatistics.decode(body)
            guard asked.format == "report", let centre = asked.centre, let year = asked.year else {
                throw HubError(.validation, "Not asked as the year in review asks.")
            }
            return try JSONValue.encode(ReferralStatistics.Reply.report(.init(
                centre: centre, centreName: "Utväg Södra Älvsborg", year: year, imported: .init(year: false, previous: false),
                markdown: "### Unika klienter per målgrupp\n\n| Målgrupp | 2031 | 2030 | Skillnad |\n",
                csv: "\u{FEFF}Tabell;Rad;2031;2030;Skillnad\r\nUnika klienter per målgrupp;Summa;12;10;2\r\n")))
        }
        // The networks service's answers, through its contract.
        if type == ContactList.type {
            let centre = try ContactList.decode(body).centreId
            return try JSONValue.encode(ContactList.Reply(contacts: [
                Contact(id: "c1", centreId: centre, name: "Kontakt Polis", agency: "police", email: "kontakt@polisen.example", activeFrom: "2030-01-01"),
                Contact(id: "c2", centreId: centre, name: "Kontakt Soc", agency: "social-services", municipality: "Borås",
                        email: "kontakt@boras.example", activeFrom: "2030-01-01"),
            ]))
        }
        guard type == DayList.type else { throw HubError(.unknownType, "Not in this fake.") }
        let centre = try DayList.decode(body).centreId ?? "sodra-alvsborg"
        return try JSONValue.encode(DayList.Reply(days: [
            Day(id: "d1", centreId: centre, title: "KP-nätverksträff", theme: "Barn som upplever våld", date: "2031-05-12", startTime: "09:00",
                endTime: "15:30", venue: "Knistad Herrgård", capacity: 60, deadline: "2031-05-01", taken: 41, seatsLeft: 19),
            Day(id: "d2", centreId: centre, title: "Inställd träff", theme: "Tema", date: "2031-09-12", startTime: "09:00", endTime: "12:00",
                venue: "Borås", capacity: 30, deadline: "2031-09-01", status: .cancelled, seatsLeft: 30),
        ]))
    }
    func brokerStatus(timeout: Duration) async throws(HubError) -> BrokerStatus { throw HubError(.timeout, "No broker in tests.") }
}

/// The training service's dispatcher on a fresh database, called without sockets.
struct TrainingFixture: DispatcherHarness {
    /// An administrator: most tests are about the work, not who may do it (see the access tests).
    static let defaultActor: JSONValue? = TestActors.admin
    let dispatcher: Dispatcher
    let database: any HubDatabase
    let scratch: ScratchDatabase
    var backend: Backend { scratch.backend }
    let clock: TestClock

    static let configDir = TestPaths.configDir

    static func make(_ backend: Backend = .sqlite, bus: (any BusRequester)? = nil) async throws -> TrainingFixture {
        let logger = TestLogging.quiet("training.tests")
        let scratch = ScratchDatabase(backend, name: "training")
        let db = try await scratch.open(logger: logger)
        let clock = TestClock()
        let d = Dispatcher(definition: TrainingService.definition(bus: bus, now: { clock.now }), database: db, configDir: configDir, logger: logger)
        try await d.prepare()
        return TrainingFixture(dispatcher: d, database: db, scratch: scratch, clock: clock)
    }

    func close() async {
        await database.close()
        await scratch.remove()
    }

    @discardableResult
    func send(_ type: String, _ body: JSONValue) async -> (reply: Envelope, events: [(String, JSONValue)]) {
        await call(type, body)
    }

    /// Row counts of every table a refused request must leave alone.
    func snapshot() async throws -> [Int] {
        var out: [Int] = []
        for table in ["training_events", "training_sessions", "training_attendance", "training_certificates", "training_evaluation_tokens",
                      "training_evaluation_comments", "supervision_assignments", "supervision_sessions", "training_lectures",
                      "registration_events", "registration_participants", "registration_bookings"] {
            out.append(try await database.query("SELECT COUNT(*) AS n FROM \(table)", [])[0].int("n"))
        }
        out.append(try await database.query("SELECT COALESCE(SUM(taken), 0) AS n FROM registration_events", [])[0].int("n"))
        return out
    }

    /// Sends a request that must be refused with `code` naming `field`, and checks nothing was stored.
    func refused(_ type: String, _ body: JSONValue, code: HubError.Code, field: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let before = try await snapshot()
        let (reply, events) = await send(type, body)
        #expect(reply.error?.code == code, "\(type): \(String(describing: reply.error))", sourceLocation: sourceLocation)
        #expect(reply.error?.field == field, "\(type): \(String(describing: reply.error))", sourceLocation: sourceLocation)
        #expect(events.isEmpty, sourceLocation: sourceLocation)
        #expect(try await snapshot() == before, "nothing stored", sourceLocation: sourceLocation)
    }

    static func date(daysFromNow days: Int) -> String {
        String(RegistrationEngine.iso(Date().addingTimeInterval(Double(days) * 86_400)).prefix(10))
    }

    /// "Barn som upplevt våld": two dates, 10 and 17 days ahead, registration until 5 days ahead.
    static func twoDateTraining(capacity: Int = 20, waitingList: Bool = true, extra: [String: JSONValue] = [:]) -> JSONValue {
        var o: [String: JSONValue] = [
            "centreId": "sodra-alvsborg", "kind": "training", "title": "Barn som upplevt våld",
            "focus": "Att uppmärksamma och samtala med barn", "audience": "Socialsekreterare",
            "trainers": [["name": "Utbildare Ett", "external": false], ["name": "Extern Föreläsare", "external": true, "organisation": "Högskolan i Borås"]],
            "sessions": [
                ["date": .string(date(daysFromNow: 10)), "startTime": "09:00", "endTime": "16:00", "venue": "Utvägs lokaler Borås"],
                ["date": .string(date(daysFromNow: 17)), "startTime": "09:00", "endTime": "12:00", "venue": "Utvägs lokaler Borås"],
            ],
            "capacity": .number(Double(capacity)), "deadline": .string(date(daysFromNow: 5)), "waitingList": .bool(waitingList),
        ]
        for (k, v) in extra { o[k] = v }
        return .object(o)
    }

    static func person(_ n: Int, eventId: String) -> JSONValue {
        ["eventId": .string(eventId), "name": .string("Kursdeltagare \(n)"), "agency": "social-services", "municipality": "Borås",
         "email": .string("kurs\(n)@example.se"), "cancelToken": .string(RegistrationEngine.makeToken())]
    }

    func createTraining(capacity: Int = 20, waitingList: Bool = true) async throws -> JSONValue {
        try await ok("training.events.create", Self.twoDateTraining(capacity: capacity, waitingList: waitingList))
    }

    func register(_ n: Int, _ eventId: String) async throws -> String {
        try await ok("training.registrations.create", Self.person(n, eventId: eventId))["participants"]?[index: 0]?["participantId"]?.stringValue ?? ""
    }
}

extension JSONValue {
    subscript(index index: Int) -> JSONValue? {
        guard let a = arrayValue, a.indices.contains(index) else { return nil }
        return a[index]
    }
}
