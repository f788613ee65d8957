/// Decodes a `Decodable` type straight from a `JSONValue`, for `JSONValue.decode`.
///
/// Before, a body was written out as JSON text and read back by Foundation's `JSONDecoder`:
/// about 6 % of a referral's CPU (`perf` on `hub bench referrals`). Written by hand because
/// neither Foundation nor the package mirror has a decoder over an in-memory value.
///
/// It follows `JSONDecoder`'s default behaviour where a body can tell: an absent key or a
/// `null` is nil for an optional and `keyNotFound`/`valueNotFound` otherwise; a value of the
/// wrong kind is `typeMismatch`; a number that is not exactly an integer of the asked type
/// (1.5, 300 for a `UInt8`) is `dataCorrupted`; unknown keys are ignored (with a `recorder`,
/// noted: `KeyRecorder` finds the members no type read). Each error carries
/// the coding path, which `HubError.from` turns into the field name. There are no special
/// strategies: a `Date`, `Data` or `URL` decodes through its own `Decodable` (no body type
/// of the hub has one).
struct JSONValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    /// Notes the keys each object's type asks for; nil for a plain decoding.
    let recorder: KeyRecorder?
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(_ value: JSONValue, codingPath: [any CodingKey] = [], recorder: KeyRecorder? = nil) {
        self.value = value
        self.codingPath = codingPath
        self.recorder = recorder
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else { throw Self.mismatch([String: JSONValue].self, value, codingPath) }
        return KeyedDecodingContainer(Keyed<Key>(object: object, codingPath: codingPath, recorder: recorder,
                                                 asked: recorder?.opened(object, at: codingPath)))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw Self.mismatch([JSONValue].self, value, codingPath) }
        return Unkeyed(items: items, codingPath: codingPath, recorder: recorder)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(value: value, codingPath: codingPath, recorder: recorder) }

    static func mismatch(_ type: Any.Type, _ value: JSONValue, _ path: [any CodingKey]) -> DecodingError {
        let found: String
        switch value {
        case .null: found = "null"
        case .bool: found = "a boolean"
        case .number: found = "a number"
        case .string: found = "a string"
        case .array: found = "an array"
        case .object: found = "an object"
        }
        if case .null = value {
            return .valueNotFound(type, .init(codingPath: path, debugDescription: "Expected \(type) but found null."))
        }
        return .typeMismatch(type, .init(codingPath: path, debugDescription: "Expected \(type) but found \(found)."))
    }

    /// A primitive from a value, or the error `JSONDecoder` would give.
    static func primitive<T: Decodable>(_ type: T.Type, _ value: JSONValue, _ path: [any CodingKey], _ recorder: KeyRecorder?) throws -> T {
        // Free-form: the value as it is (what `JSONValue.init(from:)` would build), taken
        // whole: nothing in it is an unknown member, even where a type reads the same object.
        if type == JSONValue.self {
            if let recorder, case .object(let object) = value { recorder.opened(object, at: path).everyKey = true }
            return value as! T
        }
        switch value {
        case .bool(let b) where type == Bool.self: return b as! T
        case .string(let s) where type == String.self: return s as! T
        case .number(let n):
            if type == Double.self { return n as! T }
            if type == Float.self { return Float(n) as! T }
            if let integer = try integer(type, n, path) { return integer }
        default: break
        }
        // A null or a value of the wrong kind for a primitive; anything else (an optional,
        // an array, a struct, JSONValue) reads itself from a decoder over the value.
        if type == Bool.self || type == String.self || isNumeric(type) { throw mismatch(type, value, path) }
        return try T(from: JSONValueDecoder(value, codingPath: path, recorder: recorder))
    }

    static func isNumeric(_ type: Any.Type) -> Bool {
        type == Double.self || type == Float.self || type == Int.self || type == Int8.self || type == Int16.self || type == Int32.self
            || type == Int64.self || type == UInt.self || type == UInt8.self || type == UInt16.self || type == UInt32.self || type == UInt64.self
    }

    /// `n` as the integer type `T`, when `T` is one; refuses fractions and values out of range.
    static func integer<T>(_ type: T.Type, _ n: Double, _ path: [any CodingKey]) throws -> T? {
        func exact<I: FixedWidthInteger>(_: I.Type) throws -> T {
            guard let i = I(exactly: n) else {
                throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "The number \(n) does not fit in \(I.self)."))
            }
            return i as! T
        }
        switch type {
        case is Int.Type: return try exact(Int.self)
        case is Int8.Type: return try exact(Int8.self)
        case is Int16.Type: return try exact(Int16.self)
        case is Int32.Type: return try exact(Int32.self)
        case is Int64.Type: return try exact(Int64.self)
        case is UInt.Type: return try exact(UInt.self)
        case is UInt8.Type: return try exact(UInt8.self)
        case is UInt16.Type: return try exact(UInt16.self)
        case is UInt32.Type: return try exact(UInt32.self)
        case is UInt64.Type: return try exact(UInt64.self)
        default: return nil
        }
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let object: [String: JSONValue]
        let codingPath: [any CodingKey]
        let recorder: KeyRecorder?
        /// The keys asked of this object, when recording.
        let asked: KeyRecorder.Opened?
        /// Asking for every key (a dictionary does) leaves none unknown.
        var allKeys: [Key] {
            asked?.everyKey = true
            return object.keys.compactMap { Key(stringValue: $0) }
        }

        func contains(_ key: Key) -> Bool {
            guard object[key.stringValue] != nil else { return false }
            asked?.keys.append(key.stringValue)
            return true
        }

        func value(_ key: Key) throws -> JSONValue {
            guard let v = object[key.stringValue] else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "No value for \(key.stringValue)."))
            }
            asked?.keys.append(key.stringValue)
            return v
        }

        func decodeNil(forKey key: Key) throws -> Bool {
            if case .null = try value(key) { return true }
            return false
        }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try JSONValueDecoder.primitive(type, try value(key), codingPath + [key], recorder)
        }

        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            guard let v = object[key.stringValue] else { return nil }
            asked?.keys.append(key.stringValue)
            if case .null = v { return nil }
            return try JSONValueDecoder.primitive(type, v, codingPath + [key], recorder)
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            try JSONValueDecoder(try value(key), codingPath: codingPath + [key], recorder: recorder).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try JSONValueDecoder(try value(key), codingPath: codingPath + [key], recorder: recorder).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder {
            if object["super"] != nil { asked?.keys.append("super") }
            return JSONValueDecoder(object["super"] ?? .null, codingPath: codingPath + [IndexKey(stringValue: "super")], recorder: recorder)
        }

        func superDecoder(forKey key: Key) throws -> any Decoder {
            if object[key.stringValue] != nil { asked?.keys.append(key.stringValue) }
            return JSONValueDecoder(object[key.stringValue] ?? .null, codingPath: codingPath + [key], recorder: recorder)
        }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        let items: [JSONValue]
        let codingPath: [any CodingKey]
        let recorder: KeyRecorder?
        var currentIndex = 0
        var count: Int? { items.count }
        var isAtEnd: Bool { currentIndex >= items.count }

        init(items: [JSONValue], codingPath: [any CodingKey], recorder: KeyRecorder?) {
            self.items = items; self.codingPath = codingPath; self.recorder = recorder
        }

        var here: [any CodingKey] { codingPath + [IndexKey(intValue: currentIndex)] }

        mutating func next(_ type: Any.Type) throws -> JSONValue {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(type, .init(codingPath: here, debugDescription: "The array has no more elements."))
            }
            return items[currentIndex]
        }

        mutating func decodeNil() throws -> Bool {
            if case .null = try next(Never.self) { currentIndex += 1; return true }
            return false
        }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let v = try JSONValueDecoder.primitive(type, try next(type), here, recorder)
            currentIndex += 1
            return v
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            let c = try JSONValueDecoder(try next(type), codingPath: here, recorder: recorder).container(keyedBy: type)
            currentIndex += 1
            return c
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            let c = try JSONValueDecoder(try next([JSONValue].self), codingPath: here, recorder: recorder).unkeyedContainer()
            currentIndex += 1
            return c
        }

        mutating func superDecoder() throws -> any Decoder {
            let d = JSONValueDecoder(try next(JSONValue.self), codingPath: here, recorder: recorder)
            currentIndex += 1
            return d
        }
    }

    struct Single: SingleValueDecodingContainer {
        let value: JSONValue
        let codingPath: [any CodingKey]
        let recorder: KeyRecorder?
        func decodeNil() -> Bool { if case .null = value { return true }; return false }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONValueDecoder.primitive(type, value, codingPath, recorder) }
    }

    /// A position in an array (or `super`), for coding paths.
    struct IndexKey: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(stringValue: String) { self.stringValue = stringValue; intValue = nil }
        init(intValue: Int) { self.stringValue = "Index \(intValue)"; self.intValue = intValue }
    }
}
