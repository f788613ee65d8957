// The referrals contract's messages about a centre's work: intake and capacity, treatment
// groups, statistics, the audit log and retention.

import HubProtocol

// MARK: Queue, intake and capacity

/// `referrals.intake.set {centre, paused, message?, alternatives?, categories?}`.
public struct SetIntake: ContractRequest, Equatable {
    public static let type = "referrals.intake.set"
    public var centre: String
    public var paused: Bool
    public var message: String?
    public var alternatives: String?
    /// `ClientCategory` codes; empty or absent: the whole centre.
    public var categories: [ClientCategory]?
    public init(centre: String, paused: Bool, message: String? = nil, alternatives: String? = nil, categories: [ClientCategory]? = nil) {
        self.centre = centre; self.paused = paused; self.message = message; self.alternatives = alternatives; self.categories = categories
    }
    public enum CodingKeys: String, CodingKey, CaseIterable { case centre, paused, message, alternatives, categories }
    /// The centre's intake after the change, as `referrals.capacity` gives it.
    public typealias Reply = ReferralCapacity.Centre
}

/// `referrals.capacity {centre?}`: each centre's intake state per category (also published as `capacity.<centre>`).
public struct ReferralCapacity: ContractRequest, Equatable {
    public static let type = "referrals.capacity"
    public var centre: String?
    public init(centre: String? = nil) { self.centre = centre }
    public enum CodingKeys: String, CodingKey, CaseIterable { case centre }
    /// One category's intake: open, waiting list (with its band) or paused (with the
    /// centre's message and where to turn instead).
    public struct Category: Codable, Sendable, Equatable {
        public var category: ClientCategory
        public var state: IntakeStateCode
        /// Null unless there is a waiting list.
        @Nullable public var waitBand: WaitBand?
        /// Only while paused.
        public var message: String?
        public var alternatives: String?
        public init(category: ClientCategory, state: IntakeStateCode, waitBand: WaitBand? = nil, message: String? = nil, alternatives: String? = nil) {
            self.category = category; self.state = state; self.waitBand = waitBand; self.message = message; self.alternatives = alternatives
        }
    }
    /// A centre's intake per category at a moment (also the body of `capacity.<centre>`).
    public struct Centre: Codable, Sendable, Equatable {
        public var centre: String
        public var centreName: String
        public var at: String
        public var categories: [Category]
        public init(centre: String, centreName: String, at: String, categories: [Category]) {
            self.centre = centre; self.centreName = centreName; self.at = at; self.categories = categories
        }
    }
    /// Every centre asked for.
    public struct Reply: Codable, Sendable, Equatable {
        public var centres: [Centre]
        public init(centres: [Centre]) { self.centres = centres }
    }
}

// MARK: Treatment groups

/// `referrals.groups.define`.
public struct DefineGroup: ContractRequest, Equatable {
    public static let type = "referrals.groups.define"
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
    public enum CodingKeys: String, CodingKey, CaseIterable { case centre, name, help, min, max, ageMin, ageMax, startsOn }
    /// The new group's id and name.
    public struct Reply: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public init(id: String, name: String) { self.id = id; self.name = name }
    }
}

/// `referrals.groups.list {centre}`: each group with its members, the matching people
/// waiting and whether there are enough to start.
public struct ListGroups: ContractRequest, Equatable {
    public static let type = "referrals.groups.list"
    public var centre: String?
    public init(centre: String? = nil) { self.centre = centre }
    public enum CodingKeys: String, CodingKey, CaseIterable { case centre }
    /// What a group counts against its size: the child-and-parent group counts children.
    public enum Counting: String, Codable, Sendable, Equatable {
        case children, people
    }
    /// A waiting referral that matches the group (no personal data).
    public struct Candidate: Codable, Sendable, Equatable {
        public var id: String
        public var reference: String
        @Nullable public var priority: Int?
        /// How many places the referral would take (its children in the age range, or 1).
        public var participants: Int
        public var status: ReferralStatus
        public init(id: String, reference: String, priority: Int?, participants: Int, status: ReferralStatus) {
            self.id = id; self.reference = reference; self.priority = priority; self.participants = participants; self.status = status
        }
    }
    /// One treatment group and its readiness.
    public struct Group: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var help: HelpKind
        public var min: Int
        public var max: Int
        public var ageMin: Int
        public var ageMax: Int
        /// YYYY-MM-DD; null when not set.
        @Nullable public var startsOn: String?
        public var counts: Counting
        public var enrolled: Int
        public var matchingWaiting: Int
        public var readyToStart: Bool
        public var candidates: [Candidate]
        public init(id: String, name: String, help: HelpKind, min: Int, max: Int, ageMin: Int, ageMax: Int, startsOn: String?, counts: Counting,
                    enrolled: Int, matchingWaiting: Int, readyToStart: Bool, candidates: [Candidate]) {
            self.id = id; self.name = name; self.help = help; self.min = min; self.max = max; self.ageMin = ageMin; self.ageMax = ageMax
            self.startsOn = startsOn; self.counts = counts; self.enrolled = enrolled; self.matchingWaiting = matchingWaiting
            self.readyToStart = readyToStart; self.candidates = candidates
        }
    }
    /// The centre's groups by name.
    public struct Reply: Codable, Sendable, Equatable {
        public var centre: String
        public var groups: [Group]
        public init(centre: String, groups: [Group]) { self.centre = centre; self.groups = groups }
    }
}

/// `referrals.groups.assign {groupId, referralIds}`.
public struct AssignGroup: ContractRequest, Equatable {
    public static let type = "referrals.groups.assign"
    public var groupId: String
    public var referralIds: [String]
    public init(groupId: String, referralIds: [String]) { self.groupId = groupId; self.referralIds = referralIds }
    public enum CodingKeys: String, CodingKey, CaseIterable { case groupId, referralIds }
    /// Each assigned referral's summary after its `group` step.
    public struct Reply: Codable, Sendable, Equatable {
        public var groupId: String
        public var assigned: [ReferralSummary]
        public init(groupId: String, assigned: [ReferralSummary]) { self.groupId = groupId; self.assigned = assigned }
    }
}

// MARK: Statistics, audit, retention

/// `referrals.statistics {centre?, year?, view?, format?}`: the annual report's tables.
public struct ReferralStatistics: ContractRequest, Equatable {
    public static let type = "referrals.statistics"
    public var centre: String?
    public var year: Int?
    /// `internal` (the centre's staff) or `shared` (small numbers suppressed).
    public var view: String?
    /// `json` or `csv`.
    public var format: String?
    public init(centre: String? = nil, year: Int? = nil, view: String? = nil, format: String? = nil) {
        self.centre = centre; self.year = year; self.view = view; self.format = format
    }
    public enum CodingKeys: String, CodingKey, CaseIterable { case centre, year, view, format }
    // The reply, by format: `ReferralStatistics.Reply` (StatisticsReplies.swift).
}

/// `referrals.statistics.import {csv, replace?}`: earlier years' figures (`centre;year;table;key;count`), administrators.
public struct ImportReferralStatistics: ContractRequest, Equatable {
    public static let type = "referrals.statistics.import"
    public var csv: String
    /// Replace figures already imported for the same centre and year.
    public var replace: Bool?
    public init(csv: String, replace: Bool? = nil) { self.csv = csv; self.replace = replace }
    public enum CodingKeys: String, CodingKey, CaseIterable { case csv, replace }
    /// A centre's year and how many rows it got.
    public struct Year: Codable, Sendable, Equatable {
        public var centre: String
        public var year: Int
        public var rows: Int
        public init(centre: String, year: Int, rows: Int) { self.centre = centre; self.year = year; self.rows = rows }
    }
    /// What was stored: every row, per centre and year (in that order).
    public struct Reply: Codable, Sendable, Equatable {
        public var rows: Int
        public var replace: Bool
        public var years: [Year]
        public init(rows: Int, replace: Bool, years: [Year]) { self.rows = rows; self.replace = replace; self.years = years }
    }
}

/// `referrals.audit.list {centre?, referralId?, limit?}`: the log of every read of personal data.
public struct ListAudit: ContractRequest, Equatable {
    public static let type = "referrals.audit.list"
    public var centre: String?
    public var referralId: String?
    public var limit: Int?
    public init(centre: String? = nil, referralId: String? = nil, limit: Int? = nil) { self.centre = centre; self.referralId = referralId; self.limit = limit }
    public enum CodingKeys: String, CodingKey, CaseIterable { case centre, referralId, limit }
    /// One read or change of personal data: who (`user:<name>`, `adapter:<name>`, …), in
    /// which role and unit, what (`read`, `print`, `search`, `anonymise` or a step's
    /// `ReferralAction`), of which referral, and why (a `ReadPurpose`, `case-handling`, `retention`).
    public struct Entry: Codable, Sendable, Equatable {
        public var at: String
        public var actor: String
        public var role: String
        public var unit: String
        public var action: String
        /// Null for a search.
        @Nullable public var referralId: String?
        @Nullable public var centre: String?
        public var purpose: String
        public init(at: String, actor: String, role: String, unit: String, action: String, referralId: String?, centre: String?, purpose: String) {
            self.at = at; self.actor = actor; self.role = role; self.unit = unit; self.action = action
            self.referralId = referralId; self.centre = centre; self.purpose = purpose
        }
    }
    /// The newest entries first.
    public struct Reply: Codable, Sendable, Equatable {
        public var entries: [Entry]
        public init(entries: [Entry]) { self.entries = entries }
    }
}

/// `referrals.retention.run {dryRun}`: anonymises referrals past the retention time (admins).
public struct RunRetention: ContractRequest, Equatable {
    public static let type = "referrals.retention.run"
    /// True: only report what would be anonymised.
    public var dryRun: Bool
    public init(dryRun: Bool) { self.dryRun = dryRun }
    public enum CodingKeys: String, CodingKey, CaseIterable { case dryRun }
    /// A referral past the retention time (no personal data).
    public struct Item: Codable, Sendable, Equatable {
        public var id: String
        public var reference: String
        public var centre: String
        public var status: ReferralStatus
        public var endedAt: String
        public init(id: String, reference: String, centre: String, status: ReferralStatus, endedAt: String) {
            self.id = id; self.reference = reference; self.centre = centre; self.status = status; self.endedAt = endedAt
        }
    }
    /// What was (or, in a dry run, would be) anonymised: referrals that ended before `cutoff`.
    public struct Reply: Codable, Sendable, Equatable {
        public var dryRun: Bool
        public var retentionDays: Int
        public var cutoff: String
        public var count: Int
        public var referrals: [Item]
        public init(dryRun: Bool, retentionDays: Int, cutoff: String, count: Int, referrals: [Item]) {
            self.dryRun = dryRun; self.retentionDays = retentionDays; self.cutoff = cutoff; self.count = count; self.referrals = referrals
        }
    }
}
