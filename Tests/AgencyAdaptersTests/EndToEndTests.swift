import Foundation
import HubProtocol
import Hummingbird
import HummingbirdTesting
import Testing
@testable import AgencyAdapters

/// Each of the four formats through its adapter, the broker and the real referrals
/// service (services/referrals), with the status changes back in that format.
@Suite("Adapters against the real referrals service", .serialized)
struct EndToEndTests {
    static let staff: JSONValue = ["user": "sara", "role": "staff", "centre": "skaraborg"]

    @Test func everyFormatEndToEnd() async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        try await f.startRealReferrals()
        let gateway = try f.client()
        let callback = CallbackRecorder(failFirst: 1)
        try await callback.start()
        let police = try await f.adapter("police", environment: ["HUB_ADAPTER_POLICE_API_KEY": policeKey]) { $0.callbackURL = callback.url } as! PoliceAdapter
        let municipality = try await f.adapter("municipality") { $0.municipalities = ["Skövde"] } as! MunicipalityAdapter
        let psychiatry = try await f.adapter("psychiatry", environment: ["HUB_ADAPTER_PSYCHIATRY_API_KEY": psychiatryKey]) as! PsychiatryAdapter
        let kv = try await f.adapter("kriminalvarden") as! KriminalvardenAdapter

        // Police: JSON in, callbacks out.
        let policeReferralID = try await Application(router: police.buildRouter()).test(.router) { client in
            let (status, body) = try await client.postJSON("/v1/referrals", key: policeKey, body: policeReferral("E2E-P1").serialized())
            #expect(status == .created, "\(body)")
            return body["referralId"]?.stringValue ?? ""
        }
        // Municipality: CSV in.
        let skovde = municipality.folder("Skövde")
        try dropFile(Data((csvHeader
                  + "\nE2E-M1;IFO;A;Skövde;Utsatt för våld;Enskilda samtal;640823-3234;Test Person;Nej;Gatan 1;;Ja;Ja;2026-11-20;Normal;;A;Nej;Nej;Vet ej\n").utf8),
                     skovde.inbox + "/e2e.csv")
        await municipality.scanOnce()
        // Psychiatry: FHIR in.
        let serviceRequestID = try await Application(router: psychiatry.buildRouter()).test(.router) { client in
            let (status, created) = try await client.fhir(.post, "/fhir/ServiceRequest", body: serviceRequest("E2E-F1").serialized())
            #expect(status == .created, "\(created)")
            return created["id"]?.stringValue ?? ""
        }
        // Kriminalvården: XML in.
        try dropFile(Data(remiss("E2E-K1").utf8), kv.folder.inbox + "/e2e.xml")
        await kv.scanOnce()

        // All four are referrals in the real service; staff receive each.
        var ids: [String: String] = [:] // externalRef → referral id
        for (adapter, ref) in [(police.host, "E2E-P1"), (municipality.host, "E2E-M1"), (psychiatry.host, "E2E-F1"), (kv.host, "E2E-K1")] {
            let scope = ref == "E2E-M1" ? "Skövde" : ""
            let agency = ["E2E-P1": "police", "E2E-M1": "social-services", "E2E-F1": "bup", "E2E-K1": "kriminalvarden"][ref]!
            #expect(try await f.eventually(15) { try await adapter.intake(agency: agency, scope: scope, externalRef: ref)?.referralID != nil }, "\(ref)")
            let intake = try await adapter.intake(agency: agency, scope: scope, externalRef: ref)
            #expect(intake?.error == nil, "\(ref): \(String(describing: intake?.error))")
            ids[ref] = intake?.referralID
        }
        #expect(ids["E2E-P1"] == policeReferralID)
        for id in ids.values { _ = try await gateway.request("referrals.receive", body: ["id": .string(id), "actor": Self.staff]) }

        // Back in each format.
        #expect(try await f.eventually(15) { callback.received.withLock { $0.contains { $0.body["kind"] == "status" && $0.body["status"] == "received" } } })
        #expect(try await f.eventually(15) {
            files(skovde.outbox).contains { $0.hasPrefix("status-") && text(skovde.outbox + "/" + $0).contains(";received;") }
        })
        try await Application(router: psychiatry.buildRouter()).test(.router) { client in
            let found = try await f.eventually(15) {
                try await client.fhir(.get, "/fhir/Task?based-on=ServiceRequest/\(serviceRequestID)").1["entry"]?[0]?["resource"]?["status"] == "received"
            }
            #expect(found)
        }
        #expect(try await f.eventually(15) {
            files(kv.folder.outbox).contains { n in n.hasPrefix("status-") && (try? XMLElement.parse(Data(text(kv.folder.outbox + "/" + n).utf8)))?.value("Status") == "received" }
        })
        await callback.stop()
        await f.tearDown()
    }
}

