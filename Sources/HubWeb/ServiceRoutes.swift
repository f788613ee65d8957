import Foundation
import Synchronization
import HubCore
import HubProtocol
import HTTPTypes
import Hummingbird

/// What every service's web face gets from the gateway: the bus, the hub's configuration
/// and the page renderer. Route sets hold one; they never reach the gateway's own state
/// (users, sessions, tokens).
package struct WebEnvironment: Sendable {
    package let bus: any BusRequester
    package let configuration: HubConfiguration
    package let pages: PageRenderer

    package init(bus: any BusRequester, configuration: HubConfiguration, pages: PageRenderer) {
        self.bus = bus; self.configuration = configuration; self.pages = pages
    }

    /// How long a page or API call waits for a service's reply.
    package var busTimeout: Duration { .milliseconds(configuration.broker.requestTimeoutMs) }
}

/// A service's routes: pages and JSON API that turn HTTP into bus requests to that
/// service, in the name of the signed-in user. The helpers below are the one way to do it.
package protocol ServiceRoutes: Sendable {
    var server: WebEnvironment { get }
    var pages: PageRenderer { get }
}

package extension ServiceRoutes {
    package typealias Context = GatewayRequestContext

    /// Organiser work is for Utväg: admin and staff.
    package func requireOrganiser(_ context: Context) throws(HubError) {
        let role = context.apiUser?.role ?? context.session?.user.role
        guard role == .admin || role == .staff else { throw HubError(.forbidden, "Only Utväg staff may do this.") }
    }

    /// Sends `type` to the networks or training service in the name of the request's
    /// signed-in user (`RequestUser.current`), or as a visitor on a public page. Whatever
    /// `actor` a client put in the body is replaced: only the gateway says who is asking.
    package func ask(_ type: String, _ body: JSONValue) async throws(HubError) -> JSONValue {
        var o = body.objectValue ?? [:]
        o["actor"] = RequestUser.current.map(BusActor.of) ?? .null
        return try await server.bus.request(type, body: .object(o), timeout: server.busTimeout)
    }

    package func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(bytes: value.serialized())))
    }

    /// The JSON object of the request body, with path parameters and query items merged in.
    package func body(_ request: Request, _ context: Context, path: [String: String] = [:]) async throws -> [String: JSONValue] {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        var object: [String: JSONValue] = [:]
        if buffer.readableBytes > 0 {
            let value: JSONValue
            do { value = try JSONValue.parse(Array(buffer: buffer)) } catch {
                throw HubError(.invalidJSON, "The body is not valid JSON.", field: "body")
            }
            guard case .object(let o) = value else { throw HubError(.validation, "The body must be a JSON object.", field: "body") }
            object = o
        }
        for (k, v) in path { object[k] = .string(v) }
        return object
    }

    package func param(_ context: Context, _ name: String) -> String { context.parameters.get(name) ?? "" }

    /// Query items as strings; `year` as a number when it is a whole number.
    package func query(_ request: Request, _ keys: [String]) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for key in keys {
            guard let v = request.uri.queryParameters.get(key), !v.isEmpty else { continue }
            // Only a year is a number: a centre or a search word made of digits stays text.
            out[key == "centre" ? "centreId" : key] = key == "year" ? (Int(v).map { .number(Double($0)) } ?? .string(v)) : .string(v)
        }
        return out
    }

    /// The hub's public address from configuration (`gateway.publicURL`, `HUB_PUBLIC_URL`),
    /// for every link the gateway makes: never the request's Host header, which a client chooses.
    package func baseURL(_ request: Request) -> String {
        server.configuration.gateway.publicBaseURL
    }

    package func organiserSession(_ context: Context) throws(HubError) -> SessionInfo {
        guard let session = context.session else { throw HubError(.unauthenticated, "Log in first.") }
        guard session.user.role == .admin || session.user.role == .staff else { throw HubError(.forbidden, "Only Utväg staff may do this.") }
        return session
    }


    /// Sends `type` for `user`; `key` (the API's `Idempotency-Key`) makes a retry return the
    /// first result. The message id is a hash of the user, the message type, the body (path
    /// ids included) and the key: two users' keys never collide, and the same key sent with
    /// another request (another step, another referral, other fields) is another command,
    /// not a replay of the first one's reply.
    package func call(_ type: String, _ body: JSONValue, user: User, key: String? = nil) async throws(HubError) -> JSONValue {
        var o = body.objectValue ?? [:]
        o["actor"] = BusActor.of(user)
        let id: String
        if let key {
            guard !key.isEmpty, key.utf8.count <= 80, MessageID.isValid(key) else {
                throw HubError(.validation, "The Idempotency-Key must be 1–80 printable characters.", field: "Idempotency-Key")
            }
            var request = Array("\(user.id)\u{0}\(type)\u{0}\(key)\u{0}".utf8)
            request += JSONValue.object(o).serialized()
            id = "api:" + Secrets.sha256Hex(String(decoding: request, as: UTF8.self))
        } else {
            id = MessageID.make()
        }
        return try await server.bus.request(type, body: .object(o), id: id, timeout: server.busTimeout)
    }

    package func attempt(_ type: String, _ body: JSONValue, user: User, key: String?) async -> Result<JSONValue, HubError> {
        do { return .success(try await call(type, body, user: user, key: key)) } catch { return .failure(error) }
    }

    package func apiUser(_ context: Context) throws(HubError) -> User {
        guard let user = context.apiUser else { throw HubError(.unauthenticated, "A bearer token is required.") }
        return user
    }
}

/// The `actor` a bus request carries: who is asking, with their role, agency and centre.
/// Only the gateway sets it; the service that owns the data decides what they may see.
package enum BusActor {
    package static func of(_ user: User) -> JSONValue {
        var o: [String: JSONValue] = ["user": .string(user.username), "role": .string(user.role.rawValue)]
        if let a = user.agency { o["agency"] = .string(a) }
        if let c = user.centre { o["centre"] = .string(c) }
        return .object(o)
    }

}

package extension JSONValue {
    /// The element at `index` of an array value.
    package subscript(index index: Int) -> JSONValue? {
        guard case .array(let a) = self, a.indices.contains(index) else { return nil }
        return a[index]
    }
}

/// Limits how many public form posts one address may make: `limit` within `window`.
/// Applies to every address alike; memory is bounded by `maxKeys`.
package final class PublicFormThrottle: Sendable {
    private let state = Mutex<[String: [ContinuousClock.Instant]]>([:])
    package let limit: Int
    package let window: Duration
    private let maxKeys = 10_000

    package init(limit: Int = ProcessInfo.processInfo.environment["HUB_PUBLIC_FORM_LIMIT"].flatMap(Int.init) ?? 20,
         window: Duration = .seconds(600)) {
        self.limit = limit; self.window = window
    }

    /// Records an attempt; false when the address is over its limit.
    package func allow(_ address: String) -> Bool {
        let now = ContinuousClock.now
        return state.withLock { s in
            if s.count >= maxKeys { s = s.filter { $0.value.contains { now - $0 <= window } } }
            if s.count >= maxKeys { s.removeAll() }
            var times = s[address, default: []]
            times.removeAll { now - $0 > window }
            guard times.count < limit else { s[address] = times; return false }
            times.append(now)
            s[address] = times
            return true
        }
    }
}

package extension JSONValue {
    /// The value as Mustache data: objects and arrays as Swift collections, whole numbers as Int.
    package var mustache: Any {
        switch self {
        case .null: return ""
        case .bool(let b): return b
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? Int(n) as Any : n as Any
        case .string(let s): return s
        case .array(let a): return a.map(\.mustache)
        case .object(let o): return o.mapValues(\.mustache)
        }
    }

    package var intText: String? { numberValue.map { String(Int($0)) } }
}
