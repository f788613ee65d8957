import Foundation
import HubCore
import HubProtocol
import Testing

@Suite("Swedish identity numbers")
struct PersonalIdentityNumberTests {
    let today = Date(timeIntervalSince1970: 1_795_000_000) // 2026-11

    @Test("The checked vectors from RELIABILITY.md", arguments: ["640823-3234", "196408233234", "19640823-3234", "6408233234"])
    func validPersonnummer(_ text: String) throws {
        let n = try PersonalIdentityNumber(text, today: today)
        #expect(n.kind == .personnummer)
        #expect(n.normalized == "196408233234")
        #expect(n.formatted == "19640823-3234")
    }

    @Test func wrongCheckDigitIsRefusedNamingTheField() {
        #expect(throws: HubError(.validation, "The identity number's check digit is wrong.", field: "body.client.identityNumber", reason: .checkDigit)) {
            try PersonalIdentityNumber("640823-3235", field: "body.client.identityNumber", today: today)
        }
    }

    @Test func samordningsnummerAddsSixtyToTheDay() throws {
        let n = try PersonalIdentityNumber("701063-2391", today: today)
        #expect(n.kind == .samordningsnummer)
        #expect(n.birthDay == 3)
    }

    @Test("Impossible dates are refused", arguments: ["640230-1234", "641323-1234", "19640000-1234", "20991231-1234"])
    func impossibleDate(_ text: String) {
        #expect(throws: HubError.self) { try PersonalIdentityNumber(text, today: today) }
    }

    @Test func plusMeansAHundredYearsOrMore() throws {
        let minus = try PersonalIdentityNumber("261010-1236", today: today)
        let plus = try PersonalIdentityNumber("261010+1236", today: today)
        #expect(minus.birthYear == 2026)
        #expect(plus.birthYear == 1926)
        #expect(plus.normalized == "192610101236")
    }

    @Test("Malformed text is refused without echoing it", arguments: ["", "abc", "6408233-234", "64-08-23-3234", "1234567890123"])
    func malformed(_ text: String) {
        do {
            _ = try PersonalIdentityNumber(text, today: today)
            Issue.record("accepted \(text.count) characters")
        } catch {
            #expect(!error.message.contains("640823"))
            #expect(error.code == .validation)
        }
    }

    @Test func luhnOverNineDigits() {
        #expect(PersonalIdentityNumber.luhnCheckDigit([6, 4, 0, 8, 2, 3, 3, 2, 3]) == 4)
    }
}
