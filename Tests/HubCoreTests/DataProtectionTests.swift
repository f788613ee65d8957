import Foundation
import HubCore
import HubProtocol
import Testing

@Suite("Personal data sealed at rest")
struct DataProtectionTests {
    @Test func sealedDataOpensOnlyInItsOwnContext() throws {
        let p = DataProtector(ring: try DataKeyRing(file: DataKeyRing.generateFile()))
        let sealed = try p.seal(Array("Anna Andersson".utf8), context: "referral:1")
        #expect(!String(decoding: sealed, as: UTF8.self).contains("Anna"))
        #expect(try p.open(sealed, context: "referral:1") == Array("Anna Andersson".utf8))
        #expect(throws: HubError.self) { try p.open(sealed, context: "referral:2") }
    }

    @Test func rotationKeepsOldDataReadableAndSealsWithTheNewKey() throws {
        let first = DataKeyRing.generateFile()
        let old = DataProtector(ring: try DataKeyRing(file: first))
        let sealed = try old.seal([1, 2, 3], context: "x")
        let rotated = DataKeyRing.rotated(first)
        let new = DataProtector(ring: try DataKeyRing(file: rotated))
        #expect(rotated.current == "k2")
        #expect(try new.open(sealed, context: "x") == [1, 2, 3])
        #expect(DataProtector.keyID(of: try new.seal([1], context: "x")) == "k2")
        // The blind index does not change with rotation: the same person stays linked.
        #expect(old.blindIndex("196408233234", purpose: "person") == new.blindIndex("196408233234", purpose: "person"))
    }

    @Test func aBadKeyFileNamesTheField() {
        var f = DataKeyRing.generateFile()
        f.keys[0].key = "c2hvcnQ="
        #expect(throws: HubError(.validation, "A data key must be 32 bytes in base64.", field: "data-keys.json:keys[0].key")) {
            try DataKeyRing(file: f)
        }
    }

    @Test func keysComeFromTheEnvironmentWhenSet() throws {
        let f = DataKeyRing.generateFile()
        let json = String(decoding: try JSONEncoder().encode(f), as: UTF8.self)
        let ring = try DataKeyRing.load(keysDirectory: "/nonexistent", environment: ["HUB_DATA_KEYS": json])
        #expect(ring.currentID == "k1")
        #expect(throws: HubError.self) { try DataKeyRing.load(keysDirectory: "/nonexistent", environment: [:]) }
    }
}
