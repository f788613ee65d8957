import Foundation
import HTTPTypes
import HubCore
import HubProtocol
import ReferralsAPI
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import AgencyAdapters

@Suite("Every problem at once; control characters refused (all adapters)", .serialized)
struct ControlCharacterTests {
    // MARK: control characters and every problem at once (all adapters)

    @Test func aDraftReportsEveryProblemAtOnceAndRefusesNewLinesInOneLineFields() throws {
        let reference = try ReferenceData.load(configDir: repoConfig), risk = try repoRiskScreening()
        let answered = ["escalation": "no", "threat-to-kill": "no", "strangulation": "unknown"]
        var d = ReferralDraft(agency: "police")
        d.externalRef = "LPO\n1"; d.municipality = "Skövde"; d.category = "nope"; d.help = ["individual-talks"]
        d.identityNumber = "19640823-3235"; d.name = "Testa\tTestsson"; d.phone = "070\r0000000"; d.address = "Gatan 1\u{2028}Skövde"
        d.consentGiven = true; d.consentRecordedBy = "Handläggare"; d.riskAnswers = answered; d.notes = "Rad ett.\nRad två."
        let error = try #require(throws: HubError.self) { try d.validatedBody(adapter: "police", reference: reference, risk: risk) }
        #expect(error.code == .validation)
        let fields = (error.details ?? []).map(\.field)
        #expect(fields == ["body.externalRef", "body.category", "body.client.identityNumber", "body.client.name", "body.client.phone", "body.client.address"])
        #expect(error.details?.filter { $0.reason == .controlCharacters }.count == 4)
        for detail in error.details ?? [] { #expect(!detail.message.contains("Testsson") && !detail.message.contains("3235")) }
        // Notes may hold new lines, not other control characters.
        d = ReferralDraft(agency: "police")
        d.externalRef = "LPO-1"; d.municipality = "Skövde"; d.category = "not-stated"; d.help = ["individual-talks"]; d.consentGiven = true
        d.consentRecordedBy = "Handläggare"; d.riskAnswers = answered
        d.notes = "Rad ett.\r\nRad två."
        #expect(try d.validatedBody(adapter: "police", reference: reference, risk: risk)["notes"] == "Rad ett.\r\nRad två.")
        d.notes = "Rad\u{7}ett."
        #expect(throws: HubError.self) { try d.validatedBody(adapter: "police", reference: reference, risk: risk) }
    }

    @Test func aDraftIsRefusedAtTheEdgeWithoutWhoRecordedTheConsentOrTheRequiredRiskAnswers() throws {
        let reference = try ReferenceData.load(configDir: repoConfig), risk = try repoRiskScreening()
        var d = ReferralDraft(agency: "police")
        d.externalRef = "LPO-R-1"; d.municipality = "Skövde"; d.category = ClientCategory.subjectedToViolence.rawValue
        d.help = ["individual-talks"]; d.consentGiven = true
        d.riskAnswers = ["escalation": "yes", "weapon": "perhaps", "shoe-size": "no"]
        let error = try #require(throws: HubError.self) { try d.validatedBody(adapter: "police", reference: reference, risk: risk) }
        let problems = (error.details ?? []).map { "\($0.field) \($0.reason?.rawValue ?? "-")" }
        #expect(problems == ["body.consent.recordedBy required", "body.riskAnswers.shoe-size not_a_choice", "body.riskAnswers.weapon not_a_choice",
                             "body.riskAnswers.threat-to-kill required", "body.riskAnswers.strangulation required"], "\(problems)")
        // Answered, and recorded by someone: accepted, with only the known answers passed on.
        d.consentRecordedBy = "Handläggare"; d.riskAnswers = ["escalation": "yes", "threat-to-kill": "no", "strangulation": "unknown"]
        #expect(try d.validatedSubmission(adapter: "police", reference: reference, risk: risk).riskAnswers?.count == 3)
        // A client referred for having used violence is not asked the screening questions.
        d.category = ClientCategory.usedViolence.rawValue; d.riskAnswers = [:]
        #expect(try d.validatedSubmission(adapter: "police", reference: reference, risk: risk).riskAnswers == nil)
    }

    @Test func policeRefusesControlCharactersAndListsEveryProblem() async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        let police = try await f.adapter("police", environment: ["HUB_ADAPTER_POLICE_API_KEY": policeKey]) as! PoliceAdapter
        try await Application(router: police.buildRouter()).test(.router) { client in
            var r = policeReferral("LPO-C-1").objectValue!
            var c = r["client"]!.objectValue!; c["name"] = "Testa\nTestsson"; r["client"] = .object(c)
            let (status, body) = try await client.postJSON("/v1/referrals", key: policeKey, body: JSONValue.object(r).serialized())
            #expect(status == .unprocessableContent)
            #expect(body["error"]?["field"] == "client.name" && body["error"]?["reason"] == "control_characters")

            var many = policeReferral("LPO-C-2", pnr: "640823-3235").objectValue!
            many["category"] = "nope"; many["municipality"] = "Atlantis"
            let (s2, b2) = try await client.postJSON("/v1/referrals", key: policeKey, body: JSONValue.object(many).serialized())
            #expect(s2 == .unprocessableContent)
            let fields = b2["error"]?["details"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []
            #expect(fields == ["municipality", "category", "client.identityNumber"], "\(b2)")
        }
        #expect(try await police.host.database.query("SELECT message_id FROM outbox", []).isEmpty)
        await f.tearDown()
    }

    @Test func municipalityRefusesNewLinesInOneLineColumnsAndReportsEveryProblemOfARow() async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        let adapter = try await f.adapter("municipality") { $0.municipalities = ["Skövde"] } as! MunicipalityAdapter
        let skovde = adapter.folder("Skövde")
        let csv = "Ärendenummer;Kategori;Insatser;Personnummer;Namn;Telefon;Samtycke;Anteckningar\r\n"
            + "2026-C1;Utsatt för våld;Enskilda samtal;;\"Testa\r\nTestsson\";;Ja;\"Två\r\nrader\"\r\n"
            + "2026-C2;Okänd;Enskilda samtal;640823-3235;Testa;070\t1;Ja;\r\n"
        try dropFile(Data(csv.utf8), skovde.inbox + "/ctl.csv")
        await adapter.scanOnce()
        let report = text(skovde.rejected + "/ctl.avvisade.csv")
        #expect(report.contains("2;Namn;validation;Control characters"), "\(report)")
        #expect(!report.contains("Anteckningar"), "notes may hold new lines")
        #expect(report.contains(";Kategori;validation") && report.contains(";Personnummer;validation") && report.contains(";Telefon;validation"), "\(report)")
        #expect(try await adapter.host.database.query("SELECT message_id FROM outbox", []).isEmpty)
        await f.tearDown()
    }

    @Test func psychiatryRefusesControlCharactersWithAnOperationOutcome() async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        let adapter = try await f.adapter("psychiatry", environment: ["HUB_ADAPTER_PSYCHIATRY_API_KEY": psychiatryKey]) as! PsychiatryAdapter
        try await Application(router: adapter.buildRouter()).test(.router) { client in
            var sr = serviceRequest("BUP-C-1").objectValue!
            var contained = sr["contained"]!.arrayValue!
            var patient = contained[0].objectValue!
            patient["name"] = [["text": "Testa\r\nTestsson"]]
            patient["telecom"] = [["system": "phone", "value": "070\u{0}1"]]
            contained[0] = .object(patient); sr["contained"] = .array(contained)
            let (status, outcome) = try await client.fhir(.post, "/fhir/ServiceRequest", body: JSONValue.object(sr).serialized())
            #expect(status == .unprocessableContent && outcome["resourceType"] == "OperationOutcome")
            let expressions = outcome["issue"]?.arrayValue?.compactMap { $0["expression"]?[0]?.stringValue } ?? []
            #expect(expressions == ["Patient.name", "Patient.telecom"], "\(outcome)")
        }
        #expect(try await adapter.host.database.query("SELECT message_id FROM outbox", []).isEmpty)
        await f.tearDown()
    }

    @Test func kriminalvardenRefusesNewLinesInOneLineElements() async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        let adapter = try await f.adapter("kriminalvarden") as! KriminalvardenAdapter
        let xml = remiss("KV-C-1").replacingOccurrences(of: "<Namn>Testa Testsson</Namn>", with: "<Namn>Testa&#10;Testsson</Namn>")
        try dropFile(Data(xml.utf8), adapter.folder.inbox + "/ctl.xml")
        await adapter.scanOnce()
        let report = try XMLElement.parse(Data(text(adapter.folder.rejected + "/ctl.fel.xml").utf8))
        #expect(report.value("Kod") == "validation" && report.value("Element") == "Remiss/Klient/Namn", "\(report.value("Meddelande") ?? "")")
        #expect(try await adapter.host.database.query("SELECT message_id FROM outbox", []).isEmpty)
        await f.tearDown()
    }
}
