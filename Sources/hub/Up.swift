import ArgumentParser
import Foundation
import HubBus
import HubCore
import HubGateway
import HubProtocol
import HubStorage
import Logging
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `hub up`: the whole hub on one machine, each component its own child process on
/// embedded SQLite; a crashed child is restarted with back-off; Ctrl-C stops all.
struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start the broker, every service, every adapter and the gateway (development and small installations).")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        options.bootstrap()
        var logger = Logger(label: "hub.up")
        logger.logLevel = .notice
        do {
            let config = try options.loadConfiguration()
            _ = try ReferenceData.load(configDir: options.config) // fail early with the field named
            try options.preparePrivateDataFolder(logger: logger)
            // One hub per data folder, and only on free ports: a second `hub up` beside one
            // still stopping would join its broker and split the work between two hubs.
            let lock = try Self.lockDataFolder(options.dataDir)
            defer { close(lock) }
            try Self.requireFreePorts(config)
            try FileManager.default.createDirectory(atPath: options.layout.logs, withIntermediateDirectories: true)
            // Development keys for every component, made once.
            var principals: [Principal] = ["broker", .gateway]
            principals += config.services.map { .service($0) }
            principals += config.adapters.map { .adapter($0) }
            for p in principals { try KeyStore.generate(principal: p, directory: options.layout.keys) }
            // The keys that seal personal data at rest (unless given in HUB_DATA_KEYS).
            if ProcessInfo.processInfo.environment["HUB_DATA_KEYS"] == nil {
                try DataKeyRing.ensureFile(keysDirectory: options.layout.keys)
            }
            // The first admin account, before the gateway starts.
            let gatewayDB = try await Databases.open(.forComponent("gateway", dataDir: options.dataDir, databaseURL: config.databaseURL), poolSize: config.databasePoolSize, logger: logger)
            try await gatewayDB.migrate(UserStore.migrations)
            let password = try await UserStore(database: gatewayDB).ensureAdmin()
            await gatewayDB.close()

            // Every process: `workersPerService` of each service (PostgreSQL only; checked with
            // the configuration), one of each other component.
            let instances = Run.instances(config)
            // Each process's lock, held here for the children (which skip it): the same
            // component or worker started alone with `hub run` on this folder refuses.
            let componentLocks = try instances.map { try Run.lockComponent(Run.instanceName($0.component, worker: $0.worker), dataDir: options.dataDir) }
            defer { for fd in componentLocks { close(fd) } }
            let supervisor = Supervisor(executable: Self.selfPath(), options: options, logger: logger)
            for i in instances { supervisor.start(Supervisor.Instance(component: i.component, worker: i.worker)) }
            if config.workersPerService > 1 {
                say("Workers per service: \(config.workersPerService) (timed work on worker 1)")
            }
            let url = "http://\(config.gateway.host):\(config.gateway.port)"
            Task {
                let ok = await Self.waitForGateway(url + "/healthz", seconds: 120)
                say("Gateway: \(url)")
                if let password { say("Admin password (shown once): \(password)") }
                if !ok { say("Warning: the gateway did not report every component up within 120 s; see \(options.layout.logs)/.") }
            }
            await supervisor.runUntilSignal()
        } catch {
            exitWith(error)
        }
    }

    /// Holds an exclusive lock on `<data>/hub.lock` for as long as this `hub up` runs
    /// (the kernel lets it go when the process ends, however it ends).
    static func lockDataFolder(_ dataDir: String) throws -> Int32 {
        let path = dataDir + "/hub.lock"
        let fd = open(path, O_RDWR | O_CREAT, 0o600)
        guard fd >= 0 else { throw HubError(.storage, "Cannot create the data folder's lock file.", field: "hub.lock") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw HubError(.conflict, "Another hub is running on this data folder (\(dataDir)), or still stopping. Stop it first, then start again.",
                           field: "--data-dir")
        }
        return fd
    }

    /// Refuses to start when the broker's or the gateway's port is taken.
    static func requireFreePorts(_ config: HubConfiguration) throws {
        var ports: [(String, String, Int)] = [("gateway", config.gateway.host, config.gateway.port)]
        for (index, endpoint) in config.broker.all.enumerated() where endpoint.hasPrefix("tcp://") {
            let hostPort = endpoint.dropFirst("tcp://".count)
            if let colon = hostPort.lastIndex(of: ":"), let port = Int(hostPort[hostPort.index(after: colon)...]) {
                ports.append((HubConfiguration.Broker.componentName(index), String(hostPort[..<colon]), port))
            }
        }
        for (what, host, port) in ports where port > 0 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            var reuse: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            addr.sin_addr.s_addr = inet_addr(host == "*" || host == "0.0.0.0" ? "0.0.0.0" : (host == "localhost" ? "127.0.0.1" : host))
            let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            if bound != 0, errno == EADDRINUSE {
                throw HubError(.conflict, "The \(what)'s port \(port) is in use: another hub (or another program) is running. Stop it, or choose other ports.",
                               field: what == "gateway" ? "HUB_GATEWAY_PORT" : "HUB_BROKER_ENDPOINT")
            }
        }
    }

    static func selfPath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Polls /healthz until it answers 200 with status ok.
    static func waitForGateway(_ url: String, seconds: Int) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let u = URL(string: url), let (data, resp) = try? await URLSession.shared.data(from: u),
               (resp as? HTTPURLResponse)?.statusCode == 200,
               let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any], obj["status"] as? String == "ok" {
                return true
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return false
    }
}

/// Starts child processes, restarts those that end, and stops them all in reverse order.
///
/// The back-off is for a child that fails at start (it ends on its own within
/// `startGrace`: bad configuration, a port taken): 1 s doubling to 30 s, so a broken
/// child does not spin. A child that ran and then ended — killed (SIGKILL, SIGTERM from
/// outside) at any time, or crashed after its start — is restarted at once, so the hub
/// answers again as soon as the child is up (issue 16: a kill used to cost up to 30 s).
final class Supervisor: Sendable {
    /// One child: a component, and which worker of it (1 unless a service runs several).
    struct Instance: Sendable, Hashable {
        var component: String
        var worker: Int = 1
        /// `referrals`, `referrals.2`: the child's log file, lock and name in messages.
        var name: String { Run.instanceName(component, worker: worker) }
        var arguments: [String] { ["run", component] + (worker == 1 ? [] : ["--worker", String(worker)]) }
    }
    struct Child {
        var process: Process
        var started: ContinuousClock.Instant
        var delay: Duration
    }
    private let executable: String
    private let options: CommonOptions
    private let logger: Logger
    private let children = Mutex<[Instance: Child]>([:])
    private let order = Mutex<[Instance]>([])
    private let stopping = Atomic<Bool>(false)
    /// A child that ends on its own sooner than this after its start failed at start.
    static let startGrace: Duration = .seconds(5)

    init(executable: String, options: CommonOptions, logger: Logger) {
        self.executable = executable
        self.options = options
        self.logger = logger
    }

    func start(_ instance: Instance, delay: Duration = .seconds(1)) {
        guard !stopping.load(ordering: .acquiring) else { return }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = instance.arguments + ["--data-dir", options.dataDir, "--config", options.config, "--log-level", options.logLevel]
        let logPath = "\(options.layout.logs)/\(instance.name).log"
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = FileHandle(forWritingAtPath: logPath)
        log?.seekToEndOfFile()
        p.standardOutput = log
        p.standardError = log
        p.standardInput = FileHandle.nullDevice
        var env = ProcessInfo.processInfo.environment
        env[Supervision.parentVariable] = String(getpid())
        p.environment = env
        p.terminationHandler = { [weak self] proc in
            self?.exited(instance, status: proc.terminationStatus, signalled: proc.terminationReason == .uncaughtSignal)
        }
        do {
            try p.run()
        } catch {
            logger.error("cannot start component", metadata: ["hub.component": "\(instance.name)"])
            return
        }
        children.withLock { $0[instance] = Child(process: p, started: .now, delay: delay) }
        order.withLock { if !$0.contains(instance) { $0.append(instance) } }
    }

    private func exited(_ instance: Instance, status: Int32, signalled: Bool) {
        guard !stopping.load(ordering: .acquiring) else { return }
        let child = children.withLock { $0[instance] }
        let ran = child.map { ContinuousClock.now - $0.started } ?? .zero
        let (wait, next) = Self.restartDelay(ran: ran, killed: signalled && (status == SIGKILL || status == SIGTERM), current: child?.delay ?? .seconds(1))
        say("\(instance.name) stopped (\(signalled ? "signal" : "status") \(status)); restarting " + (wait == .zero ? "now" : "in \(wait.components.seconds) s"))
        if wait == .zero {
            start(instance, delay: next)
            return
        }
        Task {
            try? await Task.sleep(for: wait)
            self.start(instance, delay: next)
        }
    }

    /// The wait before restarting a child that ran for `ran`, and the wait for the time after.
    /// Killed from outside, or ended after `startGrace`: at once, and the back-off starts
    /// again from 1 s. Ended on its own within `startGrace` (failed at start): `current`,
    /// doubling up to 30 s.
    static func restartDelay(ran: Duration, killed: Bool, current: Duration) -> (wait: Duration, next: Duration) {
        if killed || ran >= startGrace { return (.zero, .seconds(1)) }
        return (current, min(current * 2, .seconds(30)))
    }

    /// Waits for SIGINT/SIGTERM, then stops children: gateway and adapters, services, broker last.
    func runUntilSignal() async {
        let signals = AsyncStream<Int32> { cont in
            for sig in [SIGINT, SIGTERM] {
                signal(sig, SIG_IGN)
                let src = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                src.setEventHandler { cont.yield(sig) }
                src.resume()
                SignalSources.keep(src)
            }
        }
        for await _ in signals { break }
        stopping.store(true, ordering: .releasing)
        say("Stopping Utväg Hub…")
        let started = order.withLock { $0 }.reversed()
        let edge = { (i: Instance) in i.component == "gateway" || i.component.hasPrefix("adapter-") }
        let isBroker = { (i: Instance) in i.component == "broker" || i.component.hasPrefix("broker-") }
        for group in [started.filter(edge), started.filter { !isBroker($0) && !edge($0) }, started.filter(isBroker)] {
            let procs = children.withLock { c in group.compactMap { c[$0]?.process } }
            for p in procs where p.isRunning { p.terminate() }
            let deadline = ContinuousClock.now + .seconds(10)
            while procs.contains(where: \.isRunning), ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
            for p in procs where p.isRunning { kill(p.processIdentifier, SIGKILL) }
        }
        say("Stopped.")
    }
}

import Dispatch
/// Keeps signal sources alive for the life of the process.
enum SignalSources {
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
    private static let lock = NSLock()
    static func keep(_ s: any DispatchSourceSignal) { lock.lock(); sources.append(s); lock.unlock() }
}

/// Writes a line to standard output at once (unbuffered), for scripts waiting on it.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
