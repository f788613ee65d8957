import Foundation
import HTTPTypes
import HubProtocol
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
@testable import HubGateway
@testable import HubWeb
@testable import MeetingsWeb
@testable import NetworksWeb
@testable import ReferralsWeb
@testable import TrainingWeb

@Suite("Gateway JSON API, health and documents")
struct GatewayAPITests {
    @Test func bearerTokenFlowReturnsTheCurrentUser() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            let token = try await client.token()
            #expect(token.hasPrefix("uhb_"))
            let me = try await client.json("/api/v1/me", token: token)
            #expect(me.status == .ok)
            #expect(me.json?["username"]?.stringValue == "admin")
            #expect(me.json?["role"]?.stringValue == "admin")
            #expect(me.setCookies.isEmpty)
        }
        // Only a hash of the token is stored.
    }

    @Test func componentMetricsAreRelayedFromTheBusAndUnknownComponentsAre404() async throws {
        let bus = FakeBus()
        bus.setReply("referrals.metrics", .success(["text": "hub_service_requests_total{service=\"referrals\"} 3\n"]))
        let h = try await Harness.make(bus: bus)
        try await h.test { client in
            let admin = try await client.token()
            let ok = try await client.json("/metrics/referrals", token: admin)
            #expect(ok.status == .ok)
            #expect(String(buffer: ok.body).contains("hub_service_requests_total"))
            let unknown = try await client.json("/metrics/nosuch", token: admin)
            #expect(unknown.status == .notFound)
        }
    }

    @Test func tokenIsStoredOnlyAsSHA256Hash() async throws {
        let h = try await Harness.make()
        let app = try await h.server.buildApplication()
        let box = Mutex("")
        try await app.test(.router) { client in
            let token = try await client.token()
            box.withLock { $0 = token }
        }
        let issued = box.withLock { $0 }
        let rows = try await h.database.query("SELECT token_hash FROM api_tokens", [])
        #expect(rows.count == 1)
        #expect(rows[0].gwString("token_hash") == Secrets.sha256Hex(issued))
        #expect(rows[0].gwString("token_hash") != issued)
        await h.close()
    }

    @Test func apiWithoutOrWithBadTokenIs401WithErrorShape() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            for token in [nil, "uhb_forged"] as [String?] {
                let r = try await client.json("/api/v1/me", token: token)
                #expect(r.status == .unauthorized)
                #expect(r.headers[.wwwAuthenticate] == "Bearer")
                #expect(r.json?["error"]?["code"]?.stringValue == "unauthenticated")
                #expect(r.json?["error"]?["message"]?.stringValue?.isEmpty == false)
            }
            // A browser session cookie is not accepted by the API.
            var browser = Browser(client: client)
            try await browser.login()
            let withCookie = try await client.execute(uri: "/api/v1/me", method: .get, headers: browser.cookieHeader)
            #expect(withCookie.status == .unauthorized)
        }
    }

    @Test func wrongPasswordForTokenIs401() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            let r = try await client.json("/api/v1/tokens", method: .post, body: #"{"username":"admin","password":"nope nope nope"}"#)
            #expect(r.status == .unauthorized)
            #expect(r.json?["error"]?["code"]?.stringValue == "unauthenticated")
        }
    }

    @Test func validationErrorNamesTheField() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            let missing = try await client.json("/api/v1/tokens", method: .post, body: #"{"username":"admin"}"#)
            #expect(missing.status == .unprocessableContent)
            #expect(missing.json?["error"]?["code"]?.stringValue == "validation")
            #expect(missing.json?["error"]?["field"]?.stringValue == "body.password")
            let empty = try await client.json("/api/v1/tokens", method: .post, body: #"{"username":"","password":"x"}"#)
            #expect(empty.json?["error"]?["field"]?.stringValue == "body.username")
            let notJSON = try await client.json("/api/v1/tokens", method: .post, body: "{nope")
            #expect(notJSON.status == .badRequest)
            #expect(notJSON.json?["error"]?["code"]?.stringValue == "invalid_json")
        }
    }

    @Test func oversizedBodyIs413() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            let big = #"{"username":""# + String(repeating: "a", count: 70_000) + #"","password":"x"}"#
            let r = try await client.json("/api/v1/tokens", method: .post, body: big)
            #expect(r.status == .contentTooLarge)
            #expect(r.json?["error"]?["code"]?.stringValue == "too_large")
        }
    }

    @Test func centresAreForwardedOverTheBus() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            let token = try await client.token()
            let r = try await client.json("/api/v1/centres", token: token)
            #expect(r.status == .ok)
            #expect(r.json?["centres"]?.arrayValue?.count == 2)
            #expect(h.bus.requestTypes == ["referrals.centres.list"])
        }
    }

    @Test func busTimeoutGives503JSONError() async throws {
        let bus = FakeBus()
        bus.setReply("referrals.centres.list", .failure(HubError(.timeout, "No worker answered in time.")))
        let h = try await Harness.make(bus: bus)
        try await h.test { client in
            let token = try await client.token()
            let r = try await client.json("/api/v1/centres", token: token)
            #expect(r.status == .serviceUnavailable)
            #expect(r.json?["error"]?["code"]?.stringValue == "timeout")
            bus.setReply("referrals.centres.list", .failure(HubError(.internal, "stack trace with secrets")))
            let internalError = try await client.json("/api/v1/centres", token: token)
            #expect(internalError.status == .internalServerError)
            #expect(internalError.json?["error"]?["message"]?.stringValue == "An internal error occurred.")
        }
    }

    @Test func statusReportsTheBusToAnyLoggedInRole() async throws {
        let h = try await Harness.make()
        try await h.users.create(username: "board1", password: "board member pw", role: "board", centre: "skaraborg")
        try await h.test { client in
            let token = try await client.token(username: "board1", password: "board member pw")
            let r = try await client.json("/api/v1/status", token: token)
            #expect(r.status == .ok)
            #expect(r.json?["broker"]?.stringValue == "up")
            #expect(r.json?["uptimeSeconds"]?.numberValue == 42)
        }
    }

    @Test func healthzIsOkWhenEverythingIsUp() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            let r = try await client.execute(uri: "/healthz", method: .get)
            #expect(r.status == .ok)
            let j = try #require(r.json)
            #expect(j["status"]?.stringValue == "ok")
            #expect(j["broker"]?.stringValue == "up")
            #expect(j["services"]?.arrayValue?.count == 4)
            #expect(j["services"]?.arrayValue?.first?["workers"]?.numberValue == 2)
            #expect(j["adapters"]?.arrayValue?.allSatisfy { $0["status"]?.stringValue == "up" } == true)
        }
    }

    @Test func healthzIsDegradedWhenAServiceOrAdapterIsMissing() async throws {
        let bus = FakeBus(broker: .success(BrokerStatus(
            peers: ["gateway", "adapter:police"],
            services: [.init(name: "referrals", workers: 1, queued: 0)], uptimeSeconds: 1)))
        let h = try await Harness.make(bus: bus)
        try await h.test { client in
            let r = try await client.execute(uri: "/healthz", method: .get)
            #expect(r.status == .ok)
            let j = try #require(r.json)
            #expect(j["status"]?.stringValue == "degraded")
            let services = j["services"]?.arrayValue ?? []
            #expect(services.first { $0["name"]?.stringValue == "meetings" }?["status"]?.stringValue == "down")
            #expect(services.first { $0["name"]?.stringValue == "referrals" }?["status"]?.stringValue == "up")
            let adapters = j["adapters"]?.arrayValue ?? []
            #expect(adapters.first { $0["name"]?.stringValue == "police" }?["status"]?.stringValue == "up")
            #expect(adapters.first { $0["name"]?.stringValue == "psychiatry" }?["status"]?.stringValue == "down")
        }
    }

    @Test func healthzIsDegradedWhenAServiceCannotStore() async throws {
        let bus = FakeBus()
        bus.setReply("referrals.health", .success(["storage": "full"]))
        bus.setReply("meetings.health", .success(["storage": "ok"]))
        let h = try await Harness.make(bus: bus)
        try await h.test { client in
            let r = try await client.execute(uri: "/healthz", method: .get)
            #expect(r.status == .ok, "the gateway itself still serves")
            let j = try #require(r.json)
            #expect(j["status"]?.stringValue == "degraded")
            let services = j["services"]?.arrayValue ?? []
            let referrals = services.first { $0["name"]?.stringValue == "referrals" }
            #expect(referrals?["status"]?.stringValue == "up")
            #expect(referrals?["storage"]?.stringValue == "full")
            #expect(services.first { $0["name"]?.stringValue == "meetings" }?["storage"]?.stringValue == "ok")
            // A service that does not answer the question is "unknown", which alone is no alarm.
            #expect(services.first { $0["name"]?.stringValue == "networks" }?["storage"]?.stringValue == "unknown")

            bus.setReply("referrals.health", .success(["storage": "ok"]))
            let again = try await client.execute(uri: "/healthz", method: .get)
            #expect(again.json?["status"]?.stringValue == "ok")
        }
    }

    @Test func healthzIs503WhenTheBrokerIsDown() async throws {
        let h = try await Harness.make(bus: FakeBus(broker: .failure(HubError(.timeout, "No reply."))))
        try await h.test { client in
            let r = try await client.execute(uri: "/healthz", method: .get)
            #expect(r.status == .serviceUnavailable)
            #expect(r.json?["broker"]?.stringValue == "down")
            #expect(r.json?["status"]?.stringValue == "degraded")
        }
    }

    @Test func openAPIDocumentIsServedAndDescribesEveryAPIRoute() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            let r = try await client.execute(uri: "/openapi.yaml", method: .get)
            #expect(r.status == .ok)
            #expect(r.headers[.contentType]?.hasPrefix("application/yaml") == true)
            for needle in ["openapi: 3.1.0", "/api/v1/tokens:", "/api/v1/me:", "/api/v1/status:", "/api/v1/centres:", "bearerAuth:", "scheme: bearer", "field:"] {
                #expect(r.text.contains(needle), "\(needle)")
            }
        }
    }

    @Test func metricsAreLabelledByRoutePatternNotURL() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            _ = try await client.execute(uri: "/healthz?probe=secret-value", method: .get)
            _ = try await client.execute(uri: "/some/unknown/123", method: .get)
            let r = try await client.json("/metrics", token: try await client.token())
            #expect(r.status == .ok)
            #expect(r.text.contains("hub_gateway_http_requests_total"))
            #expect(r.text.contains(#"route="/healthz""#))
            #expect(!r.text.contains("secret-value"))
            #expect(!r.text.contains("/some/unknown/123"))
        }
    }

    @Test func metricsAreForAdministratorsOnly() async throws {
        let h = try await Harness.make()
        try await h.users.create(username: "personal", password: Harness.adminPassword, role: "staff", centre: "skaraborg")
        try await h.test { client in
            let anonymous = try await client.execute(uri: "/metrics", method: .get)
            #expect(anonymous.status == .unauthorized)
            #expect(!anonymous.text.contains("hub_gateway"))
            #expect(try await client.execute(uri: "/metrics/referrals", method: .get).status == .unauthorized)
            let staff = try await client.json("/metrics", token: try await client.token(username: "personal"))
            #expect(staff.status == .forbidden)
        }
    }

    @Test func theAPITakesJSONOnlyAndAnythingElseIs415() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            let body = ByteBuffer(string: #"{"username":"admin","password":"x"}"#)
            for type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", nil] as [String?] {
                var headers = HTTPFields()
                if let type { headers[.contentType] = type }
                let r = try await client.execute(uri: "/api/v1/tokens", method: .post, headers: headers, body: body)
                #expect(r.status == .unsupportedMediaType, "\(type ?? "no type")")
                #expect(r.json?["error"]?["code"]?.stringValue == "unsupported_media_type")
                #expect(r.json?["error"]?["field"]?.stringValue == "Content-Type")
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            let ok = try await client.execute(uri: "/api/v1/tokens", method: .post, headers: headers,
                                              body: ByteBuffer(string: #"{"username":"admin","password":"\#(Harness.adminPassword)"}"#))
            #expect(ok.status == .created)
        }
    }

    @Test func stateChangingRequestsFromAnotherSiteAreRefused() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            let body = ByteBuffer(string: #"{"username":"admin","password":"\#(Harness.adminPassword)"}"#)
            func post(_ extra: [(HTTPField.Name, String)]) async throws -> TestResponse {
                var headers = HTTPFields()
                headers[.contentType] = "application/json"
                for (k, v) in extra { headers[k] = v }
                return try await client.execute(uri: "/api/v1/tokens", method: .post, headers: headers, body: body)
            }
            #expect(try await post([(.origin, "https://evil.example")]).status == .forbidden)
            #expect(try await post([(.origin, "null")]).status == .forbidden)
            #expect(try await post([(.referer, "https://evil.example/page")]).status == .forbidden)
            #expect(try await post([(.origin, "http://127.0.0.1:8080")]).status == .created)
            #expect(try await post([(.referer, "http://localhost:8080/login")]).status == .created)
            #expect(try await post([]).status == .created, "a client that names no origin (a script) passes")
            let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
            #expect(try await post([(.origin, "null"), (secFetchSite, "same-origin")]).status == .created, "a browser hiding its origin on the hub's own page")
            #expect(try await post([(secFetchSite, "cross-site")]).status == .forbidden)
            // A page form from another site is refused too, before its CSRF check.
            let form = try await client.execute(uri: "/login", method: .post,
                                                headers: [.origin: "https://evil.example", .contentType: "application/x-www-form-urlencoded"],
                                                body: ByteBuffer(string: "username=admin&password=x"))
            #expect(form.status == .forbidden)
        }
    }
}
