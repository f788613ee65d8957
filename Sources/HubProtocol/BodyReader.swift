import Foundation

/// Reads and checks one JSON object of a message body. Every error is a
/// `HubError(.validation)` naming the field as a dotted path (`body.items[2].text`)
/// and never echoes the value, which may be personal data.
public struct BodyReader: Sendable {
    /// The object's members.
    public let object: [String: JSONValue]
    /// The path of this object (`body`, `body.actions[0]`).
    public let path: String

    /// Reads `value` as an object at `path`.
    public init(_ value: JSONValue, path: String = "body") throws(HubError) {
        guard case .object(let o) = value else { throw HubError(.validation, "Must be an object.", field: path, reason: .wrongType) }
        object = o
        self.path = path
    }

    /// Reads members already taken apart (an object merged from a stored record and a change).
    public init(object: [String: JSONValue], path: String = "body") {
        self.object = object
        self.path = path
    }

    /// The dotted path of `key` in this object.
    public func field(_ key: String) -> String { path + "." + key }

    /// Whether the key is present (even as null).
    public func has(_ key: String) -> Bool { object[key] != nil }

    /// Trimmed text, nil when absent, null or empty; control characters other than
    /// newlines and tabs (with `multiline`) are refused.
    public func optionalString(_ key: String, max: Int = 200, multiline: Bool = false) throws(HubError) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let s)?:
            let trimmed = s.trimmingCharacters(in: .whitespacesAndNewlines)
            // Blank text is text not given, however long. Other text is counted in Unicode
            // scalars before trimming, as JSON Schema's maxLength counts the text as sent (the
            // API's document): white space around it counts too.
            if trimmed.isEmpty { return nil }
            guard s.unicodeScalars.count <= max else { throw HubError(.validation, "Too long: at most \(max) characters.", field: field(key), reason: .tooLong) }
            // C0, DEL, C1 and the Unicode line separators; multi-line text may hold new lines and tabs.
            let bad = trimmed.unicodeScalars.contains {
                ($0.properties.generalCategory == .control || $0 == "\u{2028}" || $0 == "\u{2029}")
                    && !(multiline && ($0 == "\n" || $0 == "\r" || $0 == "\t"))
            }
            guard !bad else { throw HubError(.validation, "Contains control characters.", field: field(key), reason: .controlCharacters) }
            return trimmed.isEmpty ? nil : trimmed
        default: throw HubError(.validation, "Must be text.", field: field(key), reason: .wrongType)
        }
    }

    /// Required trimmed text.
    public func string(_ key: String, max: Int = 200, multiline: Bool = false) throws(HubError) -> String {
        guard let s = try optionalString(key, max: max, multiline: multiline) else { throw HubError(.validation, "Required.", field: field(key), reason: .required) }
        return s
    }

    /// One of `allowed`, or nil when absent.
    public func optionalChoice(_ key: String, _ allowed: [String]) throws(HubError) -> String? {
        guard let s = try optionalString(key, max: 64) else { return nil }
        guard allowed.contains(s) else { throw HubError(.validation, "Use one of: \(allowed.joined(separator: ", ")).", field: field(key), reason: .notAChoice) }
        return s
    }

    /// One of `allowed`, required.
    public func choice(_ key: String, _ allowed: [String]) throws(HubError) -> String {
        guard let s = try optionalChoice(key, allowed) else { throw HubError(.validation, "Required.", field: field(key), reason: .required) }
        return s
    }

    /// A whole number in `range`, or nil when absent.
    public func optionalInt(_ key: String, range: ClosedRange<Int>) throws(HubError) -> Int? {
        switch object[key] {
        case nil, .null?: return nil
        case .number(let n)?:
            guard n == n.rounded(), let i = Int(exactly: n), range.contains(i) else {
                throw HubError(.validation, "Must be a whole number \(range.lowerBound)–\(range.upperBound).", field: field(key), reason: .outOfRange)
            }
            return i
        default: throw HubError(.validation, "Must be a number.", field: field(key), reason: .wrongType)
        }
    }

    /// A required whole number in `range`.
    public func int(_ key: String, range: ClosedRange<Int>) throws(HubError) -> Int {
        guard let i = try optionalInt(key, range: range) else { throw HubError(.validation, "Required.", field: field(key), reason: .required) }
        return i
    }

    /// true/false, or nil when absent.
    public func optionalBool(_ key: String) throws(HubError) -> Bool? {
        switch object[key] {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        default: throw HubError(.validation, "Must be true or false.", field: field(key), reason: .wrongType)
        }
    }

    /// A real calendar date `YYYY-MM-DD`.
    public func optionalDate(_ key: String) throws(HubError) -> String? {
        guard let s = try optionalString(key, max: 10) else { return nil }
        guard LocalTime.isDate(s) else { throw HubError(.validation, "Not a date that exists (YYYY-MM-DD).", field: field(key), reason: .notADate) }
        return s
    }

    /// A required real calendar date `YYYY-MM-DD`.
    public func date(_ key: String) throws(HubError) -> String {
        guard let s = try optionalDate(key) else { throw HubError(.validation, "Required.", field: field(key), reason: .required) }
        return s
    }

    /// A time of day `HH:MM`, or nil when absent.
    public func optionalTime(_ key: String) throws(HubError) -> String? {
        guard let s = try optionalString(key, max: 5) else { return nil }
        guard BodyReader.isTime(s) else { throw HubError(.validation, "Not a time (HH:MM).", field: field(key), reason: .notATime) }
        return s
    }

    /// A required time of day `HH:MM`.
    public func time(_ key: String) throws(HubError) -> String {
        guard let s = try optionalTime(key) else { throw HubError(.validation, "Required.", field: field(key), reason: .required) }
        return s
    }

    /// A list of any values, nil when absent.
    public func optionalList(_ key: String, max: Int = 100) throws(HubError) -> [JSONValue]? {
        switch object[key] {
        case nil, .null?: return nil
        case .array(let a)?:
            guard a.count <= max else { throw HubError(.validation, "At most \(max) entries.", field: field(key), reason: .tooMany) }
            return a
        default: throw HubError(.validation, "Must be a list.", field: field(key), reason: .wrongType)
        }
    }

    /// An id made of lower-case letters, digits and '-' (uuids, slugs).
    public func id(_ key: String, required: Bool = true) throws(HubError) -> String? {
        guard let s = try optionalString(key, max: 80) else {
            if required { throw HubError(.validation, "Required.", field: field(key), reason: .required) }
            return nil
        }
        guard s.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2d }) else {
            throw HubError(.validation, "Not an id.", field: field(key), reason: .notAnID)
        }
        return s
    }

    /// An array of objects, each read at `key[i]`.
    public func objects(_ key: String, max: Int = 100) throws(HubError) -> [BodyReader] {
        switch object[key] {
        case nil, .null?: return []
        case .array(let a)?:
            guard a.count <= max else { throw HubError(.validation, "At most \(max) entries.", field: field(key), reason: .tooMany) }
            var out: [BodyReader] = []
            for (i, v) in a.enumerated() { out.append(try BodyReader(v, path: "\(field(key))[\(i)]")) }
            return out
        default: throw HubError(.validation, "Must be a list.", field: field(key), reason: .wrongType)
        }
    }

    /// An array of strings.
    public func strings(_ key: String, max: Int = 100, maxLength: Int = 200) throws(HubError) -> [String] {
        switch object[key] {
        case nil, .null?: return []
        case .array(let a)?:
            guard a.count <= max else { throw HubError(.validation, "At most \(max) entries.", field: field(key), reason: .tooMany) }
            var out: [String] = []
            for (i, v) in a.enumerated() {
                guard case .string(let s) = v, !s.isEmpty, s.count <= maxLength else {
                    throw HubError(.validation, "Must be text of at most \(maxLength) characters.", field: "\(field(key))[\(i)]",
                                   reason: (v.stringValue?.count ?? 0) > maxLength ? .tooLong : .wrongType)
                }
                out.append(s)
            }
            return out
        default: throw HubError(.validation, "Must be a list.", field: field(key), reason: .wrongType)
        }
    }

    /// `HH:MM` with a real hour and minute.
    public static func isTime(_ s: String) -> Bool {
        let p = s.split(separator: ":")
        guard s.count == 5, p.count == 2, let h = Int(p[0]), let m = Int(p[1]) else { return false }
        return (0...23).contains(h) && (0...59).contains(m)
    }
}
