import HubProtocol
import NetworksAPI
import RegistrationAPI
import Testing
import TrainingAPI

/// A network day and a training share one `EventRegistration` part, and their JSON stays flat:
/// the part's members stand beside the event's own, as they did before it was shared. (Here
/// because this test target sees both contracts.)
@Suite("Registration part: the flat wire shape of network days and trainings")
struct EventRegistrationShapeTests {
    static let day = Day(id: "d1", centreId: "c1", title: "KP-dag", theme: "Barn", date: "2031-05-06", startTime: "09:00", endTime: "12:00",
                         venue: "Knistad", organisers: ["Utväg"], programme: [ProgrammeItem(start: "09:00", title: "Välkommen")], capacity: 30,
                         feeSEK: 500, deadline: "2031-05-01", contactEmail: "kp@example.se", sequence: 2, invitationsSentAt: "2031-04-01T08:00:00Z",
                         registrationUrl: "https://example.se/anmalan/d1", taken: 12, seatsLeft: 18, waiting: 3, registrationOpen: true,
                         deadlinePassed: false, purged: false)

    static let training = TrainingEvent(
        id: "t1", centreId: "c1", kind: .training, title: "Samtal om våld", audience: "Socialtjänst", description: "Två dagar",
        trainers: [Trainer(name: "Eva", external: true)], sessions: [Session(id: "s1", number: 1, date: "2031-06-02", startTime: "09:00",
        endTime: "16:00", venue: "Borås", startsAt: "2031-06-02T07:00:00Z", endsAt: "2031-06-02T14:00:00Z")], firstDate: "2031-06-02",
        lastDate: "2031-06-02", capacity: 20, feeSEK: 0, deadline: "2031-05-20", waitingList: false, contactEmail: nil, sequence: 1,
        invitationsSentAt: nil, registrationUrl: nil, taken: 20, seatsLeft: 0, waiting: 0, registrationOpen: false, ended: false, purged: true)

    /// The JSON text the day was written as before the part was shared, keys sorted.
    static let dayJSON = #"""
        {"capacity":30,"centreId":"c1","contactEmail":"kp@example.se","date":"2031-05-06","deadline":"2031-05-01","deadlinePassed":false,
         "endTime":"12:00","feeSEK":500,"id":"d1","invitationsSentAt":"2031-04-01T08:00:00Z","organisers":["Utväg"],
         "programme":[{"end":null,"speaker":null,"start":"09:00","title":"Välkommen"}],"purged":false,"registrationOpen":true,
         "registrationUrl":"https://example.se/anmalan/d1","seatsLeft":18,"sequence":2,"startTime":"09:00","status":"open","taken":12,
         "theme":"Barn","title":"KP-dag","venue":"Knistad","waiting":3}
        """#

    /// The same for the training.
    static let trainingJSON = #"""
        {"audience":"Socialtjänst","capacity":20,"centreId":"c1","contactEmail":null,"deadline":"2031-05-20","description":"Två dagar",
         "ended":false,"feeSEK":0,"firstDate":"2031-06-02","focus":null,"id":"t1","invitationsSentAt":null,"kind":"training",
         "lastDate":"2031-06-02","purged":true,"registrationOpen":false,"registrationUrl":null,"seatsLeft":0,"sequence":1,
         "sessions":[{"date":"2031-06-02","endTime":"16:00","endsAt":"2031-06-02T14:00:00Z","id":"s1","number":1,"startTime":"09:00",
         "startsAt":"2031-06-02T07:00:00Z","venue":"Borås"}],"status":"open","taken":20,"title":"Samtal om våld",
         "trainers":[{"external":true,"name":"Eva","organisation":null}],"waiting":0,"waitingList":false}
        """#

    @Test func bothEventsWriteTheRegistrationFlatAndByteForByteAsBefore() throws {
        try expectFlat(Self.day, json: Self.dayJSON, own: Day.CodingKeys.allCases.map(\.rawValue))
        try expectFlat(Self.training, json: Self.trainingJSON, own: TrainingEvent.CodingKeys.allCases.map(\.rawValue))
        // The part's members read as the event's own.
        #expect(Self.day.seatsLeft == 18 && Self.day.taken == 12 && Self.training.purged && Self.training.contactEmail == nil)
    }

    /// `event` encodes to exactly `json` (no `registration` or `view` member), decodes back to
    /// itself, and the link and public views leave out what they always did.
    func expectFlat<Event: ViewedEvent>(_ event: Event, json: String, own: [String]) throws {
        let expected = try JSONValue.parse(Array(json.utf8))
        let encoded = try JSONValue.encode(event)
        #expect(encoded.serialized() == expected.serialized())
        let keys = Set(encoded.objectValue?.keys.map { $0 } ?? [])
        #expect(keys == Set(own).union(EventRegistration.CodingKeys.allCases.map(\.rawValue)))
        #expect(keys.isDisjoint(with: ["registration", "view"]))
        #expect(try encoded.decode(Event.self) == event)
        let link = try JSONValue.encode(event.viewed(as: .link)).objectValue ?? [:]
        #expect(Set(link.keys) == keys.subtracting(["contactEmail"]))
        let shown = try JSONValue.encode(event.viewed(as: .public)).objectValue ?? [:]
        #expect(Set(shown.keys) == keys.subtracting(["contactEmail", "taken"]))
        #expect(try JSONValue.encode(try JSONValue.object(shown).decode(Event.self).viewed(as: .public)) == .object(shown))
    }
}
