import Testing
@testable import HubWeb
@testable import MeetingsWeb
@testable import NetworksWeb
@testable import TrainingWeb

/// The meetings, networks and training services refuse a body member their contract does not
/// name at any depth, so every object of their request bodies in the OpenAPI document says
/// `additionalProperties: false` — a programme item as much as the day — else schemathesis
/// would make schema-valid requests that the services refuse.
@Suite("OpenAPI: the request objects of meetings, networks and training are closed")
struct OpenAPIClosedObjectsTests {
    /// Each `{ type: object … }` in flow YAML, whole (braces inside quoted text are skipped).
    static func objects(in yaml: String) -> [Substring] {
        var out: [Substring] = []
        var index = yaml.startIndex
        while let start = yaml[index...].range(of: "{ type: object")?.lowerBound {
            var depth = 0, quote: Character? = nil, end = start
            for position in yaml[start...].indices {
                let c = yaml[position]
                if let q = quote { if c == q { quote = nil }; continue }
                if c == "'" || c == "\"" { quote = c } else if c == "{" { depth += 1 } else if c == "}" {
                    depth -= 1
                    if depth == 0 { end = position; break }
                }
            }
            out.append(yaml[start...end])
            index = yaml.index(after: start)
        }
        return out
    }

    static let bodies: [(String, String)] =
        (MeetingsOpenAPI.table + NetworksOpenAPI.table + TrainingOpenAPI.table).compactMap { op in op.body.map { (op.id, $0) } }
        + [("meetings schemas", MeetingsOpenAPI.schemas), ("networks schemas", NetworksOpenAPI.schemas), ("training schemas", TrainingOpenAPI.schemas)]

    @Test func everyObjectOfTheirRequestBodiesIsClosedAtEveryDepth() {
        var seen = 0
        for (name, yaml) in Self.bodies {
            for object in Self.objects(in: yaml) {
                seen += 1
                #expect(object.hasSuffix(", additionalProperties: false }"), "\(name): \(object.prefix(160))")
            }
        }
        #expect(seen > 30)
        // The nested ones among them: a day's programme items (new and changed), a booking's participants and booker.
        #expect(Self.objects(in: NetworksOpenAPI.schemas).count == 11)
    }

    @Test func theScannerFindsNestedObjectsAndSkipsQuotedBraces() {
        let yaml = "{ type: object, properties: { a: { type: string, pattern: '^x{1,2}$' }, b: { type: object, properties: { c: { type: string } } } } }"
        let found = Self.objects(in: yaml)
        #expect(found.count == 2 && found[0] == Substring(yaml) && found[1] == "{ type: object, properties: { c: { type: string } } }")
    }
}
