// The ring buffer behind the broker's per-service request queues.

/// A minimal double-ended queue (ring buffer) for the per-service request queues.
struct Deque<Element> {
    private var storage: [Element?] = Array(repeating: nil, count: 16)
    private var head = 0
    private(set) var count = 0
    var first: Element? { count == 0 ? nil : storage[head] }
    mutating func append(_ e: Element) {
        grow(); storage[(head + count) % storage.count] = e; count += 1
    }
    mutating func prepend(_ e: Element) {
        grow(); head = (head - 1 + storage.count) % storage.count; storage[head] = e; count += 1
    }
    @discardableResult mutating func removeFirst() -> Element {
        let e = storage[head]!; storage[head] = nil; head = (head + 1) % storage.count; count -= 1; return e
    }
    func firstIndex(of e: Element) -> Int? where Element: Equatable {
        for i in 0..<count where storage[(head + i) % storage.count] == e { return i }
        return nil
    }
    mutating func remove(at i: Int) {
        var items: [Element] = []
        for k in 0..<count where k != i { items.append(storage[(head + k) % storage.count]!) }
        storage = Array(repeating: nil, count: max(16, storage.count)); head = 0; count = 0
        for x in items { append(x) }
    }
    private mutating func grow() {
        guard count == storage.count else { return }
        var n: [Element?] = Array(repeating: nil, count: storage.count * 2)
        for i in 0..<count { n[i] = storage[(head + i) % storage.count] }
        storage = n; head = 0
    }
}
