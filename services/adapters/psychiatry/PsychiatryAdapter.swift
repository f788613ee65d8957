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

    // FHIR clients read Task and Communication; statuses are kept by the host.
    public func prepare() async throws { try await host.prepare(delivering: FHIRPull()) }

    public var services: [any Service] { host.services(delivering: FHIRPull()) }

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
}

/// FHIR clients pull: statuses are kept by the host (Task), documents stay in the inbox,
/// sealed, until the inbox retention ends (Communication).
struct FHIRPull: AgencyDeliverer {
    func deliver(_ item: AgencyDelivery) async -> Bool { true }
    var keepsDocuments: Bool { true }
}
