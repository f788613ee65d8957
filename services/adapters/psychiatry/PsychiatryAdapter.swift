import Foundation
import HTTPTypes
import HubCore
import HubProtocol
import Hummingbird
import Logging
import ServiceLifecycle

/// The psychiatry adapter (VO Psykiatri and BUP): HL7 FHIR R4 over HTTP.
/// `POST /fhir/ServiceRequest` (a ServiceRequest with a contained Patient) or
/// `POST /fhir` (a transaction Bundle of them); errors as OperationOutcome; the
/// referral's state as a Task (`GET /fhir/Task?based-on=ServiceRequest/<id>`), and
/// circulated documents as Communication (`GET /fhir/Communication`).
/// Authenticated with `Authorization: Bearer <API key>`. See services/adapters/psychiatry/README.md.
public struct PsychiatryAdapter: AgencyAdapter {
    public let host: AdapterHost
    let settings: AdapterSettings
    let keys: APIKeys
    let logger: Logger

    /// The FHIR base agencies use (`publicBaseURL`), without a trailing slash: absolute
    /// `fullUrl`s, `Location` and paging links are made from it, never from the Host header.
    let publicBase: String

    public init(_ env: AdapterEnvironment) throws {
        host = env.host
        settings = env.settings
        logger = env.logger
        keys = try APIKeys.load(adapter: env.name, dataDir: env.dataDir, environment: env.environment)
        var b = env.settings.publicBaseURL ?? ""
        if b.isEmpty { b = "http://\(env.settings.host):\(env.settings.port ?? 8182)/fhir" }
        while b.hasSuffix("/") { b.removeLast() }
        publicBase = b
    }

    public func start() async throws {
        // FHIR clients read Task and Communication; statuses are kept by the host.
        try await host.start(delivering: FHIRPull())
    }

    public func stop() async { await host.stop() }

    public func httpService(onServerRunning: @escaping @Sendable (Int) async -> Void) async throws -> (any Service)? {
        HTTPSupport.server(buildRouter(), settings: settings, defaultPort: 8182, name: "psychiatry", logger: logger, onServerRunning: onServerRunning)
    }

    static let base = "https://utvag-hub.invalid/fhir"
    static let personnummerSystem = "urn:oid:1.2.752.129.2.1.3.1"
    static let samordningsnummerSystem = "urn:oid:1.2.752.129.2.1.3.3"
    static let agencySystem = "urn:utvag:agency"
    static let fhirJSON = "application/fhir+json; charset=utf-8"

    public func buildRouter() -> Router<BasicRequestContext> {
        let router = Router()
        // Every error, an unknown route (404) or method (405) included, is an OperationOutcome.
        router.add(middleware: OperationOutcomeMiddleware())
        router.get("/fhir/metadata") { _, _ in Self.resource(self.capabilityStatement, status: .ok) }
        router.get("/fhir/ServiceRequest/{id}") { request, context in
            await self.authorised(request) { () async throws(HubError) -> Response in try await self.readServiceRequest(context.parameters.get("id") ?? "") }
        }
        router.post("/fhir/ServiceRequest") { request, _ in
            await self.authorised(request) { () async throws(HubError) -> Response in try await self.postServiceRequest(request) }
        }
        router.post("/fhir") { request, _ in
            await self.authorised(request) { () async throws(HubError) -> Response in try await self.postBundle(request) }
        }
        router.get("/fhir/Task") { request, _ in
            await self.authorised(request) { () async throws(HubError) -> Response in try await self.searchTask(request.uri.queryParameters.get("based-on") ?? "") }
        }
        router.get("/fhir/Communication") { request, _ in
            await self.authorised(request) { () async throws(HubError) -> Response in
                try await self.communications(count: request.uri.queryParameters.get("_count"), offset: request.uri.queryParameters.get("_offset"))
            }
        }
        return router
    }

    func authorised(_ request: Request, _ body: () async throws(HubError) -> Response) async -> Response {
        let auth = request.headers[.authorization] ?? ""
        guard auth.hasPrefix("Bearer "), keys.accepts(String(auth.dropFirst(7))) else {
            return Self.outcome(HubError(.unauthenticated, "A valid bearer token is required."))
        }
        do { return try await body() } catch { return Self.outcome(error) }
    }

    // MARK: resources out

    static func resource(_ r: JSONValue, status: HTTPResponse.Status, location: String? = nil) -> Response {
        HTTPSupport.json(r, status: status, contentType: fhirJSON, headers: location.map { [(.location, $0)] } ?? [])
    }

    /// A hub error as an OperationOutcome with the FHIRPath of the offending element.
    static func outcome(_ e: HubError) -> Response {
        resource(outcomeResource(e), status: HTTPSupport.status(for: e.code))
    }

    /// One issue per problem (`details` when the hub error lists several).
    static func outcomeResource(_ e: HubError) -> JSONValue {
        let problems = e.details.map { ds in ds.map { HubError(e.code, $0.message, field: $0.field, reason: $0.reason) } } ?? [e]
        return ["resourceType": "OperationOutcome", "issue": .array(problems.map(issue))]
    }

    static func issue(_ e: HubError) -> JSONValue {
        let code: String = switch e.code {
        case .validation: e.message.contains("required") ? "required" : "invalid"
        case .invalidJSON, .malformed: "structure"
        case .forbidden: "forbidden"
        case .unauthenticated: "login"
        case .notFound: "not-found"
        case .tooLarge: "too-costly"
        case .busy, .timeout, .storage, .internal: "transient"
        default: "processing"
        }
        var issue: [String: JSONValue] = ["severity": "error", "code": .string(code), "diagnostics": .string(e.message),
                                          "details": ["coding": [["system": .string(base + "/CodeSystem/error"), "code": .string(e.code.rawValue)]]]]
        if let f = e.field { issue["expression"] = [.string(fhirPath(f))] }
        return .object(issue)
    }

    /// Hub field paths → FHIRPath in the resources the agency sent.
    static func fhirPath(_ field: String) -> String {
        let map: [(String, String)] = [
            ("body.externalRef", "ServiceRequest.identifier"), ("body.referrer.agency", "ServiceRequest.requester"),
            ("body.referrer.unit", "ServiceRequest.requester"), ("body.referrer", "ServiceRequest.extension('\(base)/StructureDefinition/referrer-contact')"),
            ("body.riskAnswers", "ServiceRequest.extension('\(base)/StructureDefinition/risk-answer')"),
            ("body.municipality", "ServiceRequest.extension('\(base)/StructureDefinition/municipality')"),
            ("body.category", "ServiceRequest.category"), ("body.help", "ServiceRequest.code"),
            ("body.client.identity", "Patient.identifier"), ("body.client.name", "Patient.name"),
            ("body.client.phone", "Patient.telecom"), ("body.client.email", "Patient.telecom"), ("body.client.address", "Patient.address"),
            ("body.client.childrenAges", "ServiceRequest.extension('\(base)/StructureDefinition/child-age')"),
            ("body.client.interpreterLanguage", "Patient.communication"), ("body.client", "ServiceRequest.subject"),
            ("body.consent", "ServiceRequest.extension('\(base)/StructureDefinition/consent')"),
            ("body.safeContact", "ServiceRequest.extension('\(base)/StructureDefinition/safe-contact')"),
            ("body.urgency", "ServiceRequest.priority"), ("body.notes", "ServiceRequest.note"),
        ]
        return map.first { field.hasPrefix($0.0) }?.1 ?? field
    }

    /// A valid R4 CapabilityStatement of this server: `kind` instance with `implementation`
    /// (cpb-14; cpb-2 wants one of description, software, implementation), `software`
    /// allowed beside it, and at least one `rest` (cpb-1), each resource once (cpb-9).
    var capabilityStatement: JSONValue {
        [
            "resourceType": "CapabilityStatement", "url": .string(publicBase + "/metadata"),
            "name": "UtvagHubPsychiatryAdapter", "title": "Utväg Hub — adapter for psychiatry and BUP",
            "status": "active", "date": "2026-12-04", "publisher": "Utväg Hub", "kind": "instance",
            "description": "Referrals (ServiceRequest) from psychiatry and BUP to Utväg; their state as Task; circulated documents as Communication.",
            "software": ["name": "Utväg Hub psychiatry adapter"],
            "implementation": ["description": "Utväg Hub psychiatry adapter", "url": .string(publicBase)],
            "fhirVersion": "4.0.1", "format": ["application/fhir+json", "json"],
            "rest": [["mode": "server",
                      "security": ["description": "Authorization: Bearer <API key> (one per agency system)."],
                      "resource": [
                          ["type": "ServiceRequest", "interaction": [["code": "create"], ["code": "read"]]],
                          ["type": "Task", "interaction": [["code": "search-type"]], "searchParam": [["name": "based-on", "type": "reference"]]],
                          ["type": "Communication", "interaction": [["code": "search-type"]],
                           "searchParam": [["name": "_count", "type": "number"], ["name": "_offset", "type": "number"]]],
                      ],
                      "interaction": [["code": "transaction"]]]],
        ]
    }

    // MARK: intake

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
                _ = try d.validatedBody(adapter: host.adapter, reference: host.reference)
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

    static func isProtected(_ patient: JSONValue) -> Bool {
        (patient["meta"]?["security"]?.arrayValue ?? []).contains { $0["code"] == "R" || $0["code"] == "V" }
    }

    static func ext(_ r: JSONValue?, _ name: String) -> [JSONValue] {
        (r?["extension"]?.arrayValue ?? []).filter { $0["url"]?.stringValue == base + "/StructureDefinition/" + name }
    }
    static func sub(_ e: JSONValue?, _ url: String) -> JSONValue? {
        (e?["extension"]?.arrayValue ?? []).first { $0["url"]?.stringValue == url }
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

    // MARK: state out

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

/// Turns every error that escapes a route — an unknown path (404), a wrong method (405),
/// anything thrown — into an OperationOutcome with `application/fhir+json`.
struct OperationOutcomeMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as HubError {
            return PsychiatryAdapter.outcome(e)
        } catch let e as any HTTPResponseError {
            let code: HubError.Code = switch e.status {
            case .notFound: .notFound
            case .methodNotAllowed: .validation
            case .contentTooLarge: .tooLarge
            case .unauthorized: .unauthenticated
            case .badRequest: .malformed
            default: .internal
            }
            let message = e.status == .notFound ? "No such resource or route on this FHIR server." : "The request cannot be served (HTTP \(e.status.code))."
            var response = PsychiatryAdapter.outcome(HubError(code, message))
            response.status = e.status
            return response
        } catch {
            return PsychiatryAdapter.outcome(HubError(.internal, "Something went wrong; try again."))
        }
    }
}

/// FHIR clients pull: statuses are kept by the host (Task), documents stay in the inbox,
/// sealed, until the inbox retention ends (Communication).
struct FHIRPull: AgencyDeliverer {
    func deliver(_ item: AgencyDelivery) async -> Bool { true }
    var keepsDocuments: Bool { true }
}
