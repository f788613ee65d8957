import AgencyAdapters
import ArgumentParser
import Foundation
import HubBus
import HubCore
import HubGateway
import HubProtocol
import HubStorage
import Logging
import MeetingsService
import NetworksService
import ReferralsAPI
import ReferralsService
import ServiceLifecycle
import TrainingService
import ZeroMQ

/// The deployable components, by the name `hub run` takes.
enum Component {
    static func serviceDefinition(_ name: String, options: CommonOptions) throws -> ServiceDefinition? {
        switch name {
        case ReferralsService.name:
            try ReferralsService.definition(configDir: options.config, keys: DataKeyRing.load(keysDirectory: options.layout.keys))
        case MeetingsService.name: try MeetingsService.definition(configDir: options.config)
        case NetworksService.name: NetworksService.definition()
        case TrainingService.name: TrainingService.definition()
        default: nil
        }
    }

    /// The bus endpoint settings for `principal`, from configuration and key files.
    static func endpoint(for principal: Principal, options: CommonOptions, config: HubConfiguration) throws -> BusEndpoint {
        let own = try KeyStore.secret(for: principal, in: options.keyDirectories)
        guard let keys = own.keyPair else { throw HubError(.validation, "The key file has no secret key.", field: "keys") }
        let broker = try brokerPublicKey(options: options)
        var endpoint = BusEndpoint(endpoint: config.broker.all[0], brokerPublicKey: broker, keys: keys,
                                   heartbeatInterval: .milliseconds(config.broker.heartbeatMs),
                                   heartbeatLiveness: config.broker.heartbeatLiveness,
                                   highWaterMark: Int32(config.broker.highWaterMark),
                                   maxMessageBytes: config.broker.maxMessageBytes)
        endpoint.others = Array(config.broker.all.dropFirst())
        return endpoint
    }

    static func brokerPublicKey(options: CommonOptions) throws -> String {
        for dir in options.keyDirectories {
            for file in ["broker.pub.json", "broker.key.json"] {
                let path = "\(dir)/\(file)"
                if FileManager.default.fileExists(atPath: path) { return try KeyStore.load(path: path).publicKey }
            }
        }
        throw HubError(.validation, "No broker public key (broker.pub.json) in the key folders.", field: "keys")
    }
}

/// Wraps a start/stop pair as a swift-service-lifecycle `Service`: runs until
/// graceful shutdown (SIGTERM/SIGINT), then stops in order.
struct LifecycleComponent: Service {
    let name: String
    let start: @Sendable () async throws -> Void
    let stop: @Sendable () async -> Void
    func run() async throws {
        try await start()
        try? await gracefulShutdown()
        await stop()
    }
}

func runUntilSignalled(_ services: [any Service], logger: Logger) async throws {
    let group = ServiceGroup(configuration: .init(
        services: services.map { .init(service: $0) },
        gracefulShutdownSignals: [.sigterm, .sigint],
        logger: logger))
    try await group.run()
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one component in this process: broker, gateway, a service (referrals, meetings, networks, training) or adapter-<agency>.")

    @Argument(help: "The component to run.")
    var component: String
    @Option(help: "Which worker of the service this process is (1–16; more than 1 needs PostgreSQL). Worker 1 runs the service's timed work.")
    var worker: Int = 1
    @OptionGroup var options: CommonOptions

    func run() async throws {
        options.bootstrap()
        do {
            let config = try options.loadConfiguration()
            try Self.checkWorker(worker, of: component, config: config)
            // Under `hub up` the parent has checked the folder already and holds it alone.
            var locks: [Int32] = []
            if ProcessInfo.processInfo.environment[Supervision.parentVariable] == nil {
                try options.preparePrivateDataFolder(logger: Logger(label: "hub.run"))
                locks = [try Self.lockComponent(Self.instanceName(component, worker: worker), dataDir: options.dataDir)]
            }
            defer { for fd in locks { close(fd) } }
            try await Self.run(component, worker: worker, options: options, config: config)
        } catch {
            exitWith(error)
        }
    }

    /// The name of one worker process of a component: the component itself for worker 1
    /// (its lock file and log keep their names), `<component>.<n>` for the others
    /// (`<data>/referrals.2.lock`, `logs/referrals.2.log`).
    static func instanceName(_ component: String, worker: Int) -> String {
        worker == 1 ? component : "\(component).\(worker)"
    }

    /// Every worker process of every component `hub up` starts, broker first and gateway last:
    /// `workersPerService` of each service, one of everything else.
    static func instances(_ config: HubConfiguration) -> [(component: String, worker: Int)] {
        var out: [(String, Int)] = config.broker.all.indices.map { (HubConfiguration.Broker.componentName($0), 1) }
        for service in config.services {
            for n in 1...max(1, config.workersPerService) { out.append((service, n)) }
        }
        out += config.adapters.map { ("adapter-\($0)", 1) }
        out.append(("gateway", 1))
        return out
    }

    /// Only services run as several workers, 1–16, and more than one only on PostgreSQL
    /// (an SQLite file takes one writing process).
    static func checkWorker(_ worker: Int, of component: String, config: HubConfiguration) throws(HubError) {
        guard worker != 1 else { return }
        guard config.services.contains(component) else {
            throw HubError(.validation, "Only a service (\(config.services.joined(separator: ", "))) runs as several workers; \(component) runs once.", field: "--worker")
        }
        guard (1...HubConfiguration.maxWorkersPerService).contains(worker) else {
            throw HubError(.validation, "Must be 1–\(HubConfiguration.maxWorkersPerService).", field: "--worker")
        }
        guard let url = config.databaseURL, !url.isEmpty else {
            throw HubError(.validation, "A second worker of a service needs PostgreSQL (HUB_DATABASE_URL): an SQLite file takes one writing process at a time.", field: "--worker")
        }
    }

    /// One copy of each component per data folder: an exclusive lock on `<data>/<component>.lock`
    /// for as long as the component runs (the kernel lets it go when the process ends). `hub up`
    /// holds the locks of every component it starts, so `hub run referrals` beside a `hub up` that
    /// runs referrals refuses, while a component that `hub up` does not run may join it (a service
    /// on another host or namespace, as the partition test and deploy/README's layout do).
    static func lockComponent(_ component: String, dataDir: String) throws -> Int32 {
        let name = "\(component).lock"
        let fd = open(dataDir + "/" + name, O_RDWR | O_CREAT, 0o600)
        guard fd >= 0 else { throw HubError(.storage, "Cannot create the data folder's lock file.", field: name) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw HubError(.conflict, "\(component) is already running on this data folder (\(dataDir)), under `hub up` or alone. Stop it first, or give another --data-dir.",
                           field: "--data-dir")
        }
        return fd
    }

    static func run(_ component: String, worker: Int = 1, options: CommonOptions, config: HubConfiguration) async throws {
        Supervision.dieWithParent()
        // Every log line names the process: `hub.referrals` for worker 1, `hub.referrals.2` for worker 2.
        var logger = Logger(label: "hub.\(instanceName(component, worker: worker))")
        logger.logLevel = Logger.Level(rawValue: options.logLevel) ?? .info
        let context = ZMQContext()
        if let brokerEndpoint = config.broker.endpoint(ofComponent: component) {
            let keys = try KeyStore.secret(for: "broker", in: options.keyDirectories)
            guard let pair = keys.keyPair else { throw HubError(.validation, "The broker key has no secret.", field: "keys") }
            let trusted = try KeyStore.trustedKeys(in: options.keyDirectories)
            let policy = try AuthorizationPolicy.load(path: options.config + "/policy.json")
            let broker = Broker(settings: BrokerSettings(endpoint: brokerEndpoint, serverKeys: pair, trustedKeys: trusted,
                                                         policy: policy, configuration: config.broker),
                                logger: logger, context: context)
            try await runUntilSignalled([LifecycleComponent(name: component, start: { try broker.start() }, stop: { await broker.stop() })], logger: logger)
        } else if var definition = try Component.serviceDefinition(component, options: options) {
            if component == TrainingService.name {
                // The year in review asks the networks service for its days over the bus.
                let bus = BusClient(endpoint: try Component.endpoint(for: .service(component), options: options, config: config), logger: logger, context: context)
                definition = TrainingService.definition(bus: bus)
            }
            let database = try await Databases.open(.forComponent(component, dataDir: options.dataDir, databaseURL: config.databaseURL), poolSize: config.databasePoolSize, logger: logger)
            // The service's own keys seal its stored first replies: the referrals service's data
            // keys, or a ring of the service's own (`<data>/keys/<service>-data-keys.json`).
            let ring = component == ReferralsService.name
                ? try DataKeyRing.load(keysDirectory: options.layout.keys)
                : try DataKeyRing.loadOrCreate(path: options.layout.keys + "/\(component)-data-keys.json",
                                               environmentVariable: "HUB_\(component.uppercased())_DATA_KEYS")
            let dispatcher = Dispatcher(definition: definition, database: database, configDir: options.config, logger: logger,
                                        processedRetention: .seconds(config.idempotencyRetentionDays * 86_400),
                                        replySealer: DataProtector(ring: ring))
            try await dispatcher.prepare()
            let endpoint = try Component.endpoint(for: .service(component), options: options, config: config)
            let serviceWorker = ServiceWorker(dispatcher: dispatcher, endpoint: endpoint, logger: logger, context: context)
            // The service's timed work (meetings: reminders and mail; networks and training:
            // mail), every HUB_<SERVICE>_TICK_SECONDS (default 60; 0 turns it off on this worker),
            // on worker 1 only: two workers flushing one outbox at once would send a mail twice.
            let seconds = Self.timedWorkSeconds(component, worker: worker)
            if worker > 1, !definition.timed.isEmpty { logger.info("timed work left to worker 1", metadata: ["hub.worker": "\(worker)"]) }
            // One group: the worker (connection, outbox sweeper, graceful drain) and the timed
            // work. On SIGTERM the group stops them in reverse order: timed work first, between
            // two runs; then the worker finishes the requests in flight; then the database closes.
            var parts: [any Service] = [serviceWorker]
            if let timed = dispatcher.scheduled(every: seconds, publish: { serviceWorker.publish($0) }) { parts.append(timed) }
            do {
                try await runUntilSignalled(parts, logger: logger)
            } catch {
                await database.close()
                throw error
            }
            await database.close()
        } else if component == "gateway" {
            let database = try await Databases.open(.forComponent("gateway", dataDir: options.dataDir, databaseURL: config.databaseURL), poolSize: config.databasePoolSize, logger: logger)
            try await database.migrate(UserStore.migrations)
            let endpoint = try Component.endpoint(for: .gateway, options: options, config: config)
            let bus = BusClient(endpoint: endpoint, logger: logger, context: context)
            let server = GatewayServer(configuration: config, bus: bus, database: database, logger: logger)
            try await server.run()
            await bus.close()
            await database.close()
        } else if component.hasPrefix("adapter-"), config.adapters.contains(String(component.dropFirst("adapter-".count))) {
            let agency = String(component.dropFirst("adapter-".count))
            let database = try await Databases.open(.forComponent(component.replacingOccurrences(of: "-", with: "_"), dataDir: options.dataDir, databaseURL: config.databaseURL), poolSize: config.databasePoolSize, logger: logger)
            let endpoint = try Component.endpoint(for: .adapter(agency), options: options, config: config)
            let bus = BusClient(endpoint: endpoint, logger: logger, context: context)
            let keys = try AdapterDataKeys.load(adapter: agency, dataDir: options.dataDir)
            let runtime = AdapterRuntime(agency: agency, bus: bus, database: database, keys: keys, logger: logger)
            let adapter = try AgencyAdapters.make(AdapterEnvironment(
                name: agency, runtime: runtime, database: database, reference: try ReferenceData.load(configDir: options.config),
                risk: try ConfigFile.decode(RiskScreening.self, path: options.config + "/" + RiskScreening.file).validated(),
                settings: try AdapterSettings.load(adapter: agency, configDir: options.config), dataDir: options.dataDir, logger: logger))
            // One group: the adapter's loops, then its HTTP listener. On SIGTERM the group stops them
            // in reverse: the listener finishes the requests in flight, the folder scan its file, the
            // sender its window (the rest stays pending in the outbox), then inbox, delivery and
            // purge; the bus and the database close once every loop has stopped.
            try await adapter.prepare()
            var parts = adapter.services
            if let http = try await adapter.httpService(onServerRunning: { _ in }) { parts.append(http) }
            do {
                try await runUntilSignalled(parts, logger: logger)
            } catch {
                await bus.close()
                await database.close()
                throw error
            }
            await bus.close()
            await database.close()
        } else {
            throw HubError(.validation, "Unknown component \(component). Use \(config.broker.all.indices.map(HubConfiguration.Broker.componentName).joined(separator: ", ")), gateway, \(config.services.joined(separator: ", ")) or adapter-<\(config.adapters.joined(separator: "|"))>.", field: "component")
        }
    }
}

extension Run {
    /// How often a worker of `component` runs the service's timed work: every
    /// `HUB_<SERVICE>_TICK_SECONDS` (default 60) on worker 1, never (0) on the others.
    static func timedWorkSeconds(_ component: String, worker: Int,
                                 environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        guard worker == 1 else { return 0 }
        return Int(environment["HUB_\(component.uppercased())_TICK_SECONDS"] ?? "") ?? 60
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Children of `hub up` must not outlive it, even when it is killed with SIGKILL.
///
/// A watcher thread checks twice a second that the supervisor is still the parent and
/// otherwise sends this process SIGTERM, so it stops gracefully. (PR_SET_PDEATHSIG is
/// not used: it fires when the spawning *thread* exits, which in Swift is any time.)
enum Supervision {
    static let parentVariable = "HUB_SUPERVISOR_PID"
    static func dieWithParent() {
        guard let p = ProcessInfo.processInfo.environment[parentVariable], let parent = Int32(p) else { return }
        let watcher = Thread {
            while getppid() == parent { Thread.sleep(forTimeInterval: 0.5) }
            kill(getpid(), SIGTERM)
        }
        watcher.name = "hub-parent-watch"
        watcher.start()
    }
}
