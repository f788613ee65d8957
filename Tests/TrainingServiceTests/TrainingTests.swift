import Foundation
import HubProtocol
import HubRegistration
import Testing
import TrainingAPI

@Suite("Training events: sessions, registration, attendance, certificates, evaluation")
struct TrainingEventTests {
    @Test(arguments: Backend.available)
    func badSessionsAreRefusedNamingTheFieldAndStoreNothing(_ backend: Backend) async throws {
        let f = try await TrainingFixture.make(backend)
        let d1 = TrainingFixture.date(daysFromNow: 10)
        func with(_ sessions: JSONValue) -> JSONValue { TrainingFixture.twoDateTraining(extra: ["sessions": sessions]) }
        try await f.refused("training.events.create", with([
            ["date": .string(d1), "startTime": "09:00", "endTime": "12:00", "venue": "A"],
            ["date": .string(d1), "startTime": "11:00", "endTime": "15:00", "venue": "A"],
        ]), code: .validation, field: "body.sessions[1].startTime")
        try await f.refused("training.events.create", with([
            ["date": .string(d1), "startTime": "13:00", "endTime": "09:00", "venue": "A"],
        ]), code: .validation, field: "body.sessions[0].endTime")
        try await f.refused("training.events.create", with([]), code: .validation, field: "body.sessions")
        try await f.refused("training.events.create", with([["date": "2031-02-30", "startTime": "09:00", "endTime": "10:00", "venue": "A"]]),
                            code: .validation, field: "body.sessions[0].date")
        try await f.refused("training.events.create", TrainingFixture.twoDateTraining(extra: ["deadline": .string(TrainingFixture.date(daysFromNow: 12))]),
                            code: .validation, field: "body.deadline")
        try await f.refused("training.events.create", TrainingFixture.twoDateTraining(extra: ["kind": "party"]), code: .validation, field: "body.kind")
        try await f.refused("training.events.create", TrainingFixture.twoDateTraining(capacity: 0), code: .validation, field: "body.capacity")
        try await f.refused("training.events.create", TrainingFixture.twoDateTraining(extra: ["trainers": [["external": true]]]),
                            code: .validation, field: "body.trainers[0].name")

        let e = try await f.createTraining()
        #expect(e["sessions"]?.arrayValue?.count == 2)
        #expect(e["registrationOpen"]?.boolValue == true)
        #expect(e["firstDate"]?.stringValue == d1)
        let listed = try await f.ok("training.events.list", ["centreId": "sodra-alvsborg"])
        #expect(listed["events"]?.arrayValue?.count == 1)
        await f.close()
    }

    @Test(arguments: Backend.available)
    func fullPastAndCancelledTrainingsRefuseRegistrations(_ backend: Backend) async throws {
        let f = try await TrainingFixture.make(backend)
        let strict = try await f.createTraining(capacity: 1, waitingList: false)
        let strictId = strict["id"]?.stringValue ?? ""
        _ = try await f.register(1, strictId)
        try await f.refused("training.registrations.create", TrainingFixture.person(2, eventId: strictId), code: .conflict, field: "body.eventId")
        try await f.refused("training.registrations.create", TrainingFixture.person(2, eventId: "nope"), code: .notFound, field: "body.eventId")

        // With a waiting list, the second person waits and gets the seat when the first cancels.
        let open = try await f.createTraining(capacity: 1)
        let openId = open["id"]?.stringValue ?? ""
        let token = RegistrationEngine.makeToken()
        var first = TrainingFixture.person(1, eventId: openId).objectValue!
        first["cancelToken"] = .string(token)
        _ = try await f.ok("training.registrations.create", .object(first))
        let second = try await f.ok("training.registrations.create", TrainingFixture.person(2, eventId: openId))
        #expect(second["participants"]?[index: 0]?["status"]?.stringValue == "waiting")
        let (cancel, events) = await f.send("training.registrations.cancel", ["token": .string(token)])
        #expect(cancel.error == nil)
        #expect(cancel.body["promoted"]?.arrayValue?.count == 1)
        #expect(events.contains { $0.0 == "event.registration.promoted" })
        // Each heard by e-mail (the shared registration mail); the refused full training mailed no one.
        let mails = try await f.ok("training.mail.outbox", ["eventId": .string(openId)])["mail"]?.arrayValue ?? []
        #expect(mails.map { $0["kind"]?.stringValue ?? "" }.sorted() == ["confirmation", "promotion", "waiting-list"])
        let strictMails = try await f.ok("training.mail.outbox", ["eventId": .string(strictId)])["mail"]?.arrayValue ?? []
        #expect(strictMails.count == 1, "only the one who got the seat; the refused registration was rolled back with its mail")
        #expect(try await f.ok("training.mail.flush", [:])["configured"] == false)
        // Past the deadline and after the start.
        f.clock.advance(days: 11)
        try await f.refused("training.registrations.create", TrainingFixture.person(3, eventId: openId), code: .conflict, field: "body.eventId")
        // Cancelled.
        let gone = try await f.createTraining()
        _ = try await f.ok("training.events.cancel", ["eventId": gone["id"] ?? .null])
        try await f.refused("training.registrations.create", TrainingFixture.person(4, eventId: gone["id"]?.stringValue ?? ""), code: .conflict, field: "body.eventId")
        await f.close()
    }

    @Test(arguments: Backend.available)
    func attendancePerSessionThenCertificatesOnlyForThoseWhoCameEveryTime(_ backend: Backend) async throws {
        let f = try await TrainingFixture.make(backend)
        let e = try await f.createTraining(capacity: 2)
        let id = e["id"]?.stringValue ?? ""
        let s1 = e["sessions"]?[index: 0]?["id"]?.stringValue ?? "", s2 = e["sessions"]?[index: 1]?["id"]?.stringValue ?? ""
        let anna = try await f.register(1, id), bo = try await f.register(2, id), waiting = try await f.register(3, id)
        let other = try await f.createTraining()
        let stranger = try await f.register(9, other["id"]?.stringValue ?? "")

        // Before the session starts.
        try await f.refused("training.attendance.mark", ["sessionId": .string(s1), "marks": [["participantId": .string(anna)]]],
                            code: .conflict, field: "body.sessionId")
        f.clock.advance(days: 10.5)
        // Someone not registered for this training, or only waiting: refused, and the good mark before it is not stored either.
        try await f.refused("training.attendance.mark", ["sessionId": .string(s1), "marks": [["participantId": .string(anna)], ["participantId": .string(stranger)]]],
                            code: .conflict, field: "body.marks[1].participantId")
        try await f.refused("training.attendance.mark", ["sessionId": .string(s1), "marks": [["participantId": .string(waiting)]]],
                            code: .conflict, field: "body.marks[0].participantId")
        try await f.refused("training.attendance.mark", ["sessionId": .string(s1), "marks": [["participantId": "no-such-person"]]],
                            code: .conflict, field: "body.marks[0].participantId")
        let marked = try await f.ok("training.attendance.mark", ["sessionId": .string(s1), "marks": [["participantId": .string(anna)], ["participantId": .string(bo)]]])
        #expect(try AttendanceMark.reply(marked) == .init(sessionId: s1, marked: 2))
        // Certificates wait for the last session.
        try await f.refused("training.certificates.issue", ["eventId": .string(id), "participantId": .string(anna)], code: .conflict, field: "body.eventId")
        f.clock.advance(days: 7)
        _ = try await f.ok("training.attendance.mark", ["sessionId": .string(s2), "marks": [["participantId": .string(anna)], ["participantId": .string(bo), "attended": false]]])

        let sheet = try await f.ok("training.attendance.get", ["eventId": .string(id)])
        let rows = sheet["participants"]?.arrayValue ?? []
        #expect(rows.count == 2)
        #expect(rows.first { $0["participantId"]?.stringValue == anna }?["allSessions"]?.boolValue == true)
        #expect(rows.first { $0["participantId"]?.stringValue == bo }?["sessions"] == [true, false])

        try await f.refused("training.certificates.issue", ["eventId": .string(id), "participantId": .string(bo)], code: .conflict, field: "body.participantId")
        try await f.refused("training.certificates.issue", ["eventId": .string(id), "participantId": .string(waiting)], code: .conflict, field: "body.participantId")
        let cert = try await f.ok("training.certificates.issue", ["eventId": .string(id), "participantId": .string(anna)])
        let html = cert["certificates"]?[index: 0]?["html"]?.stringValue ?? ""
        #expect(html.contains("Kursdeltagare 1"))
        #expect(html.contains("Intyg om deltagande"))
        #expect(html.contains("samtliga 2 tillfällen"))
        // Everyone eligible at once: only Anna, and the same certificate again.
        let all = try await f.ok("training.certificates.issue", ["eventId": .string(id)])
        #expect(all["certificates"]?.arrayValue?.count == 1)
        #expect(all["certificates"]?[index: 0]?["number"] == cert["certificates"]?[index: 0]?["number"])
        #expect(all["notEligible"]?.numberValue == 1)
        let typed = try CertificateIssue.reply(all)
        #expect(typed.certificates.map(\.participantId) == [anna] && typed.certificates[0].number.hasPrefix("UTB-"))
        await f.close()
    }

    @Test(arguments: Backend.available)
    func evaluationIsAnonymousAndAggregated(_ backend: Backend) async throws {
        let f = try await TrainingFixture.make(backend)
        let e = try await f.createTraining()
        let id = e["id"]?.stringValue ?? ""
        let token = RegistrationEngine.makeToken()
        func answer(_ t: String, _ score: Int, comment: String? = nil) -> JSONValue {
            ["eventId": .string(id), "token": .string(t), "overall": .number(Double(score)), "content": 4, "useful": 5, "comment": comment.map { .string($0) } ?? .null]
        }
        try await f.refused("training.evaluations.submit", answer(token, 5), code: .conflict, field: "body.eventId")
        f.clock.advance(days: 18)
        try await f.refused("training.evaluations.submit", answer(token, 6), code: .validation, field: "body.overall")
        _ = try await f.ok("training.evaluations.submit", answer(token, 5, comment: "Mycket bra"))
        try await f.refused("training.evaluations.submit", answer(token, 3), code: .conflict, field: "body.token")
        _ = try await f.ok("training.evaluations.submit", answer(RegistrationEngine.makeToken(), 3, comment: "Bra"))
        let summary = try await f.ok("training.evaluations.summary", ["eventId": .string(id)])
        #expect(summary["responses"]?.numberValue == 2)
        #expect(summary["questions"]?[index: 0]?["average"]?.numberValue == 4)
        #expect(summary["questions"]?[index: 0]?["distribution"] == [0, 0, 1, 0, 1])
        #expect(summary["comments"] == ["Bra", "Mycket bra"])
        #expect(try EvaluationSummary.reply(summary).questions.map(\.question) == ["overall", "content", "useful"])
        // Nothing that stores an answer can point at a person or a token.
        let columns = try await f.database.query("SELECT * FROM training_evaluation_counts", [])
        #expect(columns.count == 4)
        await f.close()
    }

    @Test func invitationsCarryEverySessionInTheCalendar() async throws {
        let f = try await TrainingFixture.make(bus: FakeNetworks())
        let e = try await f.createTraining()
        let (reply, events) = await f.send("training.events.invite", ["eventId": e["id"] ?? .null, "registrationUrl": "https://hub.example/t/x"])
        #expect(reply.error == nil)
        let police = events.first { $0.0 == "agency.police.invitation" }?.1
        let ical = police?["icalendar"]?.stringValue ?? ""
        #expect(ical.components(separatedBy: "BEGIN:VEVENT").count == 3)
        #expect(ical.contains("METHOD:REQUEST"))
        #expect(ical.contains("kontakt@polisen.example") && !ical.contains("kontakt@boras.example"), "each agency's own contacts as attendees")
        #expect(reply.body["recipients"]?.numberValue == 2)
        #expect(events.first { $0.0 == "event.invitation" }?.1["recipients"]?.arrayValue?.count == 2)
        // Without the networks service the invitations still go out, without attendees.
        let alone = try await TrainingFixture.make()
        let other = try await alone.createTraining()
        let (plain, plainEvents) = await alone.send("training.events.invite", ["eventId": other["id"] ?? .null, "registrationUrl": "https://hub.example/t/y"])
        #expect(plain.body["contactsAvailable"]?.boolValue == false)
        #expect(plainEvents.contains { $0.0 == "agency.police.invitation" })
        await alone.close()
        let (cancel, cancelEvents) = await f.send("training.events.cancel", ["eventId": e["id"] ?? .null])
        #expect(cancel.error == nil)
        #expect(cancelEvents.first { $0.0 == "agency.police.invitation" }?.1["icalendar"]?.stringValue?.contains("METHOD:CANCEL") == true)
        await f.close()
    }
}

@Suite("Training: lectures, targeted supervision, coverage and the year in review")
struct TrainingSupervisionTests {
    @Test(arguments: Backend.available)
    func supervisionPartsComeInOrderAndCoverageFollows(_ backend: Backend) async throws {
        let f = try await TrainingFixture.make(backend)
        try await f.refused("training.supervision.create", ["centreId": "sodra-alvsborg", "municipality": "Skövde", "agency": "social-services", "unit": "IFO"],
                            code: .validation, field: "body.municipality")
        let a = try await f.ok("training.supervision.create", ["centreId": "sodra-alvsborg", "municipality": "Lerum", "agency": "social-services", "unit": "Barn och unga"])
        let id = a["id"] ?? .null
        try await f.refused("training.supervision.part", ["assignmentId": id, "part": "dialogue", "status": "done", "date": "2031-02-01"],
                            code: .conflict, field: "body.part")
        try await f.refused("training.supervision.session", ["assignmentId": id, "part": "onsite", "date": "2031-02-01"], code: .conflict, field: "body.part")
        _ = try await f.ok("training.supervision.part", ["assignmentId": id, "part": "information", "status": "done", "date": "2031-02-01"])
        try await f.refused("training.supervision.part", ["assignmentId": id, "part": "dialogue", "status": "done", "date": "2031-01-15"],
                            code: .validation, field: "body.date")
        _ = try await f.ok("training.supervision.part", ["assignmentId": id, "part": "dialogue", "status": "done", "date": "2031-03-01"])
        var coverage = try await f.ok("training.supervision.coverage", ["centreId": "sodra-alvsborg"])
        let lerum = { (c: JSONValue) in c["municipalities"]?.arrayValue?.first { $0["municipality"]?.stringValue == "Lerum" } }
        #expect(lerum(coverage)?["status"]?.stringValue == "dialogue_held")
        #expect(coverage["municipalities"]?.arrayValue?.count == 10)
        #expect(coverage["counts"]?["not_contacted"]?.numberValue == 9)
        _ = try await f.ok("training.supervision.part", ["assignmentId": id, "part": "onsite", "status": "planned", "date": "2031-04-01"])
        try await f.refused("training.supervision.part", ["assignmentId": id, "part": "dialogue", "status": "planned", "date": "2031-03-01"],
                            code: .conflict, field: "body.status")
        let logged = try await f.ok("training.supervision.session", ["assignmentId": id, "part": "onsite", "date": "2031-04-01", "participants": 8])
        #expect(logged["sessions"]?.arrayValue?.count == 1)
        coverage = try await f.ok("training.supervision.coverage", ["centreId": "sodra-alvsborg"])
        #expect(lerum(coverage)?["status"]?.stringValue == "supervision_ongoing")
        _ = try await f.ok("training.supervision.part", ["assignmentId": id, "part": "onsite", "status": "done", "date": "2031-05-01"])
        coverage = try await f.ok("training.supervision.coverage", ["centreId": "sodra-alvsborg"])
        #expect(lerum(coverage)?["status"]?.stringValue == "completed")
        await f.close()
    }

    @Test(arguments: Backend.available)
    func yearInReviewListsTrainingsNetworkDaysLecturesAndSupervision(_ backend: Backend) async throws {
        let f = try await TrainingFixture.make(backend, bus: FakeNetworks())
        try await f.refused("training.lectures.create", ["centreId": "sodra-alvsborg", "date": "2031-03-03", "partner": "nobody", "topic": "Våld", "audienceSize": 30],
                            code: .validation, field: "body.partner")
        _ = try await f.ok("training.lectures.create", ["centreId": "sodra-alvsborg", "date": "2031-03-03", "partner": "police", "unit": "Utredningsenheten",
                                                         "topic": "Våld i nära relationer", "audienceSize": 30])
        let a = try await f.ok("training.supervision.create", ["centreId": "sodra-alvsborg", "municipality": "Mark", "agency": "social-services", "unit": "Vuxenenheten"])
        _ = try await f.ok("training.supervision.part", ["assignmentId": a["id"] ?? .null, "part": "information", "status": "done", "date": "2031-06-01"])
        let year = Int(TrainingFixture.date(daysFromNow: 10).prefix(4))!
        let e = try await f.createTraining()
        let review2031 = try await f.ok("training.year.review", ["centreId": "sodra-alvsborg", "year": 2031])
        #expect(review2031["networkDaysAvailable"]?.boolValue == true)
        let md = review2031["markdown"]?.stringValue ?? ""
        #expect(md.contains("## Föreläsningar på uppdrag (1, 30 åhörare)"))
        #expect(md.contains("KP-nätverksträff"))
        #expect(md.contains("Mark, Socialtjänsten Vuxenenheten") || md.contains("Mark, "))
        #expect(review2031["html"]?.stringValue?.contains("<h2>Riktad handledning (1 uppdrag)</h2>") == true)
        // The annual report's tables: the referrals service's statistics, then what was held.
        let report = review2031["reportMarkdown"]?.stringValue ?? ""
        #expect(review2031["statisticsAvailable"] == true)
        #expect(report.contains("| Målgrupp | 2031 | 2030 | Skillnad |"))
        #expect(report.contains("### Utbildningar och nätverksdagar 2031"))
        #expect(report.contains("| Kontaktpersonsnätverksdagar | 1 | 41 |"))
        #expect(report.contains("| Föreläsningar på uppdrag | 1 | 30 |"))
        #expect(review2031["reportCSV"]?.stringValue == "\u{FEFF}Tabell;Rad;2031;2030;Skillnad\r\nUnika klienter per målgrupp;Summa;12;10;2\r\n"
                + "Utbildningar och nätverksdagar;Kontaktpersonsnätverksdagar;1;;\r\nUtbildningar och nätverksdagar;Föreläsningar på uppdrag;1;;\r\n")
        let reviewNow = try await f.ok("training.year.review", ["centreId": "sodra-alvsborg", "year": .number(Double(year))])
        #expect(reviewNow["trainings"]?[index: 0]?["id"] == e["id"])
        #expect(reviewNow["markdown"]?.stringValue?.contains("Barn som upplevt våld") == true)
        await f.close()

        let alone = try await TrainingFixture.make(backend)
        let without = try await alone.ok("training.year.review", ["centreId": "sodra-alvsborg", "year": 2031])
        #expect(without["networkDaysAvailable"]?.boolValue == false)
        #expect(without["markdown"]?.stringValue?.contains("Uppgift saknas") == true)
        #expect(without["statisticsAvailable"] == false)
        #expect(without["reportMarkdown"]?.stringValue?.contains("Statistiken saknas") == true)
        await alone.close()
    }
}
