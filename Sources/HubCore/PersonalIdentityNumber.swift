import Foundation
import HubProtocol

/// A Swedish personal identity number ("personnummer") or coordination number
/// ("samordningsnummer", day + 60), checked with the Luhn digit.
///
/// Accepts `YYMMDD-NNNC`, `YYMMDD+NNNC` (the `+` from the year a person turns 100),
/// `YYMMDDNNNC`, `YYYYMMDD-NNNC` and `YYYYMMDDNNNC`. Errors never repeat the input:
/// it is personal data. `description` is redacted for the same reason.
public struct PersonalIdentityNumber: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case personnummer
        case samordningsnummer
    }

    public let kind: Kind
    /// Twelve digits, `YYYYMMDDNNNC`.
    public let normalized: String

    public init(_ text: String) throws(HubError) {
        try self.init(text, today: Date())
    }

    /// - Parameter today: the date a ten-digit number's century is resolved against.
    public init(_ text: String, today: Date) throws(HubError) {
        let s = text.trimmingCharacters(in: .whitespaces)
        var digits: [UInt8] = []
        var separator: Character?
        for (i, c) in s.enumerated() {
            if let d = c.wholeNumberValue, c.isASCII {
                digits.append(UInt8(d))
            } else if (c == "-" || c == "+"), separator == nil, i == s.count - 5 {
                separator = c
            } else {
                throw HubError(.validation, "An identity number has only digits and one '-' or '+' before the last four digits.")
            }
        }
        guard digits.count == 10 || digits.count == 12 else {
            throw HubError(.validation, "An identity number has 10 or 12 digits (YYMMDD-NNNC or YYYYMMDD-NNNC).")
        }
        let ten = Array(digits.suffix(10))
        // Luhn over the first nine digits of the ten-digit form, weights 2,1,2,1…
        var sum = 0
        for (i, d) in ten.prefix(9).enumerated() {
            let p = Int(d) * (i % 2 == 0 ? 2 : 1)
            sum += p > 9 ? p - 9 : p
        }
        guard (10 - sum % 10) % 10 == Int(ten[9]) else {
            throw HubError(.validation, "The identity number's check digit is wrong.")
        }
        let yy = Int(ten[0]) * 10 + Int(ten[1])
        let month = Int(ten[2]) * 10 + Int(ten[3])
        var day = Int(ten[4]) * 10 + Int(ten[5])
        let kind: Kind
        if day > 60 { kind = .samordningsnummer; day -= 60 } else { kind = .personnummer }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Stockholm") ?? .gmt
        let now = calendar.dateComponents([.year, .month, .day], from: today)
        let year: Int
        if digits.count == 12 {
            year = Int(digits[0]) * 1000 + Int(digits[1]) * 100 + yy
            if separator == "+" { throw HubError(.validation, "A twelve-digit identity number is written with '-' or nothing.") }
        } else {
            let currentYear = now.year ?? 2026
            var y = currentYear - (currentYear - yy + 100) % 100 // latest year ≤ now ending in yy
            if separator == "+" { y -= 100 }
            year = y
        }
        guard (1...12).contains(month), day >= 1,
              let date = calendar.date(from: DateComponents(year: year, month: month, day: day)),
              calendar.component(.day, from: date) == day, calendar.component(.month, from: date) == month else {
            throw HubError(.validation, "The identity number's date is not a real date.")
        }
        if digits.count == 10, separator != "+", date > today {
            throw HubError(.validation, "The identity number's date lies in the future.")
        }
        self.kind = kind
        self.normalized = String(format: "%04d", year) + ten.dropFirst(2).map(String.init).joined()
    }

    /// `YYYYMMDD-NNNC`, the form the hub's messages carry.
    public var hyphenated: String {
        String(normalized.prefix(8)) + "-" + String(normalized.suffix(4))
    }

    public var description: String { "PersonalIdentityNumber(\(kind.rawValue), redacted)" }
}
