import Crypto
import Foundation
import HubProtocol

/// The API keys an HTTP adapter accepts, kept only as SHA-256 digests.
///
/// From `HUB_ADAPTER_<NAME>_API_KEY` (one key), else `<data>/adapters/<name>/api-keys.sha256`
/// (one hex digest a line, `#` comments). When neither exists, a key is made on first
/// start: its digest goes to that file and the key itself, once, to `api-key.new`
/// (mode 0600) for the operator to hand over and then delete. Keys are 256-bit random,
/// so a plain SHA-256 digest is enough (no password stretching needed).
public struct APIKeys: Sendable {
    let digests: [[UInt8]]

    public init(keys: [String]) { digests = keys.map { Array(SHA256.hash(data: Data($0.utf8))) } }
    init(digests: [[UInt8]]) { self.digests = digests }

    /// True when `presented` is one of the keys (constant time per digest).
    public func accepts(_ presented: String?) -> Bool {
        guard let presented, !presented.isEmpty, presented.utf8.count <= 512 else { return false }
        let d = Array(SHA256.hash(data: Data(presented.utf8)))
        var ok = false
        for k in digests where k.count == d.count {
            var diff: UInt8 = 0
            for i in 0..<d.count { diff |= k[i] ^ d[i] }
            if diff == 0 { ok = true }
        }
        return ok
    }

    public static func load(adapter: String, dataDir: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(HubError) -> APIKeys {
        if let key = environment["HUB_ADAPTER_\(adapter.uppercased())_API_KEY"], !key.isEmpty { return APIKeys(keys: [key]) }
        let dir = "\(dataDir)/adapters/\(adapter)"
        let path = dir + "/api-keys.sha256"
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            let digests = text.split(whereSeparator: \.isNewline).compactMap { line -> [UInt8]? in
                let hex = line.split(separator: "#").first?.trimmingCharacters(in: .whitespaces) ?? ""
                guard hex.count == 64 else { return nil }
                var out: [UInt8] = []
                var i = hex.startIndex
                while i < hex.endIndex {
                    let j = hex.index(i, offsetBy: 2)
                    guard let b = UInt8(hex[i..<j], radix: 16) else { return nil }
                    out.append(b); i = j
                }
                return out
            }
            guard !digests.isEmpty else { throw HubError(.validation, "The API key file has no SHA-256 digest.", field: "api-keys.sha256") }
            return APIKeys(digests: digests)
        }
        var bytes = [UInt8](repeating: 0, count: 32)
        var rng = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = rng.next() }
        let key = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let digest = Hex.encode(SHA256.hash(data: Data(key.utf8)))
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try AtomicFile.write(Data((digest + "  # made \(Timestamp.now())\n").utf8), to: path)
            try AtomicFile.write(Data((key + "\n").utf8), to: dir + "/api-key.new", permissions: 0o600)
        } catch {
            throw HubError(.storage, "Could not write the adapter's API key files.", field: path)
        }
        return APIKeys(keys: [key])
    }
}
