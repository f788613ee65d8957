import CZeroMQ
import Foundation
import Testing
import ZeroMQ

@Suite("The libzmq wrapper")
struct ZeroMQTests {
    /// Bytes waiting in the wake-up pipe (read without blocking).
    static func pending(_ w: Wakeup) -> Int {
        var buf = [UInt8](repeating: 0, count: 64)
        let n = read(w.readFD, &buf, 64)
        return max(0, n)
    }

    @Test func aBurstOfSignalsWritesOneWakeUpAndNoneIsLostAfterADrain() {
        let w = Wakeup()
        for _ in 0..<100 { w.signal() }
        #expect(Self.pending(w) == 1, "a burst costs one write")
        w.drain()
        w.signal()
        #expect(Self.pending(w) == 1, "the first signal after a drain wakes the owner again")
        // Without a drain the flag stays set: the owner has a byte to see and will drain.
        w.signal()
        #expect(Self.pending(w) == 0)
        w.drain()
        w.signal(); w.signal()
        #expect(Self.pending(w) == 1)
    }

    @Test func libzmqHasCurve() {
        #expect(ZMQContext.hasCurve)
        #expect(ZMQContext.version.0 == 4)
    }

    @Test func curveKeysDeriveAndRoundTripThroughZ85() throws {
        let pair = try CurveKeyPair.generate()
        #expect(CurveKeyPair.isValidZ85Key(pair.publicKey))
        #expect(CurveKeyPair.publicKey(forSecret: pair.secretKey) == pair.publicKey)
        let raw = try #require(CurveKeyPair.z85Decode(pair.publicKey))
        #expect(raw.count == 32)
        #expect(CurveKeyPair.z85Encode(raw) == pair.publicKey)
        #expect(CurveKeyPair.publicKey(forSecret: "too short") == nil)
    }

    @Test func multipartMessagesKeepTheirFrames() throws {
        let ctx = ZMQContext()
        let a = try ZMQSocket(ctx, .pair), b = try ZMQSocket(ctx, .pair)
        try a.bind("inproc://frames")
        try b.connect("inproc://frames")
        try a.send([[1, 2, 3], [], Array("x".utf8)])
        let m = try #require(try b.receive())
        #expect(m.frames == [[1, 2, 3], [], Array("x".utf8)])
        #expect(try b.receive(dontWait: true) == nil)
        a.close(); b.close()
    }

    @Test func sendAtHighWaterMarkReportsInsteadOfBlocking() throws {
        let ctx = ZMQContext()
        let a = try ZMQSocket(ctx, .dealer)
        try a.setHighWaterMark(5)
        try a.set(ZMQ_IMMEDIATE, 0)
        try a.connect("tcp://127.0.0.1:1") // nobody listens: messages queue up to the mark
        var accepted = 0
        for _ in 0..<100 { if try a.send([[0]], dontWait: true) { accepted += 1 } }
        #expect(accepted <= 10)
        #expect(accepted < 100)
        a.close()
    }

    @Test func contextTerminatesAfterSocketsCloseWithoutHanging() async throws {
        // A context with an open, unconnected socket holding unsent messages: close() uses linger 0.
        var ctx: ZMQContext? = ZMQContext()
        var s: ZMQSocket? = try ZMQSocket(ctx!, .dealer)
        try s!.connect("tcp://127.0.0.1:1")
        _ = try s!.send([[1]], dontWait: true)
        s!.close()
        s = nil
        ctx = nil // deinit runs zmq_ctx_term; the test finishing proves it did not hang
        #expect(ctx == nil)
    }

    @Test func wakeupInterruptsPoll() throws {
        let w = Wakeup()
        var poller = ZMQPoller()
        let i = poller.add(fd: w.readFD)
        w.signal()
        var p = poller
        #expect(try p.poll(timeoutMs: 1000) == 1)
        #expect(p.isReadable(i))
        w.drain()
        var q = poller
        #expect(try q.poll(timeoutMs: 10) == 0)
    }
}
