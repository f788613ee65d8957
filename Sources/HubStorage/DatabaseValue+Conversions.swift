import HubProtocol

// MARK: - Binding Swift values

extension DatabaseValue: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { self }
}

extension String: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { .text(self) }
}

extension Int: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { .integer(Int64(self)) }
}

extension Int64: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { .integer(self) }
}

extension Int32: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { .integer(Int64(self)) }
}

extension Double: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { .real(self) }
}

/// Booleans are stored as the integers 0 and 1 on both backends (use a BIGINT column).
extension Bool: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { .integer(self ? 1 : 0) }
}

extension Array: DatabaseValueConvertible where Element == UInt8 {
    public var databaseValue: DatabaseValue { .blob(self) }
}

extension Optional: DatabaseValueConvertible where Wrapped: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue {
        switch self {
        case .none: .null
        case .some(let value): value.databaseValue
        }
    }
}

extension DatabaseValue {
    /// True for `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

// MARK: - Variadic helpers

extension DatabaseExecutor {
    /// Runs a statement that returns rows, binding each argument to the next `?`.
    public func query(_ sql: String, _ binds: any DatabaseValueConvertible...) async throws(HubError) -> [DatabaseRow] {
        try await query(sql, binds.map(\.databaseValue))
    }

    /// Runs a statement and returns the number of changed rows, binding each argument to the next `?`.
    @discardableResult
    public func execute(_ sql: String, _ binds: any DatabaseValueConvertible...) async throws(HubError) -> Int {
        try await execute(sql, binds.map(\.databaseValue))
    }

    /// The first row of the result, or nil when there is none.
    public func queryFirst(_ sql: String, _ binds: [DatabaseValue]) async throws(HubError) -> DatabaseRow? {
        try await query(sql, binds).first
    }

    /// The first row of the result, or nil when there is none.
    public func queryFirst(_ sql: String, _ binds: any DatabaseValueConvertible...) async throws(HubError) -> DatabaseRow? {
        try await query(sql, binds.map(\.databaseValue)).first
    }
}

// MARK: - Reading rows

extension DatabaseRow {
    /// The value of `column`, or nil when the row has no such column. Column names
    /// match exactly first, then case-insensitively (PostgreSQL folds unquoted
    /// names to lower case, SQLite keeps them as written).
    public subscript(_ column: String) -> DatabaseValue? {
        if let index = columns.firstIndex(of: column), index < values.count { return values[index] }
        let lowered = column.lowercased()
        if let index = columns.firstIndex(where: { $0.lowercased() == lowered }), index < values.count {
            return values[index]
        }
        return nil
    }

    /// The value of `column`; a HubError `.storage` naming the column when it is missing.
    public func value(_ column: String) throws(HubError) -> DatabaseValue {
        guard let value = self[column] else {
            throw HubError(.storage, "The result has no column '\(column)'.")
        }
        return value
    }

    public func string(_ column: String) throws(HubError) -> String {
        guard let value = try optionalString(column) else { throw Self.nullError(column) }
        return value
    }

    public func optionalString(_ column: String) throws(HubError) -> String? {
        switch try value(column) {
        case .null: return nil
        case .text(let text): return text
        default: throw Self.typeError(column, "text")
        }
    }

    public func int(_ column: String) throws(HubError) -> Int {
        guard let value = try optionalInt(column) else { throw Self.nullError(column) }
        return value
    }

    public func optionalInt(_ column: String) throws(HubError) -> Int? {
        switch try value(column) {
        case .null: return nil
        case .integer(let integer):
            guard let result = Int(exactly: integer) else { throw Self.typeError(column, "integer") }
            return result
        case .real(let real):
            // PostgreSQL NUMERIC aggregates (SUM of BIGINT) arrive as reals.
            guard let result = Int(exactly: real) else { throw Self.typeError(column, "integer") }
            return result
        default: throw Self.typeError(column, "integer")
        }
    }

    public func int64(_ column: String) throws(HubError) -> Int64 {
        Int64(try int(column))
    }

    public func double(_ column: String) throws(HubError) -> Double {
        guard let value = try optionalDouble(column) else { throw Self.nullError(column) }
        return value
    }

    public func optionalDouble(_ column: String) throws(HubError) -> Double? {
        switch try value(column) {
        case .null: return nil
        case .real(let real): return real
        case .integer(let integer): return Double(integer)
        default: throw Self.typeError(column, "real")
        }
    }

    /// Booleans are stored as 0/1 integers.
    public func bool(_ column: String) throws(HubError) -> Bool {
        guard let value = try optionalBool(column) else { throw Self.nullError(column) }
        return value
    }

    public func optionalBool(_ column: String) throws(HubError) -> Bool? {
        switch try value(column) {
        case .null: return nil
        case .integer(let integer): return integer != 0
        default: throw Self.typeError(column, "boolean")
        }
    }

    public func blob(_ column: String) throws(HubError) -> [UInt8] {
        guard let value = try optionalBlob(column) else { throw Self.nullError(column) }
        return value
    }

    public func optionalBlob(_ column: String) throws(HubError) -> [UInt8]? {
        switch try value(column) {
        case .null: return nil
        case .blob(let bytes): return bytes
        default: throw Self.typeError(column, "blob")
        }
    }

    private static func nullError(_ column: String) -> HubError {
        HubError(.storage, "Column '\(column)' is null.")
    }

    private static func typeError(_ column: String, _ expected: String) -> HubError {
        HubError(.storage, "Column '\(column)' does not hold a \(expected) value.")
    }
}
