import Foundation
import HubProtocol
import HubStorage
import Testing

@Suite("Storage behaviour on every backend")
struct DatabaseBehaviourTests {
    @Test(arguments: Backend.available)
    func everyValueKindRoundTrips(backend: Backend) async throws {
        try await withScratchDatabase(backend) { db, _ in
            try await db.execute("""
                CREATE TABLE kinds (id TEXT PRIMARY KEY, i BIGINT, r DOUBLE PRECISION, t TEXT, b BYTEA, n TEXT)
                """, [])
            let bytes: [UInt8] = [0, 1, 2, 254, 255, 0x27, 0x3F]
            let text = "Åsa's \"quoted\" ? text — 🇸🇪"
            try await db.execute(
                "INSERT INTO kinds (id, i, r, t, b, n) VALUES (?, ?, ?, ?, ?, ?)",
                "a", Int64.max, 3.25, text, bytes, String?.none
            )
            try await db.execute(
                "INSERT INTO kinds (id, i, r, t, b, n) VALUES (?, ?, ?, ?, ?, ?)",
                [.text("b"), .integer(Int64.min), .real(-0.5), .text(""), .blob([]), .text("x")]
            )
            let rows = try await db.query("SELECT id, i, r, t, b, n FROM kinds ORDER BY id", [])
            #expect(rows.count == 2)
            let a = try #require(rows.first)
            #expect(a["i"] == .integer(Int64.max))
            #expect(a["r"] == .real(3.25))
            #expect(a["t"] == .text(text))
            #expect(a["b"] == .blob(bytes))
            #expect(a["n"] == .null)
            #expect(try a.string("id") == "a")
            #expect(try a.int("i") == Int.max)
            #expect(try a.double("r") == 3.25)
            #expect(try a.blob("b") == bytes)
            #expect(try a.optionalString("n") == nil)
            #expect(try a.optionalInt("n") == nil)
            let b = rows[1]
            #expect(try b.int("i") == Int.min)
            #expect(try b.double("r") == -0.5)
            #expect(try b.string("t") == "")
            #expect(try b.optionalString("n") == "x")
            // Booleans are stored as 0/1 integers.
            try await db.execute("CREATE TABLE flags (id TEXT PRIMARY KEY, on_off BIGINT NOT NULL)", [])
            try await db.execute("INSERT INTO flags (id, on_off) VALUES (?, ?), (?, ?)", "y", true, "n", false)
            let flags = try await db.query("SELECT id, on_off FROM flags ORDER BY id", [])
            #expect(try flags.map { try $0.bool("on_off") } == [false, true])
        }
    }

    @Test(arguments: Backend.available)
    func placeholdersBindInOrderAndQuotedQuestionMarksStayText(backend: Backend) async throws {
        try await withScratchDatabase(backend) { db, _ in
            try await db.execute("CREATE TABLE p (a TEXT, b BIGINT, c TEXT)", [])
            try await db.execute("INSERT INTO p (a, b, c) VALUES (?, ?, 'why? -- not a comment')", "first", 2)
            let rows = try await db.query(
                "SELECT a, b, c, '?' AS literal FROM p WHERE a = ? AND b = ? /* ? */", "first", 2
            )
            #expect(rows.count == 1)
            #expect(try rows[0].string("a") == "first")
            #expect(try rows[0].string("c") == "why? -- not a comment")
            #expect(try rows[0].string("literal") == "?")
            #expect(try await db.query("SELECT a FROM p WHERE b = ?", 3).isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func executeReturnsTheNumberOfChangedRows(backend: Backend) async throws {
        try await withScratchDatabase(backend) { db, _ in
            try await db.execute("CREATE TABLE c (id TEXT PRIMARY KEY, v BIGINT NOT NULL)", [])
            #expect(try await db.execute("INSERT INTO c (id, v) VALUES (?, ?), (?, ?), (?, ?)", "a", 1, "b", 1, "c", 2) == 3)
            #expect(try await db.execute("UPDATE c SET v = v + 1 WHERE v = ?", 1) == 2)
            #expect(try await db.execute("DELETE FROM c WHERE id = ?", "nope") == 0)
            _ = try await db.query("SELECT * FROM c", [])
            #expect(try await db.execute("DELETE FROM c", []) == 3)
        }
    }

    @Test(arguments: Backend.available)
    func transactionCommitsWhenTheBodyReturns(backend: Backend) async throws {
        try await withScratchDatabase(backend) { db, _ in
            try await db.execute("CREATE TABLE t (id TEXT PRIMARY KEY)", [])
            let value = try await db.transaction { tx in
                try await tx.execute("INSERT INTO t (id) VALUES (?)", "one")
                try await tx.execute("INSERT INTO t (id) VALUES (?)", "two")
                return try await tx.query("SELECT COUNT(*) AS n FROM t", []).first?.int("n")
            }
            #expect(value == 2)
            #expect(try await db.query("SELECT id FROM t ORDER BY id", []).map { try $0.string("id") } == ["one", "two"])
        }
    }

    @Test(arguments: Backend.available)
    func transactionRollsBackOnThrowAndRethrowsTheOriginalError(backend: Backend) async throws {
        try await withScratchDatabase(backend) { db, _ in
            try await db.execute("CREATE TABLE t (id TEXT PRIMARY KEY)", [])
            let original = HubError(.validation, "Custom message.", field: "body.id")
            await #expect(throws: original) {
                try await db.transaction { tx in
                    try await tx.execute("INSERT INTO t (id) VALUES (?)", "kept?")
                    throw original
                }
            }
            await #expect(throws: CanaryError(tag: 7)) {
                try await db.transaction { tx in
                    try await tx.execute("INSERT INTO t (id) VALUES (?)", "also not kept")
                    throw CanaryError(tag: 7)
                }
            }
            #expect(try await db.query("SELECT id FROM t", []).isEmpty)
            // The database stays usable after a rollback.
            _ = try await db.transaction { tx in try await tx.execute("INSERT INTO t (id) VALUES (?)", "after") }
            #expect(try await db.query("SELECT id FROM t", []).count == 1)
        }
    }

    @Test(arguments: Backend.available)
    func aTransactionExecutorCannotBeUsedAfterTheTransaction(backend: Backend) async throws {
        try await withScratchDatabase(backend) { db, _ in
            try await db.execute("CREATE TABLE t (id TEXT PRIMARY KEY)", [])
            let leaked = try await db.transaction { tx in tx }
            await #expect(throws: HubError.self) {
                try await leaked.execute("INSERT INTO t (id) VALUES (?)", "late")
            }
            #expect(try await db.query("SELECT id FROM t", []).isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func uniqueViolationIsAConflict(backend: Backend) async throws {
        try await withScratchDatabase(backend) { db, _ in
            try await db.execute("CREATE TABLE u (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE)", [])
            try await db.execute("INSERT INTO u (id, email) VALUES (?, ?)", "1", "a@example.se")
            let error = await #expect(throws: HubError.self) {
                try await db.execute("INSERT INTO u (id, email) VALUES (?, ?)", "2", "a@example.se")
            }
            #expect(error?.code == .conflict)
            #expect(error?.message == "A record with the same key already exists.")
            let primary = await #expect(throws: HubError.self) {
                try await db.transaction { tx in
                    try await tx.execute("INSERT INTO u (id, email) VALUES (?, ?)", "1", "b@example.se")
                }
            }
            #expect(primary?.code == .conflict)
        }
    }

    @Test(arguments: Backend.available)
    func concurrentTransactionsGiveTheExactTotal(backend: Backend) async throws {
        try await withScratchDatabase(backend) { db, _ in
            try await db.execute("CREATE TABLE counter (id TEXT PRIMARY KEY, n BIGINT NOT NULL)", [])
            try await db.execute("INSERT INTO counter (id, n) VALUES (?, ?)", "c", 0)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<50 {
                    group.addTask {
                        try await db.transaction { tx in
                            try await tx.execute("UPDATE counter SET n = n + 1 WHERE id = ?", "c")
                            try await tx.execute("INSERT INTO counter (id, n) VALUES (?, ?)", "task-\(i)", i)
                        }
                        // Plain statements interleave with the transactions.
                        _ = try await db.query("SELECT n FROM counter WHERE id = ?", "c")
                    }
                }
                try await group.waitForAll()
            }
            let row = try #require(try await db.query("SELECT n FROM counter WHERE id = ?", "c").first)
            #expect(try row.int("n") == 50)
            let count = try #require(try await db.query("SELECT COUNT(*) AS n FROM counter", []).first)
            #expect(try count.int("n") == 51)
        }
    }

    @Test(arguments: Backend.available)
    func errorMessagesNeverContainBoundValues(backend: Backend) async throws {
        try await withScratchDatabase(backend) { db, _ in
            let canary = "CANARY-19121212-1212-Ösa"
            try await db.execute("CREATE TABLE pii (id TEXT PRIMARY KEY, n BIGINT NOT NULL, CHECK (n > 0))", [])
            try await db.execute("INSERT INTO pii (id, n) VALUES (?, ?)", canary, 1)
            let failing: [(String, [DatabaseValue])] = [
                ("INSERT INTO pii (id, n) VALUES (?, ?)", [.text(canary), .integer(2)]),          // unique
                ("INSERT INTO pii (id, n) VALUES (?, ?)", [.text(canary + "x"), .integer(-1)]),  // check
                ("INSERT INTO pii (id, n) VALUES (?, ?)", [.text(canary + "y"), .null]),         // not null
                ("INSERT INTO missing_table (id) VALUES (?)", [.text(canary)]),                  // no table
                ("SELECT CAST(? AS BIGINT) + n AS v FROM pii", [.text(canary)]),                 // bad cast (PG)
                ("INSERT INTO pii (id, n) VALUES (?, ?)", [.text(canary)]),                      // bind count
            ]
            var failures = 0
            for (sql, binds) in failing {
                do {
                    _ = try await db.query(sql, binds)
                } catch let error as HubError {
                    failures += 1
                    #expect(!error.description.contains(canary), "\(sql)")
                    #expect(!error.message.contains("CANARY"), "\(sql)")
                    #expect(!String(reflecting: error).contains("CANARY"), "\(sql)")
                }
            }
            #expect(failures >= 5)
            do {
                _ = try await db.transaction { tx in
                    try await tx.execute("INSERT INTO pii (id, n) VALUES (?, ?)", canary, 5)
                }
                Issue.record("expected a conflict")
            } catch {
                #expect(!String(describing: error).contains("CANARY"))
            }
        }
    }

    @Test(arguments: Backend.available)
    func missingColumnsAndWrongTypesNameTheColumnNotTheValue(backend: Backend) async throws {
        try await withScratchDatabase(backend) { db, _ in
            let row = try #require(try await db.query("SELECT ? AS secret_text, ? AS number", "CANARY-value", 5).first)
            let wrongType = #expect(throws: HubError.self) { try row.int("secret_text") }
            #expect(wrongType?.code == .storage)
            #expect(wrongType?.message.contains("secret_text") == true)
            #expect(wrongType?.message.contains("CANARY") == false)
            let missing = #expect(throws: HubError.self) { try row.string("nope") }
            #expect(missing?.message.contains("nope") == true)
            #expect(try row.int("NUMBER") == 5) // case-insensitive fallback
        }
    }
}

@Suite("Independent writes sent together (execute(all:))")
struct ExecuteAllTests {
    @Test("Rows of several tables, parent and child, are stored by one call, in and out of a transaction", arguments: Backend.available)
    func insertsIntoSeveralTablesAreAllStored(backend: Backend) async throws {
        try await withScratchDatabase(backend) { db, _ in
            try await db.execute("CREATE TABLE parent (id TEXT PRIMARY KEY, name TEXT NOT NULL)", [])
            try await db.execute("CREATE TABLE child (id TEXT PRIMARY KEY, parent_id TEXT NOT NULL REFERENCES parent(id), n BIGINT NOT NULL)", [])
            try await db.execute(all: [
                SQLStatement("INSERT INTO parent (id, name) VALUES (?, ?)", [.text("p1"), .text("first ? not a placeholder")]),
                SQLStatement("INSERT INTO child (id, parent_id, n) VALUES (?, ?, ?)", [.text("c1"), .text("p1"), .integer(1)]),
            ])
            try await db.transaction { tx in
                try await tx.execute(all: [
                    SQLStatement("INSERT INTO parent (id, name) VALUES (?, ?)", [.text("p2"), .text("second")]),
                    SQLStatement("INSERT INTO child (id, parent_id, n) VALUES (?, ?, ?)", [.text("c2"), .text("p2"), .integer(2)]),
                    SQLStatement("INSERT INTO child (id, parent_id, n) VALUES (?, ?, ?)", [.text("c3"), .text("p2"), .integer(3)]),
                ])
            }
            let parents = try await db.query("SELECT id, name FROM parent ORDER BY id", [])
            #expect(try parents.map { try $0.string("name") } == ["first ? not a placeholder", "second"])
            let children = try await db.query("SELECT id, parent_id, n FROM child ORDER BY id", [])
            #expect(try children.map { try $0.string("parent_id") } == ["p1", "p2", "p2"])
            #expect(try children.map { try $0.int("n") } == [1, 2, 3])
        }
    }

    @Test("When one of the writes fails, the transaction stores none of them", arguments: Backend.available)
    func oneFailingWriteStoresNothing(backend: Backend) async throws {
        try await withScratchDatabase(backend) { db, _ in
            try await db.execute("CREATE TABLE t (id TEXT PRIMARY KEY)", [])
            try await db.execute("INSERT INTO t (id) VALUES (?)", [.text("taken")])
            await #expect(throws: HubError.self) {
                try await db.transaction { tx in
                    try await tx.execute(all: [
                        SQLStatement("INSERT INTO t (id) VALUES (?)", [.text("new")]),
                        SQLStatement("INSERT INTO t (id) VALUES (?)", [.text("taken")]),
                    ])
                }
            }
            let ids = try await db.query("SELECT id FROM t ORDER BY id", [])
            #expect(try ids.map { try $0.string("id") } == ["taken"])
        }
    }
}
