import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import HubProtocol

/// A small element tree from Foundation's XMLParser, hardened for input from outside:
/// any DTD (`<!DOCTYPE`, `<!ENTITY`) is refused before parsing — so no entity
/// expansion ("billion laughs") and no external entities (XXE) — external entity
/// resolution is off as well, and depth and element count are capped.
package final class XMLElement: @unchecked Sendable {
    let name: String
    let namespace: String?
    var attributes: [String: String]
    var children: [XMLElement] = []
    var text = ""

    init(name: String, namespace: String?, attributes: [String: String]) {
        self.name = name; self.namespace = namespace; self.attributes = attributes
    }

    func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }
    func all(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }
    /// Trimmed text of a child, nil when absent or empty.
    func value(_ name: String) -> String? {
        guard let t = child(name)?.text.trimmingCharacters(in: .whitespacesAndNewlines), !t.isEmpty else { return nil }
        return t
    }

    static let maxDepth = 20
    static let maxElements = 5000

    package static func parse(_ data: Data) throws(HubError) -> XMLElement {
        // Refuse DTDs outright: a referral never needs one, and they carry every XML attack.
        let head = data.prefix(1 << 20)
        for marker in ["<!DOCTYPE", "<!ENTITY", "<!doctype", "<!entity"] where head.range(of: Data(marker.utf8)) != nil {
            throw HubError(.validation, "DTDs and entity declarations are not accepted.", field: "DOCTYPE")
        }
        try refuseProcessingInstructions(data)
        let delegate = TreeBuilder()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = delegate
        let ok = parser.parse()
        if let e = delegate.failure { throw e }
        guard ok, parser.parserError == nil, delegate.stack.isEmpty, let root = delegate.root else {
            let line = parser.lineNumber
            throw HubError(HubError.Code("malformed_xml"), "The file is not well-formed XML (near line \(line)).", field: "line \(line)")
        }
        return root
    }

    /// Only the XML declaration may stand in `<? … ?>`, and only at the start. A remiss needs no
    /// processing instructions, and Foundation's XMLParser on Linux crashes the process on one
    /// without data (`<?xm?>`, found by fuzzing): every other `<?` is refused before parsing.
    static func refuseProcessingInstructions(_ data: Data) throws(HubError) {
        let bytes = [UInt8](data)
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "<"), bytes[index + 1] == UInt8(ascii: "?") {
                let declaration = index == start && bytes.count > index + 5
                    && Array(bytes[(index + 2)..<(index + 5)]) == Array("xml".utf8)
                    && [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n")].contains(bytes[index + 5])
                guard declaration else {
                    throw HubError(HubError.Code("malformed_xml"), "Processing instructions are not accepted; only an XML declaration at the start.",
                                   field: "<?")
                }
            }
            index += 1
        }
    }

    private final class TreeBuilder: NSObject, XMLParserDelegate {
        var stack: [XMLElement] = []
        var root: XMLElement?
        var count = 0
        var failure: HubError?

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            count += 1
            if stack.count >= XMLElement.maxDepth || count > XMLElement.maxElements {
                failure = HubError(.tooLarge, "The XML is nested too deeply or has too many elements.")
                parser.abortParsing()
                return
            }
            let e = XMLElement(name: elementName, namespace: namespaceURI, attributes: attributeDict)
            if let parent = stack.last { parent.children.append(e) } else { root = e }
            stack.append(e)
        }
        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            guard stack.last?.name == elementName else {
                failure = HubError(HubError.Code("malformed_xml"), "The file is not well-formed XML (mismatched end tag near line \(parser.lineNumber)).", field: "line \(parser.lineNumber)")
                parser.abortParsing()
                return
            }
            _ = stack.popLast()
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }
        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            stack.last?.text += String(decoding: CDATABlock, as: UTF8.self)
        }
        func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
            failure = HubError(.validation, "Entity declarations are not accepted.", field: "DOCTYPE")
            parser.abortParsing()
        }
        func parser(_ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?) {
            failure = HubError(.validation, "Entity declarations are not accepted.", field: "DOCTYPE")
            parser.abortParsing()
        }
        func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
            failure = HubError(.validation, "External entities are not accepted.", field: "DOCTYPE")
            parser.abortParsing()
            return nil
        }
    }
}

/// Writing XML: escaping and a generic rendering of JSON documents.
enum XMLWriter {
    static func escape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            // As character references, so that a parser keeps them exactly: a raw CR LF would
            // become LF (and a new line in an attribute a space) — iCalendar needs its CRLF.
            case "\r": out += "&#13;"
            case "\n": out += "&#10;"
            case "\t": out += "&#9;"
            default:
                if c.value < 0x20 || (0xFFFE...0xFFFF).contains(c.value) { continue } // not allowed in XML 1.0
                out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func element(_ name: String, _ value: String?, attributes: [(String, String)] = []) -> String {
        let attrs = attributes.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
        guard let value else { return "" }
        return "<\(name)\(attrs)>\(escape(value))</\(name)>"
    }

    /// JSON as `<Falt namn="key">`, `<Post>` for array items, text for scalars.
    static func render(_ v: JSONValue) -> String {
        switch v {
        case .object(let o):
            return o.keys.sorted().map { k in "<Falt namn=\"\(escape(k))\">\(render(o[k]!))</Falt>" }.joined()
        case .array(let a):
            return a.map { "<Post>\(render($0))</Post>" }.joined()
        case .string(let s): return escape(s)
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        case .bool(let b): return b ? "true" : "false"
        case .null: return ""
        }
    }
}
