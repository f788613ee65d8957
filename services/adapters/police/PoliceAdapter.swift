import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HubBus
import HubCore
import HubProtocol
import ReferralsAPI
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle

/// The police adapter: an HTTP JSON intake (`POST /v1/referrals`, `X-API-Key`),
/// referral state by the police's own reference (`GET /v1/referrals/{externalRef}`),
/// and receipts, status changes and documents pushed to a callback URL with
/// retries and back-off until it answers 2xx. See services/adapters/police/README.md.
public struct PoliceAdapter: AgencyAdapter {
    public let host: AdapterHost
    let settings: AdapterSettings
    let keys: APIKeys
    let logger: Logger
    let callback: CallbackDeliverer?

    public init(_ env: AdapterEnvironment) throws {
        host = env.host
        settings = env.settings
        logger = env.logger
        keys = try APIKeys.load(adapter: env.name, dataDir: env.dataDir, environment: env.environment)
        if let u = settings.callbackURL, !u.isEmpty, let url = URL(string: u) {
            callback = CallbackDeliverer(url: url, logger: env.logger)
        } else {
            callback = nil
        }
    }

    /// Pushes to the callback URL when there is one; else the police read state with GET.
    var deliverer: any AgencyDeliverer { callback.map { $0 as any AgencyDeliverer } ?? PullOnly() }

    public func prepare() async throws { try await host.prepare(delivering: deliverer) }

    public var services: [any Service] { host.services(delivering: deliverer) }

    public func httpService(onServerRunning: @escaping @Sendable (Int) async -> Void) async throws -> (any Service)? {
        HTTPSupport.server(buildRouter(), settings: settings, defaultPort: 8181, name: "police", logger: logger, onServerRunning: onServerRunning)
    }

    /// The routes (usable with `app.test(.router)`).
    public func buildRouter() -> Router<BasicRequestContext> {
        let router = Router()
        // Up while it answers; "degraded" with the reason when its own database takes no writes.
        router.get("/healthz") { _, _ in
            let storage = await self.host.storageState()
            return HTTPSupport.json(["status": storage == .ok ? "ok" : "degraded", "storage": .string(storage.rawValue)], status: .ok)
        }
        router.post("/v1/referrals") { request, _ in await self.submit(request) }
        router.get("/v1/referrals/{ref}") { request, context in
            guard keys.accepts(request.headers[values: HTTPField.Name("X-API-Key")!].first) else { return Self.error(HubError(.unauthenticated, "A valid X-API-Key is required.")) }
            let ref = context.parameters.get("ref") ?? ""
            return await self.state(ref)
        }
        return router
    }

    static func error(_ e: HubError) -> Response {
        var err: [String: JSONValue] = ["code": .string(e.code.rawValue), "message": .string(e.message)]
        func name(_ f: String) -> String { f.hasPrefix("body.") ? String(f.dropFirst(5)) : f }
        if let f = e.field { err["field"] = .string(name(f)) }
        if let r = e.reason { err["reason"] = .string(r.rawValue) }
        // Every problem of the document at once (the first is also message/field above).
        if let details = e.details, !details.isEmpty {
            err["details"] = .array(details.map { d in
                var o: [String: JSONValue] = ["field": .string(name(d.field)), "message": .string(d.message)]
                if let r = d.reason { o["reason"] = .string(r.rawValue) }
                return .object(o)
            })
        }
        return HTTPSupport.json(["error": .object(err)], status: HTTPSupport.status(for: e.code))
    }

    func submit(_ request: Request) async -> Response {
        guard keys.accepts(request.headers[values: HTTPField.Name("X-API-Key")!].first) else {
            return Self.error(HubError(.unauthenticated, "A valid X-API-Key is required."))
        }
        do throws(HubError) {
            let bytes = try await HTTPSupport.body(request, limit: settings.maxBytes)
            guard let json = try? JSONValue.parse(bytes), json.objectValue != nil else {
                throw HubError(.invalidJSON, "The body is not a JSON object.")
            }
            let draft = try Self.draft(from: json)
            let intake = try await host.submit(draft, channel: "http")
            let answered = await host.waitForAnswer(messageID: intake.messageID, timeout: .milliseconds(settings.answerWaitMs)) ?? intake
            if let e = answered.error { return Self.error(e) }
            var out: [String: JSONValue] = ["externalRef": .string(intake.externalRef), "messageId": .string(intake.messageID)]
            if let id = answered.referralID {
                out["status"] = "submitted"; out["referralId"] = .string(id)
                return HTTPSupport.json(.object(out), status: .created)
            }
            out["status"] = "pending"
            return HTTPSupport.json(.object(out), status: .accepted)
        } catch {
            return Self.error(error)
        }
    }

    func state(_ ref: String) async -> Response {
        do throws(HubError) {
            guard let intake = try await host.intake(agency: "police", externalRef: ref) else {
                throw HubError(.notFound, "No referral with that reference came through this adapter.")
            }
            return HTTPSupport.json(try await Self.stateJSON(intake, host: host), status: .ok)
        } catch {
            return Self.error(error)
        }
    }

    static func stateJSON(_ intake: IntakeRecord, host: AdapterHost) async throws(HubError) -> JSONValue {
        var out: [String: JSONValue] = ["externalRef": .string(intake.externalRef), "messageId": .string(intake.messageID)]
        if let e = intake.error {
            out["status"] = "rejected"
            out["error"] = .object(["code": .string(e.code.rawValue), "message": .string(e.message)].merging(e.field.map { ["field": .string($0)] } ?? [:]) { a, _ in a })
        } else if let id = intake.referralID {
            out["referralId"] = .string(id)
            let history = try await host.history(messageID: intake.messageID)
            out["status"] = .string(history.last?.status ?? "submitted")
            out["history"] = .array(history.map { h in
                var o: [String: JSONValue] = ["status": .string(h.status), "at": .string(h.at)]
                if let r = h.reason { o["reason"] = .string(r) }
                if let t = h.reasonText { o["reasonText"] = .string(t) }
                return .object(o)
            })
        } else {
            out["status"] = "pending"
        }
        return .object(out)
    }

    /// The police JSON is the hub's `referrals.submit` body (`ReferralSubmission`, the
    /// referrals contract's type); `referrer.agency` defaults to `police`.
    static func draft(from json: JSONValue) throws(HubError) -> ReferralDraft {
        let r = try json.decode(ReferralSubmission.self, fieldPrefix: "body")
        var d = ReferralDraft(agency: r.referrer?.agency ?? "police")
        d.externalRef = r.externalRef
        d.unit = r.referrer?.unit
        d.contactName = r.referrer?.contactName
        d.contactPhone = r.referrer?.contactPhone
        d.contactEmail = r.referrer?.contactEmail
        d.municipality = r.municipality
        d.category = r.category
        d.help = r.help ?? []
        let c = r.client ?? .init()
        d.identityKind = c.identityKind
        d.identityNumber = c.identityNumber
        d.name = c.name
        d.protectedIdentity = c.protectedIdentity ?? false
        d.phone = c.phone
        d.email = c.email
        d.address = c.address
        d.childrenAges = c.childrenAges ?? []
        d.interpreterLanguage = c.interpreterLanguage
        let s = r.safeContact ?? .init()
        d.doNotContact = s.doNotContact ?? false
        d.mayCall = s.mayCall
        d.callTimes = s.callTimes
        d.mayLeaveMessage = s.mayLeaveMessage
        let k = r.consent ?? .init()
        d.consentGiven = k.given
        d.consentScope = k.scope
        d.consentGivenAt = k.givenAt
        d.consentRecordedBy = k.recordedBy
        d.urgency = r.urgency
        d.riskAnswers = r.riskAnswers ?? [:]
        d.notes = r.notes
        return d
    }
}

/// Without a callback the police read state with GET; nothing is pushed.
struct PullOnly: AgencyDeliverer {
    func deliver(_ item: AgencyDelivery) async -> Bool { true }
}

/// POSTs each delivery as JSON to the callback URL; acknowledged by any 2xx.
/// The header `X-Utvag-Delivery-Id` is stable across retries so the police can drop repeats.
struct CallbackDeliverer: AgencyDeliverer {
    let url: URL
    let logger: Logger

    static func payload(_ item: AgencyDelivery) -> (id: String, body: JSONValue) {
        switch item {
        case .receipt(let r):
            var o: [String: JSONValue] = ["kind": "receipt", "externalRef": .string(r.externalRef), "messageId": .string(r.messageID)]
            if let e = r.error {
                o["status"] = "rejected"
                var err: [String: JSONValue] = ["code": .string(e.code.rawValue), "message": .string(e.message)]
                if let f = e.field { err["field"] = .string(f.hasPrefix("body.") ? String(f.dropFirst(5)) : f) }
                o["error"] = .object(err)
            } else {
                o["status"] = "submitted"
                if let id = r.referralID { o["referralId"] = .string(id) }
            }
            return ("receipt-" + r.messageID, .object(o))
        case .status(let s, let intake):
            var o: [String: JSONValue] = ["kind": "status", "referralId": .string(s.referralID), "status": .string(s.status), "at": .string(s.at)]
            if let ref = intake?.externalRef ?? s.externalRef { o["externalRef"] = .string(ref) }
            for (k, v) in [("centre", s.centre), ("reason", s.reason), ("reasonText", s.reasonText), ("group", s.group)] {
                if let v { o[k] = .string(v) }
            }
            return (s.eventID, .object(o))
        case .document(let topic, let eventID, let body):
            let kind = topic.split(separator: ".").dropFirst(2).joined(separator: ".")
            return (eventID, .object(["kind": "document", "type": .string(kind.isEmpty ? topic : kind), "topic": .string(topic), "body": body]))
        }
    }

    func deliver(_ item: AgencyDelivery) async -> Bool {
        let (id, body) = Self.payload(item)
        var request = URLRequest(url: url, timeoutInterval: 10)
        request.httpMethod = "POST"
        request.setValue("application/json; charset=utf-8", forHTTPHeaderField: "Content-Type")
        request.setValue(id, forHTTPHeaderField: "X-Utvag-Delivery-Id")
        request.httpBody = Data(body.serialized())
        do {
            let (_, response) = try await URLSession.shared.data(for: request)
            let code = (response as? HTTPURLResponse)?.statusCode ?? 0
            if (200..<300).contains(code) { return true }
            logger.notice("police callback refused a delivery; will retry", metadata: ["hub.http_status": "\(code)"])
        } catch {
            logger.notice("police callback unreachable; will retry")
        }
        return false
    }
}
