import Foundation
import HubProtocol
import Hummingbird
import HummingbirdTesting
import MeetingsAPI
import Testing
@testable import HubGateway
@testable import HubWeb
@testable import MeetingsWeb
@testable import NetworksWeb
@testable import ReferralsWeb
@testable import TrainingWeb

/// The meeting pages and API against a fake bus: what they send and how they answer.
@Suite("Gateway: management-group meetings")
struct MeetingRoutesTests {
    static let summary = MeetingSummary(
        id: "m1", centre: "skaraborg", date: "2031-03-20", start: "14:00", end: "16:00", place: "Utvägs lokaler Skövde", link: nil,
        chair: "Ingvar Exempel", chairTemporary: false, secretary: nil, status: MeetingStatus.planned.rawValue, itemDeadline: "2031-03-13",
        sequence: 0, agendaCirculatedAt: nil, imported: false)

    static let meeting = MeetingDetail(
        meeting: summary, centreName: "Utväg Skaraborg",
        attendees: [Attendee(memberId: "m-abc", name: "Helena Prov", title: "Lokalpolisområdeschef", agency: "police", agencyName: "Polisen",
                             municipality: nil, role: MemberRole.member.rawValue, status: AttendanceStatus.invited.rawValue, repliedAt: nil,
                             email: .withheld)],
        agenda: [AgendaItem(id: "i1", position: 10, kind: AgendaItemKind.welcome.rawValue, title: "Välkomna", text: nil, decisions: nil,
                            confidential: false, addedBy: nil, agency: nil, reviewMeetingId: nil, reviewVersion: nil),
                 AgendaItem(id: "i2", position: 20, kind: AgendaItemKind.statusRound.rawValue, title: "Samverkansfrågor/läget på respektive myndighet",
                            text: nil, decisions: nil, confidential: false, addedBy: nil, agency: nil, reviewMeetingId: nil, reviewVersion: nil)],
        statusReports: [StatusReport(agency: "police", municipality: nil, agencyName: "Polisen", text: "Tre nya utredare.",
                                     submittedAt: "2031-03-01T10:00:00.000Z")],
        carriedActions: [], actions: [], upcoming: [],
        minutes: MinutesState(status: MinutesStatus.draft.rawValue, version: 0, changedSinceCirculation: false, approvedVersion: nil,
                              approvedInMeeting: nil, filedAt: nil),
        started: false, previousMinutes: nil, links: [], attachments: [])

    func bus() -> FakeBus {
        let bus = FakeBus()
        var listed = Self.summary
        listed.place = "Digitalt"
        bus.answer(MeetingList.self, .init(meetings: [ListedMeeting(meeting: listed, minutesStatus: MinutesStatus.draft.rawValue, minutesVersion: 0)]))
        bus.answer(MeetingGet.self, Self.meeting)
        bus.answer(AttendanceAgencies.self, .init(centre: "skaraborg", flagAfter: 2, agencies: [
            .init(agency: "kriminalvarden", municipality: nil, agencyName: "Kriminalvården",
                  meetings: [.init(meetingId: "m0", date: "2031-01-20", status: "absent"), .init(meetingId: "m-1", date: "2030-11-20", status: "absent")],
                  absentInARow: 2, flagged: true),
        ]))
        bus.answer(MinutesVersions.self, .init(meetingId: "m1", versions: []))
        bus.answer(MinutesItemSet.self, Self.meeting.agenda[0])
        bus.setReply(MeetingCreate.type, .failure(HubError(.validation, "Not a date that exists (YYYY-MM-DD).", field: "body.date")))
        bus.answer(MinutesExport.self, .init(format: ExportFormat.markdown.rawValue, text: "Utväg Skaraborg  \n2031-03-20\n"))
        return bus
    }

    func sent(_ bus: FakeBus, _ type: String) -> [JSONValue] { bus.state.withLock { $0.requests.filter { $0.type == type }.map(\.body) } }

    @Test func stringsHaveTheSameKeysInBothLanguages() {
        #expect(Set(MeetingStrings.swedish.keys) == Set(MeetingStrings.english.keys))
        #expect(Set(MeetingStrings.swedish.keys).isDisjoint(with: Strings.swedish.keys))
        #expect(Set(MeetingStrings.swedish.keys).isDisjoint(with: ReferralStrings.swedish.keys))
        #expect(Set(MeetingStrings.swedish.keys).isDisjoint(with: NetworkStrings.swedish.keys))
    }

    @Test func listPageInSwedishAndEnglishAndFormErrorsByTheField() async throws {
        let fake = bus()
        let h = try await Harness.make(bus: fake)
        try await h.test { client in
            var b = Browser(client: client)
            try await b.login()
            let sv = try await b.get("/moten")
            #expect(sv.status == .ok)
            #expect(sv.text.contains("<html lang=\"sv\">") && sv.text.contains("Ledningsgruppsmöten") && sv.text.contains("<label for=\"date\">Datum</label>"))
            #expect(sv.text.contains("href=\"/moten/m1\""))
            #expect(sv.text.contains("Frånvarande 2 möten i rad"), "the chair sees an agency absent twice in a row")
            let en = try await b.get("/moten?lang=en")
            #expect(en.text.contains("<html lang=\"en\">") && en.text.contains("Management-group meetings"))
            _ = try await b.get("/moten?lang=sv")
            let page = try await b.get("/moten")
            let csrf = try #require(Browser.csrfField(page.text))
            let noCSRF = try await b.post("/moten", form: ["centre": "skaraborg", "date": "2031-02-30"])
            #expect(noCSRF.status == .forbidden)
            let r = try await b.post("/moten", form: ["csrf": csrf, "centre": "skaraborg", "date": "2031-02-30"])
            #expect(r.status == .badRequest)
            #expect(r.text.contains("id=\"date-error\"") && r.text.contains("aria-invalid=\"true\""))
            #expect(r.text.contains("value=\"2031-02-30\""), "the form keeps what was typed")
            let body = try #require(sent(fake, "meetings.create").last)
            #expect(body["date"]?.stringValue == "2031-02-30" && body["actor"]?["user"]?.stringValue == "admin")
        }
    }

    @Test func statusesAreNamedByTheContractsVocabularyInBothLanguages() async throws {
        let h = try await Harness.make(bus: bus())
        try await h.test { client in
            var b = Browser(client: client)
            try await b.login()
            let sv = try await b.get("/moten/m1")
            for code in [MeetingStatus.planned.sv, MinutesStatus.draft.sv, AttendanceStatus.invited.sv, AttendanceStatus.present.sv,
                         AttendanceStatus.regrets.sv, AttendanceStatus.absent.sv] {
                #expect(sv.text.contains(code), "\(code)")
            }
            let en = try await b.get("/moten/m1?lang=en")
            #expect(en.text.contains(">\(AttendanceStatus.regrets.en)</option>") && en.text.contains("(\(AttendanceStatus.invited.en))"))
            let list = try await b.get("/moten?lang=sv")
            #expect(list.text.contains("<td>\(MeetingStatus.planned.sv)</td><td>\(MinutesStatus.draft.sv)</td>"))
        }
    }

    @Test func meetingPageEditsMinutesThroughTheBus() async throws {
        let fake = bus()
        let h = try await Harness.make(bus: fake)
        try await h.test { client in
            var b = Browser(client: client)
            try await b.login()
            let page = try await b.get("/moten/m1")
            #expect(page.status == .ok)
            #expect(page.text.contains("<label for=\"text-i1\">Anteckningar för punkt 1</label>"))
            #expect(page.text.contains("Tre nya utredare."))
            #expect(page.text.contains("id=\"circulate-agenda\""))
            // A meeting that has not begun offers no circulation of minutes, and one with no
            // circulated previous minutes no approval.
            #expect(!page.text.contains("id=\"circulate-minutes\"") && page.text.contains("id=\"minutes-after-start\""))
            #expect(!page.text.contains("id=\"approve-previous\""))
            let csrf = try #require(Browser.csrfField(page.text))
            let r = try await b.post("/moten/m1/punkt", form: ["csrf": csrf, "itemId": "i1", "text": "Alla hälsas välkomna."])
            #expect(r.status == .seeOther && r.location == "/moten/m1?klart=punkt#item-i1")
            #expect(try await b.get("/moten/m1?klart=punkt").text.contains("Anteckningarna för punkten är sparade."), "a message after the step")
            // Cancelling the meeting asks first and sends nothing until confirmed.
            let asked = try await b.post("/moten/m1/stall-in", form: ["csrf": csrf])
            #expect(asked.status == .ok && asked.text.contains("Vill du ställa in mötet?"))
            #expect(sent(fake, "meetings.cancel").isEmpty)
            let body = try #require(sent(fake, "meetings.minutes.item.set").last)
            #expect(body["meetingId"]?.stringValue == "m1" && body["itemId"]?.stringValue == "i1")
            #expect(body["text"]?.stringValue == "Alla hälsas välkomna." && body["confidential"] == .bool(false))
            fake.setReply("meetings.minutes.item.set", .failure(HubError(MeetingsError.minutesLocked, "The minutes are approved and never change.", field: "body.meetingId")))
            let locked = try await b.post("/moten/m1/punkt", form: ["csrf": csrf, "itemId": "i1", "text": "Ändrat"])
            #expect(locked.status == .badRequest && locked.text.contains("Godkända mötesanteckningar kan inte ändras."))
        }
    }

    @Test func apiForwardsWithTheActorAndIsInTheOpenAPIDocument() async throws {
        let fake = bus()
        let h = try await Harness.make(bus: fake)
        try await h.test { client in
            let token = try await client.token()
            let r = try await client.json("/api/v1/meetings/m1", token: token)
            #expect(r.status == .ok)
            let body = try #require(sent(fake, "meetings.get").last)
            #expect(body["meetingId"]?.stringValue == "m1" && body["actor"]?["role"]?.stringValue == "admin")
            let md = try await client.json("/api/v1/meetings/m1/export?format=markdown", token: token)
            #expect(md.headers[.contentType]?.hasPrefix("text/markdown") == true && md.text.hasPrefix("Utväg Skaraborg"))
            #expect(try await client.json("/api/v1/meetings/m1").status == .unauthorized)
            let doc = try await client.execute(uri: "/openapi.yaml", method: .get).text
            for path in ["/api/v1/meetings:", "/api/v1/meetings/{meetingId}:", "/api/v1/meetings/{meetingId}/minutes/circulate:",
                         "/api/v1/minutes/import:", "/api/v1/minutes/search:", "/api/v1/management-groups/{centre}/attendance:", "    MeetingInput:"] {
                // A path stands alone on its line; a schema's name starts its line (its schema may follow on it).
                #expect(doc.contains("\n" + (path.hasPrefix(" ") ? path : "  " + path + "\n")), "\(path)")
            }
        }
    }

    @Test func agencyUserSendsAStatusReportFromTheWeb() async throws {
        let fake = bus()
        fake.answer(StatusReportSubmit.self, .init(meetingId: "m1", agency: "police", municipality: nil, submittedAt: "2031-03-01T10:00:00.000Z"))
        let h = try await Harness.make(bus: fake)
        _ = try await h.users.create(username: "polis1", password: Harness.adminPassword, role: "agency", agency: "police")
        try await h.test { client in
            var b = Browser(client: client)
            try await b.login(username: "polis1")
            let page = try await b.get("/moten/m1")
            #expect(page.text.contains("<label for=\"report-text\">Läget på din myndighet</label>"))
            #expect(!page.text.contains("id=\"circulate-minutes\""), "agency users do not circulate minutes")
            let csrf = try #require(Browser.csrfField(page.text))
            let r = try await b.post("/moten/m1/lagesrapport", form: ["csrf": csrf, "text": "Tre nya utredare."])
            #expect(r.status == .seeOther)
            let body = try #require(sent(fake, "meetings.status-report.submit").last)
            #expect(body["meetingId"]?.stringValue == "m1" && body["text"]?.stringValue == "Tre nya utredare.")
            #expect(body["actor"]?["agency"]?.stringValue == "police")
        }
    }
}
