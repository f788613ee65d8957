import Foundation

/// iCalendar (RFC 5545) text for invitations and their cancellations.
///
/// Network days, trainings and meetings all go out as calendar invitations that an
/// agency's own mail and calendar systems can read, so the text follows the RFC
/// strictly: CRLF line ends, lines folded at 75 octets (never inside a UTF-8
/// sequence), TEXT values escaped, local times with `TZID=Europe/Stockholm` and the
/// matching `VTIMEZONE`. Updates of an event keep its `UID` and raise `SEQUENCE`.
public enum ICalendar {
    /// The iTIP method (RFC 5546) of the calendar object.
    public enum Method: String, Sendable {
        /// A new or changed invitation.
        case request = "REQUEST"
        /// The event is called off.
        case cancel = "CANCEL"
        /// Information only, no reply expected.
        case publish = "PUBLISH"
    }

    /// The time zone every local time is written in.
    public static let timeZoneID = "Europe/Stockholm"

    /// An organiser or attendee.
    public struct Person: Sendable, Equatable {
        public var email: String
        public var name: String?
        /// `REQ-PARTICIPANT`, `OPT-PARTICIPANT`, `CHAIR`, … (ATTENDEE only).
        public var role: String?
        /// Whether a reply is asked for (ATTENDEE only).
        public var rsvp: Bool
        public init(email: String, name: String? = nil, role: String? = nil, rsvp: Bool = false) {
            self.email = email; self.name = name; self.role = role; self.rsvp = rsvp
        }
    }

    /// A wall-clock time in Europe/Stockholm: date `YYYY-MM-DD` and time `HH:MM`.
    public struct LocalTime: Sendable, Equatable {
        public var date: String
        public var time: String
        public init(date: String, time: String) { self.date = date; self.time = time }

        /// `YYYYMMDDTHHMMSS`, or nil when the date or time is not valid.
        public var basicFormat: String? {
            let d = date.split(separator: "-"), t = time.split(separator: ":")
            guard date.count == 10, d.count == 3, t.count == 2, time.count == 5,
                  let h = Int(t[0]), let m = Int(t[1]), (0...23).contains(h), (0...59).contains(m),
                  d.allSatisfy({ $0.allSatisfy(\.isNumber) }) else { return nil }
            return "\(d[0])\(d[1])\(d[2])T\(t[0])\(t[1])00"
        }
    }

    /// One VEVENT.
    public struct Event: Sendable, Equatable {
        /// Stable across updates and the cancellation (e.g. `<id>@utvag-hub`).
        public var uid: String
        /// Raised by one on every change that people should see.
        public var sequence: Int
        public var start: LocalTime
        public var end: LocalTime
        public var summary: String
        public var description: String?
        public var location: String?
        public var url: String?
        public var organizer: Person?
        public var attendees: [Person]
        /// When this version was made (DTSTAMP, written in UTC).
        public var stamp: Date
        public init(uid: String, sequence: Int = 0, start: LocalTime, end: LocalTime, summary: String,
                    description: String? = nil, location: String? = nil, url: String? = nil,
                    organizer: Person? = nil, attendees: [Person] = [], stamp: Date = Date()) {
            self.uid = uid; self.sequence = sequence; self.start = start; self.end = end; self.summary = summary
            self.description = description; self.location = location; self.url = url
            self.organizer = organizer; self.attendees = attendees; self.stamp = stamp
        }
    }

    /// The whole `text/calendar` object. With `.cancel`, each event gets `STATUS:CANCELLED`.
    public static func render(_ events: [Event], method: Method, productID: String = "-//Utväg Hub//Utväg Hub 1.0//SV") -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:\(escape(productID))", "CALSCALE:GREGORIAN", "METHOD:\(method.rawValue)"]
        lines += vtimezone
        for event in events {
            lines.append("BEGIN:VEVENT")
            lines.append("UID:\(escape(event.uid))")
            lines.append("SEQUENCE:\(event.sequence)")
            lines.append("DTSTAMP:\(utc(event.stamp))")
            if let start = event.start.basicFormat { lines.append("DTSTART;TZID=\(timeZoneID):\(start)") }
            if let end = event.end.basicFormat { lines.append("DTEND;TZID=\(timeZoneID):\(end)") }
            lines.append("SUMMARY:\(escape(event.summary))")
            if let d = event.description, !d.isEmpty { lines.append("DESCRIPTION:\(escape(d))") }
            if let l = event.location, !l.isEmpty { lines.append("LOCATION:\(escape(l))") }
            if let u = event.url, !u.isEmpty { lines.append("URL:\(u)") }
            if let o = event.organizer {
                lines.append("ORGANIZER\(o.name.map { ";CN=\(parameter($0))" } ?? ""):mailto:\(o.email)")
            }
            for a in event.attendees {
                var p = ""
                if let n = a.name { p += ";CN=\(parameter(n))" }
                p += ";ROLE=\(a.role ?? "REQ-PARTICIPANT")"
                p += ";PARTSTAT=NEEDS-ACTION"
                if a.rsvp { p += ";RSVP=TRUE" }
                lines.append("ATTENDEE\(p):mailto:\(a.email)")
            }
            lines.append("STATUS:\(method == .cancel ? "CANCELLED" : "CONFIRMED")")
            lines.append("TRANSP:OPAQUE")
            lines.append("END:VEVENT")
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// Europe/Stockholm: CET in winter, CEST from the last Sunday of March to the last Sunday of October.
    static let vtimezone = [
        "BEGIN:VTIMEZONE", "TZID:\(timeZoneID)",
        "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST",
        "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
        "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET",
        "DTSTART:19701025T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
        "END:VTIMEZONE",
    ]

    /// Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma, newline.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var previousCR = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\r": out += "\\n"
            case "\n": if !previousCR { out += "\\n" }
            default:
                // Other control characters are not allowed in TEXT.
                if scalar.value < 0x20 || scalar.value == 0x7f { out += " " } else { out.unicodeScalars.append(scalar) }
            }
            previousCR = scalar == "\r"
        }
        return out
    }

    /// A parameter value (CN): quoted, with quotes and control characters removed.
    static func parameter(_ value: String) -> String {
        "\"" + String(value.unicodeScalars.filter { $0 != "\"" && $0.value >= 0x20 && $0.value != 0x7f }.map(Character.init)) + "\""
    }

    /// Folds a content line to at most 75 octets per physical line; continuation lines
    /// start with one space (which counts towards their 75). Never splits a UTF-8 sequence.
    public static func fold(_ line: String) -> String {
        guard line.utf8.count > 75 else { return line }
        var result = "", current = 0, limit = 75
        for character in line.unicodeScalars {
            let size = String(character).utf8.count
            if current + size > limit {
                result += "\r\n "
                current = 1
                limit = 75
            }
            result.unicodeScalars.append(character)
            current += size
        }
        return result
    }

    static func utc(_ date: Date) -> String { UTCFields(date).compact }
}
