import CZeroMQ
import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
import HubTestSupport
import Logging
import ZeroMQ

/// A real broker (see `TestBroker`) with a policy for the test services below, started at once.
final class BusFixture: TestBroker, @unchecked Sendable {
    static let policy = AuthorizationPolicy(principals: [
        "gateway": .init(request: ["*"], subscribe: ["*"]),
        "service:test": .init(serve: ["test"], publish: ["test.*", "agency.*"]),
        "service:other": .init(serve: ["other"]),
        "adapter:*": .init(request: ["test.*"], publish: ["adapter.{agency}.*"], subscribe: ["agency.{agency}.*"]),
    ])

    init(requestTimeoutMs: Int = 2000, heartbeatMs: Int = 100, maxMessageBytes: Int = 64 * 1024) throws {
        try super.init(folder: "hubbus", principals: ["gateway", "service:test", "service:other", "adapter:police", "adapter:municipality"],
                       policy: Self.policy, requestTimeoutMs: requestTimeoutMs, heartbeatMs: heartbeatMs, maxMessageBytes: maxMessageBytes)
        try startBroker()
    }
}

/// A test service: `test.put` stores a row (command), `test.count` counts rows (query),
/// `test.slow` sleeps, `test.echo` returns its body and emits an event.
enum TestService {
    static func definition(slowMs: Int = 0) -> ServiceDefinition {
        ServiceDefinition(
            name: "test",
            migrations: [Migration(version: 1, name: "items", sql: "CREATE TABLE items (id TEXT PRIMARY KEY, value TEXT NOT NULL)")],
            handlers: [
                "test.put": MessageHandler(.command) { req, ctx in
                    struct Body: Decodable { var value: String }
                    let body = try req.decode(Body.self)
                    guard !body.value.isEmpty else { throw HubError(.validation, "A value is required.", field: "body.value") }
                    let id = UUID().uuidString
                    try await ctx.database.execute("INSERT INTO items (id, value) VALUES (?, ?)", [.text(id), .text(body.value)])
                    ctx.events.emit("agency.police.item", .object(["id": .string(id)]))
                    return .object(["id": .string(id)])
                },
                "test.count": MessageHandler(.query) { _, ctx in
                    let rows = try await ctx.database.query("SELECT COUNT(*) AS n FROM items", [])
                    return .object(["count": .number(Double(try rows[0].int("n")))])
                },
                "test.whoami": MessageHandler(.query) { req, _ in .object(["principal": .string(req.principal.name)]) },
                "test.slow": MessageHandler(.query) { req, _ in
                    try await Task.sleep(for: .milliseconds(slowMs))
                    return req.body
                },
            ])
    }
}
