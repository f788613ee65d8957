import Foundation
import HubProtocol
import HubStorage
import Synchronization

/// Whether a service can still write to its database, as `<service>.health` reports it
/// to the gateway's /healthz and start page.
///
/// A full disk or a broken database otherwise shows only as refused requests: the broker
/// still sees a live worker. Two signals: the volume is (nearly) full (SQLite only, from
/// `HubDatabase.availableBytes`), or a small probe write in a transaction fails. The
/// probe's answer is reused for `probeInterval`, because /healthz is public and each probe
/// costs a commit; a request that fails on storage drops that answer, so the next report
/// probes again.
public final class StorageHealth: Sendable {
    /// What the report says.
    public enum State: String, Sendable {
        case ok
        /// Writes fail (the probe, or the last request's).
        case failing
        /// Less than `minimumFreeBytes` left on the volume.
        case full
    }

    /// Below this much free space a SQLite database is reported `full`: SQLite needs room
    /// for the write-ahead log before a commit can succeed.
    public static let minimumFreeBytes: Int64 = 1 << 20

    /// The last probe: when, and what it found.
    private let probed = Mutex<(at: ContinuousClock.Instant, state: State)?>(nil)
    private let probeInterval: Duration

    public init(probeInterval: Duration = .seconds(2)) { self.probeInterval = probeInterval }

    /// The runtime saw a request fail on storage: the next report probes again.
    public func failed() { probed.withLock { $0 = nil } }

    /// The probe's table: one row, rewritten by each probe. The service runtime applies it;
    /// anything else that checks its storage (an adapter) applies it with its own migrations.
    public static let migration = Migration(version: 1_000_003, name: "hub_health_probe", sql: """
        CREATE TABLE IF NOT EXISTS hub_health (
            id INTEGER PRIMARY KEY,
            checked_at TEXT NOT NULL
        )
        """)

    /// The storage state now: the free space, then the probe (or its recent answer).
    public func check(_ database: any HubDatabase) async -> State {
        if let free = database.availableBytes(), free < Self.minimumFreeBytes { return .full }
        let now = ContinuousClock.now
        if let last = probed.withLock({ $0 }), now - last.at < probeInterval { return last.state }
        let state: State
        do {
            try await database.transaction { tx in
                try await tx.execute("""
                    INSERT INTO hub_health (id, checked_at) VALUES (1, ?)
                    ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at
                    """, [.text(Timestamp.now())])
            }
            state = .ok
        } catch {
            state = .failing
        }
        probed.withLock { $0 = (now, state) }
        return state
    }
}
