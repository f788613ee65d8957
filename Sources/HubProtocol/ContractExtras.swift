/// A reply member that some readers get and others do not: left out of the body when
/// withheld, else written (as `null` when empty). The meetings service gives an attendee's
/// e-mail and an agenda item's minutes text to the centre's staff only, and leaves the key
/// out for everyone else; `@Nullable` cannot say that.
@propertyWrapper
public struct Withholdable<Value: Codable & Sendable>: Codable, Sendable {
    public var wrappedValue: Value?
    /// False: the member is left out of the body.
    public var given: Bool
    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue; given = true }
    /// The member left out.
    public static var withheld: Self { var w = Self(wrappedValue: nil); w.given = false; return w }
    public var projectedValue: Self { get { self } set { self = newValue } }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        wrappedValue = c.decodeNil() ? nil : try c.decode(Value.self)
        given = true
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if let wrappedValue { try c.encode(wrappedValue) } else { try c.encodeNil() }
    }
}

extension Withholdable: Equatable where Value: Equatable {}

extension KeyedDecodingContainer {
    /// A `@Withholdable` member may be absent (withheld) as well as `null`.
    public func decode<V>(_ type: Withholdable<V>.Type, forKey key: Key) throws -> Withholdable<V> {
        guard contains(key) else { return .withheld }
        if try decodeNil(forKey: key) { return Withholdable(wrappedValue: nil) }
        return Withholdable(wrappedValue: try decode(V.self, forKey: key))
    }
}

extension KeyedEncodingContainer {
    /// A withheld `@Withholdable` member is left out.
    public mutating func encode<V>(_ value: Withholdable<V>, forKey key: Key) throws {
        guard value.given else { return }
        try encodeIfPresent(value, forKey: key)
    }
}
