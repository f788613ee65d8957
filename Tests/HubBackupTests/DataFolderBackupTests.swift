import Foundation
import HubBackup
import HubProtocol
import HubStorage
import Logging
import Testing

/// `hub backup` / `hub restore` without processes: the online copy of a database that is
/// being written, and every refusal (a non-empty target, a changed or incomplete backup).
@Suite("Backup and restore of a data folder")
struct DataFolderBackupTests {
    let logger = Logger(label: "test.backup")

    func scratch() throws -> String {
        let path = NSTemporaryDirectory() + "hub-backup-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func mode(_ path: String) -> UInt32 {
        var info = stat()
        stat(path, &info)
        return UInt32(info.st_mode & 0o777)
    }

    /// A data folder with a `referrals` database of `rows` rows at schema 2 and one adapter folder.
    func dataFolder(rows: Int) async throws -> (String, any HubDatabase) {
        let data = try scratch()
        let db = try await Databases.open(.forComponent("referrals", dataDir: data, databaseURL: nil), logger: logger)
        try await db.migrate([Migration(version: 1, name: "t", sql: "CREATE TABLE t (id TEXT PRIMARY KEY, body TEXT NOT NULL)"),
                              Migration(version: 2, name: "u", sql: "CREATE INDEX t_body ON t (body)")])
        for i in 0..<rows { try await db.execute("INSERT INTO t (id, body) VALUES (?, ?)", "r\(i)", String(repeating: "x", count: 200)) }
        for folder in ["adapters/kriminalvarden/processed", "adapters/kriminalvarden/inbox", "adapters/police"] {
            try FileManager.default.createDirectory(atPath: data + "/" + folder, withIntermediateDirectories: true)
        }
        _ = FileManager.default.createFile(atPath: data + "/adapters/kriminalvarden/processed/a.kvitto.xml", contents: Data("<Kvitto/>".utf8))
        _ = FileManager.default.createFile(atPath: data + "/adapters/kriminalvarden/inbox/b.xml", contents: Data("<not taken in yet/>".utf8))
        _ = FileManager.default.createFile(atPath: data + "/adapters/police/api-keys.sha256", contents: Data("00\n".utf8))
        _ = FileManager.default.createFile(atPath: data + "/adapters/police/api-key.new", contents: Data("secret\n".utf8))
        return (data, db)
    }

    func backUp(_ data: String, to target: String) throws -> BackupManifest {
        try DataFolderBackup.prepareEmptyTarget(target)
        var entries = try DataFolderBackup.backUpSQLite(dataDir: data, to: target)
        entries += try DataFolderBackup.backUpAdapterFiles(dataDir: data, to: target)
        let manifest = BackupManifest(createdAt: Timestamp.now(), backend: "sqlite", hubBinarySHA256: nil, files: entries)
        try DataFolderBackup.writeManifest(manifest, to: target)
        return manifest
    }

    @Test
    func aBackupTakenWhileTheDatabaseIsWrittenHoldsEveryEarlierCommitAndRestoresPrivately() async throws {
        let (data, db) = try await dataFolder(rows: 2000)
        // Writes go on while the copy runs; the copy holds every row committed before it began.
        let writer = Task {
            var i = 0
            while !Task.isCancelled { _ = try? await db.execute("INSERT INTO t (id, body) VALUES (?, ?)", "w\(i)", "y"); i += 1 }
        }
        let target = try scratch() + "/backup"
        var steps = 0
        try DataFolderBackup.prepareEmptyTarget(target)
        let entries = try DataFolderBackup.backUpSQLite(dataDir: data, to: target) { _, _, _ in steps += 1 }
        writer.cancel()
        _ = await writer.result
        await db.close()
        #expect(steps >= 1)
        let entry = try #require(entries.first)
        #expect(entry.path == "db/referrals.sqlite" && entry.schemaVersion == 2 && entry.component == "referrals")
        let files = try DataFolderBackup.backUpAdapterFiles(dataDir: data, to: target)
        // Receipts and key digests are kept; files not yet taken in and a new secret key are not.
        #expect(files.map(\.path) == ["adapters/kriminalvarden/processed/a.kvitto.xml", "adapters/police/api-keys.sha256"])
        try DataFolderBackup.writeManifest(BackupManifest(createdAt: Timestamp.now(), backend: "sqlite", hubBinarySHA256: nil, files: entries + files), to: target)
        #expect(mode(target) == 0o700)
        #expect(mode(target + "/db/referrals.sqlite") == 0o600)
        #expect(mode(target + "/manifest.json") == 0o600)
        #expect(!FileManager.default.fileExists(atPath: target + "/db/referrals.sqlite-wal"))

        let manifest = try DataFolderBackup.verify(backup: target)
        let restored = try scratch() + "/restored"
        try DataFolderBackup.prepareEmptyDataFolder(restored)
        try DataFolderBackup.restoreFiles(manifest, from: target, to: restored)
        #expect(mode(restored) == 0o700 && mode(restored + "/db") == 0o700 && mode(restored + "/db/referrals.sqlite") == 0o600)
        let copy = try await Databases.open(.forComponent("referrals", dataDir: restored, databaseURL: nil), logger: logger)
        let count = try await copy.query("SELECT count(*) AS n FROM t WHERE id LIKE 'r%'", []).first?.int("n")
        #expect(count == 2000)
        #expect(try await copy.query("SELECT max(version) AS v FROM schema_migrations", []).first?.int("v") == 2)
        await copy.close()
    }

    @Test
    func aTargetWithAnythingInItIsRefusedNamingTheOption() throws {
        let target = try scratch()
        _ = FileManager.default.createFile(atPath: target + "/old", contents: Data())
        #expect(throws: HubError.self) { try DataFolderBackup.prepareEmptyTarget(target) }
        do throws(HubError) { try DataFolderBackup.prepareEmptyTarget(target) } catch { #expect(error.field == "--to" && error.code == .conflict) }
    }

    @Test
    func aDataFolderWithDataIsRefusedButOneHoldingOnlyItsKeysIsTaken() throws {
        let data = try scratch()
        try FileManager.default.createDirectory(atPath: data + "/keys", withIntermediateDirectories: true)
        try DataFolderBackup.prepareEmptyDataFolder(data)
        try FileManager.default.createDirectory(atPath: data + "/db", withIntermediateDirectories: true)
        do throws(HubError) {
            try DataFolderBackup.prepareEmptyDataFolder(data)
            Issue.record("a data folder with db/ was accepted")
        } catch { #expect(error.field == "--data-dir" && error.code == .conflict) }
    }

    @Test
    func aChangedMissingOrUnlistedFileIsRefusedByName() async throws {
        let (data, db) = try await dataFolder(rows: 10)
        await db.close()
        let target = try scratch() + "/backup"
        _ = try backUp(data, to: target)
        #expect(try DataFolderBackup.verify(backup: target).files.count == 3)

        // One byte changed in a receipt.
        let receipt = target + "/adapters/kriminalvarden/processed/a.kvitto.xml"
        try Data("<Kvitto/ >".utf8).write(to: URL(fileURLWithPath: receipt))
        do throws(HubError) { _ = try DataFolderBackup.verify(backup: target); Issue.record("a changed file was accepted") } catch {
            #expect(error.field == "adapters/kriminalvarden/processed/a.kvitto.xml" && error.code == .validation)
        }
        // A database missing.
        try Data("<Kvitto/>".utf8).write(to: URL(fileURLWithPath: receipt))
        try FileManager.default.removeItem(atPath: target + "/db/referrals.sqlite")
        do throws(HubError) { _ = try DataFolderBackup.verify(backup: target); Issue.record("a missing file was accepted") } catch {
            #expect(error.field == "db/referrals.sqlite" && error.code == .notFound)
        }
        // A file the manifest does not list.
        let other = try scratch() + "/backup"
        _ = try backUp(data, to: other)
        _ = FileManager.default.createFile(atPath: other + "/db/extra.sqlite", contents: Data("x".utf8))
        do throws(HubError) { _ = try DataFolderBackup.verify(backup: other); Issue.record("an unlisted file was accepted") } catch {
            #expect(error.field == "db/extra.sqlite")
        }
        // No manifest: an unfinished backup.
        try FileManager.default.removeItem(atPath: other + "/manifest.json")
        do throws(HubError) { _ = try DataFolderBackup.verify(backup: other); Issue.record("a backup without manifest was accepted") } catch {
            #expect(error.field == "manifest.json" && error.code == .notFound)
        }
    }

    @Test
    func aManifestNamingAPathOutsideTheBackupIsRefused() throws {
        let target = try scratch()
        let manifest = BackupManifest(createdAt: Timestamp.now(), backend: "sqlite", hubBinarySHA256: nil,
                                      files: [.init(path: "../etc/passwd", bytes: 1, sha256: "00", kind: "file")])
        try DataFolderBackup.writeManifest(manifest, to: target)
        do throws(HubError) { _ = try DataFolderBackup.verify(backup: target); Issue.record("accepted") } catch { #expect(error.field == "../etc/passwd") }
    }

    @Test
    func pgDumpMissingFromPathIsAClearError() {
        do throws(HubError) { _ = try PostgresBackup.tool("pg_dump", environment: ["PATH": "/nonexistent"]); Issue.record("found") } catch {
            #expect(error.field == "pg_dump" && error.message.contains("postgresql-client"))
        }
        let env = try? PostgresBackup.connectionEnvironment("postgres://hub:p%40ss@db.internal:5433/utvag?sslmode=require")
        #expect(env?.environment["PGPASSWORD"] == "p@ss" && env?.environment["PGPORT"] == "5433" && env?.database == "utvag"
                && env?.environment["PGSSLMODE"] == "require")
    }
}
