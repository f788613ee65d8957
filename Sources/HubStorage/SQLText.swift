/// Small, dependency-free SQL text helpers: splitting a script into statements and
/// numbering `?` placeholders for PostgreSQL. Both skip string literals ('…', E'…'),
/// quoted identifiers ("…"), dollar-quoted bodies ($tag$…$tag$) and comments.
enum SQLText {
    enum PieceKind { case code, quoted, comment }

    /// Cuts `sql` into code, quoted and comment pieces (byte ranges of its UTF-8).
    static func scan(_ bytes: [UInt8]) -> [(kind: PieceKind, range: Range<Int>)] {
        var pieces: [(kind: PieceKind, range: Range<Int>)] = []
        var i = 0
        var codeStart = 0
        let n = bytes.count
        func flushCode(_ end: Int) {
            if end > codeStart { pieces.append((.code, codeStart..<end)) }
        }
        while i < n {
            let c = bytes[i]
            let next: UInt8? = i + 1 < n ? bytes[i + 1] : nil
            if c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") {
                // E'…' strings allow backslash escapes.
                let backslashEscapes = c == UInt8(ascii: "'") && i > 0
                    && (bytes[i - 1] == UInt8(ascii: "E") || bytes[i - 1] == UInt8(ascii: "e"))
                    && (i < 2 || !isIdentifierByte(bytes[i - 2]))
                flushCode(i)
                var j = i + 1
                while j < n {
                    if backslashEscapes && bytes[j] == UInt8(ascii: "\\") { j += 2; continue }
                    if bytes[j] == c {
                        if j + 1 < n && bytes[j + 1] == c { j += 2; continue } // doubled quote
                        j += 1
                        break
                    }
                    j += 1
                }
                j = min(j, n)
                pieces.append((.quoted, i..<j))
                i = j
                codeStart = j
            } else if c == UInt8(ascii: "-") && next == UInt8(ascii: "-") {
                flushCode(i)
                var j = i + 2
                while j < n && bytes[j] != UInt8(ascii: "\n") { j += 1 }
                pieces.append((.comment, i..<j))
                i = j
                codeStart = j
            } else if c == UInt8(ascii: "/") && next == UInt8(ascii: "*") {
                flushCode(i)
                var depth = 1
                var j = i + 2
                while j < n && depth > 0 {
                    if bytes[j] == UInt8(ascii: "*") && j + 1 < n && bytes[j + 1] == UInt8(ascii: "/") {
                        depth -= 1; j += 2
                    } else if bytes[j] == UInt8(ascii: "/") && j + 1 < n && bytes[j + 1] == UInt8(ascii: "*") {
                        depth += 1; j += 2
                    } else {
                        j += 1
                    }
                }
                j = min(j, n)
                pieces.append((.comment, i..<j))
                i = j
                codeStart = j
            } else if c == UInt8(ascii: "$") && (i == 0 || !isIdentifierByte(bytes[i - 1])),
                      let tagEnd = dollarTagEnd(bytes, from: i) {
                // $tag$ … $tag$
                let tag = Array(bytes[i...tagEnd])
                flushCode(i)
                var j = tagEnd + 1
                var end = n
                while j + tag.count <= n {
                    if bytes[j] == UInt8(ascii: "$") && Array(bytes[j..<(j + tag.count)]) == tag {
                        end = j + tag.count
                        break
                    }
                    j += 1
                }
                pieces.append((.quoted, i..<end))
                i = end
                codeStart = end
            } else {
                i += 1
            }
        }
        flushCode(n)
        return pieces
    }

    private static func isIdentifierByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_") || b >= 0x80
    }

    /// For a `$` at `start`, the index of the closing `$` of a dollar-quote tag (`$$` or `$name$`).
    private static func dollarTagEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var j = start + 1
        while j < bytes.count {
            let b = bytes[j]
            if b == UInt8(ascii: "$") { return j }
            let isDigit = b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")
            if !isIdentifierByte(b) || (j == start + 1 && isDigit) { return nil }
            j += 1
        }
        return nil
    }

    /// Splits a script into statements on `;` at top level. Empty statements and
    /// statements made only of comments are dropped.
    static func splitStatements(_ sql: String) -> [String] {
        let bytes = Array(sql.utf8)
        var statements: [String] = []
        var current: [UInt8] = []
        var hasContent = false
        func finish() {
            if hasContent {
                let trimmed = String(decoding: current, as: UTF8.self).trimmingWhitespace()
                if !trimmed.isEmpty { statements.append(trimmed) }
            }
            current.removeAll(keepingCapacity: true)
            hasContent = false
        }
        for piece in scan(bytes) {
            switch piece.kind {
            case .comment:
                // Comments are dropped (a line comment keeps its line break out of the next token).
                current.append(UInt8(ascii: " "))
            case .quoted:
                hasContent = true
                current.append(contentsOf: bytes[piece.range])
            case .code:
                for index in piece.range {
                    let b = bytes[index]
                    if b == UInt8(ascii: ";") {
                        finish()
                    } else {
                        current.append(b)
                        if !(b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09) { hasContent = true }
                    }
                }
            }
        }
        finish()
        return statements
    }

    /// Rewrites top-level `?` placeholders to `$1…$n`; returns the new text and n.
    /// `??`, `?|` and `?&` stay as written only inside quotes; outside quotes every `?` is a placeholder.
    static func numberPlaceholders(_ sql: String) -> (sql: String, count: Int) {
        let bytes = Array(sql.utf8)
        guard bytes.contains(UInt8(ascii: "?")) else { return (sql, 0) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        var count = 0
        for piece in scan(bytes) {
            if piece.kind != .code {
                out.append(contentsOf: bytes[piece.range])
                continue
            }
            for index in piece.range {
                if bytes[index] == UInt8(ascii: "?") {
                    count += 1
                    out.append(UInt8(ascii: "$"))
                    out.append(contentsOf: String(count).utf8)
                } else {
                    out.append(bytes[index])
                }
            }
        }
        return (String(decoding: out, as: UTF8.self), count)
    }

    /// A PostgreSQL schema name this package accepts: 1–63 of [a-z0-9_], not starting
    /// with a digit, not `pg_…`.
    /// Whether `sql` is a plain `SELECT` (it cannot write, so it cannot commit): the only
    /// statements the SQLite backend runs on the caller's thread outside a transaction.
    static func isPlainRead(_ sql: String) -> Bool {
        let head = sql.drop(while: { $0.isWhitespace }).prefix(7).uppercased()
        return head.hasPrefix("SELECT") && (head.count == 6 || head.last!.isWhitespace)
            && !sql.uppercased().contains("RETURNING")
    }

    static func isValidSchemaName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 63, !name.hasPrefix("pg_") else { return false }
        if bytes[0] >= UInt8(ascii: "0") && bytes[0] <= UInt8(ascii: "9") { return false }
        return bytes.allSatisfy { b in
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
                || b == UInt8(ascii: "_")
        }
    }

    /// A short, single-line form of a statement for debug logs.
    static func logText(_ sql: String) -> String {
        let oneLine = sql.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\t" }).joined(separator: " ")
        return oneLine.count > 300 ? String(oneLine.prefix(300)) + "…" : oneLine
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
