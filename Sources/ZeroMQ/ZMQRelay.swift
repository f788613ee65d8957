// The steerable proxy between two sockets (the relay baseline of `hub bench bus`) and
// the small semaphore its thread signals when it stops.

import CZeroMQ
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// Runs `zmq_proxy_steerable` between two sockets on its own thread (the relay
/// baseline of `hub bench bus`). `terminate()` stops it through the control socket.
public final class ZMQRelay: @unchecked Sendable {
    private let context: ZMQContext
    private let controlEndpoint: String
    private let done = DispatchSemaphoreLite()

    public init(context: ZMQContext, frontend: ZMQSocket, backend: ZMQSocket) throws(ZMQError) {
        self.context = context
        self.controlEndpoint = "inproc://relay-control-\(UInt64.random(in: 0...UInt64.max))"
        let control = try ZMQSocket(context, .sub)
        try control.subscribe([])
        try control.bind(controlEndpoint)
        let done = self.done
        let thread = Thread {
            _ = zmq_proxy_steerable(frontend.rawHandle, backend.rawHandle, nil, control.rawHandle)
            frontend.close(); backend.close(); control.close()
            done.signal()
        }
        thread.start()
    }

    public func terminate() throws(ZMQError) {
        let pub = try ZMQSocket(context, .pub)
        try pub.connect(controlEndpoint)
        // Slow-joiner: repeat until the proxy has stopped.
        while !done.wait(timeoutMs: 20) {
            try pub.send([Array("TERMINATE".utf8)], dontWait: true)
        }
        pub.close()
    }
}

/// A tiny semaphore with a timeout, usable from threads (not from async code).
final class DispatchSemaphoreLite: Sendable {
    private let flag = Mutex(false)
    func signal() { flag.withLock { $0 = true } }
    func wait(timeoutMs: Int) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(timeoutMs)
        while ContinuousClock.now < deadline {
            if flag.withLock({ $0 }) { return true }
            usleep(1000)
        }
        return flag.withLock { $0 }
    }
}
