import Foundation
import HTTPTypes
import HubCore
import HubProtocol
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import AgencyAdapters

@Suite("Psychiatry: FHIR R4 to the standard", .serialized)
struct FHIRStandardTests {
    static let publicBase = "https://adapter-psykiatri.example.se/fhir"

    @Test func everyFHIRErrorIsAnOperationOutcomeAndTheLocationIsReadable() async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        try await f.startReferrals()
        let adapter = try await f.adapter("psychiatry", environment: ["HUB_ADAPTER_PSYCHIATRY_API_KEY": psychiatryKey]) {
            $0.publicBaseURL = Self.publicBase + "/"
        } as! PsychiatryAdapter
        try await Application(router: adapter.buildRouter()).test(.router) { client in
            func call(_ method: HTTPRequest.Method, _ path: String, token: String? = psychiatryKey, host: String? = nil, body: [UInt8]? = nil)
                async throws -> (HTTPResponse.Status, String?, String?, JSONValue) {
                var headers = HTTPFields()
                headers[.contentType] = "application/fhir+json"
                if let token { headers[.authorization] = "Bearer " + token }
                if let host { headers[HTTPField.Name("Host")!] = host }
                return try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) }) { r in
                    (r.status, r.headers[.contentType], r.headers[.location], (try? JSONValue.parse(Array(r.body.readableBytesView))) ?? .null)
                }
            }
            for (method, path, token, status) in [(HTTPRequest.Method.get, "/fhir/Nothing", psychiatryKey, HTTPResponse.Status.notFound),
                                                  (.get, "/nothing/at/all", nil, .notFound),
                                                  (.delete, "/fhir/ServiceRequest", psychiatryKey, nil),
                                                  (.get, "/fhir/ServiceRequest/psychiatry-0000", psychiatryKey, .notFound),
                                                  (.get, "/fhir/ServiceRequest/psychiatry-0000", nil, .unauthorized),
                                                  (.get, "/fhir/Communication?_count=0", psychiatryKey, .unprocessableContent)] as [(HTTPRequest.Method, String, String?, HTTPResponse.Status?)] {
                let r = try await call(method, path, token: token)
                if let status { #expect(r.0 == status, "\(method) \(path)") } else { #expect(r.0.code >= 400, "\(method) \(path)") }
                #expect(r.1?.hasPrefix("application/fhir+json") == true, "\(method) \(path): \(r.1 ?? "")")
                #expect(r.3["resourceType"] == "OperationOutcome" && r.3["issue"]?[0]?["severity"] == "error", "\(method) \(path)")
            }
            let created = try await call(.post, "/fhir/ServiceRequest", body: serviceRequest("BUP-L-1").serialized())
            #expect(created.0 == .created)
            let location = try #require(created.2)
            let id = try #require(created.3["id"]?.stringValue)
            #expect(location == Self.publicBase + "/ServiceRequest/" + id)
            let read = try await call(.get, String(location.dropFirst(Self.publicBase.count - "/fhir".count)))
            #expect(read.0 == .ok && read.1?.hasPrefix("application/fhir+json") == true)
            #expect(read.3["resourceType"] == "ServiceRequest" && read.3["id"] == .string(id) && read.3["status"] == "active" && read.3["intent"] == "order")
            #expect(read.3["subject"] != nil && read.3["identifier"]?[0]?["value"] == "BUP-L-1")
            #expect(!String(decoding: read.3.serialized(), as: UTF8.self).contains("Testsson"))
            // fullUrl is absolute, from the configured base, whatever the Host header says.
            let tasks = try await call(.get, "/fhir/Task?based-on=ServiceRequest/\(id)", host: "evil.example")
            #expect(tasks.3["entry"]?[0]?["fullUrl"]?.stringValue?.hasPrefix(Self.publicBase + "/Task/") == true, "\(tasks.3)")
        }
        await f.tearDown()
    }

    @Test func theCapabilityStatementIsValidR4() async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        let adapter = try await f.adapter("psychiatry", environment: ["HUB_ADAPTER_PSYCHIATRY_API_KEY": psychiatryKey]) {
            $0.publicBaseURL = Self.publicBase
        } as! PsychiatryAdapter
        try await Application(router: adapter.buildRouter()).test(.router) { client in
            let (status, cs) = try await client.fhir(.get, "/fhir/metadata", token: nil)
            #expect(status == .ok && cs["resourceType"] == "CapabilityStatement")
            for key in ["status", "date", "kind", "fhirVersion", "format"] { #expect(cs[key] != nil, "\(key) is required") }
            #expect(cs["fhirVersion"] == "4.0.1")
            // cpb-1: rest, messaging or document; cpb-2: description, software or implementation.
            #expect(cs["rest"]?.arrayValue?.isEmpty == false)
            #expect(cs["description"] != nil || cs["software"] != nil || cs["implementation"] != nil)
            // cpb-14/15/16 by kind.
            switch cs["kind"]?.stringValue {
            case "instance"?: #expect(cs["implementation"]?["description"] != nil)
            case "capability"?: #expect(cs["implementation"] == nil && cs["software"]?["name"] != nil)
            default: #expect(cs["implementation"] == nil && cs["software"] == nil)
            }
            #expect(cs["implementation"]?["url"] == .string(Self.publicBase))
            // cpb-9: each resource once per mode; every interaction has a code; ServiceRequest is readable.
            let resources = cs["rest"]?[0]?["resource"]?.arrayValue ?? []
            let types = resources.compactMap { $0["type"]?.stringValue }
            #expect(Set(types).count == types.count)
            #expect(resources.allSatisfy { ($0["interaction"]?.arrayValue ?? []).allSatisfy { $0["code"] != nil } })
            #expect(resources.first { $0["type"] == "ServiceRequest" }?["interaction"]?.arrayValue?.contains { $0["code"] == "read" } == true)
        }
        await f.tearDown()
    }

    @Test func communicationsArePagedNewestFirstWithAbsoluteLinks() async throws {
        let f = try AdapterFixture()
        try f.startBroker()
        try await f.startReferrals()
        let adapter = try await f.adapter("psychiatry", environment: ["HUB_ADAPTER_PSYCHIATRY_API_KEY": psychiatryKey]) {
            $0.publicBaseURL = Self.publicBase
        } as! PsychiatryAdapter
        let gateway = try f.client()
        for i in 0..<5 {
            _ = try await gateway.request("referrals.test.publish", body: ["topic": "agency.psychiatry.minutes", "body": ["title": .string("Protokoll \(i)")]])
            #expect(try await f.eventually { try await adapter.host.database.query("SELECT event_id FROM inbox", []).count == i + 1 })
            try await Task.sleep(for: .milliseconds(5))
        }
        try await Application(router: adapter.buildRouter()).test(.router) { client in
            let (status, page1) = try await client.fhir(.get, "/fhir/Communication?_count=2")
            #expect(status == .ok && page1["type"] == "searchset" && page1["total"] == 5)
            let titles = { (b: JSONValue) in
                (b["entry"]?.arrayValue ?? []).compactMap { $0["resource"]?["payload"]?[0]?["contentString"]?.stringValue }
                    .compactMap { try? JSONValue.parse(Array($0.utf8))["title"]?.stringValue }
            }
            #expect(titles(page1) == ["Protokoll 4", "Protokoll 3"])
            #expect(page1["entry"]?[0]?["fullUrl"]?.stringValue?.hasPrefix(Self.publicBase + "/Communication/") == true)
            let next = try #require(page1["link"]?.arrayValue?.first { $0["relation"] == "next" }?["url"]?.stringValue)
            #expect(next.hasPrefix(Self.publicBase + "/Communication?"))
            let page2 = try await client.fhir(.get, String(next.dropFirst(Self.publicBase.count - "/fhir".count))).1
            #expect(titles(page2) == ["Protokoll 2", "Protokoll 1"])
            let last = try await client.fhir(.get, "/fhir/Communication?_count=2&_offset=4").1
            #expect(titles(last) == ["Protokoll 0"] && last["link"]?.arrayValue?.contains { $0["relation"] == "next" } == false)
        }
        // The inbox is pruned after its retention.
        // (Once the publisher has its acknowledgement: a pruned event sent again would be new.)
        try await Task.sleep(for: .seconds(1))
        await adapter.host.purge(now: Date().addingTimeInterval(15 * 86_400))
        try await Application(router: adapter.buildRouter()).test(.router) { client in
            let empty = try await client.fhir(.get, "/fhir/Communication").1
            #expect(empty["total"] == 0)
        }
        await f.tearDown()
    }
}
