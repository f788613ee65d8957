import Foundation
import HubProtocol
import ServiceLifecycle

/// Placeholder while being written.
public struct KriminalvardenAdapter: AgencyAdapter {
    public let host: AdapterHost
    public init(_ env: AdapterEnvironment) throws { host = env.host }
    public func start() async throws { try await host.prepare(); host.runtime.start() }
    public func stop() async { await host.runtime.stop() }
    public func httpService(onServerRunning: @escaping @Sendable (Int) async -> Void) async throws -> (any Service)? { nil }
}
