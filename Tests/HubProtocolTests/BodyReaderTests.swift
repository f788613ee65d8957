import HubProtocol
import Testing

/// Reading message bodies: every refusal names its field and never echoes the value.
struct BodyReaderTests {
    @Test func readsAndRefusesByField() throws {
        let b = try BodyReader(["name": "  Anna  ", "date": "2028-02-29", "bad": "2025-02-29", "time": "24:00", "n": 2.5,
                                "list": [["x": 1], "nope"], "ctrl": "a\u{07}b", "multi": "rad 1\nrad 2"])
        #expect(try b.string("name") == "Anna")
        #expect(try b.optionalDate("date") == "2028-02-29")
        #expect(throws: HubError(.validation, "Not a date that exists (YYYY-MM-DD).", field: "body.bad", reason: .notADate)) { try b.optionalDate("bad") }
        #expect((try? b.optionalTime("time")) == nil)
        #expect(throws: HubError.self) { try b.optionalInt("n", range: 0...10) }
        do { _ = try b.objects("list"); Issue.record("accepted a list with a string") } catch { #expect(error.field == "body.list[1]") }
        do { _ = try b.string("ctrl"); Issue.record("accepted a control character") } catch {
            #expect(error.field == "body.ctrl" && !error.message.contains("a"+"\u{07}"))
        }
        #expect(try b.string("multi", multiline: true) == "rad 1\nrad 2")
        do { _ = try b.string("missing"); Issue.record("accepted a missing field") } catch { #expect(error.field == "body.missing") }
        #expect(throws: HubError.self) { try BodyReader("not an object") }
    }
}
