/// The one CSV writer of the hub, for files people open in a Swedish spreadsheet: `;`
/// between cells (the comma is the Swedish decimal sign), CRLF line ends, a UTF-8 byte
/// order mark on a whole document so Excel reads å, ä and ö, quotes where a cell needs
/// them, and a formula guard: a text cell that a spreadsheet would run as a formula
/// (`=`, `+`, `-`, `@`, tab, CR first) gets a leading apostrophe.
public enum CSVText {
    public static let separator: Character = ";"
    public static let byteOrderMark = "\u{FEFF}"

    /// A text cell: formula-guarded and quoted when needed.
    public static func cell(_ value: String) -> String {
        var v = value
        if let first = v.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { v = "'" + v }
        return quoted(v)
    }

    /// A number cell, written as it is (no guard: `-3` is a number, not a formula).
    public static func number(_ value: Int) -> String { String(value) }

    /// Quotes when the cell holds the separator, a quote or a line break.
    static func quoted(_ v: String) -> String {
        guard v.contains(where: { $0 == separator || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return v }
        return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One line of cells already made with `cell` or `number`, with its CRLF.
    public static func line(_ cells: [String]) -> String { cells.joined(separator: String(separator)) + "\r\n" }

    /// A whole document: the byte order mark, a header of text cells, then the rows.
    public static func document(header: [String], rows: [[String]]) -> String {
        byteOrderMark + line(header.map(cell)) + rows.map(line).joined()
    }
}
