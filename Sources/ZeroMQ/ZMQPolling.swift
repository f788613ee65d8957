// Waiting on sockets: the poller over sockets and file descriptors, and the self-pipe
// (`Wakeup`) through which other threads wake a socket's owner thread.

import CZeroMQ
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// Polls sockets and plain file descriptors.
public struct ZMQPoller {
    private var items: [zmq_pollitem_t] = []
    public init() {}
    /// Adds a socket; returns its index for `isReadable`.
    @discardableResult
    public mutating func add(_ socket: ZMQSocket) -> Int {
        items.append(zmq_pollitem_t(socket: socket.rawHandle, fd: -1, events: Int16(ZMQ_POLLIN), revents: 0))
        return items.count - 1
    }
    /// Adds a file descriptor (e.g. a `Wakeup` pipe); returns its index.
    @discardableResult
    public mutating func add(fd: Int32) -> Int {
        items.append(zmq_pollitem_t(socket: nil, fd: fd, events: Int16(ZMQ_POLLIN), revents: 0))
        return items.count - 1
    }
    /// Waits up to `timeoutMs` (-1 forever). Returns the number of ready items.
    public mutating func poll(timeoutMs: Int) throws(ZMQError) -> Int {
        let n = items.count
        let rc = items.withUnsafeMutableBufferPointer { zmq_poll($0.baseAddress, Int32(n), timeoutMs) }
        if rc < 0 {
            let e = zmq_errno()
            if e == EINTR { return 0 }
            throw ZMQError(errno: e, operation: "zmq_poll")
        }
        return Int(rc)
    }
    public func isReadable(_ index: Int) -> Bool { items[index].revents & Int16(ZMQ_POLLIN) != 0 }
}

/// A self-pipe that lets async code wake a thread blocked in `zmq_poll`.
///
/// Writers (any thread) call `signal()`; the owning thread polls `readFD` and calls
/// `drain()`, then takes the work that was queued. This is how work crosses from Swift
/// tasks to a socket's one owner thread without ever touching the socket from another thread.
///
/// Signals coalesce: only the first `signal()` after a `drain()` writes to the pipe, so a
/// burst of messages costs one system call on each side instead of one per message. No
/// wake-up is lost: `drain()` empties the pipe before it clears the flag, and the owner takes
/// the queued work after `drain()`, so work queued before a suppressed signal is taken then.
public final class Wakeup: @unchecked Sendable {
    public let readFD: Int32
    private let writeFD: Int32
    /// A byte is in the pipe, or about to be, that `drain()` has not yet consumed.
    private let pending = Atomic<Bool>(false)
    public init() {
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        readFD = fds[0]; writeFD = fds[1]
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }
    public func signal() {
        if pending.exchange(true, ordering: .sequentiallyConsistent) { return }
        var b: UInt8 = 1
        _ = write(writeFD, &b, 1)
    }
    public func drain() {
        var buf = [UInt8](repeating: 0, count: 256)
        while read(readFD, &buf, 256) > 0 {}
        pending.store(false, ordering: .sequentiallyConsistent)
    }
    deinit { close(readFD); close(writeFD) }
}
