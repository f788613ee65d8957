import Foundation
import HubProtocol
import HubStorage
import Logging
import Testing
@testable import HubGateway
@testable import HubWeb
@testable import MeetingsWeb
@testable import NetworksWeb
@testable import ReferralsWeb
@testable import TrainingWeb

@Suite("UserStore")
struct UserStoreTests {
    func withStore(_ body: (UserStore) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("users-\(UUID().uuidString).sqlite").path
        let db = try await Databases.open(.sqlite(path: path), logger: Logger(label: "test"))
        try await db.migrate(UserStore.migrations)
        do { try await body(UserStore(database: db, bcryptCost: 4)) } catch { await db.close(); throw error }
        await db.close()
        try? FileManager.default.removeItem(atPath: path)
    }

    @Test func createRejectsAnUnknownRole() async throws {
        try await withStore { store in
            let error = await #expect(throws: HubError.self) {
                try await store.create(username: "someone", password: "long enough pw", role: "superuser")
            }
            #expect(error?.code == .validation)
            #expect(error?.field == "role")
        }
    }

    @Test func createRejectsAShortPassword() async throws {
        try await withStore { store in
            let error = await #expect(throws: HubError.self) {
                try await store.create(username: "someone", password: "short", role: "admin")
            }
            #expect(error?.code == .validation)
            #expect(error?.field == "password")
        }
    }

    @Test func staffNeedsACentreAndAgencyUserNeedsAnAgency() async throws {
        try await withStore { store in
            let staff = await #expect(throws: HubError.self) {
                try await store.create(username: "staff1", password: "long enough pw", role: "staff")
            }
            #expect(staff?.field == "centre")
            let agency = await #expect(throws: HubError.self) {
                try await store.create(username: "cop1", password: "long enough pw", role: "agency")
            }
            #expect(agency?.field == "agency")
            let ok = try await store.create(username: "cop1", password: "long enough pw", role: "agency", agency: "police")
            #expect(ok.agency == "police" && ok.centre == nil)
        }
    }

    @Test func duplicateUsernameIsAConflictOnTheUsernameField() async throws {
        try await withStore { store in
            try await store.create(username: "anna", password: "long enough pw", role: "admin")
            let error = await #expect(throws: HubError.self) {
                try await store.create(username: "Anna", password: "long enough pw", role: "admin")
            }
            #expect(error?.code == .conflict)
            #expect(error?.field == "username")
        }
    }

    @Test func verifyAcceptsOnlyTheRightPasswordAndStoresABcryptHash() async throws {
        try await withStore { store in
            try await store.create(username: "anna", password: "long enough pw", role: "board", centre: "skaraborg")
            #expect(try await store.verify(username: "anna", password: "long enough pw")?.role == .board)
            #expect(try await store.verify(username: "anna", password: "wrong password") == nil)
            #expect(try await store.verify(username: "nobody", password: "long enough pw") == nil)
            let rows = try await store.database.query("SELECT password_hash FROM users", [])
            #expect(rows.first?.gwString("password_hash")?.hasPrefix("$2") == true)
        }
    }

    @Test func ensureAdminCreatesAnAdminOnceWithA20CharacterPassword() async throws {
        try await withStore { store in
            let password = try #require(try await store.ensureAdmin())
            #expect(password.count == 20)
            #expect(try await store.verify(username: "admin", password: password)?.role == .admin)
            #expect(try await store.ensureAdmin() == nil)
        }
    }

    @Test func productionCostIsTen() async throws {
        try await withStore { store in
            let prod = UserStore(database: store.database)
            #expect(prod.bcryptCost == 10)
        }
    }
}
