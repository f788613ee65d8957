import Foundation
import HubProtocol
import HubRegistration
import Testing

/// The networks service's registration messages, called as the gateway would.
@Suite("Networks registrations: bad input, waiting list, links, organiser tools")
struct RegistrationHandlerTests {
    /// Rows in the engine's tables and the seats taken: must not change after a refused request.
    func snapshot(_ f: NetworksFixture, _ day: String) async throws -> [Int] {
        [try await f.count("SELECT COUNT(*) AS n FROM registration_participants"),
         try await f.count("SELECT COUNT(*) AS n FROM registration_bookings"),
         try await f.count("SELECT taken AS n FROM registration_events WHERE id = ?", [.text(day)]),
         try await f.count("SELECT COUNT(*) AS n FROM hub_processed WHERE type = 'networks.registrations.create'")]
    }

    func expectRefused(_ f: NetworksFixture, _ body: JSONValue, day: String, code: HubError.Code, field: String,
                       sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let before = try await snapshot(f, day)
        let (reply, events) = await f.send("networks.registrations.create", body)
        #expect(reply.error?.code == code, sourceLocation: sourceLocation)
        #expect(reply.error?.field == field, sourceLocation: sourceLocation)
        #expect(events.isEmpty, sourceLocation: sourceLocation)
        #expect(try await snapshot(f, day) == before, "nothing stored", sourceLocation: sourceLocation)
        // Error messages never echo what was sent.
        if case .object(let o) = body, let email = o["email"]?.stringValue, !email.isEmpty {
            #expect(reply.error?.message.contains(email) == false, sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: Backend.available)
    func badRegistrationsAreRefusedNamingTheFieldAndStoreNothing(_ backend: Backend) async throws {
        let f = try await NetworksFixture.make(backend)
        let day = try await f.createDay(capacity: 5)
        try await f.ok("networks.registrations.create", NetworksFixture.person(1, dayId: day))

        try await expectRefused(f, NetworksFixture.person(2, dayId: "no-such-day"), day: day, code: .notFound, field: "body.dayId")
        try await expectRefused(f, NetworksFixture.person(2, dayId: day, email: "not-an-address"), day: day, code: .validation, field: "body.email")
        try await expectRefused(f, NetworksFixture.person(2, dayId: day, email: "a@b"), day: day, code: .validation, field: "body.email")
        try await expectRefused(f, NetworksFixture.person(2, dayId: day, email: "DELTAGARE1@example.se"), day: day, code: .conflict, field: "body.email")
        try await expectRefused(f, NetworksFixture.person(2, dayId: day, extra: ["name": .string(String(repeating: "x", count: 201))]),
                                day: day, code: .validation, field: "body.name")
        try await expectRefused(f, NetworksFixture.person(2, dayId: day, extra: ["dietary": .string(String(repeating: "y", count: 501))]),
                                day: day, code: .validation, field: "body.dietary")
        try await expectRefused(f, NetworksFixture.person(2, dayId: day, extra: ["agency": "no-such-agency"]), day: day, code: .validation, field: "body.agency")
        try await expectRefused(f, NetworksFixture.person(2, dayId: day, extra: ["municipality": "Göteborg"]), day: day, code: .validation, field: "body.municipality")
        try await expectRefused(f, NetworksFixture.person(2, dayId: day, extra: ["cancelToken": "short"]), day: day, code: .validation, field: "body.cancelToken")
        try await expectRefused(f, NetworksFixture.person(2, dayId: day, extra: ["name": .null]), day: day, code: .validation, field: "body.name")
        // A group booking names the participant that is wrong.
        try await expectRefused(f, [
            "dayId": .string(day), "manageToken": .string(RegistrationEngine.makeToken()),
            "participants": [
                ["name": "A", "agency": "police", "email": "a@polisen.se", "cancelToken": .string(RegistrationEngine.makeToken())],
                ["name": "B", "agency": "police", "email": "b@polisen", "cancelToken": .string(RegistrationEngine.makeToken())],
            ],
        ], day: day, code: .validation, field: "body.participants[1].email")
        try await expectRefused(f, [
            "dayId": .string(day), "manageToken": .string(RegistrationEngine.makeToken()),
            "participants": [
                ["name": "A", "agency": "police", "email": "a@polisen.se", "cancelToken": .string(RegistrationEngine.makeToken())],
                ["name": "B", "agency": "police", "email": "A@polisen.se", "cancelToken": .string(RegistrationEngine.makeToken())],
            ],
        ], day: day, code: .conflict, field: "body.participants[1].email")

        // After the deadline (the day is still ahead).
        let late = try await f.createDay(capacity: 5, deadline: NetworksFixture.dateString(daysFromNow: -1))
        try await expectRefused(f, NetworksFixture.person(3, dayId: late), day: late, code: .conflict, field: "body.dayId")
        // A cancelled day.
        let cancelled = try await f.createDay(capacity: 5)
        try await f.ok("networks.days.cancel", ["dayId": .string(cancelled)])
        try await expectRefused(f, NetworksFixture.person(4, dayId: cancelled), day: cancelled, code: .conflict, field: "body.dayId")
        // A fee without an invoice reference.
        let paid = try await f.createDay(capacity: 5, feeSEK: 500)
        try await expectRefused(f, NetworksFixture.person(5, dayId: paid), day: paid, code: .validation, field: "body.invoiceReference")
        await f.close()
    }

    @Test(arguments: Backend.available)
    func mailAboutAPlaceIsWrittenInTheLanguageThePersonRegisteredIn(_ backend: Backend) async throws {
        let f = try await NetworksFixture.make(backend)
        let day = try await f.createDay(capacity: 1)
        let swedishToken = RegistrationEngine.makeToken()
        try await f.ok("networks.registrations.create", NetworksFixture.person(1, dayId: day, extra: ["cancelToken": .string(swedishToken)]))
        try await f.ok("networks.registrations.create", NetworksFixture.person(2, dayId: day, extra: ["language": "en"]))
        // A language the hub does not write is refused by name, and nothing is stored.
        let bad = await f.send("networks.registrations.create", NetworksFixture.person(3, dayId: day, extra: ["language": "de"])).reply
        #expect(bad.error?.field == "body.language" && bad.error?.reason == .notAChoice)
        #expect(try await f.count("SELECT COUNT(*) AS n FROM registration_participants WHERE event_id = ?", [.text(day)]) == 2)

        // The Swedish seat is cancelled: the English speaker first in line moves up and is told in English.
        try await f.ok("networks.registrations.cancel", ["token": .string(swedishToken)])
        let rows = try await f.database.query("SELECT kind, recipient, subject, body FROM mail_outbox WHERE ref = ? ORDER BY created_at, kind", [.text(day)])
        let mail = Dictionary(uniqueKeysWithValues: try rows.map { ("\(try $0.string("kind")) \(try $0.string("recipient"))", (try $0.string("subject"), try $0.string("body"))) })
        let swedish = try #require(mail["confirmation deltagare1@example.se"])
        #expect(swedish.0.hasPrefix("Anmälan bekräftad") && !swedish.1.contains("English"))
        let waiting = try #require(mail["waiting-list deltagare2@example.se"])
        #expect(waiting.0.hasPrefix("Waiting list") && waiting.1.contains("number 1 on the waiting list"))
        let promoted = try #require(mail["promotion deltagare2@example.se"])
        #expect(promoted.0.hasPrefix("You have a seat") && !promoted.1.contains("plats"))
        await f.close()
    }

    @Test(arguments: Backend.available)
    func cancellationLinkWorksOnceAndPromotesTheNextInLineWhoIsTold(_ backend: Backend) async throws {
        let f = try await NetworksFixture.make(backend)
        let day = try await f.createDay(capacity: 1)
        let firstToken = RegistrationEngine.makeToken()
        let first = try await f.ok("networks.registrations.create", NetworksFixture.person(1, dayId: day, extra: ["cancelToken": .string(firstToken)]))
        #expect(first["participants"]?[0]?["status"]?.stringValue == "confirmed")
        let second = try await f.ok("networks.registrations.create", NetworksFixture.person(2, dayId: day))
        #expect(second["participants"]?[0]?["status"]?.stringValue == "waiting")
        #expect(second["participants"]?[0]?["waitingPosition"]?.numberValue == 1)
        let third = try await f.ok("networks.registrations.create", NetworksFixture.person(3, dayId: day))
        #expect(third["participants"]?[0]?["waitingPosition"]?.numberValue == 2)

        // Only the hash of the link token is stored.
        #expect(try await f.count("SELECT COUNT(*) AS n FROM registration_participants WHERE cancel_token_hash = ?", [.text(firstToken)]) == 0)
        #expect(try await f.count("SELECT COUNT(*) AS n FROM registration_participants WHERE cancel_token_hash = ?", [.text(RegistrationEngine.hash(firstToken))]) == 1)

        // A wrong link, then the right one.
        let wrong = await f.send("networks.registrations.cancel", ["token": .string(RegistrationEngine.makeToken())]).reply
        #expect(wrong.error?.code == .notFound && wrong.error?.field == "body.token")
        let mine = try await f.ok("networks.registrations.get", ["token": .string(firstToken)])
        #expect(mine["participant"]?["status"]?.stringValue == "confirmed")
        #expect(mine["day"]?["contactEmail"] == nil)
        let (reply, events) = await f.send("networks.registrations.cancel", ["token": .string(firstToken)])
        #expect(reply.error == nil)
        let promotedID = second["participants"]?[0]?["participantId"]?.stringValue
        #expect(reply.body["promoted"]?.arrayValue == [.string(promotedID ?? "")])
        let told = events.first { $0.0 == "event.registration.promoted" }
        #expect(told?.1["participantId"]?.stringValue == promotedID)
        #expect(told?.1["email"]?.stringValue == "deltagare2@example.se")
        // Everyone heard by e-mail: a seat, two places in line, then the seat that became free.
        let mails = try await f.ok("networks.mail.outbox", ["dayId": .string(day)])["mail"]?.arrayValue ?? []
        #expect(mails.map { "\($0["kind"]?.stringValue ?? "") \($0["recipient"]?.stringValue ?? "")" }.sorted() == [
            "confirmation deltagare1@example.se", "promotion deltagare2@example.se",
            "waiting-list deltagare2@example.se", "waiting-list deltagare3@example.se",
        ])
        // The number three is now first in line.
        let list = try await f.ok("networks.registrations.list", ["dayId": .string(day)])["participants"]?.arrayValue ?? []
        #expect(list.map { $0["status"]?.stringValue ?? "" } == ["confirmed", "waiting", "cancelled"])
        #expect(list[1]["waitingPosition"]?.numberValue == 1)
        // The used link.
        let used = await f.send("networks.registrations.cancel", ["token": .string(firstToken)]).reply
        #expect(used.error?.code == .conflict && used.error?.field == "body.token")
        #expect(try await f.count("SELECT taken AS n FROM registration_events WHERE id = ?", [.text(day)]) == 1)
        // The same address may register again after cancelling.
        try await f.ok("networks.registrations.create", NetworksFixture.person(1, dayId: day))
        await f.close()
    }

    @Test(arguments: Backend.available)
    func redeliveredRegistrationIsStoredOnce(_ backend: Backend) async throws {
        let f = try await NetworksFixture.make(backend)
        let day = try await f.createDay(capacity: 3)
        let body = NetworksFixture.person(1, dayId: day)
        let a = await f.send("networks.registrations.create", body, id: "same-message-id")
        let b = await f.send("networks.registrations.create", body, id: "same-message-id")
        #expect(a.reply.body == b.reply.body)
        #expect(b.events.isEmpty)
        #expect(try await f.count("SELECT COUNT(*) AS n FROM registration_participants") == 1)
        await f.close()
    }

    @Test(arguments: Backend.available)
    func groupBookingIsManagedThroughOneLink(_ backend: Backend) async throws {
        let f = try await NetworksFixture.make(backend)
        let day = try await f.createDay(capacity: 2, feeSEK: 500)
        let manage = RegistrationEngine.makeToken()
        let people: [JSONValue] = (1...3).map { k in
            ["name": .string("Kollega \(k)"), "agency": "social-services", "municipality": "Lerum", "email": .string("k\(k)@lerum.se"),
             "cancelToken": .string(RegistrationEngine.makeToken())]
        }
        let r = try await f.ok("networks.registrations.create", [
            "dayId": .string(day), "invoiceReference": "Lerum IFO 4711", "manageToken": .string(manage),
            "booker": ["name": "Chef", "email": "chef@lerum.se"], "participants": .array(people)])
        #expect(r["participants"]?.arrayValue?.map { $0["status"]?.stringValue ?? "" } == ["confirmed", "confirmed", "waiting"])
        let booking = try await f.ok("networks.bookings.get", ["token": .string(manage)])
        #expect(booking["participants"]?.arrayValue?.count == 3)
        #expect(booking["invoiceReference"]?.stringValue == "Lerum IFO 4711")
        let firstID = booking["participants"]?[0]?["id"]?.stringValue ?? ""
        let (cancelled, events) = await f.send("networks.bookings.cancel", ["token": .string(manage), "participantId": .string(firstID)])
        #expect(cancelled.error == nil)
        #expect(events.contains { $0.0 == "event.registration.promoted" })
        // Another booking's place cannot be cancelled with this link.
        let other = try await f.ok("networks.registrations.create", NetworksFixture.person(9, dayId: day, extra: ["invoiceReference": "X"]))
        let otherID = other["participants"]?[0]?["participantId"]?.stringValue ?? ""
        let refused = await f.send("networks.bookings.cancel", ["token": .string(manage), "participantId": .string(otherID)]).reply
        #expect(refused.error?.code == .notFound && refused.error?.field == "body.participantId")
        let invoice = try await f.ok("networks.registrations.invoice", ["dayId": .string(day)])
        #expect(invoice["lines"]?.arrayValue?.count == 1)
        #expect(invoice["lines"]?[0]?["amountSEK"]?.numberValue == 1000)
        #expect(invoice["lines"]?[0]?["agencyName"]?.stringValue == "Socialtjänsten")
        await f.close()
    }

    @Test(arguments: Backend.available)
    func moveCheckInExportAttendanceAndPurge(_ backend: Backend) async throws {
        let f = try await NetworksFixture.make(backend)
        let day = try await f.createDay(capacity: 1)
        let otherDay = try await f.createDay(capacity: 5)
        let a = try await f.ok("networks.registrations.create", NetworksFixture.person(1, dayId: day, extra: ["name": "=HYPERLINK(\"x\")"]))
        let b = try await f.ok("networks.registrations.create", NetworksFixture.person(2, dayId: day, extra: ["agency": "police"]))
        let aID = a["participants"]?[0]?["participantId"]?.stringValue ?? ""
        let bID = b["participants"]?[0]?["participantId"]?.stringValue ?? ""
        // No seat free: moving the waiting person in is refused, nothing changes.
        let full = await f.send("networks.registrations.move", ["participantId": .string(bID), "to": "confirmed", "reason": "Talare"]).reply
        #expect(full.error?.code == .conflict && full.error?.field == "body.to")
        let noReason = await f.send("networks.registrations.move", ["participantId": .string(aID), "to": "day", "toDayId": .string(otherDay), "reason": " "]).reply
        #expect(noReason.error?.code == .validation && noReason.error?.field == "body.reason")
        // Moving A to the other day frees the seat for B.
        let moved = try await f.ok("networks.registrations.move", ["participantId": .string(aID), "to": "day", "toDayId": .string(otherDay),
                                                                    "reason": "Önskade hellre höstens träff", "actor": "admin"])
        #expect(moved["participant"]?["eventId"]?.stringValue == otherDay)
        #expect(moved["promoted"]?.arrayValue == [.string(bID)])
        #expect(moved["moves"]?[0]?["reason"]?.stringValue == "Önskade hellre höstens träff")
        // Check-in only for people with a seat.
        let checked = try await f.ok("networks.registrations.checkin", ["participantId": .string(bID), "attended": true])
        #expect(checked["attended"]?.boolValue == true)
        let csv = try await f.ok("networks.registrations.export", ["dayId": .string(otherDay)])["csv"]?.stringValue ?? ""
        #expect(csv.hasPrefix("\u{FEFF}Status;Plats i kön;Namn;Myndighet"), "Swedish columns, ; and a byte order mark for Excel")
        #expect(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""), "formula neutralised and quoted")
        #expect(csv.contains(";Socialtjänsten;") && !csv.contains(";social-services;"), "agencies by name, not code")
        #expect(!csv.contains("Z\r\n") && csv.range(of: #";\d{4}-\d\d-\d\d \d\d:\d\d\r\n"#, options: .regularExpression) != nil, "registration times in Stockholm, not ISO UTC")
        let attendance = try await f.ok("networks.attendance.get", ["centreId": "sodra-alvsborg"])
        let police = attendance["agencies"]?.arrayValue?.first { $0["agency"]?.stringValue == "police" }
        #expect(police?["registered"]?.numberValue == 1 && police?["attended"]?.numberValue == 1)
        let prosecution = attendance["agencies"]?.arrayValue?.first { $0["agency"]?.stringValue == "prosecution" }
        #expect(prosecution?["registered"]?.numberValue == 0, "an agency that stays away is listed with zeros")

        // Purge: make the first day due, then personal data is gone but the statistics stay.
        try await f.database.execute("UPDATE registration_events SET purge_after = ? WHERE id = ?", [.text("2000-01-01T00:00:00Z"), .text(day)])
        #expect(try await f.count("SELECT COUNT(*) AS n FROM mail_outbox WHERE ref = ?", [.text(day)]) > 0)
        #expect(try await f.ok("networks.registrations.purge", [:])["purgedDays"]?.numberValue == 1)
        // The mail about the day names its recipients, so it goes too.
        #expect(try await f.count("SELECT COUNT(*) AS n FROM mail_outbox WHERE ref = ?", [.text(day)]) == 0)
        #expect(try await f.count("SELECT COUNT(*) AS n FROM registration_participants WHERE event_id = ? AND (name <> '' OR email <> '' OR dietary IS NOT NULL OR cancel_token_hash IS NOT NULL)", [.text(day)]) == 0)
        let after = try await f.ok("networks.attendance.get", ["centreId": "sodra-alvsborg"])
        #expect(after["agencies"]?.arrayValue?.first(where: { $0["agency"]?.stringValue == "police" })?["attended"]?.numberValue == 1)
        #expect(try await f.count("SELECT COUNT(*) AS n FROM registration_participants WHERE event_id = ? AND name <> ''", [.text(otherDay)]) == 1)
        await f.close()
    }

    @Test(arguments: Backend.available)
    func raisingCapacityPromotesAndLoweringBelowTakenIsRefused(_ backend: Backend) async throws {
        let f = try await NetworksFixture.make(backend)
        let day = try await f.createDay(capacity: 1)
        for n in 1...3 { try await f.ok("networks.registrations.create", NetworksFixture.person(n, dayId: day)) }
        let (raised, events) = await f.send("networks.days.update", ["dayId": .string(day), "capacity": 2])
        #expect(raised.error == nil)
        #expect(raised.body["taken"]?.numberValue == 2 && raised.body["waiting"]?.numberValue == 1)
        #expect(raised.body["sequence"]?.numberValue == 1)
        #expect(events.filter { $0.0 == "event.registration.promoted" }.count == 1)
        let lower = await f.send("networks.days.update", ["dayId": .string(day), "capacity": 1]).reply
        #expect(lower.error?.code == .conflict && lower.error?.field == "body.capacity")
        let got = try await f.ok("networks.days.get", ["dayId": .string(day)])
        #expect(got["capacity"]?.numberValue == 2 && got["sequence"]?.numberValue == 1, "the refused update changed nothing")
        await f.close()
    }
}
