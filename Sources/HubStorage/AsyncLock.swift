import Synchronization

/// A small FIFO async mutex: waiters are resumed in arrival order and ownership is
/// handed over directly, so no one can barge in between an unlock and the next owner.
final class AsyncLock: Sendable {
    private struct State {
        var locked = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        var head = 0
    }
    private let state = Mutex(State())

    func lock() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired = state.withLock { state -> Bool in
                if !state.locked {
                    state.locked = true
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if acquired { continuation.resume() }
        }
    }

    func unlock() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.head < state.waiters.count else {
                state.locked = false
                state.waiters.removeAll(keepingCapacity: true)
                state.head = 0
                return nil
            }
            let next = state.waiters[state.head]
            state.head += 1
            if state.head > 64 && state.head * 2 > state.waiters.count {
                state.waiters.removeFirst(state.head)
                state.head = 0
            }
            return next // stays locked: ownership passes to `next`
        }
        next?.resume()
    }

    /// Whether someone is waiting for the lock (asked by its holder: they get it next).
    var hasWaiters: Bool { state.withLock { $0.head < $0.waiters.count } }

    /// Runs `body` holding the lock.
    func withLock<T, E: Error>(_ body: () async throws(E) -> T) async throws(E) -> T {
        await lock()
        do {
            let result = try await body()
            unlock()
            return result
        } catch {
            unlock()
            throw error
        }
    }
}

/// A flag that a transaction's executor checks so it cannot be used after the
/// transaction ended (it would then run outside the lock / on a returned connection).
final class ValidityFlag: Sendable {
    private let valid = Atomic<Bool>(true)
    var isValid: Bool { valid.load(ordering: .acquiring) }
    func invalidate() { valid.store(false, ordering: .releasing) }
}
