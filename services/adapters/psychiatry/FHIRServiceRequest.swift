// A FHIR ServiceRequest with its contained Patient read into a `ReferralDraft`: the
// extensions, codings and identifiers the psychiatry adapter documents in its README.

import Foundation
import HubCore
import HubProtocol

extension PsychiatryAdapter {
    static func isProtected(_ patient: JSONValue) -> Bool {
        (patient["meta"]?["security"]?.arrayValue ?? []).contains { $0["code"] == "R" || $0["code"] == "V" }
    }

    static func ext(_ resource: JSONValue?, _ name: String) -> [JSONValue] {
        (resource?["extension"]?.arrayValue ?? []).filter { $0["url"]?.stringValue == base + "/StructureDefinition/" + name }
    }
    static func sub(_ element: JSONValue?, _ url: String) -> JSONValue? {
        (element?["extension"]?.arrayValue ?? []).first { $0["url"]?.stringValue == url }
    }

    /// A FHIR ServiceRequest with a contained Patient → a draft.
    package static func draft(from sr: JSONValue) throws(HubError) -> ReferralDraft {
        guard sr["resourceType"] == "ServiceRequest" else {
            throw HubError(.validation, "The resource must be a ServiceRequest.", field: "ServiceRequest.resourceType")
        }
        guard let status = sr["status"]?.stringValue, ["draft", "active"].contains(status), sr["intent"]?.stringValue != nil else {
            throw HubError(.validation, "ServiceRequest.status (active) and intent are required.", field: "ServiceRequest.status")
        }
        var agency = "psychiatry"
        if let v = sr["requester"]?["identifier"]?["value"]?.stringValue, sr["requester"]?["identifier"]?["system"]?.stringValue == agencySystem {
            agency = v
        }
        var d = ReferralDraft(agency: agency)
        d.externalRef = sr["identifier"]?.arrayValue?.first?["value"]?.stringValue
        d.unit = sr["requester"]?["display"]?.stringValue
        d.municipality = ext(sr, "municipality").first?["valueString"]?.stringValue
        d.category = sr["category"]?.arrayValue?.first?["coding"]?.arrayValue?.first?["code"]?.stringValue
        d.help = (sr["code"]?["coding"]?.arrayValue ?? []).compactMap { $0["code"]?.stringValue }
        d.urgency = switch sr["priority"]?.stringValue {
        case nil, "routine"?: "normal"
        case "urgent"?: "high"
        case "asap"?, "stat"?: "acute"
        case let other?: other
        }
        d.notes = (sr["note"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
        d.childrenAges = ext(sr, "child-age").compactMap { $0["valueInteger"]?.numberValue.map { Int($0) } }
        if let consent = ext(sr, "consent").first {
            d.consentGiven = sub(consent, "given")?["valueBoolean"]?.boolValue
            d.consentGivenAt = sub(consent, "date")?["valueDate"]?.stringValue
            d.consentRecordedBy = sub(consent, "recordedBy")?["valueString"]?.stringValue
        }
        if let contact = ext(sr, "referrer-contact").first {
            d.contactName = sub(contact, "name")?["valueString"]?.stringValue
            d.contactPhone = sub(contact, "phone")?["valueString"]?.stringValue
            d.contactEmail = sub(contact, "email")?["valueString"]?.stringValue
        }
        for answer in ext(sr, "risk-answer") {
            if let q = sub(answer, "question")?["valueString"]?.stringValue { d.riskAnswers[q] = sub(answer, "answer")?["valueCode"]?.stringValue ?? "" }
        }
        if let safe = ext(sr, "safe-contact").first {
            d.doNotContact = sub(safe, "doNotContact")?["valueBoolean"]?.boolValue ?? false
            d.mayCall = sub(safe, "mayCall")?["valueBoolean"]?.boolValue
            d.callTimes = sub(safe, "callTimes")?["valueString"]?.stringValue
            d.mayLeaveMessage = sub(safe, "mayLeaveMessage")?["valueBoolean"]?.boolValue
        }
        guard let ref = sr["subject"]?["reference"]?.stringValue, ref.hasPrefix("#"),
              let patient = sr["contained"]?.arrayValue?.first(where: { $0["resourceType"] == "Patient" && "#" + ($0["id"]?.stringValue ?? "") == ref }) else {
            throw HubError(.validation, "The subject must reference a contained Patient.", field: "ServiceRequest.subject")
        }
        if let id = patient["identifier"]?.arrayValue?.first {
            switch id["system"]?.stringValue {
            case personnummerSystem?: d.identityKind = "personnummer"
            case samordningsnummerSystem?: d.identityKind = "samordningsnummer"
            default: throw HubError(.validation, "Patient.identifier.system is the personnummer or samordningsnummer OID.", field: "body.client.identityKind")
            }
            d.identityNumber = id["value"]?.stringValue
        } else {
            d.identityKind = "none"
        }
        if let name = patient["name"]?.arrayValue?.first {
            d.name = name["text"]?.stringValue ?? ((name["given"]?.arrayValue ?? []).compactMap(\.stringValue) + [name["family"]?.stringValue].compactMap { $0 }).joined(separator: " ")
        }
        d.protectedIdentity = isProtected(patient)
        for t in patient["telecom"]?.arrayValue ?? [] {
            if t["system"] == "phone" { d.phone = t["value"]?.stringValue }
            if t["system"] == "email" { d.email = t["value"]?.stringValue }
        }
        d.address = patient["address"]?.arrayValue?.first?["text"]?.stringValue
        d.interpreterLanguage = patient["communication"]?.arrayValue?.first?["language"]?["text"]?.stringValue
        return d
    }
}
