// `ImportedMinutes`: what the minutes parser makes of a text (header, attendance, items
// with decisions and action items, upcoming dates, unplaced lines). Data only.

import Foundation
import HubProtocol

/// Minutes as the centres' secretaries have written them (Markdown, plain text, text
/// pasted from a word processor), read into a structure: header, present and regrets,
/// numbered or unnumbered items with their decisions and action items, upcoming dates,
/// who took the minutes, and every line that could not be placed.
public struct ImportedMinutes: Sendable, Equatable {
    /// One person from the attendance lists: "Name, titel Myndighet".
    public struct Person: Sendable, Equatable {
        public var name: String
        public var title: String
        public var agencyLabel: String
        /// An agency id from `config/agencies.json`, `utvag`, or `other`.
        public var agency: String
        public var municipality: String?
    }
    /// An action item written in an item ("Åtgärd: … (ansvarig: …, senast …)").
    public struct Action: Sendable, Equatable {
        public var text: String
        public var owner: String
        public var due: String?
    }
    public struct Item: Sendable, Equatable {
        public var number: Int
        public var title: String
        public var text: String
        public var decisions: String? = nil
        public var actions: [Action] = []
    }
    public struct Upcoming: Sendable, Equatable {
        public var date: String
        public var start: String?
        public var end: String?
    }
    public var centreName: String?
    public var date: String?
    /// The meeting named in the title ("ledningsgruppsmöte" → `management`), when one is.
    public var group: String?
    public var place: String?
    public var start: String?
    public var end: String?
    public var chair: String?
    public var chairTemporary = false
    /// The date of the minutes reviewed in an item ("föregående mötesanteckningar från den 25 februari 2025").
    public var previousMinutesDate: String?
    public var present: [Person] = []
    public var regrets: [Person] = []
    public var items: [Item] = []
    public var upcoming: [Upcoming] = []
    public var upcomingText: [String] = []
    public var secretary: String?
    /// Lines (1-based number, text) that fit nowhere; reported, never dropped silently.
    public var unplaced: [Unplaced] = []
    public struct Unplaced: Sendable, Equatable { public var line: Int; public var text: String }

    public var actionCount: Int { items.reduce(0) { $0 + $1.actions.count } }
}
