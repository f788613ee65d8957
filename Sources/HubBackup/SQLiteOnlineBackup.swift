import Foundation
import HubProtocol
// The SQLite that HubStorage links (sqlite-nio's vendored build, symbols prefixed `sqlite_nio_`).
import VaporCSQLite

/// A consistent copy of one live SQLite database with SQLite's online backup API
/// (`sqlite3_backup_init/step/finish`), safe while the hub writes to it.
///
/// The source is opened on its own connection and held in one read transaction for the whole
/// copy. In WAL mode a reader never blocks the hub's writers, and the copy is the database as
/// it was when that transaction began: every commit before it, nothing after. (Without the
/// read transaction a write by another process between two steps would restart the copy, and
/// under steady intake it might never finish.)
public enum SQLiteOnlineBackup {
    public struct Result: Sendable, Equatable {
        /// Pages in the copy.
        public var pages: Int
        /// The highest applied migration (`schema_migrations`), nil when the table is absent.
        public var schemaVersion: Int?
    }

    /// A live database held at one moment: its own connection inside a read transaction.
    /// Taking every database's snapshot first and copying afterwards puts all copies within
    /// milliseconds of each other, however long the copies take.
    public final class Snapshot {
        let handle: OpaquePointer
        let source: String
        public let name: String
        private var open = true

        /// Opens `source` and begins a read transaction on it.
        public init(source: String) throws(HubError) {
            name = (source as NSString).lastPathComponent
            guard FileManager.default.fileExists(atPath: source) else {
                throw HubError(.notFound, "The database file is missing.", field: name)
            }
            self.source = source
            // Read-write without CREATE: a WAL database needs its -shm; never makes a new file.
            handle = try SQLiteOnlineBackup.open(source, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, name: name)
            sqlite_nio_sqlite3_busy_timeout(handle, 10_000)
            do throws(HubError) {
                try SQLiteOnlineBackup.exec(handle, "BEGIN", name: name)
                try SQLiteOnlineBackup.exec(handle, "SELECT count(*) FROM sqlite_schema", name: name) // takes the snapshot
            } catch {
                sqlite_nio_sqlite3_close_v2(handle)
                throw error
            }
        }

        /// Ends the read transaction and closes the connection (also done at deinit).
        public func close() {
            guard open else { return }
            open = false
            _ = sqlite_nio_sqlite3_exec(handle, "COMMIT", nil, nil, nil)
            sqlite_nio_sqlite3_close_v2(handle)
        }

        deinit { close() }
    }

    /// Copies `source` into the new file `destination` (see `copy(_:destination:…)`).
    public static func copy(source: String, destination: String, pagesPerStep: Int32 = 4096,
                            progress: (Int, Int) -> Void = { _, _ in }) throws(HubError) -> Result {
        let snapshot = try Snapshot(source: source)
        defer { snapshot.close() }
        return try copy(snapshot, destination: destination, pagesPerStep: pagesPerStep, progress: progress)
    }

    /// Copies the snapshot into the new file `destination` (which must not exist),
    /// `pagesPerStep` pages at a time, calling `progress(copied, total)` after each step, then
    /// checks the copy (`PRAGMA quick_check`) and closes the snapshot. Errors name the
    /// source's file name only.
    public static func copy(_ snapshot: Snapshot, destination: String, pagesPerStep: Int32 = 4096,
                            progress: (Int, Int) -> Void = { _, _ in }) throws(HubError) -> Result {
        defer { snapshot.close() }
        let name = snapshot.name
        let src = snapshot.handle
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw HubError(.conflict, "The backup copy exists already.", field: name)
        }
        let dst = try open(destination, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, name: name)
        var dstOpen = true
        defer { if dstOpen { sqlite_nio_sqlite3_close_v2(dst) } }

        guard let backup = sqlite_nio_sqlite3_backup_init(dst, "main", src, "main") else {
            throw HubError(.storage, "The online backup could not start: \(String(cString: sqlite_nio_sqlite3_errmsg(dst))).", field: name)
        }
        var rc: Int32
        repeat {
            rc = sqlite_nio_sqlite3_backup_step(backup, pagesPerStep)
            let total = Int(sqlite_nio_sqlite3_backup_pagecount(backup))
            progress(total - Int(sqlite_nio_sqlite3_backup_remaining(backup)), total)
            if rc == SQLITE_BUSY || rc == SQLITE_LOCKED { usleep(50_000) }
        } while rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED
        let pages = Int(sqlite_nio_sqlite3_backup_pagecount(backup))
        let finish = sqlite_nio_sqlite3_backup_finish(backup)
        guard rc == SQLITE_DONE, finish == SQLITE_OK else {
            throw HubError(.storage, "The online backup failed (SQLite code \(rc == SQLITE_DONE ? finish : rc)).", field: name)
        }
        let check = try scalar(dst, "PRAGMA quick_check", name: name)
        guard check == "ok" else { throw HubError(.storage, "The copy failed its integrity check.", field: name) }
        let hasMigrations = try scalar(dst, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'", name: name) == "1"
        let version = hasMigrations ? try scalar(dst, "SELECT max(version) FROM schema_migrations", name: name).flatMap { Int($0) } : nil
        // Fold any WAL the copy made into the file, then close: the backup is one file.
        _ = sqlite_nio_sqlite3_exec(dst, "PRAGMA wal_checkpoint(TRUNCATE)", nil, nil, nil)
        sqlite_nio_sqlite3_close_v2(dst)
        dstOpen = false
        for suffix in ["-wal", "-shm", "-journal"] { unlink(destination + suffix) }
        return Result(pages: pages, schemaVersion: version)
    }

    fileprivate static func open(_ path: String, flags: Int32, name: String) throws(HubError) -> OpaquePointer {
        var handle: OpaquePointer?
        let rc = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            if let handle { sqlite_nio_sqlite3_close_v2(handle) }
            throw HubError(.storage, "The database could not be opened (SQLite code \(rc)).", field: name)
        }
        return handle
    }

    fileprivate static func exec(_ db: OpaquePointer, _ sql: String, name: String) throws(HubError) {
        let rc = sqlite_nio_sqlite3_exec(db, sql, nil, nil, nil)
        guard rc == SQLITE_OK else {
            throw HubError(.storage, "The database could not be read (SQLite code \(rc)).", field: name)
        }
    }

    /// The first column of the first row as text (nil for NULL or no row).
    private static func scalar(_ db: OpaquePointer, _ sql: String, name: String) throws(HubError) -> String? {
        var statement: OpaquePointer?
        guard sqlite_nio_sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw HubError(.storage, "The copy could not be read.", field: name)
        }
        defer { sqlite_nio_sqlite3_finalize(statement) }
        let rc = sqlite_nio_sqlite3_step(statement)
        guard rc == SQLITE_ROW || rc == SQLITE_DONE else { throw HubError(.storage, "The copy could not be read.", field: name) }
        guard rc == SQLITE_ROW, let text = sqlite_nio_sqlite3_column_text(statement, 0) else { return nil }
        return String(cString: text)
    }
}
