import Crypto
import Foundation
import HubProtocol

/// Keys that protect personal data at rest: AES-256-GCM keys by id (the newest one
/// encrypts, every one decrypts, which is how a key is rotated), and one separate
/// HMAC key for blind indexes, which never rotates so that the same person keeps
/// the same index.
///
/// Read from the environment `HUB_DATA_KEYS` (the file's JSON content) or from
/// `<data>/keys/data-keys.json`, written by `hub keys generate`. Never in git.
public struct DataKeyRing: Sendable {
    public struct StoredKey: Codable, Sendable {
        public var id: String
        /// Base64 of 32 random bytes.
        public var key: String
        public var created: String
    }
    /// The file's shape.
    public struct File: Codable, Sendable {
        public var current: String
        public var keys: [StoredKey]
        /// Base64 of 32 random bytes.
        public var indexKey: String
    }

    public let currentID: String
    let keys: [String: SymmetricKey]
    let indexKey: SymmetricKey

    public static let fileName = "data-keys.json"

    public init(file: File) throws(HubError) {
        var keys: [String: SymmetricKey] = [:]
        for (i, k) in file.keys.enumerated() {
            guard let raw = Data(base64Encoded: k.key), raw.count == 32 else {
                throw HubError(.validation, "A data key must be 32 bytes in base64.", field: "data-keys.json:keys[\(i)].key")
            }
            guard !k.id.isEmpty, !k.id.contains(":") else {
                throw HubError(.validation, "A data key id must be non-empty and without ':'.", field: "data-keys.json:keys[\(i)].id")
            }
            keys[k.id] = SymmetricKey(data: raw)
        }
        guard keys[file.current] != nil else {
            throw HubError(.validation, "The current data key is not among the keys.", field: "data-keys.json:current")
        }
        guard let index = Data(base64Encoded: file.indexKey), index.count == 32 else {
            throw HubError(.validation, "The index key must be 32 bytes in base64.", field: "data-keys.json:indexKey")
        }
        self.currentID = file.current
        self.keys = keys
        self.indexKey = SymmetricKey(data: index)
    }

    /// A new file with one key and an index key.
    public static func generateFile() -> File {
        File(current: "k1", keys: [StoredKey(id: "k1", key: randomKey(), created: Timestamp.now())], indexKey: randomKey())
    }

    /// `file` with a new current key added (the old ones stay, to decrypt).
    public static func rotated(_ file: File) -> File {
        var f = file
        let n = (f.keys.compactMap { Int($0.id.dropFirst()) }.max() ?? 0) + 1
        f.keys.append(StoredKey(id: "k\(n)", key: randomKey(), created: Timestamp.now()))
        f.current = "k\(n)"
        return f
    }

    static func randomKey() -> String { SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() } }

    /// Loads from `HUB_DATA_KEYS` or `<keysDir>/data-keys.json`.
    public static func load(keysDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(HubError) -> DataKeyRing {
        if let ring = try fromEnvironment("HUB_DATA_KEYS", environment) { return ring }
        let path = keysDirectory + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else {
            throw HubError(.validation, "No data keys: run `hub keys generate` or set HUB_DATA_KEYS.", field: fileName)
        }
        return try DataKeyRing(file: try ConfigFile.decode(File.self, path: path))
    }

    /// A component's own key ring: the JSON in `environmentVariable` when set, else the file
    /// at `path`, made (0600, in a 0700 folder) on first start. Each component that keeps a
    /// sealed copy (a service's idempotency replies, an agency adapter's outbox) has its own.
    public static func loadOrCreate(path: String, environmentVariable: String,
                                    environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DataKeyRing {
        if let ring = try fromEnvironment(environmentVariable, environment) { return ring }
        if !FileManager.default.fileExists(atPath: path) {
            let folder = (path as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try write(generateFile(), to: path)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        }
        return try DataKeyRing(file: try ConfigFile.decode(File.self, path: path))
    }

    /// The ring given as JSON in `variable`, nil when it is unset or empty.
    static func fromEnvironment(_ variable: String, _ environment: [String: String]) throws(HubError) -> DataKeyRing? {
        guard let text = environment[variable], !text.isEmpty else { return nil }
        guard let file = try? JSONDecoder().decode(File.self, from: Data(text.utf8)) else {
            throw HubError(.validation, "\(variable) is not a data-keys JSON document.", field: variable)
        }
        return try DataKeyRing(file: file)
    }

    /// Writes a new key file (mode 0600) unless one exists; returns whether it wrote.
    @discardableResult
    public static func ensureFile(keysDirectory: String) throws -> Bool {
        let path = keysDirectory + "/" + fileName
        if FileManager.default.fileExists(atPath: path) { return false }
        try FileManager.default.createDirectory(atPath: keysDirectory, withIntermediateDirectories: true)
        try write(generateFile(), to: path)
        return true
    }

    public static func write(_ file: File, to path: String) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let tmp = path + ".tmp"
        FileManager.default.createFile(atPath: tmp, contents: try enc.encode(file), attributes: [.posixPermissions: 0o600])
        if FileManager.default.fileExists(atPath: path) {
            _ = try FileManager.default.replaceItemAt(URL(fileURLWithPath: path), withItemAt: URL(fileURLWithPath: tmp))
        } else {
            try FileManager.default.moveItem(atPath: tmp, toPath: path)
        }
    }
}

/// Seals and opens personal data with the key ring: `<key id>:` + AES-GCM combined
/// (nonce, ciphertext, tag). The additional data binds a ciphertext to its record,
/// so a sealed field copied to another row does not open.
public struct DataProtector: Sendable {
    public let ring: DataKeyRing
    public init(ring: DataKeyRing) { self.ring = ring }

    public func seal(_ plaintext: [UInt8], context: String) throws(HubError) -> [UInt8] {
        guard let key = ring.keys[ring.currentID] else { throw HubError(.internal, "No current data key.") }
        do {
            let box = try AES.GCM.seal(plaintext, using: key, authenticating: Array(context.utf8))
            guard let combined = box.combined else { throw HubError(.internal, "Encryption failed.") }
            return Array((ring.currentID + ":").utf8) + Array(combined)
        } catch let e as HubError { throw e } catch {
            throw HubError(.internal, "Encryption failed.")
        }
    }

    public func open(_ sealed: [UInt8], context: String) throws(HubError) -> [UInt8] {
        guard let colon = sealed.firstIndex(of: UInt8(ascii: ":")), colon < 32 else {
            throw HubError(.storage, "Stored personal data is not in the sealed format.")
        }
        let id = String(decoding: sealed[..<colon], as: UTF8.self)
        guard let key = ring.keys[id] else { throw HubError(.storage, "Stored personal data uses an unknown data key (\(id)).") }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed[(colon + 1)...])
            return Array(try AES.GCM.open(box, using: key, authenticating: Array(context.utf8)))
        } catch {
            throw HubError(.storage, "Stored personal data does not open with its key.")
        }
    }

    /// The key id a sealed value was made with.
    public static func keyID(of sealed: [UInt8]) -> String? {
        guard let colon = sealed.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        return String(decoding: sealed[..<colon], as: UTF8.self)
    }

    /// A blind index: HMAC-SHA256 of the normalised value under the index key, hex.
    /// Equal inputs give equal indexes; the index reveals nothing without the key.
    public func blindIndex(_ value: String, purpose: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array((purpose + "\u{0}" + value).utf8), using: ring.indexKey)
        return Hex.encode(mac)
    }
}
