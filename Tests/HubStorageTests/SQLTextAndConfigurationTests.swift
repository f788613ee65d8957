import Foundation
import HubProtocol
@testable import HubStorage
import Testing

@Suite("SQL text and configuration")
struct SQLTextAndConfigurationTests {
    @Test
    func placeholdersAreNumberedOutsideQuotesAndComments() {
        let (sql, count) = SQLText.numberPlaceholders(
            "SELECT '?', \"a?\", $$x?$$, E'it\\'s ?' FROM t WHERE a = ? AND b = ? -- ?\n AND c = ? /* ? */"
        )
        #expect(count == 3)
        #expect(sql == "SELECT '?', \"a?\", $$x?$$, E'it\\'s ?' FROM t WHERE a = $1 AND b = $2 -- ?\n AND c = $3 /* ? */")
        #expect(SQLText.numberPlaceholders("SELECT 'it''s ?' , ?").sql == "SELECT 'it''s ?' , $1")
    }

    @Test
    func scriptsSplitOnTopLevelSemicolonsOnly() {
        let statements = SQLText.splitStatements("""
            -- leading comment; still comment
            CREATE TABLE a (x TEXT DEFAULT ';');
            ;;
            CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END $body$ LANGUAGE plpgsql;
            /* only a comment; */
            INSERT INTO a VALUES ('x;y')
            """)
        #expect(statements == [
            "CREATE TABLE a (x TEXT DEFAULT ';')",
            "CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END $body$ LANGUAGE plpgsql",
            "INSERT INTO a VALUES ('x;y')",
        ])
    }

    @Test
    func componentConfigurationsPickSQLiteFileOrPostgresSchema() {
        guard case .sqlite(let path) = DatabaseConfiguration.forComponent("referrals", dataDir: "/var/lib/hub", databaseURL: nil) else {
            Issue.record("expected sqlite"); return
        }
        #expect(path == "/var/lib/hub/db/referrals.sqlite")
        guard case .postgres(let url, let schema) = DatabaseConfiguration.forComponent(
            "agency-adapters.police", dataDir: "/x", databaseURL: "postgres://u:p@h/db"
        ) else { Issue.record("expected postgres"); return }
        #expect(url == "postgres://u:p@h/db")
        #expect(schema == "agency_adapters_police")
        #expect(SQLText.isValidSchemaName(DatabaseConfiguration.schemaName(for: "9 Lives!")))
    }

    @Test
    func schemaNamesAreValidatedBeforeUse() {
        #expect(SQLText.isValidSchemaName("referrals_2"))
        for bad in ["", "Referrals", "a b", "a\"b", "pg_x", "1a", String(repeating: "a", count: 64)] {
            #expect(!SQLText.isValidSchemaName(bad), "\(bad)")
        }
    }

    @Test
    func databaseURLsAreParsedWithoutLeakingThem() throws {
        let config = try PostgresDatabase.clientConfiguration(url: "postgres://hub:p%40ss@db.local:6000/hub_test?sslmode=disable")
        #expect(config.host == "db.local")
        #expect(config.port == 6000)
        #expect(config.username == "hub")
        #expect(config.password == "p@ss")
        #expect(config.database == "hub_test")
        let error = #expect(throws: HubError.self) {
            try PostgresDatabase.clientConfiguration(url: "mysql://secret-user:secret-pass@h/db")
        }
        #expect(error?.message.contains("secret") == false)
    }

    @Test
    func valuesConvertToDatabaseValues() {
        #expect("a".databaseValue == .text("a"))
        #expect(5.databaseValue == .integer(5))
        #expect(Int64(-3).databaseValue == .integer(-3))
        #expect(2.5.databaseValue == .real(2.5))
        #expect(true.databaseValue == .integer(1))
        #expect(false.databaseValue == .integer(0))
        #expect([UInt8]([1, 2]).databaseValue == .blob([1, 2]))
        #expect(String?.none.databaseValue == .null)
        #expect(Int?.some(4).databaseValue == .integer(4))
    }
}
