import Crypto
import Foundation
import HubProtocol

/// Random tokens and their hashes. Only hashes of session and API tokens are stored,
/// so a copy of the database does not let anyone log in.
package enum Secrets {
    /// `count` random bytes from the system CSPRNG, base64url without padding.
    package static func randomToken(bytes count: Int = 32) -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A password of `length` characters from an alphabet without look-alikes.
    package static func randomPassword(length: Int = 20) -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var rng = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet.randomElement(using: &rng)! })
    }

    /// Lower-case hex SHA-256 of a token.
    package static func sha256Hex(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Data(token.utf8)))
    }

    /// Compares two strings in time independent of where they differ.
    package static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

extension String {
    /// Nil for the empty string: a form field left blank is an absent value.
    package var nilIfEmpty: String? { isEmpty ? nil : self }
}
