import Foundation
import HubProtocol
import ZeroMQ

/// A principal's CURVE identity as stored on disk.
///
/// Public halves live in `<name>.pub.json` (safe to distribute, read by the broker);
/// secret halves in `<name>.key.json` with mode 0600, in the data folder or a
/// secrets folder — never in git (`*.key.json` is ignored).
public struct KeyFile: Codable, Sendable, Equatable {
    public var principal: String
    public var publicKey: String
    public var secretKey: String?

    public init(principal: String, publicKey: String, secretKey: String? = nil) {
        self.principal = principal; self.publicKey = publicKey; self.secretKey = secretKey
    }

    public var keyPair: CurveKeyPair? {
        guard let secretKey else { return nil }
        return CurveKeyPair(publicKey: publicKey, secretKey: secretKey)
    }
}

/// Reads and writes key files, and turns a folder of public keys into the broker's allow-list.
public enum KeyStore {
    /// Generates a key pair for `principal` into `directory` (public and secret files).
    /// Refuses to overwrite an existing secret unless `overwrite`.
    @discardableResult
    public static func generate(principal: Principal, directory: String, overwrite: Bool = false) throws(HubError) -> KeyFile {
        guard Principal.isValid(principal.name) else {
            throw HubError(.validation, "A principal is lower-case letters, digits, '-' or '_', optionally with one 'kind:' prefix.", field: "principal")
        }
        let secretPath = "\(directory)/\(principal.fileStem).key.json"
        if !overwrite, FileManager.default.fileExists(atPath: secretPath) {
            return try load(path: secretPath)
        }
        let pair: CurveKeyPair
        do { pair = try CurveKeyPair.generate() } catch {
            throw HubError(.internal, "libzmq cannot make CURVE keys (is it built with libsodium?).")
        }
        let file = KeyFile(principal: principal.name, publicKey: pair.publicKey, secretKey: pair.secretKey)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            try write(try enc.encode(file), to: secretPath, mode: 0o600)
            let pub = KeyFile(principal: principal.name, publicKey: pair.publicKey)
            // Public, but kept in the private key folder: 0600 like everything under the data
            // folder (copy it to config/keys/ to give it to another host).
            try write(try enc.encode(pub), to: "\(directory)/\(principal.fileStem).pub.json", mode: 0o600)
        } catch {
            throw HubError(.storage, "Cannot write key files to the key folder.", field: "keys")
        }
        return file
    }

    private static func write(_ data: Data, to path: String, mode: Int) throws {
        // Write beside, then rename: a reader never sees half a key file.
        let tmp = path + ".tmp"
        guard FileManager.default.createFile(atPath: tmp, contents: data, attributes: [.posixPermissions: mode]),
              rename(tmp, path) == 0 else {
            throw HubError(.storage, "Cannot write a key file.", field: "keys")
        }
    }

    /// Loads one key file and validates it.
    public static func load(path: String) throws(HubError) -> KeyFile {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path),
              let file = try? JSONDecoder().decode(KeyFile.self, from: data) else {
            throw HubError(.validation, "Key file cannot be read or is not valid JSON.", field: name)
        }
        guard Principal.isValid(file.principal) else {
            throw HubError(.validation, "Key file names an invalid principal.", field: name + ":principal")
        }
        guard CurveKeyPair.isValidZ85Key(file.publicKey) else {
            throw HubError(.validation, "Public key is not a 40-character Z85 key.", field: name + ":publicKey")
        }
        if let secret = file.secretKey {
            guard CurveKeyPair.publicKey(forSecret: secret) == file.publicKey else {
                throw HubError(.validation, "Secret key does not match the public key.", field: name + ":secretKey")
            }
        }
        return file
    }

    /// Loads the secret key of `principal` from the first folder that has it.
    public static func secret(for principal: Principal, in directories: [String]) throws(HubError) -> KeyFile {
        for dir in directories {
            let path = "\(dir)/\(principal.fileStem).key.json"
            if FileManager.default.fileExists(atPath: path) { return try load(path: path) }
        }
        throw HubError(.validation, "No secret key for \(principal). Run `hub keys generate \(principal)`.", field: "keys")
    }

    /// All public keys in the given folders (`*.pub.json`; `*.key.json` count too).
    /// The same principal may appear more than once (key rotation: both keys are valid).
    public static func trustedKeys(in directories: [String]) throws(HubError) -> TrustedKeys {
        var map: [[UInt8]: Principal] = [:]
        for dir in directories {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
            for name in names.sorted() where name.hasSuffix(".pub.json") || name.hasSuffix(".key.json") {
                let file = try load(path: "\(dir)/\(name)")
                guard let raw = CurveKeyPair.z85Decode(file.publicKey) else { continue }
                if let existing = map[raw], existing.name != file.principal {
                    throw HubError(.validation, "The same public key is listed for two principals.", field: name)
                }
                map[raw] = Principal(file.principal)
            }
        }
        return TrustedKeys(map)
    }
}

/// The broker's allow-list: raw 32-byte CURVE public key → principal.
public struct TrustedKeys: Sendable {
    private var byKey: [[UInt8]: Principal]
    public init(_ byKey: [[UInt8]: Principal]) { self.byKey = byKey }
    public func principal(forRawKey key: [UInt8]) -> Principal? { byKey[key] }
    public var count: Int { byKey.count }
    public var principals: Set<Principal> { Set(byKey.values) }
}
