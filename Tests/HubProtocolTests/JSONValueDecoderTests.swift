import Foundation
import HubProtocol
import Testing

/// `JSONValue.decode` reads values directly (no JSON text in between); it must accept and
/// refuse exactly what Foundation's `JSONDecoder` did, and name the same field.
@Suite("Decoding a JSONValue directly, as JSONDecoder did")
struct JSONValueDecoderTests {
    struct Person: Decodable, Equatable {
        var name: String
        var age: Int?
        var small: UInt8?
        var score: Double?
        var active: Bool?
        var tags: [String]?
        var ages: [Int]?
        var maybe: [Int?]?
        var answers: [String: String]?
        var address: Address?
        var friends: [Address]?
        var extra: JSONValue?
        var kind: Kind?
    }
    struct Address: Decodable, Equatable { var street: String; var number: Int }
    enum Kind: String, Decodable { case police, municipality }

    /// The old route: JSON text read by Foundation.
    static func foundation<T: Decodable>(_ value: JSONValue, as type: T.Type) -> Result<T, HubError> {
        do {
            return .success(try JSONDecoder().decode(T.self, from: Data(value.serialized())))
        } catch let error as DecodingError {
            return .failure(HubError.from(error, prefix: "body"))
        } catch {
            return .failure(HubError(.validation, "other", field: "body"))
        }
    }

    static func direct<T: Decodable>(_ value: JSONValue, as type: T.Type) -> Result<T, HubError> {
        do { return .success(try value.decode(T.self)) } catch { return .failure(error) }
    }

    static let inputs: [JSONValue] = [
        ["name": "Anna"],
        ["name": "Anna", "age": 41, "small": 200, "score": 2.5, "active": true, "tags": ["a", "b"], "ages": [1, 2],
         "maybe": [1, .null, 3], "answers": ["q1": "yes"], "address": ["street": "Storgatan", "number": 4],
         "friends": [["street": "A", "number": 1], ["street": "B", "number": 2]], "extra": ["any": [1, "x", .null]], "kind": "police",
         "unknown": "ignored"],
        ["name": "Anna", "age": .null, "tags": .null, "address": .null],
        [:],
        ["name": .null],
        ["name": 5],
        ["name": "Anna", "age": 1.5],
        ["name": "Anna", "age": "41"],
        ["name": "Anna", "age": 1e300],
        ["name": "Anna", "small": 300],
        ["name": "Anna", "small": -1],
        ["name": "Anna", "active": 1],
        ["name": "Anna", "score": "high"],
        ["name": "Anna", "tags": "a"],
        ["name": "Anna", "tags": ["a", 2]],
        ["name": "Anna", "ages": [1, 2.5]],
        ["name": "Anna", "ages": [1, .null]],
        ["name": "Anna", "answers": ["q1": 1]],
        ["name": "Anna", "address": ["street": "Storgatan"]],
        ["name": "Anna", "address": ["street": "Storgatan", "number": "4"]],
        ["name": "Anna", "address": "Storgatan 4"],
        ["name": "Anna", "friends": [["street": "A", "number": 1], ["street": "B"]]],
        ["name": "Anna", "friends": [["street": "A", "number": 1], .null]],
        ["name": "Anna", "kind": "prosecutor"],
        ["name": "Anna", "kind": 3],
        ["name": "Anna", "age": -0.0],
        ["name": "Anna", "age": 9_007_199_254_740_992],
        .array([]),
        "text",
        .null,
    ]

    @Test(arguments: inputs)
    func acceptsAndRefusesWhatFoundationDidNamingTheSameField(_ input: JSONValue) {
        let old = Self.foundation(input, as: Person.self)
        let new = Self.direct(input, as: Person.self)
        switch (old, new) {
        case (.success(let a), .success(let b)):
            #expect(a == b)
        case (.failure(let a), .failure(let b)):
            #expect(a.code == b.code)
            // Same field; except that Foundation names no field for a number that does not fit
            // the integer type (it reports the whole body), where this decoder names the field.
            #expect(a.field == b.field || (a.field == "body" && b.field?.hasPrefix("body.") == true), "\(input)")
        default:
            Issue.record("Foundation gave \(old), the direct decoder \(new) for \(input)")
        }
    }

    @Test func aNumberThatIsNoIntegerOfTheTypeNamesItsField() {
        #expect(Self.direct(["name": "Anna", "age": 1.5], as: Person.self).failureField == "body.age")
        #expect(Self.direct(["name": "Anna", "small": 300], as: Person.self).failureField == "body.small")
        #expect(Self.direct(["name": "Anna", "ages": [1, 2.5]], as: Person.self).failureField == "body.ages[1]")
    }

    @Test func topLevelArraysAndPrimitivesDecodeToo() throws {
        #expect(try JSONValue.array([1, 2, 3]).decode([Int].self) == [1, 2, 3])
        #expect(try JSONValue.string("x").decode(String.self) == "x")
        #expect(try JSONValue.object(["a": ["b": 1]]).decode([String: [String: Int]].self) == ["a": ["b": 1]])
        #expect(throws: HubError.self) { try JSONValue.array([1, "2"]).decode([Int].self) }
    }
}

extension Result where Failure == HubError {
    var failureField: String? { if case .failure(let e) = self { return e.field }; return nil }
}
