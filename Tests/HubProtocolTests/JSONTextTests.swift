import Foundation
import HubProtocol
import Testing

/// The hand-written JSON reader and writer (`JSONText`): what RFC 8259 allows reads the
/// same as Foundation reads it; what it does not allow is refused with an error that
/// names the place, never the text.
struct JSONTextTests {
    @Test func everyKindOfValueReadsAsFoundationReadsIt() throws {
        let text = #"""
        {"s":"Åsa – \"citat\" \\ \/ \b\f\n\r\t \u00e5\u00C4 \ud83e\uddfe 🧾","n":[0,-0,1,-12,3.25,-0.5,1e3,2E-2,1.5e+300,123456789012345],
         "t":true,"f":false,"z":null,"a":[[],{},[{"k":[1]}]],"e":""}
        """#
        let ours = try JSONValue.parse(Array(text.utf8))
        let foundation = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(ours == foundation)
        #expect(ours["s"]?.stringValue == "Åsa – \"citat\" \\ / \u{8}\u{c}\n\r\t åÄ 🧾 🧾")
    }

    @Test func writingAndReadingGivesTheSameValueWithSortedKeys() throws {
        let value: JSONValue = ["b": [1, 2.5, -3, 1e20, 0.1], "a": "rad 1\nrad 2\u{1}\u{7f} \"q\" \\ / ✓", "c": ["x": nil, "y": true]]
        let bytes = value.serialized()
        #expect(try JSONValue.parse(bytes) == value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(bytes)) == value)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"a":"rad 1\nrad 2\u0001"#))
        #expect(text.contains(#""b":[1,2.5,-3,1e+20,0.1]"#))
        #expect(text.hasSuffix(#""c":{"x":null,"y":true}}"#))
    }

    @Test(arguments: [
        "", " ", "{", "[1,]", "{\"a\":1,}", "{'a':1}", "{a:1}", "[01]", "[1.]", "[.5]", "[1e]", "[-]", "[+1]",
        "NaN", "[Infinity]", "[1e400]", "\"abc", "\"a\u{1}b\"", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00x\"",
        "\"\\ud800\\u0041\"", "tru", "nul", "[true false]", "{\"a\" 1}", "[1] 2", "/* c */ 1", "[1]]",
        // The same name twice: readers disagree on which wins, so neither does.
        "{\"dup\":1,\"dup\":2}",
    ])
    func whatRFC8259DoesNotAllowIsRefused(_ text: String) {
        let error = #expect(throws: HubError.self) { try JSONValue.parse(Array(text.utf8)) }
        #expect(error?.code == .invalidJSON)
    }

    @Test func invalidUTF8AndDeepNestingAreRefusedAndTheMessageNamesNoContent() throws {
        #expect(throws: HubError.self) { try JSONValue.parse([0x22, 0xff, 0xfe, 0x22]) }
        #expect(throws: HubError.self) { try JSONValue.parse([0x22, 0x5c, 0x6e, 0xc3, 0x22]) } // cut UTF-8 after an escape
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: HubError.self) { try JSONValue.parse(Array(deep.utf8)) }
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(try JSONValue.parse(Array(ok.utf8)) != .null)
        do {
            _ = try JSONValue.parse(Array(#"{"name":"Canary Person 640823-3234"#.utf8))
            Issue.record("accepted an unterminated string")
        } catch {
            #expect(!error.message.contains("Canary") && !error.message.contains("640823") && error.message.contains("byte"))
        }
    }
}
