import Foundation
import HubBus
import HubProtocol
import HubRegistration
import HubStorage
@_exported import HubTestSupport
import Logging
import NetworksService
import Testing

/// The networks service's dispatcher on a fresh database, called without sockets.
struct NetworksFixture: DispatcherHarness {
    /// An administrator: most tests are about the work, not who may do it (see the access tests).
    static let defaultActor: JSONValue? = TestActors.admin
    let dispatcher: Dispatcher
    let database: any HubDatabase
    let scratch: ScratchDatabase
    var backend: Backend { scratch.backend }

    static let configDir = TestPaths.configDir

    static func make(_ backend: Backend = .sqlite) async throws -> NetworksFixture {
        let logger = TestLogging.quiet("networks.tests")
        let scratch = ScratchDatabase(backend, name: "networks")
        let db = try await scratch.open(logger: logger)
        let d = Dispatcher(definition: NetworksService.definition(), database: db, configDir: configDir, logger: logger)
        try await d.prepare()
        return NetworksFixture(dispatcher: d, database: db, scratch: scratch)
    }

    func close() async {
        await database.close()
        await scratch.remove()
    }

    /// Sends one message as the gateway; returns the reply and the events it published.
    @discardableResult
    func send(_ type: String, _ body: JSONValue, id: String = MessageID.make()) async -> (reply: Envelope, events: [(String, JSONValue)]) {
        let (reply, events) = await call(type, body, id: id)
        return (reply, events)
    }

    func count(_ sql: String, _ binds: [DatabaseValue] = []) async throws -> Int {
        try await database.query(sql, binds)[0].int("n")
    }

    /// A network day at the first centre, four weeks ahead, registration open for three weeks.
    func createDay(capacity: Int = 30, feeSEK: Int = 0, deadline: String? = nil, date: String? = nil) async throws -> String {
        try await ok("networks.days.create", Self.day(capacity: capacity, feeSEK: feeSEK, deadline: deadline, date: date))["id"]?.stringValue ?? ""
    }

    /// The body of `networks.days.create` for the day `createDay` makes.
    static func day(capacity: Int = 30, feeSEK: Int = 0, deadline: String? = nil, date: String? = nil) -> JSONValue {
        let day = date ?? Self.dateString(daysFromNow: 28)
        return [
            "centreId": "sodra-alvsborg", "title": "Kontaktpersonsnätverksdag", "theme": "Barn som upplever våld",
            "date": .string(day), "startTime": "09:00", "endTime": "15:30", "venue": "Knistad Herrgård",
            "organisers": ["Utväg Södra Älvsborg", "Borås stad"],
            "programme": [["start": "09:00", "end": "10:00", "title": "Välkomna", "speaker": "Verksamhetschefen"]],
            "capacity": .number(Double(capacity)), "feeSEK": .number(Double(feeSEK)),
            "deadline": .string(deadline ?? Self.dateString(daysFromNow: 21)),
        ]
    }

    static func dateString(daysFromNow days: Int) -> String {
        String(RegistrationEngine.iso(Date().addingTimeInterval(Double(days) * 86_400)).prefix(10))
    }

    static func person(_ n: Int, dayId: String, email: String? = nil, extra: [String: JSONValue] = [:]) -> JSONValue {
        var o: [String: JSONValue] = [
            "dayId": .string(dayId), "name": .string("Deltagare \(n)"), "agency": "social-services", "municipality": "Borås",
            "email": .string(email ?? "deltagare\(n)@example.se"), "dietary": "Vegetarisk",
            "cancelToken": .string(RegistrationEngine.makeToken()),
        ]
        for (k, v) in extra { o[k] = v }
        return .object(o)
    }
}

extension JSONValue {
    /// The element at `index` of an array value (tests only).
    subscript(index: Int) -> JSONValue? {
        guard case .array(let a) = self, a.indices.contains(index) else { return nil }
        return a[index]
    }
}
