import Foundation
import HubBus
import HubProtocol
import HubRegistration
import Testing

/// Networks decides who may do what itself (docs/authorisation.md): staff of another
/// centre, a board member, an agency user and a visitor are refused every organiser
/// operation on a centre's days, participants, contact persons, coverage and tour, on the
/// bus, whatever the gateway would have let through.
@Suite("Networks: access is decided inside the service")
struct NetworksAccessTests {
    static let owner = "sodra-alvsborg"

    /// A day with one participant, a contact person and a planned visit at `owner`, made by an admin.
    func seeded(_ f: NetworksFixture) async throws -> (day: String, participant: String, contact: String, visit: String) {
        let day = try await f.createDay()
        let reg = try await f.ok("networks.registrations.create", NetworksFixture.person(1, dayId: day))
        let participant = reg["participants"]?[0]?["participantId"]?.stringValue ?? ""
        let contact = try await f.ok("networks.contacts.create", [
            "centreId": .string(Self.owner), "name": "Kim Kontakt", "agency": "police", "email": "kim@polisen.example",
        ])["id"]?.stringValue ?? ""
        let visit = try await f.ok("networks.tour.plan", [
            "centreId": .string(Self.owner), "municipality": "Borås", "date": .string(NetworksFixture.dateString(daysFromNow: 10)),
        ])["id"]?.stringValue ?? ""
        return (day, participant, contact, visit)
    }

    /// Every organiser operation on `owner`'s data.
    func operations(_ s: (day: String, participant: String, contact: String, visit: String)) -> [(String, JSONValue)] {
        let c = JSONValue.string(Self.owner), d = JSONValue.string(s.day), p = JSONValue.string(s.participant)
        return [
            ("networks.days.get", ["dayId": d]),
            ("networks.days.list", ["centreId": c]),
            ("networks.days.create", ["centreId": c, "title": "X", "theme": "Y", "date": "2031-01-10", "startTime": "09:00", "endTime": "12:00",
                                      "venue": "Z", "capacity": 10, "deadline": "2031-01-01"]),
            ("networks.days.update", ["dayId": d, "title": "Ändrad"]),
            ("networks.days.cancel", ["dayId": d]),
            ("networks.days.invite", ["dayId": d, "registrationUrl": "https://hub.example/register/x"]),
            ("networks.registrations.list", ["dayId": d]),
            ("networks.registrations.export", ["dayId": d]),
            ("networks.registrations.invoice", ["dayId": d]),
            ("networks.registrations.checkin", ["participantId": p, "attended": true]),
            ("networks.registrations.move", ["participantId": p, "to": "waiting", "reason": "Test"]),
            ("networks.mail.outbox", ["dayId": d]),
            ("networks.contacts.create", ["centreId": c, "name": "Ny", "agency": "police", "email": "ny@polisen.example"]),
            ("networks.contacts.update", ["contactId": .string(s.contact), "name": "Ändrad"]),
            ("networks.contacts.list", ["centreId": c]),
            ("networks.coverage.get", ["centreId": c]),
            ("networks.tour.plan", ["centreId": c, "municipality": "Borås", "date": "2031-02-01"]),
            ("networks.tour.complete", ["visitId": .string(s.visit)]),
            ("networks.tour.list", ["centreId": c]),
            ("networks.attendance.get", ["centreId": c]),
            ("networks.registrations.purge", [:]),
            ("networks.mail.flush", [:]),
        ]
    }

    @Test func outsidersAreRefusedEveryOrganiserOperationAndNothingChanges() async throws {
        let f = try await NetworksFixture.make()
        defer { Task { await f.close() } }
        let s = try await seeded(f)
        let tables = ["network_days", "contact_persons", "tour_visits", "registration_participants", "registration_moves", "mail_outbox"]
        func snapshot() async throws -> [Int] {
            var out: [Int] = []
            for t in tables { out.append(try await f.count("SELECT COUNT(*) AS n FROM \(t)")) }
            out.append(try await f.count("SELECT COUNT(*) AS n FROM registration_participants WHERE attended IS NOT NULL"))
            out.append(try await f.count("SELECT COUNT(*) AS n FROM network_days WHERE status = 'open' AND sequence = 0 AND invitations_sent_at IS NULL"))
            return out
        }
        let before = try await snapshot()
        let refused = await f.expectRefused(operations(s), toOutsidersOf: Self.owner, naming: ["Kim", "deltagare1@"])
        #expect(refused == 4 * operations(s).count)
        #expect(try await snapshot() == before, "a refused request changes nothing")
    }

    @Test func theCentresOwnStaffMayDoItAndAreScopedToTheirCentre() async throws {
        let f = try await NetworksFixture.make()
        defer { Task { await f.close() } }
        let s = try await seeded(f)
        let staff = TestActors.staff(Self.owner)
        let list = try await f.ok("networks.registrations.list", ["dayId": .string(s.day)], as: staff)
        #expect(list["participants"]?.arrayValue?.count == 1)
        _ = try await f.ok("networks.registrations.export", ["dayId": .string(s.day)], as: staff)
        _ = try await f.ok("networks.contacts.list", ["centreId": .string(Self.owner)], as: staff)
        _ = try await f.ok("networks.registrations.checkin", ["participantId": .string(s.participant)], as: staff)
        // Staff listing days without naming a centre get their own centre's only.
        let other = TestActors.staff("skaraborg")
        #expect(try await f.ok("networks.days.list", [:], as: other)["days"]?.arrayValue?.isEmpty == true)
        #expect(try await f.ok("networks.days.list", [:], as: staff)["days"]?.arrayValue?.count == 1)
        // Purge and mail are the scheduler's and admins'.
        #expect(await f.failure("networks.registrations.purge", [:], as: staff).code == .forbidden)
        _ = try await f.ok("networks.registrations.purge", [:], as: TestActors.admin)
    }

    @Test func visitorsStillUseThePublicPagesAndTheirOwnLinks() async throws {
        let f = try await NetworksFixture.make()
        defer { Task { await f.close() } }
        let day = try await f.createDay()
        _ = try await f.ok("networks.days.public", ["dayId": .string(day)], as: .null)
        let token = RegistrationEngine.makeToken()
        _ = try await f.ok("networks.registrations.create", NetworksFixture.person(2, dayId: day, extra: ["cancelToken": .string(token)]), as: .null)
        _ = try await f.ok("networks.registrations.get", ["token": .string(token)], as: .null)
        _ = try await f.ok("networks.registrations.cancel", ["token": .string(token)], as: .null)
    }

    @Test func aGatewayActorCannotClaimToBeAVisitorOrAnAdapterAndOnlyTrustedPrincipalsNameUsers() async throws {
        let f = try await NetworksFixture.make()
        defer { Task { await f.close() } }
        #expect(await f.failure("networks.contacts.list", ["centreId": "skaraborg"], as: ["user": "x", "role": "visitor"]).code == .unauthenticated)
        #expect(await f.failure("networks.contacts.list", ["centreId": "skaraborg"], as: ["user": "x", "role": "adapter"]).code == .unauthenticated)
        // An adapter cannot name a user to act as.
        let e = await f.failure("networks.contacts.list", ["centreId": "skaraborg"], as: TestActors.admin, principal: .adapter("police"))
        #expect(e.code == .forbidden)
    }
}
