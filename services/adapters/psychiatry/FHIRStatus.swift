// The read routes: a referral's state as a Task, the ServiceRequest as the adapter still
// knows it, and circulated documents as Communication, a page at a time.

import Foundation
import HTTPTypes
import HubCore
import HubProtocol
import Hummingbird

extension PsychiatryAdapter {

    static func taskStatus(_ hub: String) -> String {
        switch hub {
        case "submitted": "requested"
        case "received", "redirected": "received"
        case "accepted", "appointment-offered": "accepted"
        case "declined": "rejected"
        case "in-treatment": "in-progress"
        case "closed": "completed"
        case "withdrawn": "cancelled"
        default: "requested"
        }
    }

    func searchTask(_ basedOn: String) async throws(HubError) -> Response {
        guard basedOn.hasPrefix("ServiceRequest/") else {
            throw HubError(.validation, "Search with based-on=ServiceRequest/<id>.", field: "based-on")
        }
        let id = String(basedOn.dropFirst("ServiceRequest/".count))
        var entries: [JSONValue] = []
        if MessageID.isValid(id), let intake = try await host.intake(messageID: id) {
            let task = try await Self.task(intake, history: try await host.history(messageID: id))
            entries.append(["fullUrl": .string("\(publicBase)/Task/\(task["id"]?.stringValue ?? "")"), "resource": task, "search": ["mode": "match"]])
        }
        return Self.resource(["resourceType": "Bundle", "type": "searchset", "total": .number(Double(entries.count)), "entry": .array(entries)], status: .ok)
    }

    static func task(_ intake: IntakeRecord, history: [(status: String, at: String, reason: String?, reasonText: String?)]) async throws(HubError) -> JSONValue {
        var t: [String: JSONValue] = [
            "resourceType": "Task", "id": .string("task-" + intake.messageID), "intent": "order",
            "basedOn": [["reference": .string("ServiceRequest/\(intake.messageID)")]],
            "authoredOn": .string(intake.receivedAt),
        ]
        if let e = intake.error {
            t["status"] = "rejected"
            t["statusReason"] = ["coding": [["system": .string(base + "/CodeSystem/error"), "code": .string(e.code.rawValue)]], "text": .string(e.message)]
            t["businessStatus"] = ["text": "refused by the hub"]
        } else if let last = history.last {
            t["status"] = .string(taskStatus(last.status))
            t["businessStatus"] = ["coding": [["system": .string(base + "/CodeSystem/referral-status"), "code": .string(last.status)]]]
            t["lastModified"] = .string(last.at)
            if last.reason != nil || last.reasonText != nil {
                var reason: [String: JSONValue] = [:]
                if let r = last.reason { reason["coding"] = [["system": .string(base + "/CodeSystem/reason"), "code": .string(r)]] }
                if let r = last.reasonText { reason["text"] = .string(r) }
                t["statusReason"] = .object(reason)
            }
        } else {
            t["status"] = "requested"
            t["businessStatus"] = ["text": intake.referralID == nil ? "queued for the hub" : "submitted"]
        }
        if let rid = intake.referralID { t["identifier"] = [["system": .string(base + "/referral"), "value": .string(rid)]] }
        return .object(t)
    }

    /// `GET ServiceRequest/{id}`: what the adapter still knows of a referral it took. The
    /// agency's resource itself (the contained Patient, contact details) is not kept — it went
    /// to the hub sealed and was dropped from the adapter once the hub took it.
    func readServiceRequest(_ id: String) async throws(HubError) -> Response {
        guard MessageID.isValid(id), id.hasPrefix(host.adapter + "-"), let intake = try await host.intake(messageID: id) else {
            throw HubError(.notFound, "No ServiceRequest with that id came through this adapter.")
        }
        let history = try await host.history(messageID: id)
        let status: String
        if intake.error != nil { status = "revoked" }
        else { status = switch history.last?.status { case "declined"?, "withdrawn"?: "revoked"; case "closed"?: "completed"; default: "active" } }
        var sr: [String: JSONValue] = [
            "resourceType": "ServiceRequest", "id": .string(id), "meta": ["lastUpdated": .string(history.last?.at ?? intake.receivedAt)],
            "status": .string(status), "intent": "order",
            "identifier": [["value": .string(intake.externalRef)]],
            "subject": ["display": "Patient (not kept by the adapter)"],
            "requester": ["identifier": ["system": .string(Self.agencySystem), "value": .string(intake.agency)]],
            "authoredOn": .string(intake.receivedAt),
        ]
        if let rid = intake.referralID { sr["identifier"] = [["value": .string(intake.externalRef)], ["system": .string(Self.base + "/referral"), "value": .string(rid)]] }
        return Self.resource(.object(sr), status: .ok)
    }

    /// Circulated documents, newest first, a page at a time (`_count`, default 50, at most 200;
    /// `_offset`), with absolute `self`/`next` links. The inbox keeps them (sealed) only for
    /// `inboxRetentionDays`.
    func communications(count: String?, offset: String?) async throws(HubError) -> Response {
        let pageSize = try count.map { c throws(HubError) -> Int in
            guard let n = Int(c), (1...200).contains(n) else { throw HubError(.validation, "_count is 1–200.", field: "_count") }
            return n
        } ?? 50
        let start = try offset.map { o throws(HubError) -> Int in
            guard let n = Int(o), n >= 0 else { throw HubError(.validation, "_offset is a whole number ≥ 0.", field: "_offset") }
            return n
        } ?? 0
        let documents = "topic NOT LIKE '%.referral.status' AND envelope IS NOT NULL"
        let total = try await host.database.query("SELECT COUNT(*) AS n FROM inbox WHERE \(documents)", []).first.map { r throws(HubError) in try r.int("n") } ?? 0
        let rows = try await host.database.query("""
            SELECT event_id, topic, envelope, sealed, received_at FROM inbox
            WHERE \(documents) ORDER BY received_at DESC, event_id DESC LIMIT ? OFFSET ?
            """, [.integer(Int64(pageSize)), .integer(Int64(start))])
        var entries: [JSONValue] = []
        for r in rows {
            guard let env = host.runtime.openEvent(r) else { continue }
            let topic = try r.string("topic")
            let id = FolderDeliverer.safe(try r.string("event_id"))
            let c: JSONValue = [
                "resourceType": "Communication", "id": .string(id), "status": "completed",
                "category": [["coding": [["system": .string(Self.base + "/CodeSystem/topic"), "code": .string(topic)]]]],
                "sent": .string(env.timestamp), "received": .string(try r.string("received_at")),
                "payload": [["contentString": .string(String(decoding: env.body.serialized(), as: UTF8.self))]],
            ]
            entries.append(["fullUrl": .string("\(publicBase)/Communication/\(id)"), "resource": c, "search": ["mode": "match"]])
        }
        func page(_ o: Int) -> String { "\(publicBase)/Communication?_count=\(pageSize)&_offset=\(o)" }
        var links: [JSONValue] = [["relation": "self", "url": .string(page(start))]]
        if start + pageSize < total { links.append(["relation": "next", "url": .string(page(start + pageSize))]) }
        if start > 0 { links.append(["relation": "previous", "url": .string(page(max(0, start - pageSize)))]) }
        return Self.resource(["resourceType": "Bundle", "type": "searchset", "total": .number(Double(total)), "link": .array(links),
                              "entry": .array(entries)], status: .ok)
    }
}
