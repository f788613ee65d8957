import Foundation
@testable import HubGateway
@testable import HubWeb
@testable import MeetingsWeb
@testable import NetworksWeb
@testable import ReferralsWeb
@testable import TrainingWeb
import HubProtocol
import ReferralsAPI
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Gateway: referral pages and API")
struct ReferralRouteTests {
    static let password = "a long enough password"

    static let options = ReferralOptions.Reply(
        categories: [.subjectedToViolence, .usedViolence], help: [.individualTalks], urgency: [.normal, .high],
        centres: [.init(id: "skaraborg", name: "Utväg Skaraborg", municipalities: ["Skövde"])], agencies: [],
        riskQuestions: [.init(id: "escalation", sv: "Har våldet ökat?", en: "Has it escalated?", required: true)],
        riskAnswers: ["yes", "no"], declineReasons: [], redirectReasons: [], closureReasons: [], withdrawReasons: [],
        maxFreeTextChars: 2000)

    @Test func theAPINamesTheSignedInUserAsActorAndIgnoresASpoofedOne() async throws {
        let h = try await Harness.make()
        defer { Task { await h.close() } }
        _ = try await h.users.create(username: "polis", password: Self.password, role: "agency", agency: "police")
        h.bus.answer(SubmitReferral.self, SubmissionReceipt(id: "r1", reference: "U26-ABCDEF", centre: "skaraborg", centreName: "Utväg Skaraborg",
                                                               submittedAt: "2026-03-02T09:00:00Z"))
        try await h.test { client in
            let token = try await client.token(username: "polis", password: Self.password)
            let r = try await client.json("/api/v1/referrals", method: .post, token: token,
                                          body: #"{"municipality":"Skövde","actor":{"user":"x","role":"admin"}}"#)
            #expect(r.status == .created)
            #expect(r.json?["id"] == "r1")
        }
        let sent = try #require(h.bus.state.withLock { $0.requests.last })
        #expect(sent.type == "referrals.submit")
        #expect(sent.body["actor"] == ["user": "polis", "role": "agency", "agency": "police"])
    }

    @Test func validationDetailsReachTheAPICallerWithEveryField() async throws {
        let h = try await Harness.make()
        defer { Task { await h.close() } }
        h.bus.setReply("referrals.submit", .failure(.validation([
            .init(field: "body.client.identityNumber", message: "The identity number's check digit is wrong."),
            .init(field: "body.consent", message: "Consent is missing.", reason: .required),
        ])))
        try await h.test { client in
            let token = try await client.token()
            let r = try await client.json("/api/v1/referrals", method: .post, token: token, body: "{}")
            #expect(r.status == .unprocessableContent)
            #expect(r.json?["error"]?["field"] == "body.client.identityNumber")
            #expect(r.json?["error"]?["details"]?.arrayValue?.count == 2)
            #expect(r.json?["error"]?["details"]?[index: 1]?["reason"] == "required")
            #expect(r.json?["error"]?["details"]?[index: 0]?["reason"] == nil)
            let bad = try await client.json("/api/v1/referrals", method: .post, token: token, body: "{not json")
            #expect(bad.json?["error"]?["code"] == "invalid_json")
        }
    }

    @Test func theFormShowsTheServicesErrorsInSwedishByTheFieldsAndKeepsWhatWasTyped() async throws {
        let h = try await Harness.make()
        defer { Task { await h.close() } }
        _ = try await h.users.create(username: "polis", password: Self.password, role: "agency", agency: "police")
        h.bus.answer(ReferralOptions.self, Self.options)
        h.bus.setReply("referrals.submit", .failure(.validation([
            // The page chooses its words by field and reason: the service's English is not read.
            .init(field: "body.client.identityNumber", message: "Worded any way at all.", reason: .checkDigit),
            .init(field: "body.riskAnswers.escalation", message: "Required risk-screening question.", reason: .required),
        ])))
        try await h.test { client in
            var b = Browser(client: client)
            try await b.login(username: "polis", password: Self.password)
            let form = try await b.get("/hanvisningar/ny")
            #expect(form.status == .ok)
            #expect(form.text.contains(#"<label for="client_identityNumber">"#))
            let csrf = try #require(Browser.csrfField(form.text))
            let r = try await b.post("/hanvisningar/ny", form: ["csrf": csrf, "client.identityNumber": "640823-3235", "municipality": "Skövde",
                                                                 "formKey": "k1"])
            #expect(r.status == .unprocessableContent)
            #expect(r.text.contains("Personnumrets kontrollsiffra stämmer inte."))
            #expect(r.text.contains(#"id="client_identityNumber" name="client.identityNumber" value="640823-3235""#))
            #expect(r.text.contains(#"aria-describedby="client_identityNumber-error""#))
            #expect(r.text.contains("Frågan måste besvaras."))
            // Nothing personal in the URL: the form posts to a fixed path.
            #expect(!(r.location ?? "").contains("640823"))
        }
        // The form's key became the message id's suffix: a resent form is one referral.
        let sent = try #require(h.bus.state.withLock { $0.requests.last { $0.type == "referrals.submit" } })
        #expect(sent.body["client"]?["identityNumber"] == "640823-3235")
    }

    @Test func aStateChangeWithoutCSRFIsForbidden() async throws {
        let h = try await Harness.make()
        defer { Task { await h.close() } }
        try await h.test { client in
            var b = Browser(client: client)
            try await b.login()
            for path in ["/hanvisningar/ny", "/hanvisningar/abc/atgard", "/kapacitet/skaraborg"] {
                let r = try await b.post(path, form: ["action": "receive"])
                #expect(r.status == .forbidden, "\(path)")
            }
        }
        #expect(!h.bus.requestTypes.contains { $0.hasPrefix("referrals.") && $0 != "referrals.centres.list" })
    }

    @Test func statisticsAreDrawnAsSVGAndMaskedCountsStayMasked() async throws {
        let h = try await Harness.make()
        defer { Task { await h.close() } }
        h.bus.setReply("referrals.statistics", .success([
            "centre": "skaraborg", "centreName": "Utväg Skaraborg", "year": 2026, "view": "shared", "threshold": 5,
            "imported": ["year": false, "previous": false],
            "uniqueClients": ["rows": [["category": "subjected-to-violence", "year": 12, "previous": "<5", "difference": "x"]],
                              "total": ["year": 12, "previous": "<5", "difference": "x"]],
            "byAgency": ["rows": [["agency": "police", "name": "Polisen", "count": "<5", "previous": 0, "difference": "x"],
                                  ["agency": "self", "name": "self", "count": "x", "previous": 0, "difference": "x"]], "total": 9, "previousTotal": 0],
            "byMunicipality": ["rows": [["municipality": "Skövde", "count": 9, "previous": 0, "difference": 9]], "total": 9, "previousTotal": 0],
            "waitToFirstAppointment": ["n": 9, "medianDays": 30, "p90Days": 70],
            "queueOverTime": [["date": "2026-01-08", "length": 6], ["date": "2026-01-15", "length": "<5"]],
        ]))
        try await h.test { client in
            var b = Browser(client: client)
            try await b.login()
            let page = try await b.get("/statistik?centre=skaraborg&year=2026")
            #expect(page.status == .ok)
            #expect(page.text.contains("<svg"))
            #expect(page.text.contains("&lt;5"))
            #expect(page.text.contains("Polisen"))
            // The CSV is written by the referrals service (format csv); the gateway passes it on.
            h.bus.setReply("referrals.statistics", .success(["filename": "statistik-skaraborg-2026.csv", "csv": "\u{FEFF}Tabell;Rad;2026;2025;Skillnad\r\n"]))
            let csv = try await b.get("/statistik.csv?centre=skaraborg&year=2026")
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.headers[.contentDisposition]?.contains("statistik-skaraborg-2026.csv") == true)
            #expect(csv.text == "\u{FEFF}Tabell;Rad;2026;2025;Skillnad\r\n")
            let sent = h.bus.state.withLock { $0.requests.last { $0.type == "referrals.statistics" } }
            #expect(sent?.body["format"] == "csv" && sent?.body["year"] == 2026)
        }
    }

    @Test func theGroupsPageShowsReadinessAndAssignsEveryChosenReferral() async throws {
        let h = try await Harness.make()
        defer { Task { await h.close() } }
        h.bus.setReply("referrals.groups.list", .success([
            "centre": "skaraborg",
            "groups": [["id": "g1", "name": "Barn och förälder", "help": "child-parent-group", "min": 4, "max": 5, "ageMin": 6, "ageMax": 9,
                        "counts": "children", "enrolled": 0, "matchingWaiting": 4, "readyToStart": true,
                        "candidates": [["id": "a", "reference": "U26-AAA", "participants": 2, "status": "accepted"],
                                       ["id": "b", "reference": "U26-BBB", "participants": 2, "status": "accepted"]]]],
        ]))
        h.bus.setReply("referrals.groups.assign", .success(["groupId": "g1", "assigned": []]))
        try await h.test { client in
            var b = Browser(client: client)
            try await b.login()
            let page = try await b.get("/grupper?centre=skaraborg")
            #expect(page.text.contains("Tillräckligt många för att starta"))
            #expect(page.text.contains(#"id="c-a" name="referral" value="a""#) && page.text.contains("U26-BBB (2)"), "the candidates can be chosen")
            let csrf = try #require(Browser.csrfField(page.text))
            var headers = b.cookieHeader
            headers[.contentType] = "application/x-www-form-urlencoded"
            let r = try await client.execute(uri: "/grupper/g1/placera", method: .post, headers: headers,
                                             body: ByteBuffer(string: "csrf=\(csrf)&centre=skaraborg&referral=a&referral=b"))
            #expect(r.status == .seeOther)
        }
        let sent = try #require(h.bus.state.withLock { $0.requests.last { $0.type == "referrals.groups.assign" } })
        #expect(sent.body["referralIds"] == ["a", "b"])
    }

    /// Issue 14: a step taken at 20:23 in Stockholm showed 19:23. The service keeps UTC; the case
    /// page shows Stockholm time, winter (UTC+1) and summer (UTC+2) alike, in the page's language.
    @Test func aCasePageShowsEachStepInStockholmTimeAtKnownUTCInstants() async throws {
        let h = try await Harness.make()
        defer { Task { await h.close() } }
        h.bus.answer(ReferralOptions.self, Self.options)
        h.bus.setReply("referrals.groups.list", .success(["centre": "skaraborg", "groups": []]))
        // The staff's full referral, as the service writes it (GetReferral.Reply), without personal data.
        h.bus.setReply("referrals.get", .success([
            "id": "r1", "reference": "U26-TID", "status": "received", "centre": "skaraborg", "centreName": "Utväg Skaraborg",
            "category": "subjected-to-violence", "submittedAt": "2026-12-31T23:30:00.000Z", "municipality": "Skövde",
            "help": ["individual-talks"], "source": "agency", "urgency": "normal", "protectedIdentity": false, "doNotContact": false,
            "riskScore": 0, "highRisk": false, "childrenAges": [], "version": 2, "externalRef": nil, "referrerUnit": nil,
            "identityKind": "personnummer", "consentScope": ["referral"], "mayCall": true, "mayLeaveMessage": false, "linked": [],
            "history": [["at": "2026-12-31T23:30:00.000Z", "status": "submitted", "action": "submit"],
                        ["at": "2026-07-01T10:05:00.000Z", "status": "received", "action": "receive"]],
        ]))
        try await h.test { client in
            var b = Browser(client: client)
            try await b.login()
            let sv = try await b.get("/hanvisningar/r1")
            #expect(sv.status == .ok)
            #expect(sv.text.contains("<td>2027-01-01 00:30</td>"), "23:30 UTC on New Year's Eve is 00:30 on New Year's Day in Stockholm")
            #expect(sv.text.contains("<td>2026-07-01 12:05</td>"), "summer time is UTC+2")
            #expect(!sv.text.contains("23:30") && !sv.text.contains("10:05"), "no UTC time on the page")
            let en = try await b.get("/hanvisningar/r1?lang=en")
            #expect(en.text.contains("<td>1 Jan 2027, 00:30</td>") && en.text.contains("<td>1 Jul 2026, 12:05</td>"), "English pages, English form, Stockholm time")
        }
    }

    /// The risk answers, the group-treatment form and the withdrawal form are drawn when there is
    /// something to draw (they were once behind `{{#list.0}}` sections, which the Mustache library
    /// never draws), and a risk answer is named by its question, not its id.
    @Test func aCasePageShowsTheRiskAnswersByQuestionAndTheGroupAndWithdrawalForms() async throws {
        let h = try await Harness.make()
        defer { Task { await h.close() } }
        var options = Self.options
        options.withdrawReasons = [.init(code: "client-declined", sv: "Klienten avböjde", en: "The client declined")]
        h.bus.answer(ReferralOptions.self, options)
        h.bus.answer(ListGroups.self, .init(centre: "skaraborg", groups: [
            .init(id: "g1", name: "Kvinnogrupp tisdag", help: .womensGroup, min: 4, max: 8, ageMin: 18, ageMax: 99, startsOn: nil,
                  counts: .people, enrolled: 2, matchingWaiting: 1, readyToStart: false, candidates: [])]))
        h.bus.setReply("referrals.get", .success([
            "id": "r1", "reference": "U26-RSK", "status": "accepted", "centre": "skaraborg", "centreName": "Utväg Skaraborg",
            "category": "subjected-to-violence", "submittedAt": "2026-11-30T09:00:00.000Z", "municipality": "Skövde",
            "help": ["individual-talks"], "source": "agency", "urgency": "normal", "protectedIdentity": false, "doNotContact": false,
            "riskScore": 1, "highRisk": false, "childrenAges": [], "version": 3, "externalRef": nil, "referrerUnit": nil,
            "identityKind": "none", "consentScope": ["referral"], "mayCall": true, "mayLeaveMessage": false, "linked": [],
            "personal": ["riskAnswers": ["escalation": "yes"]],
            "history": [["at": "2026-11-30T09:00:00.000Z", "status": "submitted", "action": "submit"]],
        ]))
        try await h.test { client in
            var b = Browser(client: client)
            try await b.login()
            let sv = try await b.get("/hanvisningar/r1")
            #expect(sv.status == .ok)
            #expect(sv.text.contains("<li>Har våldet ökat?: Ja</li>"), "named by the question's text")
            #expect(!sv.text.contains("escalation:"), "not by its id")
            #expect(sv.text.contains(#"id="action-group""#) && sv.text.contains(#"<option value="g1">Kvinnogrupp tisdag</option>"#))
            #expect(sv.text.contains(#"id="action-withdraw""#) && sv.text.contains("Klienten avböjde"))
            let en = try await b.get("/hanvisningar/r1?lang=en")
            #expect(en.text.contains("<li>Has it escalated?: Yes</li>"))
        }
    }

    @Test func everyReferralStringExistsInBothLanguages() {
        #expect(Set(ReferralStrings.swedish.keys) == Set(ReferralStrings.english.keys))
    }

    @Test func chartsEscapeTheirLabels() {
        let svg = StatisticsView.barChart(title: "<t>", labels: ["<script>"], series: [("2026", [.number(3)], "#000")])
        #expect(!svg.contains("<script>"))
        #expect(svg.contains("&lt;script&gt;"))
    }
}
