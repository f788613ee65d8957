import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
import ReferralsAPI
import Logging
import ServiceLifecycle
import Synchronization

/// One deployable agency adapter: an intake in the agency's format on one side, the
/// hub's messages on the other (through `AdapterHost`), and delivery back in the
/// agency's form.
///
/// Run as `prepare()`, then `services` and `httpService` in one `ServiceGroup`, the HTTP
/// listener last (`hub run adapter-<name>`): on SIGTERM the group stops them in reverse,
/// intake first, so every document an agency was told is accepted is in the outbox.
public protocol AgencyAdapter: Sendable {
    var host: AdapterHost { get }
    /// Makes the adapter's folders and prepares its database (`AdapterHost.prepare(delivering:purgeFiles:)`);
    /// before any of `services` runs.
    func prepare() async throws
    /// The adapter's loops (outbox, inbox, delivery to the agency, purge, any folder
    /// scan), in the order a `ServiceGroup` starts them (`AdapterHost.services`).
    var services: [any Service] { get }
    /// The HTTP listener, for adapters that have one.
    func httpService(onServerRunning: @escaping @Sendable (Int) async -> Void) async throws -> (any Service)?
}

/// Everything an adapter needs to be made, in one place.
public struct AdapterEnvironment: Sendable {
    public var name: String
    public var runtime: AdapterRuntime
    public var database: any HubDatabase
    public var reference: ReferenceData
    /// The risk-screening questions (`config/risk-screening.json`): the adapter checks the
    /// answers at its edge, so a document is refused before it is queued.
    public var risk: RiskScreening
    public var settings: AdapterSettings
    public var dataDir: String
    public var logger: Logger
    public var environment: [String: String]

    public init(name: String, runtime: AdapterRuntime, database: any HubDatabase, reference: ReferenceData, risk: RiskScreening,
                settings: AdapterSettings, dataDir: String, logger: Logger,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.name = name; self.runtime = runtime; self.database = database; self.reference = reference; self.risk = risk
        self.settings = settings; self.dataDir = dataDir; self.logger = logger; self.environment = environment
    }

    /// Seals what the adapter keeps at rest (the runtime's key ring).
    public var protector: DataProtector { runtime.protector }

    public var host: AdapterHost {
        AdapterHost(adapter: name, runtime: runtime, database: database, reference: reference, risk: risk, settings: settings.delivery, logger: logger)
    }
}

/// The four adapters by name (`hub run adapter-<name>`).
public enum AgencyAdapters {
    public static let names = ["police", "municipality", "psychiatry", "kriminalvarden"]

    public static func make(_ env: AdapterEnvironment) throws -> any AgencyAdapter {
        switch env.name {
        case "police": try PoliceAdapter(env)
        case "municipality": try MunicipalityAdapter(env)
        case "psychiatry": try PsychiatryAdapter(env)
        case "kriminalvarden": try KriminalvardenAdapter(env)
        default: throw HubError(.validation, "No adapter is named \(env.name).", field: "adapter")
        }
    }
}

/// Lets one folder scan run at a time (the scan loop and a direct `scanOnce`): two scans of
/// the same file would both act on it (two sealed copies of a refused file, two receipts).
final class ScanGate: Sendable {
    private let busy = Mutex<Bool>(false)
    func run(_ body: () async -> Void) async {
        while !busy.withLock({ b in if b { return false }; b = true; return true }) {
            try? await Task.sleep(for: .milliseconds(5))
        }
        defer { busy.withLock { $0 = false } }
        await body()
    }
}
