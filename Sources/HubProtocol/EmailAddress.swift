import Foundation

/// The one e-mail address check of the hub (a registrant, a contact person, a client, a
/// management-group member, a mail recipient): pragmatic, not RFC 5322's full grammar —
/// one `@`; a local part of 1–64 printable characters without spaces, quotes, brackets,
/// commas or semicolons, and no leading, trailing or doubled dot; a domain of at least two
/// dot-separated labels of letters, digits and hyphens (not at either end), the last one at
/// least two characters; at most 254 bytes in all.
public enum EmailAddress {
    public static let maxBytes = 254

    public static func isValid(_ raw: String) -> Bool {
        let email = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard email.utf8.count <= maxBytes else { return false }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let local = parts[0], domain = parts[1]
        guard (1...64).contains(local.utf8.count), !local.hasPrefix("."), !local.hasSuffix("."), !local.contains(".."),
              local.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7f && !"()<>[]:;,\\\"".unicodeScalars.contains($0) })
        else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" }
        }), let tld = labels.last, tld.count >= 2 else { return false }
        return true
    }
}
