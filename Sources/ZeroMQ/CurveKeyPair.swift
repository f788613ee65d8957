// CurveZMQ key pairs and the Z85 text they are written in.

import CZeroMQ
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// CurveZMQ key pairs (Z85 text, 40 characters each).
public struct CurveKeyPair: Sendable, Equatable, Codable {
    public var publicKey: String
    public var secretKey: String
    public init(publicKey: String, secretKey: String) { self.publicKey = publicKey; self.secretKey = secretKey }

    /// A fresh key pair from libsodium.
    public static func generate() throws(ZMQError) -> CurveKeyPair {
        var pub = [CChar](repeating: 0, count: 41)
        var sec = [CChar](repeating: 0, count: 41)
        if zmq_curve_keypair(&pub, &sec) != 0 { throw .last("zmq_curve_keypair") }
        return CurveKeyPair(publicKey: String(cString: pub), secretKey: String(cString: sec))
    }

    /// Derives the public key from a Z85 secret key (validates the secret key).
    public static func publicKey(forSecret secret: String) -> String? {
        guard isValidZ85Key(secret) else { return nil }
        var pub = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&pub, secret) == 0 else { return nil }
        return String(cString: pub)
    }

    /// A Z85 key is 40 characters of the Z85 alphabet.
    public static func isValidZ85Key(_ s: String) -> Bool {
        let alphabet = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8)
        return s.utf8.count == 40 && s.utf8.allSatisfy { alphabet.contains($0) }
    }

    /// Decodes a Z85 key to its 32 raw bytes (what ZAP hands the handler).
    public static func z85Decode(_ s: String) -> [UInt8]? {
        guard isValidZ85Key(s) else { return nil }
        var out = [UInt8](repeating: 0, count: 32)
        guard zmq_z85_decode(&out, s) != nil else { return nil }
        return out
    }
    /// Encodes 32 raw bytes as a Z85 key.
    public static func z85Encode(_ bytes: [UInt8]) -> String? {
        guard bytes.count == 32 else { return nil }
        var out = [CChar](repeating: 0, count: 41)
        let ok = bytes.withUnsafeBufferPointer { zmq_z85_encode(&out, $0.baseAddress, 32) } != nil
        return ok ? String(cString: out) : nil
    }
}
