import Foundation
import HTTPTypes
import HubProtocol
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import AgencyAdapters

let sd = PsychiatryAdapter.base + "/StructureDefinition/"

func serviceRequest(_ ref: String, pnr: String? = "196408233234", agency: String = "bup", protectedIdentity: Bool = false) -> JSONValue {
    var patient: [String: JSONValue] = [
        "resourceType": "Patient", "id": "p1",
        "name": [["text": "Testa Testsson"]],
        "telecom": [["system": "phone", "value": "070-0000000"]],
        "address": [["text": "Hemlig väg 1"]],
    ]
    if let pnr { patient["identifier"] = [["system": .string(PsychiatryAdapter.personnummerSystem), "value": .string(pnr)]] }
    if protectedIdentity { patient["meta"] = ["security": [["system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "R"]]] }
    return [
        "resourceType": "ServiceRequest", "status": "active", "intent": "order",
        "identifier": [["system": "urn:oid:1.2.752.0.test", "value": .string(ref)]],
        "contained": [.object(patient)],
        "subject": ["reference": "#p1"],
        "requester": ["identifier": ["system": .string(PsychiatryAdapter.agencySystem), "value": .string(agency)], "display": "BUP Skövde"],
        "category": [["coding": [["system": .string(PsychiatryAdapter.base + "/CodeSystem/referral-category"), "code": "child-witness"]]]],
        "code": ["coding": [["system": .string(PsychiatryAdapter.base + "/CodeSystem/help"), "code": "child-parent-group"]]],
        "priority": "urgent",
        "note": [["text": "Test."]],
        "extension": [
            ["url": .string(sd + "municipality"), "valueString": "Skövde"],
            ["url": .string(sd + "child-age"), "valueInteger": 7],
            ["url": .string(sd + "consent"), "extension": [["url": "given", "valueBoolean": true], ["url": "date", "valueDate": "2026-11-20"],
                                                           ["url": "recordedBy", "valueString": "Läkare Test"]]],
            ["url": .string(sd + "referrer-contact"), "extension": [["url": "name", "valueString": "Läkare Test"], ["url": "phone", "valueString": "010-2222222"]]],
            ["url": .string(sd + "risk-answer"), "extension": [["url": "question", "valueString": "escalation"], ["url": "answer", "valueCode": "no"]]],
            ["url": .string(sd + "risk-answer"), "extension": [["url": "question", "valueString": "threat-to-kill"], ["url": "answer", "valueCode": "no"]]],
            ["url": .string(sd + "risk-answer"), "extension": [["url": "question", "valueString": "strangulation"], ["url": "answer", "valueCode": "no"]]],
        ],
    ]
}

extension TestClientProtocol {
    func fhir(_ method: HTTPRequest.Method, _ path: String, token: String? = psychiatryKey, body: [UInt8]? = nil) async throws -> (HTTPResponse.Status, JSONValue) {
        var headers = HTTPFields()
        headers[.contentType] = "application/fhir+json"
        if let token { headers[.authorization] = "Bearer " + token }
        return try await execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) }) { r in
            (r.status, (try? JSONValue.parse(Array(r.body.readableBytesView))) ?? .null)
        }
    }
}

@Suite("Psychiatry FHIR adapter", .serialized)
struct PsychiatryAdapterTests {
    @Test func serviceRequestBecomesAReferralAndItsStateATask() async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        try await f.startReferrals()
        let adapter = try await f.adapter("psychiatry", environment: ["HUB_ADAPTER_PSYCHIATRY_API_KEY": psychiatryKey]) as! PsychiatryAdapter
        let gateway = try f.client()
        try await Application(router: adapter.buildRouter()).test(.router) { client in
            let (status, created) = try await client.fhir(.post, "/fhir/ServiceRequest", body: serviceRequest("BUP-1", protectedIdentity: true).serialized())
            #expect(status == .created)
            let id = try #require(created["id"]?.stringValue)
            #expect(created["contained"]?[0]?["address"] == nil)
            let stored = try await f.referrals(via: gateway)
            #expect(stored.count == 1 && stored[0]["agency"] == "bup")
            #expect(stored[0]["body"]?["client"]?["address"] == nil && stored[0]["body"]?["urgency"] == "high")

            #expect(try await f.eventually {
                let task = try await client.fhir(.get, "/fhir/Task?based-on=ServiceRequest/\(id)").1["entry"]?[0]?["resource"]
                let history = try await adapter.host.history(messageID: id)
                return task?["status"] == "requested" && history.count == 1
            })
            let referralID = try #require(stored[0]["id"]?.stringValue)
            for (hub, fhir) in [("received", "received"), ("accepted", "accepted"), ("in-treatment", "in-progress"), ("closed", "completed")] {
                _ = try await gateway.request("referrals.test.advance", body: ["id": .string(referralID), "status": .string(hub)])
                #expect(try await f.eventually {
                    try await client.fhir(.get, "/fhir/Task?based-on=ServiceRequest/\(id)").1["entry"]?[0]?["resource"]?["status"] == .string(fhir)
                })
            }
            let task = try await client.fhir(.get, "/fhir/Task?based-on=ServiceRequest/\(id)").1["entry"]?[0]?["resource"]
            #expect(task?["resourceType"] == "Task" && task?["intent"] == "order")
            #expect(task?["businessStatus"]?["coding"]?[0]?["code"] == "closed")
            // Unknown ServiceRequest: an empty searchset.
            #expect(try await client.fhir(.get, "/fhir/Task?based-on=ServiceRequest/nope").1["total"] == 0)

            // A transaction Bundle of two.
            let bundle: JSONValue = ["resourceType": "Bundle", "type": "transaction", "entry": [
                ["resource": serviceRequest("BUP-2"), "request": ["method": "POST", "url": "ServiceRequest"]],
                ["resource": serviceRequest("BUP-3", pnr: nil, agency: "psychiatry"), "request": ["method": "POST", "url": "ServiceRequest"]],
            ]]
            let (bs, bb) = try await client.fhir(.post, "/fhir", body: bundle.serialized())
            #expect(bs == .ok && bb["type"] == "transaction-response" && bb["entry"]?.arrayValue?.count == 2)
            #expect(try await f.eventually { try await f.referrals(via: gateway).count == 3 })

            // Documents as Communication.
            _ = try await gateway.request("referrals.test.publish", body: ["topic": "agency.psychiatry.minutes", "body": ["centre": "skaraborg", "title": "Ledningsgrupp"]])
            #expect(try await f.eventually {
                try await client.fhir(.get, "/fhir/Communication").1["entry"]?[0]?["resource"]?["resourceType"] == "Communication"
            })
        }
        await f.tearDown()
    }

    @Test func badFHIRIsAnOperationOutcomeAndNothingIsStored() async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        try await f.startReferrals()
        let adapter = try await f.adapter("psychiatry", environment: ["HUB_ADAPTER_PSYCHIATRY_API_KEY": psychiatryKey]) { $0.maxBytes = 8192 } as! PsychiatryAdapter
        try await Application(router: adapter.buildRouter()).test(.router) { client in
            func expectOutcome(_ r: (HTTPResponse.Status, JSONValue), _ status: HTTPResponse.Status, _ code: String, expression: String? = nil) {
                #expect(r.0 == status)
                #expect(r.1["resourceType"] == "OperationOutcome")
                #expect(r.1["issue"]?[0]?["code"] == .string(code))
                if let expression { #expect(r.1["issue"]?[0]?["expression"]?[0]?.stringValue?.hasPrefix(expression) == true) }
            }
            let good = serviceRequest("BUP-9").serialized()
            expectOutcome(try await client.fhir(.post, "/fhir/ServiceRequest", token: nil, body: good), .unauthorized, "login")
            expectOutcome(try await client.fhir(.post, "/fhir/ServiceRequest", token: policeKey, body: good), .unauthorized, "login")
            expectOutcome(try await client.fhir(.post, "/fhir/ServiceRequest", body: Array("{\"resourceType\":".utf8)), .badRequest, "structure")
            expectOutcome(try await client.fhir(.post, "/fhir/ServiceRequest", body: JSONValue.object(["resourceType": "Patient"]).serialized()), .unprocessableContent, "invalid")
            expectOutcome(try await client.fhir(.post, "/fhir/ServiceRequest", body: serviceRequest("BUP-10", pnr: "196408233235").serialized()),
                          .unprocessableContent, "invalid", expression: "Patient.identifier")
            var noSubject = serviceRequest("BUP-11").objectValue!; noSubject["subject"] = nil
            expectOutcome(try await client.fhir(.post, "/fhir/ServiceRequest", body: JSONValue.object(noSubject).serialized()), .unprocessableContent, "invalid", expression: "ServiceRequest.subject")
            var noRef = serviceRequest("BUP-12").objectValue!; noRef["identifier"] = nil
            expectOutcome(try await client.fhir(.post, "/fhir/ServiceRequest", body: JSONValue.object(noRef).serialized()), .unprocessableContent, "required", expression: "ServiceRequest.identifier")
            expectOutcome(try await client.fhir(.post, "/fhir/ServiceRequest", body: serviceRequest("BUP-13", agency: "police").serialized()), .forbidden, "forbidden")
            var big = serviceRequest("BUP-14").objectValue!; big["note"] = [["text": .string(String(repeating: "x", count: 9000))]]
            expectOutcome(try await client.fhir(.post, "/fhir/ServiceRequest", body: JSONValue.object(big).serialized()), .contentTooLarge, "too-costly")
            // A transaction with one bad entry stores nothing.
            let bundle: JSONValue = ["resourceType": "Bundle", "type": "transaction", "entry": [
                ["resource": serviceRequest("BUP-15"), "request": ["method": "POST", "url": "ServiceRequest"]],
                ["resource": serviceRequest("BUP-16", pnr: "196408233235"), "request": ["method": "POST", "url": "ServiceRequest"]],
            ]]
            expectOutcome(try await client.fhir(.post, "/fhir", body: bundle.serialized()), .unprocessableContent, "invalid", expression: "Bundle.entry[1]")
            #expect(try await adapter.host.database.query("SELECT message_id FROM outbox", []).isEmpty)
            #expect(try await client.fhir(.post, "/fhir/ServiceRequest", body: good).0 == .created)
        }
        await f.tearDown()
    }
}

extension JSONValue {
    subscript(index: Int) -> JSONValue? {
        guard let a = arrayValue, a.indices.contains(index) else { return nil }
        return a[index]
    }
}
