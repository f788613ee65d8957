import Foundation
import HubProtocol
import Testing

/// The hand-written hex and timestamp forms must give exactly what Foundation's formatters
/// gave: stored timestamps are compared as text, and hashes are looked up as text.
@Suite("Hex and UTC timestamps written by hand")
struct TextFormsTests {
    static let isoStyle = Date.ISO8601FormatStyle.iso8601.year().month().day().dateSeparator(.dash)
        .time(includingFractionalSeconds: true).timeSeparator(.colon).timeZone(separator: .omitted)

    @Test func hexIsLowerCaseTwoDigitsPerByteAsFormatGave() {
        #expect(Hex.encode([UInt8]()) == "")
        #expect(Hex.encode([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(Hex.encode(bytes) == bytes.map { String(format: "%02x", $0) }.joined())
        }
        #expect(Hex.encode(Array("hub".utf8).prefix(2)) == "6875", "any sequence of bytes")
    }

    @Test func timestampsMatchFoundationsISO8601StyleToTheMillisecond() {
        var rng = SystemRandomNumberGenerator()
        var dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 951_782_400), // 2000-02-29
                     Date(timeIntervalSince1970: 4_102_444_799.999), Date(timeIntervalSince1970: 1_795_449_599.9995),
                     Date(timeIntervalSince1970: -1)]
        for _ in 0..<50_000 { dates.append(Date(timeIntervalSince1970: Double.random(in: 0...4_200_000_000, using: &rng))) }
        for date in dates {
            #expect(Timestamp.string(from: date) == date.formatted(Self.isoStyle), "\(date.timeIntervalSince1970)")
        }
    }

    @Test func dayAndICalendarFormsMatchTheCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let date = Date(timeIntervalSince1970: Double.random(in: -2_000_000_000...4_200_000_000, using: &rng))
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let f = UTCFields(date)
            let mine: [Int] = [f.year, f.month, f.day, f.hour, f.minute, f.second]
            let theirs: [Int] = [c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!]
            #expect(mine == theirs)
            #expect(f.isoSeconds == String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!))
            #expect(f.compact == String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!))
        }
        #expect(UTCFields.pad(7, 3) == "007" && UTCFields.pad(12345, 4) == "12345" && UTCFields.pad(-5, 2) == "-05")
    }
}
