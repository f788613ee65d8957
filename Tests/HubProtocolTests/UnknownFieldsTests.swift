import Foundation
import HubProtocol
import Testing

/// `JSONValue.refuseUnknownFields(as:allowed:)`: a member no part of the contract type reads,
/// at any depth, is refused with its path; free-form members and dictionaries are not checked;
/// a body that does not decode gets the top-level check alone.
@Suite("Unknown fields, at any depth")
struct UnknownFieldsTests {
    struct Day: Codable {
        var title: String
        var programme: [Item]?
        var booker: Person?
        var answers: [String: Person]?
        var extra: JSONValue?
        @Nullable var note: String?
        var flags: [String: Bool]?
    }
    struct Item: Codable { var start: String; var title: String; @Nullable var speaker: String? }
    struct Person: Codable { var name: String; var email: String? }

    /// Reads some of its members through another type's decoder on the same object (as the
    /// hub's events do with `EventRegistration`).
    struct Shared: Decodable {
        var day: Day
        var seats: Int
        enum Extra: String, CodingKey { case seats }
        init(from decoder: any Decoder) throws {
            day = try Day(from: decoder)
            seats = try decoder.container(keyedBy: Extra.self).decode(Int.self, forKey: .seats)
        }
    }

    /// Keeps the whole object as well as reading a member of it.
    struct Kept: Decodable {
        var title: String
        var whole: JSONValue
        enum CodingKeys: String, CodingKey { case title }
        init(from decoder: any Decoder) throws {
            title = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .title)
            whole = try decoder.singleValueContainer().decode(JSONValue.self)
        }
    }

    /// A request without members (its decoder opens nothing).
    struct Empty: Decodable { init(from decoder: any Decoder) throws {} }

    static let day: JSONValue = [
        "title": "Nätverksdag",
        "programme": [["start": "09:00", "title": "Välkomna", "speaker": .null], ["start": "10:00", "title": "Fika"]],
        "booker": ["name": "Anna", "email": "anna@example.se"],
    ]

    static func refusal<T: Decodable>(_ body: JSONValue, as type: T.Type, allowed: Set<String> = []) -> HubError? {
        do { try body.refuseUnknownFields(as: type, allowed: allowed); return nil } catch { return error }
    }

    static func with(_ body: JSONValue, _ change: (inout [String: JSONValue]) -> Void) -> JSONValue {
        var members = body.objectValue ?? [:]
        change(&members)
        return .object(members)
    }

    @Test func aBodyWithOnlyKnownMembersPassesAndTheActorIsKnownAtTheTopLevel() {
        #expect(Self.refusal(Self.day, as: Day.self) == nil)
        #expect(Self.refusal(Self.with(Self.day) { $0["actor"] = ["user": "u", "role": "staff"] }, as: Day.self) == nil)
        #expect(Self.refusal(["title": "x", "note": .null], as: Day.self) == nil, "a @Nullable member is read when null")
    }

    @Test func anUnknownNestedMemberIsRefusedWithItsFullPath() {
        var body = Self.day
        body = Self.with(body) { $0["programme"] = [["start": "09:00", "title": "A"], ["start": "10:00", "title": "B", "colour": "red"]] }
        let e = Self.refusal(body, as: Day.self)
        #expect(e?.code == .validation && e?.message == "Unknown field." && e?.field == "body.programme[1].colour" && e?.reason == nil)
        let booker = Self.refusal(Self.with(Self.day) { $0["booker"] = ["name": "Anna", "phone": "1"] }, as: Day.self)
        #expect(booker?.field == "body.booker.phone")
        // `actor` is known at the top level only.
        let nestedActor = Self.refusal(Self.with(Self.day) { $0["booker"] = ["name": "Anna", "actor": "x"] }, as: Day.self)
        #expect(nestedActor?.field == "body.booker.actor")
        // A dictionary's values are contract types too.
        let inDictionary = Self.refusal(["title": "x", "answers": ["q1": ["name": "A", "age": 3]]], as: Day.self)
        #expect(inDictionary?.field == "body.answers.q1.age")
    }

    @Test func theFirstUnknownMemberInDocumentOrderIsNamed() {
        let body: JSONValue = ["title": "x", "zeta": 1, "alpha": 2,
                               "programme": [["start": "1", "title": "a"], ["start": "1", "title": "a", "b": 1, "a": 1]]]
        #expect(Self.refusal(body, as: Day.self)?.field == "body.alpha")
        let nested: JSONValue = ["title": "x", "zeta": 1,
                                 "programme": .array((0...11).map { i in i >= 2 ? ["start": "1", "title": "a", "late": 1] : ["start": "1", "title": "a"] })]
        // Indices by number (2 before 10), and `programme` before `zeta`.
        #expect(Self.refusal(nested, as: Day.self)?.field == "body.programme[2].late")
    }

    @Test func freeFormMembersAndDictionaryKeysAreNotChecked() {
        let body = Self.with(Self.day) {
            $0["extra"] = ["anything": ["at": ["any": "depth"]], "list": [["x": 1]]]
            $0["flags"] = ["whatever": true, "else": false]
        }
        #expect(Self.refusal(body, as: Day.self) == nil)
        #expect(Self.refusal(["a": ["b": 1]], as: JSONValue.self) == nil)
        #expect(Self.refusal(["kept": ["title": "x", "other": ["y": 1]]], as: [String: Kept].self) == nil, "an object also taken whole")
        #expect(Self.refusal(["a": ["b": 1]], as: [String: JSONValue].self) == nil)
    }

    @Test func anObjectReadByTwoTypesKnowsTheMembersOfBoth() {
        #expect(Self.refusal(Self.with(Self.day) { $0["seats"] = 3 }, as: Shared.self) == nil)
        #expect(Self.refusal(["day": Self.with(Self.day) { $0["seats"] = 3 }], as: [String: Shared].self) == nil)
        #expect(Self.refusal(["day": Self.with(Self.day) { $0["seats"] = 3; $0["more"] = 1 }], as: [String: Shared].self)?.field == "body.day.more")
    }

    @Test func aBodyThatDoesNotDecodeGetsTheTopLevelCheckAloneAndTheReaderItsOwnMessage() {
        // `title` missing: a nested unknown member is left to the handler, whose reader names what is wrong.
        let members: Set<String> = ["title", "programme", "booker", "answers", "extra", "note", "flags"]
        let nested: JSONValue = ["programme": [["start": "09:00", "title": "A", "colour": "red"]]]
        #expect(Self.refusal(nested, as: Day.self, allowed: members) == nil)
        // A top-level unknown member is refused as before.
        let top: JSONValue = ["title": 5, "colour": "red"]
        #expect(Self.refusal(top, as: Day.self, allowed: members)?.field == "body.colour")
        #expect(Self.refusal("text", as: Day.self) == nil, "not an object: the reader names the wrong type")
    }

    @Test func theMembersARequestRefusesWithItsOwnMessageStayKnownAtTheTopLevel() {
        #expect(Self.refusal(Self.with(Self.day) { $0["status"] = "cancelled" }, as: Day.self, allowed: ["status"]) == nil)
        #expect(Self.refusal(Self.with(Self.day) { $0["booker"] = ["name": "A", "status": "x"] }, as: Day.self, allowed: ["status"])?.field
                == "body.booker.status")
        // A request without members: everything but `actor` and `allowed` is unknown.
        #expect(Self.refusal(["actor": ["user": "u"]], as: Empty.self) == nil)
        #expect(Self.refusal(["limit": 1], as: Empty.self)?.field == "body.limit")
        #expect(Self.refusal(["limit": 1], as: Empty.self, allowed: ["limit"]) == nil)
    }

    @Test func decodingAsAContractTypeRefusesUnknownMembersAndNamesAFieldThatDoesNotFit() throws {
        struct Request: ContractRequest {
            static let type = "test.request"
            typealias Reply = JSONValue
            var title: String
            var programme: [Item]?
            enum CodingKeys: String, CodingKey, CaseIterable { case title, programme }
        }
        #expect(try Request.decode(["title": "x", "programme": [["start": "1", "title": "a"]], "actor": "u"]).title == "x")
        #expect(throws: HubError(.validation, "Unknown field.", field: "body.programme[0].end")) {
            try Request.decode(["title": "x", "programme": [["start": "1", "title": "a", "end": "2"]]])
        }
        #expect(throws: HubError(.validation, "Unknown field.", field: "body.colour")) { try Request.decode(["title": 1, "colour": 2]) }
        #expect(throws: HubError(.validation, "The field has the wrong type.", field: "body.title")) { try Request.decode(["title": 1]) }
        #expect(throws: HubError(.validation, "Unknown field.", field: "body.programme[0].end")) {
            try Request.refuseUnknownFields(in: ["title": "x", "programme": [["start": "1", "title": "a", "end": "2"]]])
        }
    }

    /// What the check costs on every request: a network day's body with a programme and a
    /// group booking's participants, checked many times (a debug build; the figure is printed).
    @Test func theCheckIsCheap() throws {
        struct Booking: Codable { var dayId: String; var participants: [Person]; var booker: Person; var invoiceReference: String? }
        let day = Self.with(Self.day) { $0["programme"] = .array((0..<10).map { _ in ["start": "09:00", "title": "Ett pass", "speaker": "Någon"] }) }
        let booking: JSONValue = ["dayId": "d1", "invoiceReference": "R 1", "booker": ["name": "B", "email": "b@example.se"],
                                  "participants": .array((0..<10).map { _ in ["name": "Anna", "email": "anna@example.se"] })]
        let rounds = 2000
        func seconds(_ work: () throws -> Void) rethrows -> Double {
            let start = Date()
            for _ in 0..<rounds { try work() }
            return Date().timeIntervalSince(start)
        }
        let deep = try seconds { try day.refuseUnknownFields(as: Day.self, allowed: []); try booking.refuseUnknownFields(as: Booking.self, allowed: []) }
        let plain = try seconds { _ = try day.decode(Day.self); _ = try booking.decode(Booking.self) }
        let top = try seconds { try day.refuseUnknownFields(["title", "programme", "booker"]); try booking.refuseUnknownFields(["dayId", "participants", "booker", "invoiceReference"]) }
        let each = { (total: Double) in String(format: "%.1f µs", total / Double(rounds) / 2 * 1e6) }
        print("unknown fields at any depth: \(each(deep)) a body (plain decoding \(each(plain)), top-level check \(each(top)))")
        #expect(deep / Double(rounds) / 2 < 0.001, "well under a millisecond a body")
    }
}
