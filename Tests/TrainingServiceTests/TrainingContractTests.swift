import Foundation
import HubProtocol
import HubRegistration
import Testing
import TrainingAPI
import TrainingService

/// The training contract (`TrainingAPI`) against the real handlers: every message type has its
/// request and reply types, the replies decode into them, and a member the contract does not
/// name is refused.
@Suite("Training: the typed contract")
struct TrainingContractTests {
    @Test func everyMessageTypeOfTheServiceHasAContractAndNoContractLacksAHandler() {
        let handled = Set(TrainingService.definition().handlers.keys)
        let contracted = Set(TrainingAPI.messages.keys)
        #expect(handled.subtracting(contracted).isEmpty, "handlers without a contract type: \(handled.subtracting(contracted).sorted())")
        #expect(contracted.subtracting(handled).isEmpty, "contract types without a handler: \(contracted.subtracting(handled).sorted())")
        for (type, request) in TrainingAPI.messages { #expect(request.type == type && type.hasPrefix(TrainingAPI.service + ".")) }
    }

    @Test func anUnknownFieldIsRefusedNamingItAndNothingIsStored() async throws {
        let f = try await TrainingFixture.make()
        try await f.refused(EventCreate.type, TrainingFixture.twoDateTraining(extra: ["room": "A1"]), code: .validation, field: "body.room")
        let (reply, _) = await f.send(EventCreate.type, TrainingFixture.twoDateTraining(extra: ["room": "A1"]))
        #expect(reply.error?.message == "Unknown field." && reply.error?.reason == nil)
        await f.close()
    }

    @Test(arguments: Backend.available)
    func anUnknownMemberOfANestedObjectIsRefusedWithItsPathAndAKnownOnePasses(_ backend: Backend) async throws {
        let f = try await TrainingFixture.make(backend)
        func training(_ change: (inout [String: JSONValue]) -> Void) -> JSONValue {
            var body = TrainingFixture.twoDateTraining().objectValue ?? [:]
            change(&body)
            return .object(body)
        }
        func session(_ extra: [String: JSONValue]) -> JSONValue {
            var s: [String: JSONValue] = ["date": .string(TrainingFixture.date(daysFromNow: 24)), "startTime": "09:00", "endTime": "12:00", "venue": "Borås"]
            for (k, v) in extra { s[k] = v }
            return .object(s)
        }
        try await f.refused(EventCreate.type, training { $0["sessions"] = [session([:]), session(["room": "A1"])] }, code: .validation, field: "body.sessions[1].room")
        try await f.refused(EventCreate.type, training { $0["trainers"] = [["name": "Utbildare Ett", "email": "u@example.se"]] },
                            code: .validation, field: "body.trainers[0].email")
        let (reply, _) = await f.send(EventCreate.type, training { $0["sessions"] = [session(["room": "A1"])] })
        #expect(reply.error?.message == "Unknown field." && reply.error?.reason == nil)
        // A body that does not fit the contract (a time as a number) gets the handler's own message.
        let (wrong, _) = await f.send(EventCreate.type, training { $0["sessions"] = [session(["startTime": 9, "room": "A1"])] })
        #expect(wrong.error?.field == "body.sessions[0].startTime" && wrong.error?.message != "Unknown field.")
        // Known members at every depth pass (trainers with organisation, sessions), and so do attendance marks.
        let event = try EventCreate.reply(try await f.createTraining())
        let participant = try await f.register(1, event.id)
        f.clock.advance(days: 11)
        let marks = try AttendanceMark(sessionId: event.sessions[0].id, marks: [AttendanceMarkEntry(participantId: participant, attended: true)]).body()
        var members = marks.objectValue ?? [:]
        members["marks"] = [["participantId": .string(participant), "attended": true, "late": true]]
        try await f.refused(AttendanceMark.type, .object(members), code: .validation, field: "body.marks[0].late")
        // `attended` may be left out (it is true then), in the contract as in the service.
        members["marks"] = [["participantId": .string(participant), "late": true]]
        try await f.refused(AttendanceMark.type, .object(members), code: .validation, field: "body.marks[0].late")
        #expect(try AttendanceMark.decode(["sessionId": "s", "marks": [["participantId": "p"]]]).marks == [AttendanceMarkEntry(participantId: "p", attended: true)])
        _ = try await f.ok(AttendanceMark.type, marks)
        await f.close()
    }

    @Test func eventsRegistrationsAndSupervisionReplyInTheirContractTypes() async throws {
        let f = try await TrainingFixture.make()
        let createdJSON = try await f.createTraining(capacity: 1, waitingList: true)
        let event = try EventCreate.reply(createdJSON)
        #expect(event.kind == .training && event.sessions.count == 2 && event.trainers.last?.organisation == "Högskolan i Borås")
        #expect(createdJSON.objectValue?["description"] == .null, "optional members are on the wire as null")
        #expect(try EventGet.reply(try await f.ok(EventGet.type, try EventGet(eventId: event.id).body())) == event)
        #expect(try EventList.reply(try await f.ok(EventList.type, try EventList(kind: .training).body())).events.map(\.id) == [event.id])
        let publicJSON = try await f.ok(EventPublic.type, try EventPublic(eventId: event.id).body())
        let publicEvent = try EventPublic.reply(publicJSON)
        #expect(publicEvent.event.taken == nil && publicEvent.event.contactEmail == nil && !publicEvent.municipalities.isEmpty)

        let anna = Registrant(name: "Anna Andersson", agency: "social-services", email: "anna@example.se", cancelToken: RegistrationEngine.makeToken())
        let placed = try RegistrationCreate.reply(try await f.ok(RegistrationCreate.type, try RegistrationCreate(eventId: event.id, person: anna).body()))
        #expect(placed.eventId == event.id && placed.participants.first?.status == .confirmed)
        let mine = try RegistrationGet.reply(try await f.ok(RegistrationGet.type, try RegistrationGet(token: anna.cancelToken).body()))
        #expect(mine.participant.name == "Anna Andersson" && mine.event.id == event.id)
        let list = try RegistrationList.reply(try await f.ok(RegistrationList.type, try RegistrationList(eventId: event.id).body()))
        #expect(list.participants.count == 1 && list.event.taken == 1)
        let invoice = try RegistrationInvoice.reply(try await f.ok(RegistrationInvoice.type, try RegistrationInvoice(eventId: event.id).body()))
        #expect(invoice.people == 1 && invoice.day.id == event.id)
        let sheet = try AttendanceGet.reply(try await f.ok(AttendanceGet.type, try AttendanceGet(eventId: event.id).body()))
        #expect(sheet.sessions.count == 2 && sheet.participants.first?.sessions == [false, false] && sheet.participants.first?.certificateId == nil)

        let assignment = try SupervisionCreate.reply(try await f.ok(SupervisionCreate.type, ["centreId": "sodra-alvsborg", "municipality": "Mark",
                                                                                          "agency": "social-services", "unit": "Vuxenenheten"]))
        #expect(assignment.parts.map(\.status) == [.notStarted, .notStarted, .notStarted] && assignment.stage == .notContacted)
        #expect(try JSONValue.encode(assignment) == (try await f.ok(SupervisionGet.type, try SupervisionGet(assignmentId: assignment.id).body())))
        let partJSON = try await f.ok(SupervisionPart.type, ["assignmentId": .string(assignment.id), "part": "information", "status": "done",
                                                                   "date": "2031-06-01"])
        let informed = try SupervisionPart.reply(partJSON)
        #expect(informed.parts[0].status == .done && informed.parts[0].date == "2031-06-01" && informed.parts[1].date == nil)
        #expect(partJSON["parts"]?[index: 1]?.objectValue?["date"] == .null, "a part without a date says so with null")
        let logged = try SupervisionSession.reply(try await f.ok(SupervisionSession.type, ["assignmentId": .string(assignment.id), "part": "information",
                                                                                        "date": "2031-06-02", "participants": 12]))
        #expect(logged.sessions.map(\.participants) == [12] && logged.sessions[0].notes == nil)
        #expect(try SupervisionGet.reply(try await f.ok(SupervisionGet.type, try SupervisionGet(assignmentId: assignment.id).body())) == logged)
        #expect(try SupervisionList.reply(try await f.ok(SupervisionList.type, try SupervisionList(centreId: "sodra-alvsborg", year: 2031).body()))
            .assignments == [logged])
        let lecture = try LectureCreate.reply(try await f.ok(LectureCreate.type, ["centreId": "sodra-alvsborg", "date": "2031-03-03", "partner": "police",
                                                                               "topic": "Våld i nära relationer", "audienceSize": 30]))
        #expect(lecture.partnerName.isEmpty == false && lecture.unit == nil && lecture.audienceSize == 30)
        #expect(try LectureList.reply(try await f.ok(LectureList.type, try LectureList(centreId: "sodra-alvsborg", year: 2031).body())).lectures == [lecture])
        let coverage = try SupervisionCoverage.reply(try await f.ok(SupervisionCoverage.type, try SupervisionCoverage(centreId: "sodra-alvsborg").body()))
        #expect(coverage.municipalities.contains { $0.municipality == "Mark" && $0.units.count == 1 && $0.informationGiven })
        #expect(Set(coverage.counts.keys) == Set(SupervisionStage.codes), "every stage is counted")
        let reference = try ReferenceGet.reply(try await f.ok(ReferenceGet.type, try ReferenceGet().body()))
        #expect(reference.kinds == EventKind.allCases)
        await f.close()
    }

    /// The year in review is typed member by member (`YearReviewGet.Reply`): the reply re-encodes to
    /// the same JSON, with the members the OpenAPI reply schema requires and no other.
    @Test(arguments: Backend.available)
    func theYearInReviewRepliesInItsContractType(_ backend: Backend) async throws {
        let f = try await TrainingFixture.make(backend, bus: FakeNetworks())
        let year = Int(TrainingFixture.date(daysFromNow: 10).prefix(4))!
        let event = try EventCreate.reply(try await f.createTraining())
        _ = try await f.register(1, event.id)
        let lecture = try LectureCreate.reply(try await f.ok(LectureCreate.type, ["centreId": "sodra-alvsborg", "date": .string("\(year)-03-03"),
                                                                               "partner": "police", "topic": "Våld i nära relationer", "audienceSize": 30]))
        let assignment = try SupervisionCreate.reply(try await f.ok(SupervisionCreate.type, ["centreId": "sodra-alvsborg", "municipality": "Mark",
                                                                                          "agency": "social-services", "unit": "Vuxenenheten"]))
        let json = try await f.ok(YearReviewGet.type, try YearReviewGet(centreId: "sodra-alvsborg", year: year).body())
        let review = try YearReviewGet.reply(json)
        #expect(try JSONValue.encode(review) == json, "the contract type holds every member of the reply")
        #expect(json.objectValue.map { Set($0.keys) } == ["centreId", "centreName", "html", "lectures", "markdown", "networkDays", "networkDaysAvailable",
                                                          "reportCSV", "reportMarkdown", "statisticsAvailable", "supervision", "trainings", "year"])
        #expect(review.centreId == "sodra-alvsborg" && review.year == year && review.networkDaysAvailable && review.statisticsAvailable)
        #expect(review.trainings == [.init(id: event.id, kind: .training, title: "Barn som upplevt våld", audience: "Socialsekreterare",
                                           dates: event.sessions.map(\.date), registered: 1, attendedAll: 0, attendedAny: 0,
                                           trainers: ["Utbildare Ett", "Extern Föreläsare"])])
        #expect(review.networkDays == [.init(id: "d1", title: "KP-nätverksträff", theme: "Barn som upplever våld", date: "2031-05-12",
                                             venue: "Knistad Herrgård", registered: 41)], "the cancelled day is left out")
        #expect(review.lectures == [lecture] && review.supervision.map(\.id) == [assignment.id])
        #expect(review.markdown.contains("## Föreläsningar på uppdrag (1, 30 åhörare)") && review.html.contains("<h2>Riktad handledning (1 uppdrag)</h2>"))
        #expect(review.reportMarkdown.contains("| Utbildningar | 1 | 0 |") && review.reportCSV.hasPrefix("\u{FEFF}Tabell;Rad;"))
        let unknown = YearReviewGet.Reply.NetworkDay(id: "d3", title: "T", theme: "", date: "2031-01-01", venue: "V", registered: nil)
        #expect(try JSONValue.encode(unknown).objectValue?["registered"] == .null, "a day without a count says so with null")
        await f.close()
    }

    @Test func theVocabularyNamesEveryCodeInSwedishAndEnglish() {
        #expect(EventKind.openHouse.rawValue == "open-house" && EventKind.openHouse.name(.sv) == "Öppet hus")
        #expect(PartStatus.name(of: "not_started", "en") == "Not started")
        #expect(SupervisionPartName.codes == ["information", "dialogue", "onsite"])
        #expect(SupervisionStage.allCases.allSatisfy { !$0.sv.isEmpty && !$0.en.isEmpty })
    }
}
