import CLibXML2
import Foundation
import HubProtocol
import Synchronization

/// XML Schema validation with libxml2 (docs/kriminalvarden-remiss.xsd, compiled in as
/// `RemissSchema.xsd`). Hardened for input from outside: no network (`XML_PARSE_NONET`),
/// no entity substitution and no DTD loading (neither `XML_PARSE_NOENT` nor
/// `XML_PARSE_DTDLOAD`), and an external entity loader that loads nothing. (A DTD is
/// refused before this runs anyway; see `XMLElement.parse`.)
///
/// A refusal carries libxml2's message and line with every quoted character-data value
/// removed (element and attribute names stay), so no personal data reaches a report or log.
package final class SchemaValidator: @unchecked Sendable {
    /// The parsed schema: read-only once made, shared by validations (each has its own context).
    private let schema: xmlSchemaPtr

    /// The Remiss schema, parsed once.
    package static let remiss: SchemaValidator = {
        do { return try SchemaValidator(xsd: RemissSchema.xsd) } catch { fatalError("The compiled-in Remiss schema does not parse: \(error)") }
    }()

    private static let setUp: Void = {
        xmlInitParser()
        // Nothing outside the document is ever loaded (no file, no network).
        xmlSetExternalEntityLoader { _, _, _ in nil }
    }()

    static let parseOptions = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)

    init(xsd: String) throws(HubError) {
        _ = Self.setUp
        let bytes = Array(xsd.utf8)
        let parsed: xmlSchemaPtr? = bytes.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) { p in
                guard let ctxt = xmlSchemaNewMemParserCtxt(p, Int32(buf.count)) else { return nil }
                defer { xmlSchemaFreeParserCtxt(ctxt) }
                xmlSchemaSetParserStructuredErrors(ctxt, { _, _ in }, nil)
                return xmlSchemaParse(ctxt)
            }
        }
        guard let parsed else { throw HubError(.internal, "The schema does not parse.") }
        schema = parsed
    }

    deinit { xmlSchemaFree(schema) }

    /// Collects the first problem libxml2 reports.
    private final class Problems {
        var first: (message: String, line: Int)?
    }

    /// Validates a document; throws `validation` with the schema's message and line, or
    /// `malformed_xml` when libxml2 cannot read it.
    package func validate(_ data: Data) throws(HubError) {
        let problems = Problems()
        let box = Unmanaged.passRetained(problems)
        defer { box.release() }
        let result: Int32 = data.withUnsafeBytes { raw -> Int32 in
            guard let base = raw.baseAddress, raw.count > 0 else { return -2 }
            guard let doc = xmlReadMemory(base.assumingMemoryBound(to: CChar.self), Int32(raw.count), "remiss.xml", nil, Self.parseOptions) else {
                return -2
            }
            defer { xmlFreeDoc(doc) }
            guard let ctxt = xmlSchemaNewValidCtxt(schema) else { return -3 }
            defer { xmlSchemaFreeValidCtxt(ctxt) }
            xmlSchemaSetValidStructuredErrors(ctxt, { user, error in
                guard let user, let error else { return }
                let problems = Unmanaged<Problems>.fromOpaque(user).takeUnretainedValue()
                guard problems.first == nil else { return }
                let message = error.pointee.message.map { String(cString: $0) } ?? "The document does not follow the schema."
                problems.first = (message, Int(error.pointee.line))
            }, box.toOpaque())
            return xmlSchemaValidateDoc(ctxt, doc)
        }
        switch result {
        case 0: return
        case -2: throw HubError(HubError.Code("malformed_xml"), "The file is not well-formed XML.", field: "line 1")
        case -3: throw HubError(.internal, "The schema validator could not start.")
        default:
            let (message, line) = problems.first ?? ("The document does not follow the schema.", 0)
            throw HubError(.validation, "Not valid against kriminalvarden-remiss.xsd: \(Self.clean(message)) (line \(line))",
                           field: "line \(line)")
        }
    }

    /// libxml2's message without the namespace noise and without any quoted value that is
    /// not an element, attribute, type or facet name (a value may be personal data).
    static func clean(_ message: String) -> String {
        var s = message.trimmingCharacters(in: .whitespacesAndNewlines)
        s = s.replacingOccurrences(of: "{" + KriminalvardenAdapter.namespace + "}", with: "")
        var out = ""
        var rest = Substring(s)
        while let open = rest.firstIndex(of: "'") {
            let before = rest[..<open]
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "'") else { out += rest; rest = ""; break }
            let quoted = after[..<close]
            let lead = (out + before).suffix(12).lowercased()
            let isName = ["element ", "attribute ", "facet ", "type ", "pattern "].contains { lead.hasSuffix($0) }
                && quoted.allSatisfy { $0.isLetter || $0.isNumber || ":_-.{}".contains($0) }
            out += before + (isName ? "'\(quoted)'" : "…")
            rest = after[after.index(after: close)...]
        }
        out += rest
        return out
    }
}
