/// The keys a decoding asked of each object it opened as a keyed container, to find the
/// members no type of a contract reads: those are unknown fields, at any depth
/// (`JSONValue.refuseUnknownFields(as:allowed:)`).
///
/// Why the decoding and not a list of fields per type: the contract types are the one
/// description of a request, nested types and all, and `Codable` gives no list of a type's
/// members — but a decoder sees every key the type asks for. A `[String: X]` dictionary asks
/// for all its keys (`allKeys`), and a `JSONValue` member is taken whole without opening its
/// objects, so neither has unknown members. One recorder serves one decoding, in one task.
final class KeyRecorder {
    /// One object opened as a keyed container, and the keys its type asked for: only keys the
    /// object has, in the order asked, repeats and all (an array: cheaper than a set to add to,
    /// and the objects are small).
    final class Opened {
        let object: [String: JSONValue]
        let codingPath: [any CodingKey]
        var keys: [String] = []
        /// `allKeys` was asked: every member is read (a dictionary).
        var everyKey = false
        init(object: [String: JSONValue], codingPath: [any CodingKey]) {
            self.object = object; self.codingPath = codingPath
            keys.reserveCapacity(object.count)
        }
        /// Whether some member was not asked for.
        var hasUnasked: Bool {
            guard !everyKey else { return false }
            return keys.count < object.count || object.keys.contains { !keys.contains($0) }
        }
    }

    private(set) var openings: [Opened] = []

    /// Notes `object`, at `path`, as opened; the container notes what is asked of it.
    func opened(_ object: [String: JSONValue], at path: [any CodingKey]) -> Opened {
        let opening = Opened(object: object, codingPath: path)
        openings.append(opening)
        return opening
    }

    /// The path of the first member (in document order, keys sorted) that no opening of its
    /// object asked for. The top-level object (`body`) is always checked, opened or not
    /// (a request without members never opens it), and there `allowed` and `actor` are known.
    func firstUnknown(in body: [String: JSONValue], allowed: Set<String>) -> [any CodingKey]? {
        var unknown: [[any CodingKey]] = []
        let top = openings.filter { $0.codingPath.isEmpty }
        if !top.contains(where: \.everyKey) {
            for key in body.keys where key != JSONValue.actorField && !allowed.contains(key) && !top.contains(where: { $0.keys.contains(key) }) {
                unknown.append([JSONValueDecoder.IndexKey(stringValue: key)])
            }
        }
        for opening in openings where !opening.codingPath.isEmpty && opening.hasUnasked {
            // The same object may be opened more than once (a type reading another's members
            // from its own decoder): a key asked by any of them is known.
            let same = openings.filter { $0 !== opening && Self.samePath($0.codingPath, opening.codingPath) }
            if same.contains(where: \.everyKey) { continue }
            for key in opening.object.keys where !opening.keys.contains(key) && !same.contains(where: { $0.keys.contains(key) }) {
                unknown.append(opening.codingPath + [JSONValueDecoder.IndexKey(stringValue: key)])
            }
        }
        return unknown.min(by: Self.precedes)
    }

    static func samePath(_ a: [any CodingKey], _ b: [any CodingKey]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.stringValue == $1.stringValue && $0.intValue == $1.intValue }
    }

    /// Document order: position by position, array indices by number, keys sorted; a path
    /// before the paths under it.
    static func precedes(_ a: [any CodingKey], _ b: [any CodingKey]) -> Bool {
        for (x, y) in zip(a, b) {
            if let i = x.intValue, let j = y.intValue, x is JSONValueDecoder.IndexKey, y is JSONValueDecoder.IndexKey {
                if i != j { return i < j }
            } else if x.stringValue != y.stringValue {
                return x.stringValue < y.stringValue
            }
        }
        return a.count < b.count
    }
}

extension JSONValue {
    /// Refuses a member, at any depth, that decoding this value as `type` does not read —
    /// `validation`, "Unknown field.", named by its path (`body.programme[2].colour`), the
    /// first in document order with keys sorted. At the top level `allowed` (members a request
    /// names but refuses with its own message) and `actor` are known too. A value that does
    /// not decode as `type` gets the top-level check alone (`refuseUnknownFields(_:path:)`),
    /// so that the reader that follows gives its own message for what is wrong.
    public func refuseUnknownFields<T: Decodable>(as type: T.Type, allowed: Set<String>, path: String = "body") throws(HubError) {
        _ = try decodeRefusingUnknownFields(type, allowed: allowed, path: path)
    }

    /// This value as `type`, after refusing unknown members as `refuseUnknownFields(as:allowed:path:)`
    /// does; `.failure` with the decoding's error when it does not decode.
    func decodeRefusingUnknownFields<T: Decodable>(_ type: T.Type, allowed: Set<String>, path: String = "body") throws(HubError) -> Result<T, HubError> {
        let recorder = KeyRecorder()
        let value: T
        do {
            value = try decode(type, fieldPrefix: path, recorder: recorder)
        } catch {
            try refuseUnknownFields(allowed, path: path)
            return .failure(error)
        }
        if case .object(let members) = self, let unknown = recorder.firstUnknown(in: members, allowed: allowed) {
            throw HubError(.validation, "Unknown field.", field: HubError.fieldName(unknown, prefix: path))
        }
        return .success(value)
    }
}
