import Foundation
import HubProtocol
import HubRegistration
import NetworksAPI
import Testing
@testable import NetworksService

/// The networks contract (`NetworksAPI`) against the real handlers: every message type has its
/// request and reply types, the replies decode into them with their wire shape kept, and a body
/// member the contract does not name is refused.
@Suite("Networks: the typed contract")
struct NetworksContractTests {
    @Test func everyMessageTypeOfTheServiceHasAContractAndNoContractLacksAHandler() {
        let handled = Set(NetworksService.definition().handlers.keys)
        let contracted = Set(NetworksAPI.messages.keys)
        #expect(handled.subtracting(contracted).isEmpty, "handlers without a contract type: \(handled.subtracting(contracted).sorted())")
        #expect(contracted.subtracting(handled).isEmpty, "contract types without a handler: \(contracted.subtracting(handled).sorted())")
        for (type, request) in NetworksAPI.messages { #expect(request.type == type && type.hasPrefix(NetworksAPI.service + ".")) }
    }

    @Test(arguments: Backend.available)
    func anUnknownFieldIsRefusedNamingItAndTheActorAndOrganiserOnlyFieldsAreKnown(_ backend: Backend) async throws {
        let f = try await NetworksFixture.make(backend)
        var body = NetworksFixture.day().objectValue ?? [:]
        body["colour"] = "blue"
        let refused = await f.send(DayCreate.type, .object(body)).reply
        #expect(refused.error?.code == .validation && refused.error?.field == "body.colour" && refused.error?.message == "Unknown field.")
        #expect(refused.error?.reason == nil)
        #expect(try await f.count("SELECT COUNT(*) AS n FROM network_days") == 0)
        // The first unknown member in sorted order is the one named.
        let id = try await f.createDay()
        let two = await f.send(DayGet.type, ["dayId": .string(id), "zeta": 1, "alpha": 2]).reply
        #expect(two.error?.field == "body.alpha")
        // Fields a message refuses with its own error stay known to it.
        let unchangeable = await f.send(DayUpdate.type, ["dayId": .string(id), "status": "cancelled"]).reply
        #expect(unchangeable.error?.message == "This field cannot be changed." && unchangeable.error?.field == "body.status")
        await f.close()
    }

    @Test(arguments: Backend.available)
    func anUnknownMemberOfANestedObjectIsRefusedWithItsPathAndAKnownOnePasses(_ backend: Backend) async throws {
        let f = try await NetworksFixture.make(backend)
        func day(programme: JSONValue) -> JSONValue {
            var body = NetworksFixture.day().objectValue ?? [:]
            body["programme"] = programme
            return .object(body)
        }
        let item: JSONValue = ["start": "09:00", "title": "Välkomna"]
        let coloured = await f.failure(DayCreate.type, day(programme: [item, ["start": "10:00", "title": "Fika", "colour": "red"]]))
        #expect(coloured.code == .validation && coloured.message == "Unknown field." && coloured.field == "body.programme[1].colour")
        #expect(try await f.count("SELECT COUNT(*) AS n FROM network_days") == 0)
        // Known members at every depth pass, with the actor.
        let created = try await f.ok(DayCreate.type, day(programme: [item, ["start": "10:00", "end": "10:30", "title": "Fika", "speaker": .null]]))
        let id = try #require(created["id"]?.stringValue)
        let changed = await f.failure(DayUpdate.type, ["dayId": .string(id), "programme": [["start": "11:00", "title": "Lunch", "room": "B"]]])
        #expect(changed.field == "body.programme[0].room" && changed.message == "Unknown field.")
        // A body that does not fit the contract (a time as a number) gets the handler's own message.
        let wrong = await f.failure(DayCreate.type, day(programme: [["start": 9, "title": "Välkomna", "colour": "red"]]))
        #expect(wrong.field == "body.programme[0].start" && wrong.message != "Unknown field.")
        // A group booking: each participant, and the booker.
        let people = [Registrant(name: "Anna Andersson", agency: "police", email: "anna@example.se", cancelToken: RegistrationEngine.makeToken()),
                      Registrant(name: "Bo Berg", agency: "police", email: "bo@example.se", cancelToken: RegistrationEngine.makeToken())]
        let booking = try RegistrationCreate(eventId: id, booker: Booker(name: "Cia", email: "cia@example.se"), manageToken: RegistrationEngine.makeToken(),
                                             participants: people, invoiceReference: "R 1").body()
        var members = booking.objectValue ?? [:]
        var second = members["participants"]?[1]?.objectValue ?? [:]
        second["phone"] = "0701234567"
        members["participants"] = .array([members["participants"]?[0] ?? .null, .object(second)])
        let phoned = await f.failure(RegistrationCreate.type, .object(members))
        #expect(phoned.field == "body.participants[1].phone" && phoned.message == "Unknown field.")
        #expect(try await f.count("SELECT COUNT(*) AS n FROM registration_participants") == 0)
        #expect(try await f.ok(RegistrationCreate.type, booking)["participants"]?.arrayValue?.count == 2)
        await f.close()
    }

    @Test(arguments: Backend.available)
    func daysAndRegistrationsReplyInTheirContractTypesWithTheWireShapeKept(_ backend: Backend) async throws {
        let f = try await NetworksFixture.make(backend)
        let created = try await f.ok(DayCreate.type, NetworksFixture.day(capacity: 1, feeSEK: 250))
        let day = try DayCreate.reply(created)
        #expect(day.capacity == 1 && day.feeSEK == 250 && day.status == .open && day.programme.first?.speaker == "Verksamhetschefen")
        // Every member is on the wire, null where there is no value.
        #expect(created.objectValue?["contactEmail"] == .null && created.objectValue?["registrationUrl"] == .null && created["taken"] == 0)
        #expect(try JSONValue.encode(day) == created, "the type writes back exactly what the service sent")

        let got = try DayGet.reply(try await f.ok(DayGet.type, try DayGet(dayId: day.id).body()))
        #expect(got == day)
        let listed = try DayList.reply(try await f.ok(DayList.type, try DayList(centreId: "sodra-alvsborg").body()))
        #expect(listed.days.map(\.id) == [day.id])
        let publicJSON = try await f.ok(DayPublic.type, try DayPublic(dayId: day.id).body())
        #expect(publicJSON.objectValue?["contactEmail"] == nil && publicJSON.objectValue?["taken"] == nil, "the public page never sees them")
        let publicDay = try DayPublic.reply(publicJSON)
        #expect(publicDay.centreName == "Utväg Södra Älvsborg" && publicDay.event.title == day.title && !publicDay.agencies.isEmpty)
        #expect(try JSONValue.encode(publicDay) == publicJSON)

        let first = Registrant(name: "Anna Andersson", agency: "social-services", municipality: "Borås", email: "anna@example.se",
                               cancelToken: RegistrationEngine.makeToken())
        let placed = try RegistrationCreate.reply(try await f.ok(RegistrationCreate.type, try RegistrationCreate(eventId: day.id, person: first, invoiceReference: "IFO 4711").body()))
        #expect(placed.eventId == day.id && placed.participants.map(\.status) == [.confirmed] && placed.participants[0].waitingPosition == nil)
        let second = Registrant(name: "Bo Berg", agency: "police", email: "bo@example.se", cancelToken: RegistrationEngine.makeToken())
        let waitingJSON = try await f.ok(RegistrationCreate.type, try RegistrationCreate(eventId: day.id, person: second, invoiceReference: "R 12", language: .en).body())
        #expect(waitingJSON["participants"]?[0]?["waitingPosition"] == 1 && waitingJSON["dayId"]?.stringValue == day.id, "the day is `dayId` on the wire")
        #expect(try RegistrationCreate(eventId: day.id, person: second).body()["dayId"]?.stringValue == day.id)
        #expect(try RegistrationCreate.reply(waitingJSON).participants[0].status == .waiting)

        let mine = try RegistrationGet.reply(try await f.ok(RegistrationGet.type, try RegistrationGet(token: first.cancelToken).body()))
        #expect(mine.participant.name == "Anna Andersson" && mine.day.contactEmail == nil && mine.day.taken == 1)
        let list = try RegistrationList.reply(try await f.ok(RegistrationList.type, try RegistrationList(dayId: day.id).body()))
        #expect(list.participants.map(\.status) == [.confirmed, .waiting] && list.day.id == day.id)
        let move = try RegistrationMove.reply(try await f.ok(RegistrationMove.type, try RegistrationMove(
            participantId: list.participants[0].id, to: .waiting, reason: "Bytte plats med en kollega").body()))
        #expect(move.participant.status == .waiting && move.promoted == [list.participants[1].id])
        #expect(move.moves.map(\.toStatus) == [.waiting] && move.moves[0].reason == "Bytte plats med en kollega")
        let cancelled = try RegistrationCancel.reply(try await f.ok(RegistrationCancel.type, try RegistrationCancel(token: second.cancelToken).body()))
        #expect(cancelled.participant.status == .cancelled && cancelled.promoted == [list.participants[0].id])
        let invoice = try RegistrationInvoice.reply(try await f.ok(RegistrationInvoice.type, try RegistrationInvoice(dayId: day.id).body()))
        #expect(invoice.feeSEK == 250 && invoice.totalSEK == 250 && invoice.lines.first?.agencyName.isEmpty == false)
        let export = try RegistrationExport.reply(try await f.ok(RegistrationExport.type, try RegistrationExport(dayId: day.id).body()))
        #expect(export.filename == "deltagare-\(day.date).csv" && export.csv.contains("Anna Andersson"))
        let attendance = try AttendanceGet.reply(try await f.ok(AttendanceGet.type, try AttendanceGet(centreId: "sodra-alvsborg").body()))
        #expect(attendance.days.map(\.id) == [day.id] && attendance.agencies.contains { $0.agency == "social-services" && $0.registered == 1 })
        let outbox = try MailOutboxList.reply(try await f.ok(MailOutboxList.type, try MailOutboxList(dayId: day.id).body()))
        #expect(outbox.mail.contains { $0.recipient == "anna@example.se" })
        let cancelledDay = try DayCancel.reply(try await f.ok(DayCancel.type, try DayCancel(dayId: day.id).body()))
        #expect(cancelledDay.status == .cancelled && DayStatus.name(of: cancelledDay.status.rawValue, "sv") == "Inställd")
        await f.close()
    }

    @Test(arguments: Backend.available)
    func contactsCoverageAndTourReplyInTheirContractTypes(_ backend: Backend) async throws {
        let f = try await NetworksFixture.make(backend)
        let token = RegistrationEngine.makeToken()
        let createdJSON = try await f.ok(ContactCreate.type, try ContactCreate(centreId: "sodra-alvsborg", name: "Kim Kontakt", agency: "police",
                                                                                email: "kim@polisen.se", updateToken: token).body())
        #expect(createdJSON.objectValue?["municipality"] == .null && createdJSON.objectValue?["phone"] == .null)
        let kim = try ContactCreate.reply(createdJSON)
        #expect(kim.municipality == nil && kim.agency == "police")
        #expect(try JSONValue.encode(kim) == createdJSON)
        let updated = try ContactSelfUpdate.reply(try await f.ok(ContactSelfUpdate.type, try ContactSelfUpdate(token: token, title: "Samordnare").body()))
        #expect(updated.title == "Samordnare")
        let contacts = try ContactList.reply(try await f.ok(ContactList.type, try ContactList(centreId: "sodra-alvsborg").body()))
        #expect(contacts.contacts == [updated])
        let coverage = try CoverageGet.reply(try await f.ok(CoverageGet.type, try CoverageGet(centreId: "sodra-alvsborg").body()))
        #expect(coverage.municipalities.allSatisfy { row in row.agencies.contains { $0.agency == "police" && !$0.gap } })
        let visit = try TourPlan.reply(try await f.ok(TourPlan.type, try TourPlan(centreId: "sodra-alvsborg", municipality: "Mark", date: "2031-03-10").body()))
        #expect(visit.status == .planned && visit.completedDate == nil)
        let done = try TourComplete.reply(try await f.ok(TourComplete.type, try TourComplete(visitId: visit.id).body()))
        #expect(done.status == .completed && done.completedDate == "2031-03-10")
        let tour = try TourList.reply(try await f.ok(TourList.type, try TourList(centreId: "sodra-alvsborg", year: 2031).body()))
        #expect(tour.visits == [done] && !tour.notVisited.contains { $0.municipality == "Mark" })
        let agencies = try AgenciesList.reply(try await f.ok(AgenciesList.type, try AgenciesList().body()))
        #expect(agencies.centres.contains { $0.id == "sodra-alvsborg" } && agencies.agencies.contains { $0.id == "police" })
        await f.close()
    }

    @Test func theVocabularyNamesEveryCodeInSwedishAndEnglish() {
        #expect(ParticipantStatus.waiting.name(.sv) == "Väntelista" && ParticipantStatus.waiting.name(.en) == "Waiting list")
        #expect(ParticipantStatus.name(of: "confirmed", "en") == "Seat confirmed")
        #expect(ParticipantStatus.name(of: "unknown-code", "sv") == "unknown-code")
        for code in DayStatus.allCases + [] { #expect(!code.sv.isEmpty && !code.en.isEmpty) }
        #expect(MoveDestination.codes == ["confirmed", "waiting", "day"])
        // The reasons a client reads are the wire's codes.
        #expect(RegistrationErrorReason.deadlinePassed.rawValue == "deadline_passed" && NetworksErrorReason.notADate.rawValue == "not_a_date")
    }
}
