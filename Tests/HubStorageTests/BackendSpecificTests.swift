import Foundation
import HubProtocol
import HubStorage
import Testing

@Suite("SQLite specifics")
struct SQLiteTests {
    @Test
    func theFileIsInWALModeWithFullSyncAndForeignKeys() async throws {
        try await withScratchDatabase(.sqlite) { db, scratch in
            #expect(db.dialect == .sqlite)
            #expect(FileManager.default.fileExists(atPath: scratch.location))
            #expect(try await db.query("PRAGMA journal_mode", []).first?.string("journal_mode") == "wal")
            #expect(try await db.query("PRAGMA synchronous", []).first?.int("synchronous") == 2) // FULL
            #expect(try await db.query("PRAGMA foreign_keys", []).first?.int("foreign_keys") == 1)
            #expect(try await db.query("PRAGMA busy_timeout", []).first?.values.first == .integer(5000))
            try await db.execute("CREATE TABLE w (id TEXT)", [])
            try await db.execute("INSERT INTO w (id) VALUES (?)", "x")
            #expect(FileManager.default.fileExists(atPath: scratch.location + "-wal"))
        }
    }

    @Test
    func foreignKeysAreEnforced() async throws {
        try await withScratchDatabase(.sqlite) { db, _ in
            try await db.execute("CREATE TABLE parent (id TEXT PRIMARY KEY)", [])
            try await db.execute("CREATE TABLE child (id TEXT PRIMARY KEY, parent_id TEXT NOT NULL REFERENCES parent(id))", [])
            await #expect(throws: HubError.self) {
                try await db.execute("INSERT INTO child (id, parent_id) VALUES (?, ?)", "c", "missing")
            }
        }
    }

    @Test
    func aClosedDatabaseRefusesStatements() async throws {
        let scratch = Scratch(.sqlite)
        let db = try await scratch.open()
        await db.close()
        let error = await #expect(throws: HubError.self) { try await db.query("SELECT 1 AS one", []) }
        #expect(error?.code == .storage)
        await scratch.remove()
    }

    @Test
    func cachedStatementsGiveFreshResultsAndThousandsOfDistinctStatementsStayCorrect() async throws {
        try await withScratchDatabase(.sqlite) { db, _ in
            try await db.execute("CREATE TABLE c (id BIGINT PRIMARY KEY, label TEXT)", [])
            // The same statement text, run again and again with other values (one cached statement).
            for i in 0..<50 { try await db.execute("INSERT INTO c (id, label) VALUES (?, ?)", i, "n\(i)") }
            for i in [0, 17, 49] { #expect(try await db.query("SELECT label FROM c WHERE id = ?", i).first?.string("label") == "n\(i)") }
            // More distinct statement texts than the cache keeps: each still runs as written.
            for i in 0..<600 {
                let row = try await db.query("SELECT COUNT(*) AS n, \(i) AS k FROM c WHERE id < ?", 25).first
                #expect(try row?.int("n") == 25 && row?.int("k") == i)
            }
            // A step that fails leaves the cached statement usable (reset, bindings cleared).
            await #expect(throws: HubError.self) { try await db.execute("INSERT INTO c (id, label) VALUES (?, ?)", 3, "again") }
            try await db.execute("INSERT INTO c (id, label) VALUES (?, ?)", 50, "n50")
            #expect(try await db.query("SELECT COUNT(*) AS n FROM c", []).first?.int("n") == 51)
            // The wrong number of values is an error, not a silent NULL.
            await #expect(throws: HubError.self) { try await db.query("SELECT label FROM c WHERE id = ?", []) }
        }
    }

    @Test
    func emptyTextEmptyBlobsNulBytesAndNonASCIITextRoundTripExactly() async throws {
        try await withScratchDatabase(.sqlite) { db, _ in
            try await db.execute("CREATE TABLE v (id TEXT PRIMARY KEY, t TEXT, b BYTEA)", [])
            let cases: [(String, String, [UInt8])] = [
                ("empty", "", []),
                ("nul", "a\u{0}b", [0, 1, 0]),
                ("swedish", "Åsa Öberg, Växjö – ärende 🧾", Array("Ää".utf8)),
            ]
            for (id, text, blob) in cases {
                try await db.execute("INSERT INTO v (id, t, b) VALUES (?, ?, ?)", id, text, blob)
                let row = try #require(try await db.query("SELECT t, b FROM v WHERE id = ?", id).first)
                #expect(row["t"] == .text(text))
                #expect(row["b"] == .blob(blob))
            }
        }
    }

    @Test
    func dataSurvivesReopening() async throws {
        let scratch = Scratch(.sqlite)
        let db = try await scratch.open()
        try await db.execute("CREATE TABLE s (id TEXT PRIMARY KEY)", [])
        _ = try await db.transaction { tx in try await tx.execute("INSERT INTO s (id) VALUES (?)", "kept") }
        await db.close()
        let again = try await scratch.open()
        #expect(try await again.query("SELECT id FROM s", []).first?.string("id") == "kept")
        await again.close()
        await scratch.remove()
    }
}

@Suite("PostgreSQL specifics", .enabled(if: Backend.postgresURL != nil, "set HUB_TEST_DATABASE_URL"))
struct PostgresTests {
    @Test
    func twoServicesSchemasAreSeparate() async throws {
        let one = Scratch(.postgres)
        let two = Scratch(.postgres)
        let a = try await one.open()
        let b = try await two.open()
        for db in [a, b] {
            try await db.execute("CREATE TABLE items (id TEXT PRIMARY KEY, owner TEXT NOT NULL)", [])
        }
        try await a.execute("INSERT INTO items (id, owner) VALUES (?, ?)", "1", "a")
        try await b.execute("INSERT INTO items (id, owner) VALUES (?, ?), (?, ?)", "1", "b", "2", "b")
        #expect(try await a.query("SELECT owner FROM items", []).map { try $0.string("owner") } == ["a"])
        #expect(try await b.query("SELECT owner FROM items ORDER BY id", []).map { try $0.string("owner") } == ["b", "b"])
        let schema = try await a.query("SELECT current_schema() AS s", []).first?.string("s")
        #expect(schema == one.location)
        // Migrations are tracked per schema too.
        try await a.migrate([Migration(version: 1, name: "only a", sql: "CREATE TABLE only_a (id TEXT)")])
        #expect(try await a.appliedVersions() == [1])
        #expect(try await b.appliedVersions() == [])
        await a.close()
        await b.close()
        await one.remove()
        await two.remove()
    }

    @Test
    func serverTypesConvertToDatabaseValues() async throws {
        try await withScratchDatabase(.postgres) { db, _ in
            let row = try #require(try await db.query("""
                SELECT 1::int2 AS i2, 2::int4 AS i4, 3::int8 AS i8, 1.5::float4 AS f4, 2.5::float8 AS f8,
                       12.25::numeric AS num, 'v'::varchar AS vc, 'n'::name AS nm, true AS yes, false AS no,
                       '\\x0102'::bytea AS by, NULL::text AS nothing,
                       '00000000-0000-0000-0000-000000000001'::uuid AS id,
                       '2024-05-01T10:00:00Z'::timestamptz AS ts
                """, []).first)
            #expect(row["i2"] == .integer(1))
            #expect(row["i4"] == .integer(2))
            #expect(row["i8"] == .integer(3))
            #expect(row["f4"] == .real(1.5))
            #expect(row["f8"] == .real(2.5))
            #expect(row["num"] == .real(12.25))
            #expect(row["vc"] == .text("v"))
            #expect(row["nm"] == .text("n"))
            #expect(row["yes"] == .integer(1))
            #expect(row["no"] == .integer(0))
            #expect(row["by"] == .blob([1, 2]))
            #expect(row["nothing"] == .null)
            #expect(row["id"] == .text("00000000-0000-0000-0000-000000000001"))
            #expect(try row.string("ts").hasPrefix("2024-05-01T10:00:00"))
        }
    }

    @Test
    func invalidSchemaNamesAreRefused() async throws {
        for bad in ["Bad", "a-b", "x\"; DROP SCHEMA public; --", "", "1abc", "pg_catalog"] {
            let error = await #expect(throws: HubError.self) {
                try await PostgresDatabase.open(url: Backend.postgresURL!, schema: bad, logger: testLogger)
            }
            #expect(error?.code == .storage)
        }
    }

    @Test
    func anUnreachableServerIsAStorageError() async throws {
        let error = await #expect(throws: HubError.self) {
            try await PostgresDatabase.open(
                url: "postgres://hub:hub@127.0.0.1:1/hub_test", schema: "nowhere", logger: testLogger,
                connectTimeout: .seconds(2)
            )
        }
        #expect(error?.code == .storage)
    }

    @Test
    func aStatementFailingInsideATransactionIsNotCommitted() async throws {
        try await withScratchDatabase(.postgres) { db, _ in
            try await db.execute("CREATE TABLE t (id TEXT PRIMARY KEY)", [])
            let error = await #expect(throws: HubError.self) {
                try await db.transaction { tx in
                    try await tx.execute("INSERT INTO t (id) VALUES (?)", "a")
                    _ = try? await tx.execute("INSERT INTO t (id) VALUES (?)", "a") // swallowed failure
                }
            }
            #expect(error?.code == .storage)
            #expect(try await db.query("SELECT id FROM t", []).isEmpty)
        }
    }
}

@Suite("SQLite group commit")
struct SQLiteGroupCommitTests {
    @Test func concurrentTransactionsShareCommitsButAFailingOneStoresNothingOfItsOwn() async throws {
        try await withScratchDatabase(.sqlite) { db, _ in
            try await db.migrate([Migration(version: 1, name: "t", sql: "CREATE TABLE t (id BIGINT PRIMARY KEY, v TEXT NOT NULL)")])
            let results = await withTaskGroup(of: (Int, Bool).self) { group in
                for i in 0..<60 {
                    group.addTask {
                        do {
                            try await db.transaction { tx in
                                try await tx.execute("INSERT INTO t (id, v) VALUES (?, ?)", [.integer(Int64(i)), .text("a")])
                                try await tx.execute("INSERT INTO t (id, v) VALUES (?, ?)", [.integer(Int64(1000 + i)), .text("b")])
                                if i % 7 == 3 { throw HubError(.validation, "refused") }
                            }
                            return (i, true)
                        } catch { return (i, false) }
                    }
                }
                return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            for i in 0..<60 { #expect(results[i] == (i % 7 != 3)) }
            let rows = try await db.query("SELECT id FROM t ORDER BY id", [])
            let ids = Set(try rows.map { try $0.int("id") })
            for i in 0..<60 {
                #expect(ids.contains(i) == (i % 7 != 3))
                #expect(ids.contains(1000 + i) == (i % 7 != 3)) // both rows or neither
            }
        }
    }

    @Test func aPlainStatementSeesOnlyCommittedWorkAndADuplicateKeyIsAConflict() async throws {
        try await withScratchDatabase(.sqlite) { db, _ in
            try await db.migrate([Migration(version: 1, name: "t", sql: "CREATE TABLE t (id BIGINT PRIMARY KEY)")])
            let successes = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        do { try await db.transaction { tx in _ = try await tx.execute("INSERT INTO t (id) VALUES (1)", []) }; return true }
                        catch { return (error as? HubError)?.code == .conflict ? false : true }
                    }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(successes == 1)
            #expect(try await db.query("SELECT COUNT(*) AS n FROM t", [])[0].int("n") == 1)
        }
    }
}

