import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HubCore
import HubStorage
import Logging
import Testing
@testable import HubGateway
@testable import HubWeb
@testable import MeetingsWeb
@testable import NetworksWeb
@testable import ReferralsWeb
@testable import TrainingWeb

@Suite("GatewayServer.run")
struct GatewayServerRunTests {
    @Test func runListensOnAnEphemeralPortReportsItAndStopsWhenCancelled() async throws {
        let h = try await Harness.make { $0.gateway.port = 0 }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = GatewayServer(configuration: h.server.configuration, bus: h.bus, database: h.database,
                                   logger: Logger(label: "test"), bcryptCost: 4,
                                   onServerRunning: { continuation.yield($0) })
        let task = Task { try await server.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        #expect(port > 0)
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: data, as: UTF8.self).contains(#""broker":"up""#))
        task.cancel()
        _ = await task.result
        await h.close()
    }
}
