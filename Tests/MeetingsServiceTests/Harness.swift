import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
@_exported import HubTestSupport
import Logging
@testable import MeetingsService
import Synchronization
import Testing

/// A settable clock, so that deadlines and reminders are tested without sleeping.
final class TestClock: Sendable {
    private let value: Mutex<Date>
    init(_ iso: String) { value = Mutex(Timestamp.date(from: iso)!) }
    var now: Date { value.withLock { $0 } }
    func set(_ iso: String) { value.withLock { $0 = Timestamp.date(from: iso)! } }
}

/// The meetings service on a fresh database, called through its dispatcher (no sockets).
struct Harness: Sendable {
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

    func close() async {
        await database.close()
        await scratch.remove()
    }

    /// Sends `type` as `principal` with `actor` merged into the body; returns the reply and the events.
    @discardableResult
    func call(_ type: String, _ body: JSONValue = [:], as actor: JSONValue? = Actors.staff, principal: Principal = .gateway) async -> (Envelope, [(String, JSONValue)]) {
        var b = body
        if let actor, case .object(var o) = b { o["actor"] = actor; b = .object(o) }
        return await dispatcher.handle(ServiceRequest(envelope: Envelope(type: type, body: b), principal: principal))
    }

    func ok(_ type: String, _ body: JSONValue = [:], as actor: JSONValue? = Actors.staff, principal: Principal = .gateway,
            sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSONValue {
        let (reply, _) = await call(type, body, as: actor, principal: principal)
        if let e = reply.error { Issue.record("\(type) failed: \(e)", sourceLocation: sourceLocation); throw e }
        return reply.body
    }

    func failure(_ type: String, _ body: JSONValue = [:], as actor: JSONValue? = Actors.staff, principal: Principal = .gateway,
                 sourceLocation: SourceLocation = #_sourceLocation) async -> HubError {
        let (reply, _) = await call(type, body, as: actor, principal: principal)
        guard let e = reply.error else { Issue.record("\(type) succeeded unexpectedly", sourceLocation: sourceLocation); return HubError(.internal, "none") }
        return e
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
