import Foundation
import HubBus
import HubProtocol
import HubTestSupport
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// Graceful shutdown (issue 13: one lifecycle): a service's worker and its timed work are
/// `Service`s in one `ServiceGroup`. On SIGTERM (here: the group's graceful shutdown) timed
/// work stops between runs, and the worker answers every request it accepted before it goes.
@Suite("Lifecycle: graceful shutdown of a service")
struct LifecycleTests {
    @Test func timedWorkStopsBetweenRunsNeverInTheMiddleOfOne() async throws {
        let started = Atomic<Int>(0), finished = Atomic<Int>(0)
        let work = PeriodicWork(name: "slow", every: .milliseconds(5)) {
            started.add(1, ordering: .relaxed)
            try? await Task.sleep(for: .milliseconds(150))
            finished.add(1, ordering: .relaxed)
        }
        let group = ServiceGroup(configuration: .init(services: [.init(service: work)], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            while started.load(ordering: .relaxed) == 0 { try await Task.sleep(for: .milliseconds(5)) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(started.load(ordering: .relaxed) >= 1)
        #expect(finished.load(ordering: .relaxed) == started.load(ordering: .relaxed), "the run under way was finished")
    }

    @Test func aWorkerAnswersEveryRequestItAcceptedThenStops() async throws {
        let bus = try BusFixture()
        let client = try bus.client()
        let database = try await bus.database("lifecycle")
        let dispatcher = Dispatcher(definition: TestService.definition(slowMs: 400), database: database, configDir: bus.dir, logger: bus.logger)
        try await dispatcher.prepare()
        let worker = ServiceWorker(dispatcher: dispatcher, endpoint: try bus.busEndpoint("service:test"), capacity: 16, logger: bus.logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: worker)], logger: bus.logger))
        let answered = Counter()
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await bus.waitForWorkers("test", via: client)
            for number in 0..<8 {
                tasks.addTask { [client, answered] in
                    let reply = try await client.request("test.slow", body: ["n": .number(Double(number))], timeout: .seconds(5))
                    if reply["n"] == .number(Double(number)) { answered.value.add(1, ordering: .relaxed) }
                }
            }
            // Once the requests are with the worker (they take 400 ms each), SIGTERM arrives.
            try await Task.sleep(for: .milliseconds(150))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(answered.value.load(ordering: .relaxed) == 8, "every accepted request was answered before the worker stopped")
        await bus.tearDown()
    }
}

final class Counter: Sendable {
    let value = Atomic<Int>(0)
}
