import Foundation
import HubProtocol
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small SMTP client (RFC 5321) for a trusted relay inside the organisation: EHLO,
/// MAIL FROM, RCPT TO, DATA with dot-stuffing, QUIT; no TLS or AUTH (the relay is
/// local or reached over the site's own network). Written over POSIX sockets with
/// send/receive time-outs, run on a Dispatch thread so that a slow relay never blocks
/// Swift's cooperative pool; about 100 lines instead of a NIO pipeline or a new package.
public struct SMTPClient: Sendable {
    public var host: String
    public var port: Int
    public var helo: String
    public var timeoutSeconds: Int

    public init(host: String, port: Int, helo: String, timeoutSeconds: Int) {
        self.host = host; self.port = port; self.helo = helo; self.timeoutSeconds = timeoutSeconds
    }

    /// Sends one message; throws `HubError(.internal)` without the recipient in the message.
    public func send(from: String, to: String, message: String) async throws {
        let client = self
        try await withCheckedThrowingContinuation { (k: CheckedContinuation<Void, any Error>) in
            DispatchQueue.global().async {
                do { try client.sendBlocking(from: from, to: to, message: message); k.resume() } catch { k.resume(throwing: error) }
            }
        }
    }

    private func fail(_ what: String) -> HubError { HubError(.internal, "The mail relay did not accept the message (\(what)).") }

    func sendBlocking(from: String, to: String, message: String) throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { throw fail("address") }
        defer { freeaddrinfo(list) }
        var fd: Int32 = -1
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let ai = cursor {
            let s = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
            if s >= 0 {
                var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
                setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                if connect(s, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 { fd = s; break }
                close(s)
            }
            cursor = ai.pointee.ai_next
        }
        guard fd >= 0 else { throw fail("connect") }
        defer { close(fd) }
        var buffer: [UInt8] = []

        func readReply() throws -> Int {
            while true {
                // A reply ends with a line "ddd text" (a space after the code, not '-').
                if lastLineEnd(buffer) != nil {
                    let text = String(decoding: buffer, as: UTF8.self)
                    let lines = text.split(separator: "\r\n", omittingEmptySubsequences: true)
                    if let last = lines.last, last.count >= 3, last.count == 3 || last[last.index(last.startIndex, offsetBy: 3)] == " " {
                        buffer.removeAll()
                        guard let code = Int(last.prefix(3)) else { throw fail("reply") }
                        return code
                    }
                }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let n = recv(fd, &chunk, chunk.count, 0)
                guard n > 0 else { throw fail("read") }
                buffer += chunk[0..<n]
                guard buffer.count < 65536 else { throw fail("reply too long") }
            }
        }
        func lastLineEnd(_ b: [UInt8]) -> Int? {
            guard b.count >= 2, b[b.count - 2] == 13, b[b.count - 1] == 10 else { return nil }
            return b.count
        }
        func write(_ text: String) throws {
            let bytes = Array(text.utf8), total = bytes.count
            var offset = 0
            while offset < total {
                let start = offset
                let n = bytes.withUnsafeBytes { p in sendAll(fd, p.baseAddress! + start, total - start) }
                guard n > 0 else { throw fail("write") }
                offset += n
            }
        }
        func command(_ line: String, expect: Set<Int>, _ what: String) throws {
            try write(line + "\r\n")
            guard expect.contains(try readReply()) else { throw fail(what) }
        }

        guard try readReply() == 220 else { throw fail("greeting") }
        try command("EHLO \(helo)", expect: [250], "EHLO")
        try command("MAIL FROM:<\(from)>", expect: [250], "MAIL FROM")
        try command("RCPT TO:<\(to)>", expect: [250, 251], "RCPT TO")
        try command("DATA", expect: [354], "DATA")
        // Dot-stuffing (RFC 5321 §4.5.2) and CRLF line ends.
        let normalised = message.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n")
        try write(normalised + (normalised.hasSuffix("\r\n") ? "" : "\r\n") + ".\r\n")
        guard try readReply() == 250 else { throw fail("message") }
        try? command("QUIT", expect: [221], "QUIT")
    }
}

/// `send(2)` without SIGPIPE.
private func sendAll(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
    return send(fd, p, n, Int32(MSG_NOSIGNAL))
    #else
    return send(fd, p, n, 0)
    #endif
}
