// The write routes: `POST /fhir/ServiceRequest` and `POST /fhir` (a transaction Bundle),
// each handing drafts to the adapter host and answering with the stored resource.

import Foundation
import HTTPTypes
import HubCore
import HubProtocol
import Hummingbird

extension PsychiatryAdapter {

    func readJSON(_ request: Request) async throws(HubError) -> JSONValue {
        let bytes = try await HTTPSupport.body(request, limit: settings.maxBytes)
        guard let json = try? JSONValue.parse(bytes), json.objectValue != nil else {
            throw HubError(.invalidJSON, "The body is not a FHIR JSON resource.")
        }
        return json
    }

    func postServiceRequest(_ request: Request) async throws(HubError) -> Response {
        let json = try await readJSON(request)
        let draft = try Self.draft(from: json)
        let intake = try await host.submit(draft, channel: "fhir")
        let answered = await host.waitForAnswer(messageID: intake.messageID, timeout: .milliseconds(settings.answerWaitMs)) ?? intake
        if let e = answered.error { throw e }
        return Self.resource(Self.created(json, id: intake.messageID), status: .created, location: "\(publicBase)/ServiceRequest/\(intake.messageID)")
    }

    /// The stored ServiceRequest as returned: with its id, and without a protected person's contact details.
    static func created(_ json: JSONValue, id: String) -> JSONValue {
        guard var o = json.objectValue else { return json }
        o["id"] = .string(id)
        o["meta"] = ["lastUpdated": .string(Timestamp.now())]
        if let contained = o["contained"]?.arrayValue {
            o["contained"] = .array(contained.map { r in
                guard var p = r.objectValue, p["resourceType"] == "Patient", isProtected(r) else { return r }
                p["telecom"] = nil; p["address"] = nil
                return .object(p)
            })
        }
        return .object(o)
    }

    func postBundle(_ request: Request) async throws(HubError) -> Response {
        let json = try await readJSON(request)
        guard json["resourceType"] == "Bundle", json["type"] == "transaction" else {
            throw HubError(.validation, "POST /fhir takes a Bundle of type transaction.", field: "Bundle.type")
        }
        let entries = json["entry"]?.arrayValue ?? []
        guard !entries.isEmpty, entries.count <= 50 else { throw HubError(.validation, "A transaction has 1–50 entries.", field: "Bundle.entry") }
        // All or nothing: every entry is checked before any is stored.
        var drafts: [(ReferralDraft, JSONValue)] = []
        for (i, e) in entries.enumerated() {
            guard let r = e["resource"], r["resourceType"] == "ServiceRequest", e["request"]?["method"] == "POST" else {
                throw HubError(.validation, "Each entry POSTs a ServiceRequest.", field: "Bundle.entry[\(i)]")
            }
            do {
                let d = try Self.draft(from: r)
                _ = try d.validatedSubmission(adapter: host.adapter, reference: host.reference, risk: host.risk)
                drafts.append((d, r))
            } catch {
                var e2 = error
                e2.field = "Bundle.entry[\(i)].resource." + Self.fhirPath(error.field ?? "").replacingOccurrences(of: "ServiceRequest.", with: "")
                throw HubError(e2.code, e2.message, field: e2.field)
            }
        }
        var out: [JSONValue] = []
        for (d, r) in drafts {
            let intake = try await host.submit(d, channel: "fhir")
            out.append(["resource": Self.created(r, id: intake.messageID),
                        "response": ["status": "201 Created", "location": .string("\(publicBase)/ServiceRequest/\(intake.messageID)")]])
        }
        return Self.resource(["resourceType": "Bundle", "type": "transaction-response", "entry": .array(out)], status: .ok)
    }
}
