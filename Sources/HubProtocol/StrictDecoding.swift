// Strict decoding: a body with a field its contract type does not know is refused,
// naming the field, instead of the field being ignored.

/// A contract type that lists the fields it knows (its top-level keys).
public protocol StrictlyDecodable: Decodable {
    static var fieldNames: Set<String> { get }
}

extension JSONValue {
    /// The first key of this object (in sorted order) that is neither one of `T`'s fields
    /// nor in `also` (e.g. `actor`, stamped by the gateway); nil when there is none or this is no object.
    public func unknownField<T: StrictlyDecodable>(for type: T.Type, also: Set<String> = []) -> String? {
        objectValue?.keys.sorted().first { !T.fieldNames.contains($0) && !also.contains($0) }
    }

    /// Refuses a key `T` does not know: `validation`, "Unknown field.", `field` `<prefix>.<key>`.
    public func refuseUnknownFields<T: StrictlyDecodable>(of type: T.Type, also: Set<String> = [], fieldPrefix: String = "body") throws(HubError) {
        if let unknown = unknownField(for: type, also: also) {
            throw HubError(.validation, "Unknown field.", field: fieldPrefix + "." + unknown)
        }
    }

    /// Decodes as `T` after refusing any key `T` does not know.
    public func decodeStrict<T: StrictlyDecodable>(_ type: T.Type, also: Set<String> = [], fieldPrefix: String = "body") throws(HubError) -> T {
        try refuseUnknownFields(of: type, also: also, fieldPrefix: fieldPrefix)
        return try decode(type, fieldPrefix: fieldPrefix)
    }
}
