import Foundation
import HubBus
import HubCore
@testable import HubGateway
import HubProtocol
import HubStorage
import HubTestSupport
import Hummingbird
import HummingbirdTesting
import Logging
import ReferralsService
import Testing

/// A bus whose `referrals.*` requests reach a real referrals service (its dispatcher on a
/// scratch database), as they would through the broker; the rest goes to the fake.
struct ReferralsBus: BusRequester {
    let dispatcher: Dispatcher
    let fake: FakeBus

    func request(_ type: String, body: JSONValue, id: String, timeout: Duration) async throws(HubError) -> JSONValue {
        guard type.hasPrefix("referrals.") else { return try await fake.request(type, body: body, id: id, timeout: timeout) }
        let (reply, _) = await dispatcher.handle(ServiceRequest(envelope: Envelope(id: id, type: type, body: body), principal: .gateway))
        if let error = reply.error { throw error }
        return reply.body
    }

    func brokerStatus(timeout: Duration) async throws(HubError) -> BrokerStatus { try await fake.brokerStatus(timeout: timeout) }
}

@Suite("Gateway: earlier years' statistics through the API")
struct StatisticsImportAPITests {
    static let figures = """
        centre;year;table;key;count
        sodra-alvsborg;2021;category;subjected-to-violence;182
        sodra-alvsborg;2021;category;child-witness;40
        sodra-alvsborg;2021;agency;police;120
        sodra-alvsborg;2021;municipality;Borås;150
        sodra-alvsborg;2022;category;subjected-to-violence;201
        sodra-alvsborg;2022;category;child-witness;47
        sodra-alvsborg;2022;agency;police;131
        sodra-alvsborg;2022;municipality;Borås;170

        """

    @Test func anAdminImports2021And2022ForSodraAlvsborgAndThe2022StatisticsCompareBothYears() async throws {
        let logger = Logger(label: "test")
        let scratch = ScratchDatabase(.sqlite, name: "referrals-gw")
        let serviceDB = try await scratch.open(logger: logger)
        let definition = try ReferralsService.definition(configDir: TestPaths.configDir, keys: DataKeyRing(file: DataKeyRing.generateFile()))
        let dispatcher = Dispatcher(definition: definition, database: serviceDB, configDir: TestPaths.configDir, logger: logger)
        try await dispatcher.prepare()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gw-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let db = try await Databases.open(.sqlite(path: dir + "/gateway.sqlite"), logger: logger)
        try await db.migrate(UserStore.migrations)
        let users = UserStore(database: db, bcryptCost: 4)
        try await users.create(username: "admin", password: Harness.adminPassword, role: "admin")
        try await users.create(username: "staff", password: Harness.adminPassword, role: "staff", centre: "sodra-alvsborg")
        let server = GatewayServer(configuration: HubConfiguration(), bus: ReferralsBus(dispatcher: dispatcher, fake: FakeBus()), database: db,
                                   logger: logger, bcryptCost: 4)
        let app = try await server.buildApplication()
        try await app.test(.router) { client in
            let admin = try await client.token()
            func post(_ uri: String, token: String, csv: String) async throws -> TestResponse {
                var h = HTTPFields()
                h[.authorization] = "Bearer \(token)"
                h[.contentType] = "text/csv"
                return try await client.execute(uri: uri, method: .post, headers: h, body: ByteBuffer(string: csv))
            }
            // A bad row: refused with line and field, nothing stored.
            let bad = try await post("/api/v1/statistics/import", token: admin, csv: Self.figures.replacingOccurrences(of: ";131", with: ";many"))
            #expect(bad.status == .unprocessableContent)
            #expect(bad.json?["error"]?["field"] == "csv:8:count")
            let staff = try await client.token(username: "staff")
            #expect(try await post("/api/v1/statistics/import", token: staff, csv: Self.figures).status == .forbidden)

            let imported = try await post("/api/v1/statistics/import", token: admin, csv: Self.figures)
            #expect(imported.status == .created)
            #expect(imported.json?["rows"] == 8)

            // JSON: both years and the differences, marked imported.
            let json = try await client.json("/api/v1/statistics?centre=sodra-alvsborg&year=2022", token: admin)
            #expect(json.status == .ok)
            let s = try #require(json.json)
            #expect(s["imported"] == ["year": true, "previous": true])
            let victims = s["uniqueClients"]?["rows"]?.arrayValue?.first { $0["category"] == "subjected-to-violence" }
            #expect(victims?["year"] == 201 && victims?["previous"] == 182 && victims?["difference"] == 19)
            #expect(s["uniqueClients"]?["total"] == ["year": 248, "previous": 222, "difference": 26])

            // CSV: Swedish names, years as headers, totals.
            let csv = try await client.json("/api/v1/statistics?centre=sodra-alvsborg&year=2022&format=csv", token: admin)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.headers[.contentDisposition]?.contains("statistik-sodra-alvsborg-2022.csv") == true)
            #expect(csv.text.hasPrefix("\u{FEFF}Tabell;Rad;2022;2021;Skillnad\r\n"))
            #expect(csv.text.contains("Unika klienter per målgrupp;Utsatt för våld;201;182;19\r\n"))
            #expect(csv.text.contains("Unika klienter per målgrupp;Summa;248;222;26\r\n"))
            #expect(csv.text.contains("Källa;Siffrornas ursprung;Importerade;Importerade;"))

            // The page: both years' columns, the differences and the note that they are imported.
            var b = Browser(client: client)
            try await b.login()
            let page = try await b.get("/statistik?centre=sodra-alvsborg&year=2022")
            #expect(page.status == .ok)
            #expect(page.text.contains("<th scope=\"col\">2022</th><th scope=\"col\">2021</th>"))
            #expect(page.text.contains("<td>201</td><td>182</td><td>19</td>"))
            #expect(page.text.contains("Siffrorna för 2022, 2021 är importerade från tidigare statistik."))
            let pageCSV = try await b.get("/statistik.csv?centre=sodra-alvsborg&year=2022")
            #expect(pageCSV.text == csv.text)
            #expect(try await client.execute(uri: "/openapi.yaml", method: .get).text.contains("/api/v1/statistics/import:"))
        }
        await db.close()
        try? FileManager.default.removeItem(atPath: dir)
        await serviceDB.close()
        await scratch.remove()
    }
}
