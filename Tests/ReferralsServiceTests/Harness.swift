import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
@_exported import HubTestSupport
import Logging
@testable import ReferralsService
import Synchronization
import Testing

/// The referrals service on a fresh database, called through its dispatcher (no sockets).
struct Harness: DispatcherHarness {
    static let defaultActor: JSONValue? = Actors.staffSkaraborg
    let dispatcher: Dispatcher
    let database: any HubDatabase
    let clock: TestClock
    let scratch: ScratchDatabase
    let keys: DataKeyRing.File
    var backend: Backend { scratch.backend }

    static let configDir = TestPaths.configDir

    /// The service on a fresh database, or on `scratch` again (a restart).
    static func make(_ backend: Backend, keys: DataKeyRing.File = DataKeyRing.generateFile(), clock: TestClock = TestClock("2026-03-02T09:00:00.000Z"),
                     scratch: ScratchDatabase? = nil) async throws -> Harness {
        let logger = TestLogging.quiet("referrals.tests")
        let scratch = scratch ?? ScratchDatabase(backend, name: "referrals")
        let db = try await scratch.open(logger: logger)
        let definition = try ReferralsService.definition(configDir: configDir, keys: DataKeyRing(file: keys), now: { clock.now })
        let d = Dispatcher(definition: definition, database: db, configDir: configDir, logger: logger)
        try await d.prepare()
        return Harness(dispatcher: d, database: db, clock: clock, scratch: scratch, keys: keys)
    }

    func close() async {
        await database.close()
        await scratch.remove()
    }

    func count(_ table: String) async throws -> Int {
        try await database.query("SELECT COUNT(*) AS n FROM \(table)", [])[0].int("n")
    }
}

enum Actors {
    static let staffSkaraborg: JSONValue = ["user": "sara", "role": "staff", "centre": "skaraborg"]
    static let staffBoras: JSONValue = ["user": "bo", "role": "staff", "centre": "sodra-alvsborg"]
    static let admin: JSONValue = ["user": "admin", "role": "admin"]
    static let police: JSONValue = ["user": "polis1", "role": "agency", "agency": "police"]
    static let social: JSONValue = ["user": "soc1", "role": "agency", "agency": "social-services"]
    static let board: JSONValue = ["user": "board1", "role": "board", "centre": "skaraborg"]
}

/// Canary values: searched for in the database files and outputs.
enum Canary {
    static let personnummer = "19640823-3234"
    static let digits = "196408233234"
    static let name = "Kanarie Testsson"
    static let phone = "070-123 45 67"
    static let address = "Kanariegatan 7, Skövde"
}

/// A complete, valid agency referral; tests change one field at a time.
func referral(_ changes: [String: JSONValue] = [:], client: [String: JSONValue] = [:], municipality: String = "Skövde") -> JSONValue {
    var c: [String: JSONValue] = [
        "identityKind": "personnummer", "identityNumber": .string(Canary.personnummer), "name": .string(Canary.name),
        "protectedIdentity": false, "phone": .string(Canary.phone), "address": .string(Canary.address), "childrenAges": [4, 7],
        "interpreterLanguage": "arabiska",
    ]
    for (k, v) in client { c[k] = v }
    var o: [String: JSONValue] = [
        "externalRef": "POL-2026-0042",
        "source": "agency",
        "referrer": ["agency": "police", "unit": "LPO Skövde", "contactName": "Per Polis", "contactPhone": "0501-123 45"],
        "municipality": .string(municipality),
        "category": "subjected-to-violence",
        "help": ["individual-talks", "womens-group"],
        "client": .object(c),
        "safeContact": ["doNotContact": false, "mayCall": true, "callTimes": "vardagar 9–12", "mayLeaveMessage": false],
        "consent": ["given": true, "scope": ["referral", "status", "outcome"], "givenAt": "2026-03-01", "recordedBy": "Per Polis"],
        "urgency": "high",
        "riskAnswers": ["escalation": "yes", "threat-to-kill": "no", "strangulation": "unknown"],
        "notes": "Kontakt helst förmiddag.",
    ]
    for (k, v) in changes { o[k] = v }
    return .object(o)
}
