import HubProtocol

/// A `;`-separated file as Swedish case systems export it: a header row, quoted
/// fields with `""` escapes (newlines allowed inside quotes), CRLF or LF.
package struct CSVFile: Sendable {
    package struct Row: Sendable {
        /// The 1-based line the row starts on, for reports.
        package var line: Int
        package var fields: [String]
    }
    package var header: [String]
    package var rows: [Row]

    /// Parses `text`; an unterminated quote or an empty file fails the whole file.
    package static func parse(_ text: String, separator: Character = ";") throws(HubError) -> CSVFile {
        var records: [Row] = []
        var field = "", fields: [String] = []
        var inQuotes = false, quotedField = false
        var line = 1, rowStart = 1
        var iterator = Array(text).makeIterator()
        var pending: Character? = nil
        func next() -> Character? { if let p = pending { pending = nil; return p }; return iterator.next() }
        func endRow() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].trimmingCharacters(in: .whitespaces).isEmpty && !quotedField) {
                records.append(Row(line: rowStart, fields: fields))
            }
            fields = []; field = ""; quotedField = false
        }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    if let n = next() {
                        if n == "\"" { field.append("\"") } else { inQuotes = false; pending = n }
                    } else { inQuotes = false }
                } else {
                    if c == "\n" || c == "\r\n" { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty:
                inQuotes = true; quotedField = true
            case separator:
                fields.append(field); field = ""
            case "\n", "\r\n", "\r":
                endRow(); line += 1; rowStart = line
            default:
                field.append(c)
            }
        }
        guard !inQuotes else { throw HubError(.validation, "A quoted field is not closed (starts on line \(rowStart)).", field: "line \(rowStart)") }
        if !field.isEmpty || !fields.isEmpty || quotedField { endRow() }
        guard let first = records.first else { throw HubError(.validation, "The file is empty.", field: "line 1") }
        return CSVFile(header: first.fields.map { $0.trimmingCharacters(in: .whitespaces) }, rows: Array(records.dropFirst()))
    }

    /// One line of a receipt or report, written with the hub's one CSV writer.
    static func line(_ fields: [String]) -> String { CSVText.line(fields.map(CSVText.cell)) }
}
