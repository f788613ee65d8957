import HubProtocol
import Testing

/// The one CSV writer: Swedish Excel reads it, and no cell runs as a formula.
@Suite("CSV text")
struct CSVTextTests {
    @Test func aDocumentHasTheByteOrderMarkSemicolonsAndCRLF() {
        let text = CSVText.document(header: ["Namn", "Antal"], rows: [[CSVText.cell("Åsa Öberg"), CSVText.number(-3)]])
        #expect(text == "\u{FEFF}Namn;Antal\r\nÅsa Öberg;-3\r\n")
    }

    @Test(arguments: ["=1+1", "+46 70", "-x", "@SUM(A1)", "\tx", "\rx"])
    func textThatWouldRunAsAFormulaIsGuarded(_ value: String) {
        #expect(CSVText.cell(value).hasPrefix("'") || CSVText.cell(value).hasPrefix("\"'"))
    }

    @Test func separatorsQuotesAndLineBreaksAreQuoted() {
        #expect(CSVText.cell("a;b") == "\"a;b\"")
        #expect(CSVText.cell("sa \"hej\"") == "\"sa \"\"hej\"\"\"")
        #expect(CSVText.cell("rad 1\nrad 2") == "\"rad 1\nrad 2\"")
        #expect(CSVText.cell("1,5") == "1,5", "the comma is the Swedish decimal sign, not a separator")
    }
}

/// Times on pages and in files are Stockholm's, summer time included.
@Suite("Local time")
struct LocalTimeTests {
    @Test func utcTimestampsAreShownInStockholm() {
        #expect(LocalTime.dateTime("2026-12-04T19:23:44.740Z") == "2026-12-04 20:23", "winter: UTC+1")
        #expect(LocalTime.dateTime("2026-07-01T10:00:00Z") == "2026-07-01 12:00", "summer: UTC+2")
        #expect(LocalTime.date("2026-12-31T23:30:00.000Z") == "2027-01-01", "the Stockholm date, not the UTC one")
        #expect(LocalTime.date("2026-05-12") == "2026-05-12" && LocalTime.dateTime("2026-05-12") == "2026-05-12", "plain dates stay")
    }
}
