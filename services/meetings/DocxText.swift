import Foundation
import HubProtocol
import ZIPFoundation

/// The text of minutes written in Word (.docx), in the shape `MinutesParser` reads: one
/// line per paragraph, a heading style as `## `, Word's automatic numbering as `1. `, bold
/// runs as `**…**`, tabs kept (attendance lists in columns). Only `word/document.xml` is
/// read, with a tag scanner in plain string handling: no DTD, no entities beyond XML's
/// five and character references, so nothing external is ever fetched or expanded; the
/// part is read at most `maxBytes`, whatever the archive claims (a ZIP bomb stops there).
public enum DocxText {
    public static let maxBytes = 20_000_000
    static let notDocx = HubError.Code("not_docx")

    public static func text(_ data: Data) throws(HubError) -> String {
        let xml: String
        do {
            let archive = try Archive(data: data, accessMode: .read)
            guard let entry = archive["word/document.xml"] else {
                throw HubError(notDocx, "This .docx has no word/document.xml: it is not a Word document.", field: "file")
            }
            var bytes = Data()
            _ = try archive.extract(entry, skipCRC32: false) { chunk in
                bytes.append(chunk)
                if bytes.count > maxBytes { throw HubError(notDocx, "The document's text is larger than \(maxBytes / 1_000_000) MB.", field: "file") }
            }
            guard let s = String(data: bytes, encoding: .utf8) else { throw HubError(notDocx, "The document's text is not UTF-8.", field: "file") }
            xml = s
        } catch let e as HubError {
            throw e
        } catch {
            throw HubError(notDocx, "This is not a .docx (a ZIP archive with word/document.xml) that can be read.", field: "file")
        }
        return paragraphs(xml)
    }

    /// The paragraphs of WordprocessingML as lines.
    static func paragraphs(_ xml: String) -> String {
        var lines: [String] = []
        var line = "", inText = false, bold = false, runBold = false, heading = false, numbered: (String, String)?
        var counters: [String: Int] = [:]
        var runText = ""
        var inTabStops = false
        // A table row's cells become one line with tabs between them (attendance in a table).
        var tableDepth = 0, cell: [String] = [], row: [String] = []
        func emit(_ text: String) {
            if tableDepth > 0 { cell.append(text) } else { lines.append(text) }
        }
        func endRun() {
            if !runText.isEmpty {
                line += runBold && !runText.trimmingCharacters(in: .whitespaces).isEmpty ? "**\(runText)**" : runText
            }
            runText = ""
        }
        var i = xml.startIndex
        while i < xml.endIndex {
            if xml[i] == "<" {
                guard let close = xml[i...].firstIndex(of: ">") else { break }
                let tag = xml[xml.index(after: i)..<close]
                var name = String(tag.prefix { !$0.isWhitespace })
                if name.hasSuffix("/") { name.removeLast() }
                let selfClosing = tag.hasSuffix("/")
                switch name {
                case "w:p":
                    line = ""; heading = false; numbered = nil; bold = false
                    if selfClosing { lines.append("") }
                case "/w:p":
                    endRun()
                    var text = line.replacingOccurrences(of: "****", with: "")
                    if let (numID, level) = numbered, level == "0" {
                        counters[numID, default: 0] += 1
                        text = "\(counters[numID]!). " + text
                    } else if numbered != nil {
                        text = "  - " + text
                    }
                    if heading { text = "## " + text }
                    emit(text)
                case "w:tbl": tableDepth += 1
                case "/w:tbl": tableDepth = max(0, tableDepth - 1)
                case "w:tr": row = []
                case "w:tc": cell = []
                case "/w:tc": row.append(cell.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " "))
                case "/w:tr": lines.append(row.filter { !$0.isEmpty }.joined(separator: "\t"))
                case "w:tabs": inTabStops = !selfClosing
                case "/w:tabs": inTabStops = false
                case "w:pStyle":
                    let style = attribute("w:val", in: tag).lowercased()
                    heading = style.hasPrefix("heading") || style.hasPrefix("rubrik") || style == "title" || style == "rubrik"
                case "w:numId":
                    numbered = (attribute("w:val", in: tag), numbered?.1 ?? "0")
                case "w:ilvl":
                    numbered = (numbered?.0 ?? "", attribute("w:val", in: tag))
                case "w:r":
                    endRun(); runBold = bold
                case "w:b":
                    let v = attribute("w:val", in: tag)
                    runBold = v.isEmpty || v == "1" || v == "true"
                case "w:t":
                    inText = !selfClosing
                case "/w:t":
                    inText = false
                case "w:tab":
                    if !inTabStops { runText += "\t" }
                case "w:br", "w:cr":
                    endRun(); emit(line.replacingOccurrences(of: "****", with: "")); line = ""
                default:
                    break
                }
                i = xml.index(after: close)
                continue
            }
            let next = xml[i...].firstIndex(of: "<") ?? xml.endIndex
            if inText { runText += unescape(String(xml[i..<next])) }
            i = next
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func attribute(_ name: String, in tag: Substring) -> String {
        guard let r = tag.range(of: name + "=\"") else { return "" }
        return String(tag[r.upperBound...].prefix { $0 != "\"" })
    }

    /// XML's five entities and character references; anything else is left as written.
    static func unescape(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = "", i = s.startIndex
        while i < s.endIndex {
            if s[i] == "&", let semi = s[i...].firstIndex(of: ";"), s.distance(from: i, to: semi) <= 10 {
                let name = s[s.index(after: i)..<semi]
                let named = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'"]
                if let v = named[String(name)] { out += v; i = s.index(after: semi); continue }
                if name.hasPrefix("#") {
                    let digits = name.dropFirst()
                    let value = digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
                    if let value, let scalar = Unicode.Scalar(value) { out.unicodeScalars.append(scalar); i = s.index(after: semi); continue }
                }
            }
            out.append(s[i]); i = s.index(after: i)
        }
        return out
    }
}
