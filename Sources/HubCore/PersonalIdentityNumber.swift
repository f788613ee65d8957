import Foundation
import HubProtocol

/// A Swedish personal identity number ("personnummer") or coordination number
/// ("samordningsnummer", day + 60), validated: a real date and a Luhn check digit.
///
/// Accepts `YYMMDD-NNNC`, `YYMMDD+NNNC` (aged 100 or more), `YYMMDDNNNC`, `YYYYMMDDNNNC`
/// and `YYYYMMDD-NNNC`. The number itself never appears in an error message.
public struct PersonalIdentityNumber: Sendable, Hashable {
    /// Which kind of number it is.
    public enum Kind: String, Sendable, Codable {
        case personnummer, samordningsnummer
    }

    public let kind: Kind
    /// Twelve digits, `YYYYMMDDNNNC` (for a samordningsnummer the day keeps its +60).
    public let normalized: String
    /// The year of birth.
    public let birthYear: Int
    public let birthMonth: Int
    public let birthDay: Int

    /// Parses and validates `text`; `today` decides the century of a 10-digit form.
    public init(_ text: String, field: String = "identityNumber", today: Date = Date()) throws(HubError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var digits = ""
        var separator: Character? = nil
        for ch in trimmed {
            if ch.isASCII, ch.isNumber { digits.append(ch) }
            else if (ch == "-" || ch == "+"), separator == nil, digits.count == 6 || digits.count == 8 { separator = ch }
            else { throw HubError(.validation, "An identity number has only digits and one '-' or '+' (YYYYMMDD-NNNC).", field: field, reason: .identityFormat) }
        }
        guard digits.count == 10 || digits.count == 12 else {
            throw HubError(.validation, "An identity number has 10 or 12 digits (YYMMDD-NNNC or YYYYMMDDNNNC).", field: field, reason: .identityFormat)
        }
        let calendar = Calendar(identifier: .gregorian)
        let now = calendar.dateComponents(in: TimeZone(identifier: "Europe/Stockholm")!, from: today)
        let currentYear = now.year ?? 2026
        var year: Int
        let rest: Substring
        if digits.count == 12 {
            year = Int(digits.prefix(4))!
            rest = digits.dropFirst(4)
            if separator == "+" { throw HubError(.validation, "'+' is only used in the 10-digit form.", field: field, reason: .identityFormat) }
        } else {
            let yy = Int(digits.prefix(2))!
            rest = digits.dropFirst(2)
            // The century: the latest year ending in yy that is not in the future; '+' means 100 years earlier.
            year = (currentYear / 100) * 100 + yy
            if year > currentYear { year -= 100 }
            if separator == "+" { year -= 100 }
        }
        let month = Int(rest.prefix(2))!
        var day = Int(rest.dropFirst(2).prefix(2))!
        var kind = Kind.personnummer
        if day > 60 { day -= 60; kind = .samordningsnummer }
        guard (1...12).contains(month), day >= 1,
              LocalTime.isDate(UTCFields.pad(year, 4) + "-" + UTCFields.pad(month, 2) + "-" + UTCFields.pad(day, 2)) else {
            throw HubError(.validation, "The identity number's date does not exist.", field: field, reason: .notADate)
        }
        guard year <= currentYear, year >= currentYear - 130 else {
            throw HubError(.validation, "The identity number's year of birth is not possible.", field: field, reason: .notADate)
        }
        let ten = Array(digits.suffix(10))
        guard Self.luhnCheckDigit(ten.prefix(9).map { Int(String($0))! }) == Int(String(ten[9]))! else {
            throw HubError(.validation, "The identity number's check digit is wrong.", field: field, reason: .checkDigit)
        }
        self.kind = kind
        self.birthYear = year
        self.birthMonth = month
        self.birthDay = day
        self.normalized = UTCFields.pad(year, 4) + String(ten.dropFirst(2))
    }

    /// The Luhn check digit over nine digits with weights 2, 1, 2, 1, …
    public static func luhnCheckDigit(_ nine: [Int]) -> Int {
        var sum = 0
        for (i, d) in nine.enumerated() {
            let p = d * (i % 2 == 0 ? 2 : 1)
            sum += p / 10 + p % 10
        }
        return (10 - sum % 10) % 10
    }

    /// Age in whole years on `date`.
    public func age(on date: Date = Date()) -> Int {
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "Europe/Stockholm")!, from: date)
        var age = (c.year ?? birthYear) - birthYear
        if (c.month ?? 1, c.day ?? 1) < (birthMonth, birthDay) { age -= 1 }
        return age
    }

    /// `YYYYMMDD-NNNC`, for display to those allowed to see it.
    public var formatted: String { String(normalized.prefix(8)) + "-" + String(normalized.suffix(4)) }
}
