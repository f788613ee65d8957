import Foundation
import HubProtocol
import HubRegistration
import HubStorage
import Logging
import Testing

/// The engine on its own tables, as any service (training) uses it: no networks code.
@Suite("Registration engine on its own")
struct EngineTests {
    @Test func anyServiceCanOpenAnEventRegisterAndPromote() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("engine-\(UUID().uuidString)").path
        let db = try await Databases.open(.sqlite(path: dir + "/training.sqlite"), logger: Logger(label: "test"))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await db.migrate(RegistrationEngine.migrations)
        let engine = RegistrationEngine(configuration: RegistrationConfiguration(purgeAfterDays: 30))
        let now = Date()
        let spec = RegistrationEventSpec(id: "training-1", title: "Barn som upplevt våld", starts: now.addingTimeInterval(86_400 * 10),
                                         ends: now.addingTimeInterval(86_400 * 10 + 3600 * 6), capacity: 1, feeSEK: 0,
                                         deadline: now.addingTimeInterval(86_400 * 5))
        try await db.transaction { tx in try await engine.openEvent(spec, on: tx) }
        let tokens = (0..<2).map { _ in RegistrationEngine.makeToken() }
        for (i, token) in tokens.enumerated() {
            let request = RegistrationRequest(eventId: "training-1", participants: [
                ParticipantInput(name: "P\(i)", agency: "police", email: "p\(i)@polisen.se", cancelToken: token)])
            let result = try await db.transaction { tx in try await engine.register(request, on: tx) }
            #expect(result.participants[0].status == (i == 0 ? .confirmed : .waiting))
        }
        // Errors name the engine's default field for the event.
        do {
            let late = RegistrationRequest(eventId: "no-such", participants: [
                ParticipantInput(name: "X", agency: "police", email: "x@polisen.se", cancelToken: RegistrationEngine.makeToken())])
            _ = try await db.transaction { tx in try await engine.register(late, on: tx) }
            Issue.record("an unknown event was accepted")
        } catch let error as HubError {
            #expect(error.code == .notFound && error.field == "body.eventId")
        }
        // After the deadline, even with seats free, nothing is stored.
        do {
            let request = RegistrationRequest(eventId: "training-1", participants: [
                ParticipantInput(name: "Y", agency: "police", email: "y@polisen.se", cancelToken: RegistrationEngine.makeToken())])
            _ = try await db.transaction { tx in try await engine.register(request, now: now.addingTimeInterval(86_400 * 6), on: tx) }
            Issue.record("a registration after the deadline was accepted")
        } catch let error as HubError {
            #expect(error.code == .conflict && error.field == "body.eventId")
        }
        let cancelled = try await db.transaction { tx in try await engine.cancel(token: tokens[0], on: tx) }
        #expect(cancelled.promoted.map(\.name) == ["P1"])
        let state = try await engine.eventState("training-1", on: db)
        #expect(state.taken == 1 && state.waiting == 0)
        // Purge when due: personal data gone, the counts stay.
        #expect(try await db.transaction { tx in try await engine.purge(now: now.addingTimeInterval(86_400 * 45), on: tx) } == 1)
        let rows = try await db.query("SELECT name, email, status FROM registration_participants ORDER BY seq", [])
        #expect(rows.allSatisfy { (try? $0.string("name")) == "" && (try? $0.string("email")) == "" })
        #expect(try rows.map { try $0.string("status") } == ["cancelled", "confirmed"])
        await db.close()
    }
}
