import Foundation
import HubCore
import HubProtocol

/// One adapter's settings from `config/adapters.json` (data, not code), with
/// environment overrides for what differs per machine:
/// `HUB_ADAPTER_<NAME>_PORT`, `HUB_ADAPTER_<NAME>_CALLBACK_URL`, `HUB_ADAPTER_<NAME>_FOLDER`,
/// `HUB_ADAPTER_<NAME>_REJECTED_RETENTION_DAYS`, `HUB_ADAPTER_<NAME>_INBOX_RETENTION_DAYS`.
/// Folders are relative to the data folder unless absolute.
public struct AdapterSettings: Sendable, Codable, Equatable {
    /// HTTP listener (police, psychiatry).
    public var host: String = "127.0.0.1"
    public var port: Int?
    /// Where status updates are pushed (police); empty means "pull only".
    public var callbackURL: String?
    /// Root of the watched folders (municipality, kriminalvarden).
    public var folder: String?
    /// Municipalities with a folder each (municipality adapter); empty means every municipality of every centre.
    public var municipalities: [String]?
    /// How often folders are looked at.
    public var pollMs: Int = 1000
    /// Largest accepted request body or file.
    public var maxBytes: Int = 1_048_576
    /// Retry back-off towards the agency: first delay, doubling up to the maximum.
    public var retryBaseMs: Int = 1000
    public var retryMaxMs: Int = 300_000
    /// How long an HTTP intake waits for the hub's answer before replying "accepted, pending".
    public var answerWaitMs: Int = 2000
    /// Days a refused document is kept, sealed, for staff to see what the agency sent
    /// (outbox envelope, rejected file); then it is purged. 0 purges at the next purge.
    public var rejectedRetentionDays: Int = 14
    /// Days a delivered event is kept (its id against repeats; a FHIR Communication's content, sealed).
    public var inboxRetentionDays: Int = 14
    /// The address agencies reach the adapter's API at (psychiatry: the FHIR base, e.g.
    /// `https://adapter-psychiatry.example.se/fhir`), for absolute URLs in answers; never taken
    /// from the request's Host header. Empty: `http://<host>:<port>/fhir`.
    public var publicBaseURL: String?

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = AdapterSettings()
        host = try c.decodeIfPresent(String.self, forKey: .host) ?? d.host
        port = try c.decodeIfPresent(Int.self, forKey: .port)
        callbackURL = try c.decodeIfPresent(String.self, forKey: .callbackURL)
        folder = try c.decodeIfPresent(String.self, forKey: .folder)
        municipalities = try c.decodeIfPresent([String].self, forKey: .municipalities)
        pollMs = try c.decodeIfPresent(Int.self, forKey: .pollMs) ?? d.pollMs
        maxBytes = try c.decodeIfPresent(Int.self, forKey: .maxBytes) ?? d.maxBytes
        retryBaseMs = try c.decodeIfPresent(Int.self, forKey: .retryBaseMs) ?? d.retryBaseMs
        retryMaxMs = try c.decodeIfPresent(Int.self, forKey: .retryMaxMs) ?? d.retryMaxMs
        answerWaitMs = try c.decodeIfPresent(Int.self, forKey: .answerWaitMs) ?? d.answerWaitMs
        rejectedRetentionDays = try c.decodeIfPresent(Int.self, forKey: .rejectedRetentionDays) ?? d.rejectedRetentionDays
        inboxRetentionDays = try c.decodeIfPresent(Int.self, forKey: .inboxRetentionDays) ?? d.inboxRetentionDays
        publicBaseURL = try c.decodeIfPresent(String.self, forKey: .publicBaseURL)
    }

    public var delivery: DeliverySettings {
        DeliverySettings(retryBase: .milliseconds(retryBaseMs), retryMax: .milliseconds(retryMaxMs), poll: .milliseconds(min(pollMs, 250)),
                         rejectedRetention: TimeInterval(rejectedRetentionDays) * 86_400, inboxRetention: TimeInterval(inboxRetentionDays) * 86_400)
    }

    /// Reads `<configDir>/adapters.json` → the entry named `adapter` (defaults when absent), then the environment.
    public static func load(adapter: String, configDir: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(HubError) -> AdapterSettings {
        var s = AdapterSettings()
        let path = configDir + "/adapters.json"
        if FileManager.default.fileExists(atPath: path) {
            s = try ConfigFile.decode([String: AdapterSettings].self, path: path)[adapter] ?? s
        }
        let prefix = "HUB_ADAPTER_" + adapter.uppercased() + "_"
        if let p = environment[prefix + "PORT"], let port = Int(p) { s.port = port }
        if let u = environment[prefix + "CALLBACK_URL"] { s.callbackURL = u }
        if let f = environment[prefix + "FOLDER"], !f.isEmpty { s.folder = f }
        if let d = environment[prefix + "REJECTED_RETENTION_DAYS"], let days = Int(d) { s.rejectedRetentionDays = days }
        if let d = environment[prefix + "INBOX_RETENTION_DAYS"], let days = Int(d) { s.inboxRetentionDays = days }
        if let u = environment[prefix + "PUBLIC_BASE_URL"], !u.isEmpty { s.publicBaseURL = u }
        try s.validate(adapter)
        return s
    }

    public func validate(_ adapter: String) throws(HubError) {
        let f = "adapters.json:\(adapter)."
        if let port, !(0...65535).contains(port) { throw HubError(.validation, "Must be 0–65535.", field: f + "port") }
        guard (10...600_000).contains(pollMs) else { throw HubError(.validation, "Must be 10–600000.", field: f + "pollMs") }
        guard (1024...256 * 1024 * 1024).contains(maxBytes) else { throw HubError(.validation, "Must be 1 KiB–256 MiB.", field: f + "maxBytes") }
        guard (0...3650).contains(rejectedRetentionDays) else { throw HubError(.validation, "Must be 0–3650 days.", field: f + "rejectedRetentionDays") }
        guard (0...3650).contains(inboxRetentionDays) else { throw HubError(.validation, "Must be 0–3650 days.", field: f + "inboxRetentionDays") }
        guard retryBaseMs >= 10, retryMaxMs >= retryBaseMs else { throw HubError(.validation, "Must be ≥ 10 and ≤ retryMaxMs.", field: f + "retryBaseMs") }
        if let u = publicBaseURL, !u.isEmpty {
            guard let url = URL(string: u), ["http", "https"].contains(url.scheme ?? ""), url.host != nil, url.query == nil else {
                throw HubError(.validation, "Must be an absolute http(s) URL without a query.", field: f + "publicBaseURL")
            }
        }
        if let u = callbackURL, !u.isEmpty {
            guard let url = URL(string: u), ["http", "https"].contains(url.scheme ?? "") else {
                throw HubError(.validation, "Must be an http(s) URL.", field: f + "callbackURL")
            }
        }
    }

    /// An absolute folder path: `folder` (or `adapters/<adapter>`) under the data folder.
    public func folderPath(adapter: String, dataDir: String) -> String {
        let f = folder ?? "adapters/\(adapter)"
        return f.hasPrefix("/") ? f : dataDir + "/" + f
    }
}
