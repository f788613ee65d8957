import Foundation

/// Times as people in the hub read them: in Europe/Stockholm (summer time included),
/// never UTC. The wire and the databases keep UTC (`Timestamp`); pages, CSV files and
/// mails show `LocalTime`.
public enum LocalTime {
    public static let zone = TimeZone(identifier: "Europe/Stockholm") ?? TimeZone(secondsFromGMT: 3600)!

    static let calendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = zone
        return c
    }()

    /// A real calendar date in YYYY-MM-DD (years 1900–2200): `2028-02-29` is one,
    /// `2025-02-29` and `2026-13-01` are not.
    public static func isDate(_ s: String) -> Bool {
        let p = s.split(separator: "-")
        guard s.count == 10, p.count == 3, let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]), (1900...2200).contains(y), (1...12).contains(m) else { return false }
        let days = [31, (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return (1...days[m - 1]).contains(d)
    }

    /// `2026-12-04T19:24:44.740Z` → `2026-12-04 20:24`; text that is not a UTC timestamp
    /// (a plain date, say) is given back as it is.
    public static func dateTime(_ iso: String) -> String {
        dateTime(iso, english: false)
    }

    /// As `dateTime(_:)`, in the reader's language: Swedish pages, CSV files and mails write
    /// `2026-12-04 20:24` (the Swedish standard form); English pages `4 Dec 2026, 20:24`.
    /// Both are Stockholm time: the reader is in Sweden whatever language they read.
    public static func dateTime(_ iso: String, english: Bool) -> String {
        guard let date = Timestamp.date(from: iso) else { return iso }
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        if english {
            return "\(c.day ?? 0) \(monthsEnglish[((c.month ?? 1) - 1) % 12]) \(c.year ?? 0), \(pad(c.hour)):\(pad(c.minute))"
        }
        return "\(c.year ?? 0)-\(pad(c.month))-\(pad(c.day)) \(pad(c.hour)):\(pad(c.minute))"
    }

    static let monthsEnglish = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The Stockholm date of a UTC timestamp (`2026-12-31T23:30:00Z` → `2027-01-01`); a plain
    /// date is given back as it is.
    public static func date(_ iso: String) -> String {
        guard let date = Timestamp.date(from: iso) else { return String(iso.prefix(10)) }
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return "\(c.year ?? 0)-\(pad(c.month))-\(pad(c.day))"
    }

    /// The year `year` as the UTC timestamps of its first moment and the next year's, in
    /// Stockholm: a referral sent at 00:30 on New Year's Day counts in the new year.
    public static func yearBounds(_ year: Int) -> (from: String, to: String) {
        func start(_ y: Int) -> String {
            let date = calendar.date(from: DateComponents(year: y, month: 1, day: 1)) ?? Date(timeIntervalSince1970: 0)
            return Timestamp.string(from: date)
        }
        return (start(year), start(year + 1))
    }

    /// Today's date in Stockholm (`YYYY-MM-DD`), as pages compare dates with it.
    public static func today(_ now: Date = Date()) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: now)
        return "\(c.year ?? 0)-\(pad(c.month))-\(pad(c.day))"
    }

    /// The UTC timestamp of the first moment of a Stockholm date (`2027-01-01` →
    /// `2026-12-31T23:00:00.000Z`); nil when `date` is not a real `YYYY-MM-DD`.
    public static func startOfDay(_ date: String) -> String? {
        let parts = date.split(separator: "-").compactMap { Int($0) }
        guard date.utf8.count == 10, parts.count == 3,
              let day = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
              calendar.dateComponents([.year, .month, .day], from: day) == DateComponents(year: parts[0], month: parts[1], day: parts[2])
        else { return nil }
        return Timestamp.string(from: day)
    }

    /// The instant of a Stockholm date and time of day (`2026-12-04`, `09:00`), summer time
    /// included; nil when either is not real.
    public static func instant(date: String, time: String) -> Date? {
        let d = date.split(separator: "-").compactMap { Int($0) }, t = time.split(separator: ":").compactMap { Int($0) }
        guard d.count == 3, t.count == 2, (0..<24).contains(t[0]), (0..<60).contains(t[1]) else { return nil }
        return calendar.date(from: DateComponents(year: d[0], month: d[1], day: d[2], hour: t[0], minute: t[1]))
    }

    /// The Stockholm year of an instant.
    public static func year(of date: Date) -> Int { calendar.component(.year, from: date) }

    static func pad(_ n: Int?) -> String { let v = n ?? 0; return v < 10 ? "0\(v)" : String(v) }
}
