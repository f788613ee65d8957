import Foundation
#if canImport(Glibc)
import Glibc
#endif
import HubCore
import Logging
import Testing
@testable import HubGateway
@testable import HubWeb
@testable import MeetingsWeb
@testable import NetworksWeb
@testable import ReferralsWeb
@testable import TrainingWeb

/// A client on a raw TCP socket, to send what no HTTP library would: broken framing,
/// half a request, a body shorter than its Content-Length.
struct RawClient {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else { Glibc.close(fd); throw HubErrorForTests.connect }
        var tv = timeval(tv_sec: 8, tv_usec: 0) // a bound on every read: the test never hangs
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ text: String) { _ = text.utf8CString.withUnsafeBufferPointer { Glibc.send(fd, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL)) } }

    /// Everything until the server closes the connection (or an 8 s bound), and whether it
    /// closed. Reads without blocking and sleeps between tries, so no thread is held: a
    /// blocking `recv` would starve the other tests' tasks and threads running beside it.
    func readToClose() async -> (text: String, closed: Bool) {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = ContinuousClock.now + .seconds(8)
        while ContinuousClock.now < deadline {
            let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if n > 0 { out += buffer[0..<n]; continue }
            if n == 0 || errno == ECONNRESET { return (String(decoding: out, as: UTF8.self), true) }
            try? await Task.sleep(for: .milliseconds(20)) // EAGAIN: nothing yet
        }
        return (String(decoding: out, as: UTF8.self), false)
    }

    func close() { Glibc.close(fd) }
}

enum HubErrorForTests: Error { case connect }

/// The HTTP edge against a listening gateway: malformed framing, read timeouts and the
/// cap on connections per address.
@Suite("Gateway HTTP edge", .serialized)
struct HTTPEdgeTests {
    /// A gateway on an ephemeral port with short timeouts; `body` gets the port.
    func withServer(maxPerAddress: Int = 128, bodyTimeout: Int = 1, _ body: (Int) async throws -> Void) async throws {
        let h = try await Harness.make {
            $0.gateway.port = 0
            $0.gateway.headerTimeoutSeconds = 1
            $0.gateway.bodyTimeoutSeconds = bodyTimeout
            $0.gateway.maxConnectionsPerAddress = maxPerAddress
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = GatewayServer(configuration: h.server.configuration, bus: h.bus, database: h.database,
                                   logger: Logger(label: "test"), bcryptCost: 4, onServerRunning: { continuation.yield($0) })
        let task = Task { try await server.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        do { try await body(port) } catch { task.cancel(); _ = await task.result; await h.close(); throw error }
        task.cancel()
        _ = await task.result
        await h.close()
    }

    @Test func aMalformedChunkedBodyIs400NotAnInternalError() async throws {
        try await withServer(bodyTimeout: 30) { port in
            for path in ["/api/v1/tokens", "/login"] {
                let c = try RawClient(port: port)
                c.send("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ-not-hex\r\n{}\r\n0\r\n\r\n")
                let (text, _) = await c.readToClose()
                c.close()
                #expect(text.hasPrefix("HTTP/1.1 400"), "\(path): \(text.prefix(60))")
            }
        }
    }

    @Test func aHalfSentRequestIsClosedWithinTheHeaderTimeout() async throws {
        try await withServer { port in
            let c = try RawClient(port: port)
            c.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            let start = ContinuousClock.now
            let (text, closed) = await c.readToClose()
            c.close()
            #expect(closed)
            #expect(!text.contains("200 OK"))
            #expect(ContinuousClock.now - start < .seconds(6), "closed after about the 1 s header timeout")
        }
    }

    @Test func aBodyShortOfItsContentLengthGets408AndTheConnectionCloses() async throws {
        try await withServer { port in
            let c = try RawClient(port: port)
            c.send("POST /api/v1/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"username\":")
            let (text, closed) = await c.readToClose()
            c.close()
            #expect(text.hasPrefix("HTTP/1.1 408"), "\(text.prefix(60))")
            #expect(closed)
        }
    }

    @Test func connectionsPerAddressAreCapped() async throws {
        try await withServer(maxPerAddress: 3) { port in
            let held = try (0..<3).map { _ in try RawClient(port: port) }
            try await Task.sleep(for: .milliseconds(200))
            let extra = try RawClient(port: port)
            extra.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let (text, closed) = await extra.readToClose()
            extra.close()
            #expect(closed && text.isEmpty, "the fourth connection is closed unanswered")
            for c in held { c.close() }
            try await Task.sleep(for: .milliseconds(300))
            let again = try RawClient(port: port)
            again.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            let (ok, _) = await again.readToClose()
            again.close()
            #expect(ok.hasPrefix("HTTP/1.1 "), "a place is free again once the others closed")
        }
    }
}
