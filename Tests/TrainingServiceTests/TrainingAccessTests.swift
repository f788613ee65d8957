import Foundation
import HubBus
import HubProtocol
import HubRegistration
import Testing

/// Training decides who may do what itself (docs/authorisation.md): staff of another
/// centre, a board member, an agency user and a visitor are refused every organiser
/// operation on a centre's trainings, registrations, attendance, certificates, lectures,
/// supervision and year in review, on the bus, whatever the gateway let through.
@Suite("Training: access is decided inside the service")
struct TrainingAccessTests {
    static let owner = "sodra-alvsborg"

    struct Seed { var event, session, participant, certificate, assignment: String }

    func seeded(_ f: TrainingFixture) async throws -> Seed {
        let e = try await f.createTraining()
        let event = e["id"]?.stringValue ?? ""
        let session = e["sessions"]?[index: 0]?["id"]?.stringValue ?? ""
        let participant = try await f.register(1, event)
        // A certificate row as issuing would leave it (issuing itself needs the training to be over).
        try await f.database.execute("INSERT INTO training_certificates (id, event_id, participant_id, number, issued_at) VALUES (?, ?, ?, ?, ?)",
                                     [.text("cert-1"), .text(event), .text(participant), .text("SA-1"), .text("2031-01-01T00:00:00.000Z")])
        let a = try await f.ok("training.supervision.create", ["centreId": .string(Self.owner), "municipality": "Mark", "agency": "social-services",
                                                               "unit": "Vuxenenheten"])
        return Seed(event: event, session: session, participant: participant, certificate: "cert-1", assignment: a["id"]?.stringValue ?? "")
    }

    func operations(_ s: Seed) -> [(String, JSONValue)] {
        let c = JSONValue.string(Self.owner), e = JSONValue.string(s.event), a = JSONValue.string(s.assignment)
        return [
            ("training.events.create", TrainingFixture.twoDateTraining()),
            ("training.events.cancel", ["eventId": e]),
            ("training.events.invite", ["eventId": e, "registrationUrl": "https://hub.example/utbildning/anmalan/x"]),
            ("training.registrations.list", ["eventId": e]),
            ("training.attendance.get", ["eventId": e]),
            ("training.attendance.mark", ["sessionId": .string(s.session), "marks": [["participantId": .string(s.participant)]]]),
            ("training.certificates.issue", ["eventId": e]),
            ("training.certificates.get", ["certificateId": .string(s.certificate)]),
            ("training.evaluations.summary", ["eventId": e]),
            ("training.mail.outbox", ["eventId": e]),
            ("training.lectures.create", ["centreId": c, "date": "2031-03-03", "partner": "police", "topic": "Våld", "audienceSize": 30]),
            ("training.lectures.list", ["centreId": c]),
            ("training.supervision.create", ["centreId": c, "municipality": "Lerum", "agency": "social-services", "unit": "IFO"]),
            ("training.supervision.part", ["assignmentId": a, "part": "information", "status": "done", "date": "2031-02-01"]),
            ("training.supervision.session", ["assignmentId": a, "part": "information", "date": "2031-02-01"]),
            ("training.supervision.get", ["assignmentId": a]),
            ("training.supervision.list", ["centreId": c]),
            ("training.supervision.coverage", ["centreId": c]),
            ("training.year.review", ["centreId": c, "year": 2031]),
            ("training.mail.flush", [:]),
        ]
    }

    @Test func outsidersAreRefusedEveryOrganiserOperationAndNothingChanges() async throws {
        let f = try await TrainingFixture.make()
        defer { Task { await f.close() } }
        let s = try await seeded(f)
        let before = try await f.snapshot()
        let refused = await f.expectRefused(operations(s), toOutsidersOf: Self.owner, naming: ["Kursdeltagare", "kurs1@"])
        #expect(refused == 4 * operations(s).count)
        #expect(try await f.snapshot() == before, "a refused request changes nothing")
    }

    @Test func theCentresOwnStaffMayReadItsParticipantsAndSupervision() async throws {
        let f = try await TrainingFixture.make()
        defer { Task { await f.close() } }
        let s = try await seeded(f)
        let staff = TestActors.staff(Self.owner)
        #expect(try await f.ok("training.registrations.list", ["eventId": .string(s.event)], as: staff)["participants"]?.arrayValue?.count == 1)
        _ = try await f.ok("training.certificates.get", ["certificateId": .string(s.certificate)], as: staff)
        _ = try await f.ok("training.supervision.get", ["assignmentId": .string(s.assignment)], as: staff)
        _ = try await f.ok("training.year.review", ["centreId": .string(Self.owner), "year": 2031], as: staff)
        #expect(await f.failure("training.mail.flush", [:], as: staff).code == .forbidden)
    }

    @Test func visitorsRegisterAndUseTheirOwnLink() async throws {
        let f = try await TrainingFixture.make()
        defer { Task { await f.close() } }
        let event = try await f.createTraining()["id"]?.stringValue ?? ""
        _ = try await f.ok("training.events.public", ["eventId": .string(event)], as: .null)
        let token = RegistrationEngine.makeToken()
        var person = TrainingFixture.person(2, eventId: event).objectValue ?? [:]
        person["cancelToken"] = .string(token)
        _ = try await f.ok("training.registrations.create", .object(person), as: .null)
        _ = try await f.ok("training.registrations.get", ["token": .string(token)], as: .null)
        _ = try await f.ok("training.registrations.cancel", ["token": .string(token)], as: .null)
    }
}
