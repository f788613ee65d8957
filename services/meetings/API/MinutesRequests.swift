import HubProtocol

// MARK: Minutes: items, action items, links, attachments

/// `meetings.minutes.item.set`: an item's minutes text and decisions (null clears them), title
/// or confidentiality; refused once the minutes are approved (`minutes_locked`).
public struct MinutesItemSet: ContractRequest, Equatable {
    public static let type = "meetings.minutes.item.set"
    /// The item as stored after the change.
    public typealias Reply = AgendaItem
    public var meetingId: String
    public var itemId: String
    public var text: String?
    public var decisions: String?
    public var title: String?
    public var confidential: Bool?
    public enum CodingKeys: String, CodingKey, CaseIterable { case meetingId, itemId, text, decisions, title, confidential }
    public init(meetingId: String, itemId: String, text: String? = nil, decisions: String? = nil, title: String? = nil, confidential: Bool? = nil) {
        self.meetingId = meetingId; self.itemId = itemId; self.text = text; self.decisions = decisions; self.title = title; self.confidential = confidential
    }
}

/// `meetings.minutes.actions.add`: an action item, under an agenda item or the meeting.
public struct ActionAdd: ContractRequest, Equatable {
    public static let type = "meetings.minutes.actions.add"
    public typealias Reply = ActionItem
    public var meetingId: String
    public var itemId: String?
    public var text: String
    public var owner: String
    /// A partner agency's id, or `utvag`.
    public var agency: String?
    public var due: String?
    public enum CodingKeys: String, CodingKey, CaseIterable { case meetingId, itemId, text, owner, agency, due }
    public init(meetingId: String, itemId: String? = nil, text: String, owner: String, agency: String? = nil, due: String? = nil) {
        self.meetingId = meetingId; self.itemId = itemId; self.text = text; self.owner = owner; self.agency = agency; self.due = due
    }
}

/// `meetings.minutes.actions.update`: an action item open or done (an `ActionStatus` code), marked
/// at any later meeting of the centre whose minutes are still editable.
public struct ActionUpdate: ContractRequest, Equatable {
    public static let type = "meetings.minutes.actions.update"
    public typealias Reply = ActionItem
    public var meetingId: String
    public var actionId: String
    public var status: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case meetingId, actionId, status }
    public init(meetingId: String, actionId: String, status: String) { self.meetingId = meetingId; self.actionId = actionId; self.status = status }
}

/// `meetings.actions.open`: the open action items that wait for the caller (the start page): the
/// centre's for its staff and board, an agency's own for an agency; at most 50.
public struct ActionsOpen: ContractRequest, Equatable {
    public static let type = "meetings.actions.open"
    public struct Reply: Sendable, Codable, Equatable {
        public var actions: [OpenAction]
        public init(actions: [OpenAction]) { self.actions = actions }
    }
    public var centre: String?
    public enum CodingKeys: String, CodingKey, CaseIterable { case centre }
    public init(centre: String? = nil) { self.centre = centre }
}

/// `meetings.minutes.links.add`: a link (http or https) in the minutes.
public struct LinkAdd: ContractRequest, Equatable {
    public static let type = "meetings.minutes.links.add"
    /// What `url` must be, white space around it aside: an http(s) address with a host name,
    /// an optional port, and a path, query and fragment of the characters RFC 3986 allows
    /// (no quotes, brackets or spaces), so that a meeting service's join link passes. The
    /// service checks it and the OpenAPI document states it, from this one pattern.
    public static let urlPattern = #"https?://[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::[0-9]{1,5})?(?:[/?#][A-Za-z0-9._~:/?#@!$&()*+,;=%-]*)?"#
    public struct Reply: Sendable, Codable, Equatable {
        public var id: String
        public var title: String
        public var url: String
        public init(id: String, title: String, url: String) { self.id = id; self.title = title; self.url = url }
    }
    public var meetingId: String
    public var itemId: String?
    public var title: String
    public var url: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case meetingId, itemId, title, url }
    public init(meetingId: String, itemId: String? = nil, title: String, url: String) {
        self.meetingId = meetingId; self.itemId = itemId; self.title = title; self.url = url
    }
}

/// `meetings.minutes.attachments.add`: a file (base64), stored with its SHA-256; over
/// `attachments.maxBytes` (`tooLarge`) or of a type not configured is refused.
public struct AttachmentAdd: ContractRequest, Equatable {
    public static let type = "meetings.minutes.attachments.add"
    public struct Reply: Sendable, Codable, Equatable {
        public var id: String
        public var filename: String
        public var contentType: String
        public var size: Int
        public var sha256: String
        public init(id: String, filename: String, contentType: String, size: Int, sha256: String) {
            self.id = id; self.filename = filename; self.contentType = contentType; self.size = size; self.sha256 = sha256
        }
    }
    public var meetingId: String
    public var itemId: String?
    public var filename: String
    public var contentType: String
    /// The file, base64.
    public var data: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case meetingId, itemId, filename, contentType, data }
    public init(meetingId: String, itemId: String? = nil, filename: String, contentType: String, data: String) {
        self.meetingId = meetingId; self.itemId = itemId; self.filename = filename; self.contentType = contentType; self.data = data
    }
}

/// `meetings.minutes.attachments.get`: the file (base64) with its checksum, verified.
public struct AttachmentGet: ContractRequest, Equatable {
    public static let type = "meetings.minutes.attachments.get"
    public struct Reply: Sendable, Codable, Equatable {
        public var filename: String
        public var contentType: String
        public var size: Int
        public var sha256: String
        /// The file, base64.
        public var data: String
        public init(filename: String, contentType: String, size: Int, sha256: String, data: String) {
            self.filename = filename; self.contentType = contentType; self.size = size; self.sha256 = sha256; self.data = data
        }
    }
    public var meetingId: String
    public var attachmentId: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case meetingId, attachmentId }
    public init(meetingId: String, attachmentId: String) { self.meetingId = meetingId; self.attachmentId = attachmentId }
}

// MARK: Minutes: life cycle

/// `meetings.minutes.circulate`: a new version of the minutes without the confidential items, with
/// its diff against the version before, to every member; once the meeting has begun
/// (`invalid_transition` with reason `not_started`).
public struct MinutesCirculate: ContractRequest, Equatable {
    public static let type = "meetings.minutes.circulate"
    public struct Reply: Sendable, Codable, Equatable {
        public var meetingId: String
        public var version: Int
        public var sha256: String
        /// Null for the first version.
        @Nullable public var diff: String?
        public var mails: Int
        public var adapters: [String]
        public init(meetingId: String, version: Int, sha256: String, diff: String?, mails: Int, adapters: [String]) {
            self.meetingId = meetingId; self.version = version; self.sha256 = sha256; self.diff = diff; self.mails = mails; self.adapters = adapters
        }
    }
    public var meetingId: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case meetingId }
    public init(meetingId: String) { self.meetingId = meetingId }
}

/// `meetings.minutes.approve`: at this meeting, the previous meeting's circulated, unchanged minutes
/// are approved; the review item records the version (and `note`).
public struct MinutesApprove: ContractRequest, Equatable {
    public static let type = "meetings.minutes.approve"
    public struct Reply: Sendable, Codable, Equatable {
        /// The meeting whose minutes were approved.
        public var meetingId: String
        /// `approved`.
        public var status: String
        public var version: Int
        public var approvedInMeeting: String
        public init(meetingId: String, status: String, version: Int, approvedInMeeting: String) {
            self.meetingId = meetingId; self.status = status; self.version = version; self.approvedInMeeting = approvedInMeeting
        }
    }
    /// The meeting at which they are approved.
    public var meetingId: String
    /// Default: the meeting the review item names.
    public var previousMeetingId: String?
    public var note: String?
    public enum CodingKeys: String, CodingKey, CaseIterable { case meetingId, previousMeetingId, note }
    public init(meetingId: String, previousMeetingId: String? = nil, note: String? = nil) {
        self.meetingId = meetingId; self.previousMeetingId = previousMeetingId; self.note = note
    }
}

/// `meetings.minutes.file`: approved minutes are placed on file ("läggs till handlingarna").
public struct MinutesFile: ContractRequest, Equatable {
    public static let type = "meetings.minutes.file"
    public struct Reply: Sendable, Codable, Equatable {
        public var meetingId: String
        /// `filed`.
        public var status: String
        public init(meetingId: String, status: String) { self.meetingId = meetingId; self.status = status }
    }
    public var meetingId: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case meetingId }
    public init(meetingId: String) { self.meetingId = meetingId }
}

/// `meetings.minutes.versions`: every circulated version with its diff against the one before.
public struct MinutesVersions: ContractRequest, Equatable {
    public static let type = "meetings.minutes.versions"
    public struct Version: Sendable, Codable, Equatable {
        public var version: Int
        public var markdown: String
        public var sha256: String
        @Nullable public var diff: String?
        public var circulatedAt: String
        public init(version: Int, markdown: String, sha256: String, diff: String?, circulatedAt: String) {
            self.version = version; self.markdown = markdown; self.sha256 = sha256; self.diff = diff; self.circulatedAt = circulatedAt
        }
    }
    public struct Reply: Sendable, Codable, Equatable {
        public var meetingId: String
        public var versions: [Version]
        public init(meetingId: String, versions: [Version]) { self.meetingId = meetingId; self.versions = versions }
    }
    public var meetingId: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case meetingId }
    public init(meetingId: String) { self.meetingId = meetingId }
}

// MARK: Export, import, search

/// `meetings.export`: the minutes as a document (an `ExportFormat` code, default markdown).
/// Confidential items only for the centre's staff who ask; other readers get the last circulated version.
public struct MinutesExport: ContractRequest, Equatable {
    public static let type = "meetings.export"
    public struct Reply: Sendable, Codable, Equatable {
        public var format: String
        public var text: String
        public init(format: String, text: String) { self.format = format; self.text = text }
    }
    public var meetingId: String
    public var format: String?
    public var confidential: Bool?
    public enum CodingKeys: String, CodingKey, CaseIterable { case meetingId, format, confidential }
    public init(meetingId: String, format: String? = nil, confidential: Bool? = nil) {
        self.meetingId = meetingId; self.format = format; self.confidential = confidential
    }
}

/// `meetings.import`: earlier minutes (text, as `hub import minutes` reads them) kept as a filed,
/// imported meeting; `dryRun` only reports what was read.
public struct MinutesImport: ContractRequest, Equatable {
    public static let type = "meetings.import"
    public struct Unplaced: Sendable, Codable, Equatable {
        public var line: Int
        public var text: String
        public init(line: Int, text: String) { self.line = line; self.text = text }
    }
    /// What was read (counts, not the text), and the new meeting's id unless a dry run.
    public struct Reply: Sendable, Codable, Equatable {
        public var centre: String
        public var date: String
        public var dryRun: Bool
        public var present: Int
        public var regrets: Int
        public var items: Int
        public var decisions: Int
        public var actionItems: Int
        public var itemTitles: [String]
        public var upcoming: [String]
        @Nullable public var place: String?
        @Nullable public var start: String?
        @Nullable public var end: String?
        @Nullable public var chair: String?
        @Nullable public var secretary: String?
        @Nullable public var previousMinutesDate: String?
        public var unplaced: [Unplaced]
        /// Left out in a dry run.
        public var meetingId: String?
        public init(centre: String, date: String, dryRun: Bool, present: Int, regrets: Int, items: Int, decisions: Int, actionItems: Int,
                    itemTitles: [String], upcoming: [String], place: String?, start: String?, end: String?, chair: String?, secretary: String?,
                    previousMinutesDate: String?, unplaced: [Unplaced], meetingId: String? = nil) {
            self.centre = centre; self.date = date; self.dryRun = dryRun; self.present = present; self.regrets = regrets; self.items = items
            self.decisions = decisions; self.actionItems = actionItems; self.itemTitles = itemTitles; self.upcoming = upcoming
            self.place = place; self.start = start; self.end = end; self.chair = chair; self.secretary = secretary
            self.previousMinutesDate = previousMinutesDate; self.unplaced = unplaced; self.meetingId = meetingId
        }
    }
    public var text: String
    public var dryRun: Bool?
    /// `management` (the only group whose minutes are kept here).
    public var group: String?
    public var centre: String?
    public var date: String?
    public enum CodingKeys: String, CodingKey, CaseIterable { case text, dryRun, group, centre, date }
    public init(text: String, dryRun: Bool? = nil, group: String? = nil, centre: String? = nil, date: String? = nil) {
        self.text = text; self.dryRun = dryRun; self.group = group; self.centre = centre; self.date = date
    }
}

/// `meetings.search`: items matching every word of `q` (by stem, as a word prefix), newest
/// meeting first, each with a short excerpt (the centre's staff and board).
public struct MinutesSearch: ContractRequest, Equatable {
    public static let type = "meetings.search"
    public struct Hit: Sendable, Codable, Equatable {
        public var meetingId: String
        public var itemId: String
        public var date: String
        public var title: String
        /// "Ledningsgruppsmöte Utväg Skaraborg 2024-03-12".
        public var meeting: String
        /// "3. Aktuellt läge på Utväg".
        public var item: String
        public var confidential: Bool
        public var excerpt: String
        public init(meetingId: String, itemId: String, date: String, title: String, meeting: String, item: String, confidential: Bool, excerpt: String) {
            self.meetingId = meetingId; self.itemId = itemId; self.date = date; self.title = title; self.meeting = meeting; self.item = item
            self.confidential = confidential; self.excerpt = excerpt
        }
    }
    public struct Reply: Sendable, Codable, Equatable {
        public var centre: String
        public var hits: [Hit]
        public init(centre: String, hits: [Hit]) { self.centre = centre; self.hits = hits }
    }
    public var centre: String
    public var q: String
    public enum CodingKeys: String, CodingKey, CaseIterable { case centre, q }
    public init(centre: String, q: String) { self.centre = centre; self.q = q }
}
