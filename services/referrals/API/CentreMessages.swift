// The referrals contract's messages about a centre's work: intake and capacity, treatment
// groups, statistics, the audit log and retention.

import HubProtocol

// MARK: Queue, intake and capacity

/// `referrals.intake.set {centre, paused, message?, alternatives?, categories?}`.
public enum SetIntake: ReferralsMessage {
    public static let type = "referrals.intake.set"
    public struct Request: Codable, Sendable, Equatable {
        public var centre: String
        public var paused: Bool
        public var message: String?
        public var alternatives: String?
        /// `ClientCategory` codes; empty or absent: the whole centre.
        public var categories: [ClientCategory]?
        public init(centre: String, paused: Bool, message: String? = nil, alternatives: String? = nil, categories: [ClientCategory]? = nil) {
            self.centre = centre; self.paused = paused; self.message = message; self.alternatives = alternatives; self.categories = categories
        }
    }
    public typealias Reply = JSONValue
}

/// `referrals.capacity {centre?}`: each centre's intake state per category (also published as `capacity.<centre>`).
public enum ReferralCapacity: ReferralsMessage {
    public static let type = "referrals.capacity"
    public struct Request: Codable, Sendable, Equatable {
        public var centre: String?
        public init(centre: String? = nil) { self.centre = centre }
    }
    public struct Category: Codable, Sendable, Equatable {
        public var category: ClientCategory
        public var state: IntakeStateCode
        public var waitBand: WaitBand?
        public var message: String?
        public var alternatives: String?
    }
    public struct Centre: Codable, Sendable, Equatable {
        public var centre: String
        public var centreName: String
        public var at: String
        public var categories: [Category]
    }
    public typealias Reply = JSONValue
}

// MARK: Treatment groups

/// `referrals.groups.define`.
public enum DefineGroup: ReferralsMessage {
    public static let type = "referrals.groups.define"
    public struct Request: Codable, Sendable, Equatable {
        public var centre: String
        public var name: String
        /// A `HelpKind` code.
        public var help: String
        /// Participants: at least and at most (1–30).
        public var min: Int
        public var max: Int
        public var ageMin: Int
        public var ageMax: Int
        /// YYYY-MM-DD.
        public var startsOn: String?
        public init(centre: String, name: String, help: String, min: Int, max: Int, ageMin: Int, ageMax: Int, startsOn: String? = nil) {
            self.centre = centre; self.name = name; self.help = help; self.min = min; self.max = max
            self.ageMin = ageMin; self.ageMax = ageMax; self.startsOn = startsOn
        }
    }
    public typealias Reply = JSONValue
}

/// `referrals.groups.list {centre}`.
public enum ListGroups: ReferralsMessage {
    public static let type = "referrals.groups.list"
    public struct Request: Codable, Sendable, Equatable {
        public var centre: String?
        public init(centre: String? = nil) { self.centre = centre }
    }
    public typealias Reply = JSONValue
}

/// `referrals.groups.assign {groupId, referralIds}`.
public enum AssignGroup: ReferralsMessage {
    public static let type = "referrals.groups.assign"
    public struct Request: Codable, Sendable, Equatable {
        public var groupId: String
        public var referralIds: [String]
        public init(groupId: String, referralIds: [String]) { self.groupId = groupId; self.referralIds = referralIds }
    }
    public typealias Reply = JSONValue
}

// MARK: Statistics, audit, retention

/// `referrals.statistics {centre?, year?, view?, format?}`: the annual report's tables.
public enum ReferralStatistics: ReferralsMessage {
    public static let type = "referrals.statistics"
    public struct Request: Codable, Sendable, Equatable {
        public var centre: String?
        public var year: Int?
        /// `internal` (the centre's staff) or `shared` (small numbers suppressed).
        public var view: String?
        /// `json` or `csv`.
        public var format: String?
        public init(centre: String? = nil, year: Int? = nil, view: String? = nil, format: String? = nil) {
            self.centre = centre; self.year = year; self.view = view; self.format = format
        }
    }
    public typealias Reply = JSONValue
}

/// `referrals.statistics.import {csv, replace?}`: earlier years' figures (`centre;year;table;key;count`), administrators.
public enum ImportReferralStatistics: ReferralsMessage {
    public static let type = "referrals.statistics.import"
    public struct Request: Codable, Sendable, Equatable {
        public var csv: String
        /// Replace figures already imported for the same centre and year.
        public var replace: Bool?
        public init(csv: String, replace: Bool? = nil) { self.csv = csv; self.replace = replace }
    }
    public typealias Reply = JSONValue
}

/// `referrals.audit.list {centre?, referralId?, limit?}`: the log of every read of personal data.
public enum ListAudit: ReferralsMessage {
    public static let type = "referrals.audit.list"
    public struct Request: Codable, Sendable, Equatable {
        public var centre: String?
        public var referralId: String?
        public var limit: Int?
        public init(centre: String? = nil, referralId: String? = nil, limit: Int? = nil) { self.centre = centre; self.referralId = referralId; self.limit = limit }
    }
    public typealias Reply = JSONValue
}

/// `referrals.retention.run {dryRun}`: anonymises referrals past the retention time (admins).
public enum RunRetention: ReferralsMessage {
    public static let type = "referrals.retention.run"
    public struct Request: Codable, Sendable, Equatable {
        /// True: only report what would be anonymised.
        public var dryRun: Bool
        public init(dryRun: Bool) { self.dryRun = dryRun }
    }
    public typealias Reply = JSONValue
}
