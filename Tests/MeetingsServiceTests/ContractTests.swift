import Foundation
import HubBus
import HubProtocol
import MeetingsAPI
@testable import MeetingsService
import Testing

/// The meetings contract (`MeetingsAPI`) against the real handlers: every message type has a
/// request and reply type, replies read back as those types, and unknown fields are refused.
@Suite struct ContractTests {
    @Test func everyMessageTypeInTheHandlerTableHasAContractType() throws {
        let handlers = try MeetingsService.definition(configDir: Harness.configDir).handlers
        #expect(handlers.count == 32)
        #expect(Set(handlers.keys) == Set(MeetingsAPI.messages.keys), "a handler without a contract type, or a type without a handler")
        for (type, contract) in MeetingsAPI.messages { #expect(contract.type == type) }
    }

    @Test func vocabulariesNameEveryCodeInSwedishAndEnglish() {
        #expect(MeetingStatus.codes == ["planned", "held", "cancelled"])
        #expect(MinutesStatus.codes == ["draft", "circulated", "approved", "filed"])
        #expect(AttendanceStatus.codes == ["invited", "attending", "present", "regrets", "absent"])
        #expect(AgendaItemKind.codes == AgendaTemplates.kinds)
        #expect(ActionStatus.codes == ["open", "done"])
        #expect(MinutesStatus.name(of: "filed", "sv") == "lagda till handlingarna" && MinutesStatus.name(of: "filed", "en") == "filed")
        #expect(MemberRole.name(of: "centre-head", "en") == "head of centre")
        #expect(AttendanceStatus.name(of: "no-such-code", "sv") == "no-such-code")
    }

    @Test func errorCodesAreTheContracts() {
        #expect(Agenda.deadlinePassed == MeetingsError.deadlinePassed && MeetingsError.deadlinePassed.rawValue == "deadline_passed")
        #expect(Minutes.locked.rawValue == "minutes_locked" && Minutes.invalidTransition.rawValue == "invalid_transition")
        #expect(Minutes.notStarted.rawValue == "not_started")
    }

    @Test(arguments: Backend.available)
    func repliesFromTheRealHandlersDecodeIntoTheirReplyTypes(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        // Typed requests, written by the contract, and typed replies read from the real handlers.
        func send<C: ContractRequest>(_ request: C, as actor: JSONValue? = Actors.staff) async throws -> C.Reply {
            let reply = try await h.ok(C.type, try request.body(), as: actor)
            return try C.reply(reply)
        }
        let created = try await send(MeetingCreate(centre: "skaraborg", date: "2026-03-20", series: ["2026-05-20"]))
        #expect(created.series?.count == 1 && created.agenda.count == 6 && created.minutes?.status == MinutesStatus.draft.rawValue)
        #expect(created.attendees.allSatisfy { $0.$email.given }, "staff see the e-mail addresses")
        let id = created.meeting.id
        let asPolice = try await send(MeetingGet(meetingId: id), as: Actors.police)
        #expect(asPolice.attendees.allSatisfy { !$0.$email.given } && asPolice.agenda.allSatisfy { !$0.$text.given })
        #expect(asPolice.series == nil)
        #expect(try await send(MeetingList(centre: "skaraborg")).meetings.map(\.meeting.id).contains(id))
        #expect(try await send(GroupList(centre: "skaraborg")).members.count == 5)
        #expect(try await send(GroupHistory(centre: "skaraborg")).members.count >= 5)
        let added = try await send(AgendaAdd(meetingId: id, title: "Ny lagstiftning"), as: Actors.police)
        let item = try await send(MinutesItemSet(meetingId: id, itemId: added.id, text: "Text.", decisions: "Beslut."))
        #expect(item.text == "Text." && item.kind == AgendaItemKind.day.rawValue)
        let report = try await send(StatusReportSubmit(meetingId: id, text: "Läget är lugnt."), as: Actors.police)
        #expect(report.agency == "police" && report.municipality == nil)
        let action = try await send(ActionAdd(meetingId: id, text: "Boka lokal", owner: "Sara", agency: "utvag"))
        #expect(action.status == ActionStatus.open.rawValue)
        #expect(try await send(ActionsOpen()).actions.first?.centreName == "Utväg Skaraborg")
        _ = try await send(ActionUpdate(meetingId: id, actionId: action.id, status: ActionStatus.done.rawValue))
        _ = try await send(LinkAdd(meetingId: id, title: "Konferens", url: "https://example.invalid/k"))
        let circulated = try await send(AgendaCirculate(meetingId: id))
        #expect(circulated.mails == 5)
        #expect(try await send(MailOutboxList(meetingId: id)).mail.count == 5)
        #expect(try await send(MailFlush(), as: Actors.admin).configured == false)
        _ = try await send(RemindersRun(), as: Actors.admin)
        _ = try await send(AttendanceAgencies(centre: "skaraborg"))
        _ = try await send(MinutesVersions(meetingId: id))
        #expect(try await send(MinutesExport(meetingId: id)).format == ExportFormat.markdown.rawValue)
        _ = try await send(MinutesSearch(centre: "skaraborg", q: "lagstiftning"))
        let cancelled = try await send(MeetingCancel(meetingId: created.series![0]))
        #expect(cancelled.status == MeetingStatus.cancelled.rawValue)
        await h.close()
    }

    @Test(arguments: Backend.available)
    func anUnknownFieldIsRefusedNamingIt(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        let before = try await h.snapshot()
        let e = await h.failure(MeetingCreate.type, ["centre": "skaraborg", "date": "2026-03-20", "chairmanId": "x"])
        #expect(e.code == .validation && e.message == "Unknown field." && e.field == "body.chairmanId")
        #expect(try await h.snapshot() == before)
        let q = await h.failure(StatusReportPending.type, ["meetingId": "x"], as: Actors.police)
        #expect(q.field == "body.meetingId" && q.message == "Unknown field.")
        // The actor the gateway adds is not a field of any request.
        #expect(try await h.ok(MeetingList.type, [:])["meetings"] != nil)
        await h.close()
    }

    @Test(arguments: Backend.available)
    func anUnknownMemberOfANestedObjectIsRefusedWithItsPathAndAKnownOnePasses(_ backend: Backend) async throws {
        let h = try await Harness.make(backend)
        let id = try await h.meeting()
        let police = try await h.member(agency: "police")
        let before = try await h.snapshot()
        let e = await h.failure(AttendanceSet.type, ["meetingId": .string(id), "entries": [["memberId": .string(police), "status": "present", "note": "late"]]])
        #expect(e.code == .validation && e.message == "Unknown field." && e.field == "body.entries[0].note")
        #expect(try await h.snapshot() == before)
        // A body that does not fit the contract (a number for a member id) gets the handler's own message.
        let wrong = await h.failure(AttendanceSet.type, ["meetingId": .string(id), "entries": [["memberId": 7, "status": "present", "note": "late"]]])
        #expect(wrong.field == "body.entries[0].memberId" && wrong.message != "Unknown field.")
        let set = try AttendanceSet.reply(try await h.ok(AttendanceSet.type, try AttendanceSet(meetingId: id, entries: [.init(memberId: police, status: "present")]).body()))
        #expect(set.attendees.contains { $0.memberId == police && $0.status == "present" })
        await h.close()
    }
}
