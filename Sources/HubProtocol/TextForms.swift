import Foundation

/// Lower-case hexadecimal text of bytes: hashes of link and API tokens, blind indexes, ids.
///
/// Written out by hand because `String(format: "%02x")` per byte goes through Foundation's
/// CFString formatter: about 6 % of a referral's CPU (its blind index and the bearer token's
/// hash; `perf` on `hub bench referrals`).
public enum Hex {
    static let digits = Array("0123456789abcdef".utf8)

    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A moment's calendar fields in UTC (proleptic Gregorian), with the text forms the hub
/// stores and sends. Computed from the Unix time without `Calendar` or a format style
/// (Howard Hinnant's days-to-civil algorithm): these run for every stored row.
public struct UTCFields: Sendable, Equatable {
    public var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int

    public init(_ date: Date) {
        // Whole seconds and the fraction from the reference-date value that `Date` holds, as
        // Foundation's formatter takes them (multiplying the Unix time by 1000 instead is off
        // by a millisecond about once in 7,000).
        let reference = date.timeIntervalSinceReferenceDate
        let whole = reference.rounded(.down)
        let millis = min(999, Int64(((reference - whole) * 1000).rounded(.down)))
        let unixSeconds = Int64(whole) + 978_307_200
        var days = unixSeconds / 86_400
        var secondsOfDay = unixSeconds % 86_400
        if secondsOfDay < 0 { secondsOfDay += 86_400; days -= 1 }
        let millisOfDay = secondsOfDay * 1000 + millis
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = Int(doy - (153 * mp + 2) / 5 + 1)
        month = Int(mp < 10 ? mp + 3 : mp - 9)
        year = Int(yoe + era * 400 + (month <= 2 ? 1 : 0))
        hour = Int(millisOfDay / 3_600_000)
        minute = Int(millisOfDay / 60_000 % 60)
        second = Int(millisOfDay / 1000 % 60)
        millisecond = Int(millisOfDay % 1000)
    }

    /// `2026-05-12`
    public var isoDate: String { Self.pad(year, 4) + "-" + Self.pad(month, 2) + "-" + Self.pad(day, 2) }
    /// `2026-05-12T07:00:00Z`
    public var isoSeconds: String { isoDate + "T" + Self.pad(hour, 2) + ":" + Self.pad(minute, 2) + ":" + Self.pad(second, 2) + "Z" }
    /// `2026-05-12T07:00:00.250Z` (the hub's timestamps)
    public var isoMilliseconds: String {
        isoDate + "T" + Self.pad(hour, 2) + ":" + Self.pad(minute, 2) + ":" + Self.pad(second, 2) + "." + Self.pad(millisecond, 3) + "Z"
    }
    /// `20260512T070000Z` (iCalendar's UTC form)
    public var compact: String {
        Self.pad(year, 4) + Self.pad(month, 2) + Self.pad(day, 2) + "T" + Self.pad(hour, 2) + Self.pad(minute, 2) + Self.pad(second, 2) + "Z"
    }

    /// `n` in decimal with leading zeros to `width` digits (a minus sign first when negative).
    public static func pad(_ n: Int, _ width: Int) -> String {
        let digits = String(n.magnitude)
        let zeros = String(repeating: "0", count: max(0, width - digits.count))
        return (n < 0 ? "-" : "") + zeros + digits
    }
}
