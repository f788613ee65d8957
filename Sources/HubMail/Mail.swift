import Foundation
import HubProtocol

/// E-mail messages (RFC 5322 with MIME; an invitation as `text/calendar; method=…`).
public enum Mail {
    /// The hub's one e-mail check (`EmailAddress` in HubProtocol).
    public static func isAddress(_ s: String) -> Bool { EmailAddress.isValid(s) }

    /// A header value as an RFC 2047 encoded word when it is not plain ASCII; CR/LF removed.
    public static func header(_ value: String) -> String {
        let clean = value.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if clean.unicodeScalars.allSatisfy({ $0.isASCII }) { return clean }
        return "=?UTF-8?B?\(Data(clean.utf8).base64EncodedString())?="
    }

    public static func base64Lines(_ text: String) -> String {
        let b = Data(text.utf8).base64EncodedString()
        return stride(from: 0, to: b.count, by: 76).map { i in
            let s = b.index(b.startIndex, offsetBy: i), e = b.index(s, offsetBy: min(76, b.count - i))
            return String(b[s..<e])
        }.joined(separator: "\r\n")
    }

    public static func compose(from: String, to: String, subject: String, body: String, calendar: String?, method: String?, date: Date, messageID: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        var h = "From: \(header(from))\r\nTo: \(header(to))\r\nSubject: \(header(subject))\r\nDate: \(formatter.string(from: date))\r\n"
        h += "Message-ID: <\(messageID)>\r\nMIME-Version: 1.0\r\n"
        let text = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n\(base64Lines(body))\r\n"
        guard let calendar else { return h + text }
        let boundary = "=_utvag_hub_\(messageID.prefix(8))"
        return h + "Content-Type: multipart/alternative; boundary=\"\(boundary)\"\r\n\r\n"
            + "--\(boundary)\r\n\(text)"
            + "--\(boundary)\r\nContent-Type: text/calendar; charset=utf-8; method=\(method ?? "REQUEST")\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + base64Lines(calendar) + "\r\n--\(boundary)--\r\n"
    }
}
