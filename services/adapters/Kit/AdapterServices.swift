// An adapter's loops as swift-service-lifecycle `Service`s, so that `hub run adapter-<name>`
// runs them in one `ServiceGroup` with its HTTP listener and stops them in order on SIGTERM.
// Each loop stops between two units of work, never in the middle of one: a window of outbox
// entries in flight is settled (answered, or left pending in the outbox), a delivery to the
// agency or a folder's file is finished.

import Foundation
import HubBus
import ServiceLifecycle

extension Task where Success == Never, Failure == Never {
    /// Whether a loop should stop after the unit of work in hand: its task is cancelled, or
    /// its `ServiceGroup` has begun this service's graceful shutdown.
    static var isStopping: Bool { isCancelled || isShuttingDownGracefully }

    /// Waits `duration`, or less when the graceful shutdown begins (a loop's pause between passes).
    static func pause(for duration: Duration) async {
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
    }
}

/// The runtime's sender: delivers the outbox to the hub, a window at a time
/// (`AdapterRuntime.sendLoop`). On shutdown the window in flight is settled in one commit
/// and whatever is still pending waits in the outbox for the next start.
struct OutboxSender: Service {
    let runtime: AdapterRuntime
    func run() async { await runtime.sendLoop() }
}

/// The runtime's receiver: subscribes to the agency's topics and stores each event once in
/// the inbox (`AdapterRuntime.receiveLoop`). On shutdown it stops between two events; one
/// not stored is not acknowledged either, so its service sends it again.
struct InboxReceiver: Service {
    let runtime: AdapterRuntime
    func run() async { await runtime.receiveLoop() }
}

/// Acknowledges stored events to the services that published them, every 200 ms and once
/// more on shutdown, after the receiver has stopped (`AdapterRuntime.ackLoop`).
struct InboxAcknowledger: Service {
    let runtime: AdapterRuntime
    func run() async { await runtime.ackLoop() }
}

/// Hands receipts, status changes and documents to the agency (`AdapterHost.deliveryLoop`);
/// on shutdown the delivery in hand is finished and recorded.
struct AgencyDeliveryLoop: Service {
    let host: AdapterHost
    let deliverer: any AgencyDeliverer
    func run() async { await host.deliveryLoop(deliverer) }
}

/// A folder adapter's intake: every waiting file, then a pause of `poll`; on shutdown the
/// file in hand is finished (the scan checks `Task.isStopping` between files).
struct FolderScanner: Service {
    let poll: Duration
    let scan: @Sendable () async -> Void
    func run() async {
        while !Task.isStopping {
            await scan()
            await Task.pause(for: poll)
        }
    }
}
