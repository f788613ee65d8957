import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
@_exported import HubTestSupport
import Logging
import MeetingsAPI
@testable import MeetingsService
import Synchronization
import Testing

/// The meetings service on a fresh database, called through its dispatcher (no sockets).
struct Harness: DispatcherHarness {
    static let defaultActor: JSONValue? = Actors.staff
    let dispatcher: Dispatcher
    let database: any HubDatabase
    let clock: TestClock
    let scratch: ScratchDatabase
    var backend: Backend { scratch.backend }

    static let root = TestPaths.root
    static let configDir = TestPaths.configDir

    static func make(_ backend: Backend, clock: TestClock = TestClock("2026-03-02T09:00:00.000Z"), environment: [String: String] = [:]) async throws -> Harness {
        let logger = TestLogging.quiet("meetings.tests")
        let scratch = ScratchDatabase(backend, name: "meetings")
        let db = try await scratch.open(logger: logger)
        var env = try MeetingsEnvironment(configDir: configDir, now: { clock.now })
        if !environment.isEmpty {
            var s = try MeetingSettings.load(configDir: configDir, environment: environment)
            s.smtp.timeoutSeconds = 5
            env = MeetingsEnvironment(reference: env.reference, settings: s, templates: env.templates, now: { clock.now })
        }
        let d = Dispatcher(definition: MeetingsService.definition(env), database: db, configDir: configDir, logger: logger)
        try await d.prepare()
        return Harness(dispatcher: d, database: db, clock: clock, scratch: scratch)
    }

    /// Sends `type` like `DispatcherHarness.call`, and reads every successful reply as its
    /// contract's reply type: a reply that does not decode, or that its type would write otherwise,
    /// fails the test that called (so every flow test checks the contract too).
    @discardableResult
    func call(_ type: String, _ body: JSONValue = [:], as actor: JSONValue? = Self.defaultActor, principal: Principal = .gateway,
              id: String = MessageID.make(), sourceLocation: SourceLocation = #_sourceLocation) async -> (Envelope, [(String, JSONValue)]) {
        var b = body
        if let actor, case .object(var o) = b { o["actor"] = actor; b = .object(o) }
        let (reply, events) = await dispatcher.handle(ServiceRequest(envelope: Envelope(id: id, type: type, body: b), principal: principal))
        if reply.error == nil {
            do { try Self.checkContract(type, reply.body) } catch { Issue.record("\(type): \(error)", sourceLocation: sourceLocation) }
        }
        return (reply, events)
    }

    /// The result of a call that must succeed, its reply checked against the contract.
    @discardableResult
    func ok(_ type: String, _ body: JSONValue = [:], as actor: JSONValue? = Self.defaultActor, principal: Principal = .gateway,
            sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSONValue {
        let (reply, _) = await call(type, body, as: actor, principal: principal, sourceLocation: sourceLocation)
        if let e = reply.error { Issue.record("\(type) failed: \(e)", sourceLocation: sourceLocation); throw e }
        return reply.body
    }

    /// Decodes `reply` as the reply type of `type`'s contract and writes it again: the same JSON must come out.
    static func checkContract(_ type: String, _ reply: JSONValue) throws {
        guard let contract = MeetingsAPI.messages[type] else { throw HubError(.unknownType, "No contract type.") }
        func check<C: ContractRequest>(_ c: C.Type) throws {
            let decoded = try C.reply(reply)
            guard try JSONValue.encode(decoded) == reply else { throw HubError(.internal, "The reply type writes another shape.") }
        }
        try check(contract)
    }

    func close() async {
        await database.close()
        await scratch.remove()
    }

    func count(_ table: String) async throws -> Int {
        try await database.query("SELECT COUNT(*) AS n FROM \(table)", [])[0].int("n")
    }

    /// Row counts of every table that a failed request must leave untouched.
    func snapshot() async throws -> [String: Int] {
        var out: [String: Int] = [:]
        for t in ["meetings", "attendance", "agenda_items", "status_reports", "action_items", "minutes_versions", "attachments", "links",
                  "mail_outbox", "search_terms", "group_members"] {
            out[t] = try await count(t)
        }
        return out
    }

    /// A member id of the centre's group by agency.
    func member(_ centre: String = "skaraborg", agency: String) async throws -> String {
        let g = try await ok("meetings.groups.list", ["centre": .string(centre)])
        return g["members"]!.arrayValue!.first { $0["agency"]?.stringValue == agency }!["memberId"]!.stringValue!
    }

    /// A planned Skaraborg meeting on `date`; returns its id.
    func meeting(_ date: String = "2026-03-20", _ extra: [String: JSONValue] = [:]) async throws -> String {
        var body: [String: JSONValue] = ["centre": "skaraborg", "date": .string(date)]
        for (k, v) in extra { body[k] = v }
        return try await ok("meetings.create", .object(body))["id"]!.stringValue!
    }

    func item(_ meeting: String, kind: String) async throws -> String {
        let m = try await ok("meetings.get", ["meetingId": .string(meeting)])
        return m["agenda"]!.arrayValue!.first { $0["kind"]?.stringValue == kind }!["id"]!.stringValue!
    }
}

enum Actors {
    static let staff: JSONValue = ["user": "sara", "role": "staff", "centre": "skaraborg"]
    static let staffBoras: JSONValue = ["user": "bo", "role": "staff", "centre": "sodra-alvsborg"]
    static let admin: JSONValue = ["user": "admin", "role": "admin"]
    static let police: JSONValue = ["user": "polis1", "role": "agency", "agency": "police"]
    static let psychiatry: JSONValue = ["user": "psyk1", "role": "agency", "agency": "psychiatry"]
    static let board: JSONValue = ["user": "board1", "role": "board", "centre": "skaraborg"]
}

/// ../shared/samples/minutes, when it exists.
enum Samples {
    static var folder: URL { Harness.root.deletingLastPathComponent().appendingPathComponent("shared/samples/minutes") }
    static func files() -> [URL] {
        ((try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == "md" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}
