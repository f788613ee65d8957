import Foundation
import HTTPTypes
import HubCore
import HubProtocol
import HubStorage
import Hummingbird
import HummingbirdTesting
import Logging
import ReferralsAPI
import Synchronization
import Testing
@testable import HubGateway
@testable import HubWeb
@testable import MeetingsWeb
@testable import NetworksWeb
@testable import ReferralsWeb
@testable import TrainingWeb

/// In-process stand-in for the bus (unit tests only; the real bus is tested in HubBusTests).
final class FakeBus: BusRequester {
    struct State {
        var broker: Result<BrokerStatus, HubError>
        var replies: [String: Result<JSONValue, HubError>] = [:]
        var requests: [(type: String, body: JSONValue)] = []
    }
    let state: Mutex<State>

    init(broker: Result<BrokerStatus, HubError> = .success(FakeBus.allUp)) {
        state = Mutex(State(broker: broker, replies: [
            ListCentres.type: .success(try! JSONValue.from(FakeBus.centres)),
        ]))
    }

    /// The centres every test gateway knows (the referrals contract's `ListCentres.Reply`).
    static let centres = ListCentres.Reply(centres: [
        .init(id: "sodra-alvsborg", name: "Utväg Södra Älvsborg", town: "Borås", municipalities: ["Borås"]),
        .init(id: "skaraborg", name: "Utväg Skaraborg", town: "Skövde", municipalities: ["Skövde"]),
    ])

    static let allUp = BrokerStatus(
        peers: ["gateway", "adapter:police", "adapter:municipality", "adapter:psychiatry", "adapter:kriminalvarden"],
        services: ["referrals", "meetings", "networks", "training"].map { .init(name: $0, workers: 2, queued: 0) },
        uptimeSeconds: 42
    )

    func setBroker(_ r: Result<BrokerStatus, HubError>) { state.withLock { $0.broker = r } }
    func setReply(_ type: String, _ r: Result<JSONValue, HubError>) { state.withLock { $0.replies[type] = r } }
    var requestTypes: [String] { state.withLock { $0.requests.map(\.type) } }

    func request(_ type: String, body: JSONValue, id: String, timeout: Duration) async throws(HubError) -> JSONValue {
        let reply = state.withLock { s -> Result<JSONValue, HubError>? in
            s.requests.append((type, body))
            return s.replies[type]
        }
        guard let reply else { throw HubError(.unknownType, "No handler.") }
        return try reply.get()
    }

    func brokerStatus(timeout: Duration) async throws(HubError) -> BrokerStatus {
        try state.withLock { $0.broker }.get()
    }

    /// Answers `R`'s message type with `reply`, written through the service's contract type as
    /// the service writes it: a test cannot make up a shape the service never sends.
    func answer<R: ContractRequest>(_ request: R.Type, _ reply: R.Reply) {
        setReply(R.type, Result { () throws(HubError) -> JSONValue in try JSONValue.encode(reply) })
    }
}

/// A gateway on a temp-file SQLite database with one admin ("admin" / adminPassword).
struct Harness {
    static let adminPassword = "correct horse battery"
    let server: GatewayServer
    let bus: FakeBus
    let database: any HubDatabase
    let users: UserStore
    let dir: String

    static func make(bus: FakeBus = FakeBus(), configure: (inout HubConfiguration) -> Void = { _ in }) async throws -> Harness {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gw-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let db = try await Databases.open(.sqlite(path: dir + "/gateway.sqlite"), logger: Logger(label: "test"))
        try await db.migrate(UserStore.migrations)
        var config = HubConfiguration()
        config.broker.requestTimeoutMs = 200
        configure(&config)
        let users = UserStore(database: db, bcryptCost: 4)
        try await users.create(username: "admin", password: adminPassword, role: "admin")
        let server = GatewayServer(configuration: config, bus: bus, database: db, logger: Logger(label: "test"), bcryptCost: 4)
        return Harness(server: server, bus: bus, database: db, users: users, dir: dir)
    }

    /// Runs `body` against the router (no sockets), then closes the database.
    func test(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = try await server.buildApplication()
        do {
            try await app.test(.router, body)
        } catch {
            await close()
            throw error
        }
        await close()
    }

    func close() async {
        await database.close()
        try? FileManager.default.removeItem(atPath: dir)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var json: JSONValue? { try? JSONValue.parse(Array(buffer: body)) }
    /// name → value of every Set-Cookie header.
    var setCookies: [String: String] {
        var out: [String: String] = [:]
        for header in headers[values: .setCookie] {
            let first = header.split(separator: ";", maxSplits: 1)[0]
            let kv = first.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            out[String(kv[0])] = kv.count > 1 ? String(kv[1]) : ""
        }
        return out
    }
    func setCookieHeader(_ name: String) -> String? {
        headers[values: .setCookie].first { $0.hasPrefix(name + "=") }
    }
    var location: String? { headers[.location] }
}

/// Browser-like helpers: fetch the login form, post it, keep cookies.
struct Browser {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]

    var cookieHeader: HTTPFields {
        var h = HTTPFields()
        if !cookies.isEmpty { h[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        return h
    }

    mutating func absorb(_ r: TestResponse) {
        for (k, v) in r.setCookies { if v.isEmpty { cookies.removeValue(forKey: k) } else { cookies[k] = v } }
    }

    @discardableResult
    mutating func get(_ uri: String) async throws -> TestResponse {
        let r = try await client.execute(uri: uri, method: .get, headers: cookieHeader, body: nil)
        absorb(r)
        return r
    }

    @discardableResult
    mutating func post(_ uri: String, form: [String: String]) async throws -> TestResponse {
        var h = cookieHeader
        h[.contentType] = "application/x-www-form-urlencoded"
        let body = form.map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }.joined(separator: "&")
        let r = try await client.execute(uri: uri, method: .post, headers: h, body: ByteBuffer(string: body))
        absorb(r)
        return r
    }

    static func encode(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s
    }

    /// The hidden `csrf` field of the last page.
    static func csrfField(_ html: String) -> String? {
        guard let r = html.range(of: #"name="csrf" value=""#) else { return nil }
        let rest = html[r.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    /// Logs in through the form; returns the redirect response.
    @discardableResult
    mutating func login(username: String = "admin", password: String = Harness.adminPassword) async throws -> TestResponse {
        let page = try await get("/login")
        let csrf = try #require(Self.csrfField(page.text))
        return try await post("/login", form: ["csrf": csrf, "username": username, "password": password])
    }
}

extension TestClientProtocol {
    func json(_ uri: String, method: HTTPRequest.Method = .get, token: String? = nil, body: String? = nil) async throws -> TestResponse {
        var h = HTTPFields()
        if let token { h[.authorization] = "Bearer \(token)" }
        if body != nil { h[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: h, body: body.map { ByteBuffer(string: $0) })
    }

    func token(username: String = "admin", password: String = Harness.adminPassword) async throws -> String {
        let r = try await json("/api/v1/tokens", method: .post, body: #"{"username":"\#(username)","password":"\#(password)"}"#)
        #expect(r.status == .created)
        return try #require(r.json?["token"]?.stringValue)
    }
}
