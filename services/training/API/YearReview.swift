import HubProtocol

/// `training.year.review`: the centre's year in review — trainings, network days (asked of the
/// networks service), lectures, supervision, and the annual report's statistics (asked of the
/// referrals service) — as data, Markdown, HTML and CSV. The other services' answers are
/// reshaped here (a network day as `NetworkDay`; of the statistics only their tables, in
/// `reportMarkdown` and `reportCSV`), so the reply is this contract's alone.
public struct YearReviewGet: ContractRequest, Equatable {
    public static let type = "training.year.review"
    public var centreId: String
    public var year: Int
    public enum CodingKeys: String, CodingKey, CaseIterable { case centreId, year }
    public init(centreId: String, year: Int) { self.centreId = centreId; self.year = year }

    public struct Reply: Sendable, Codable, Equatable {
        /// A training of the year that was not cancelled, as the annual report lists it.
        public struct Training: Sendable, Codable, Equatable {
            public var id: String
            public var kind: EventKind
            public var title: String
            public var audience: String
            /// The sessions' dates in order.
            public var dates: [String]
            /// People with a seat.
            public var registered: Int
            /// People with a seat who attended every session, and at least one.
            public var attendedAll: Int
            public var attendedAny: Int
            /// The trainers' names.
            public var trainers: [String]
            public init(id: String, kind: EventKind, title: String, audience: String, dates: [String], registered: Int, attendedAll: Int,
                        attendedAny: Int, trainers: [String]) {
                self.id = id; self.kind = kind; self.title = title; self.audience = audience; self.dates = dates; self.registered = registered
                self.attendedAll = attendedAll; self.attendedAny = attendedAny; self.trainers = trainers
            }
        }

        /// A network day of the year that was not cancelled (from the networks service).
        public struct NetworkDay: Sendable, Codable, Equatable {
            public var id: String
            public var title: String
            public var theme: String
            public var date: String
            public var venue: String
            /// People registered; null when the networks service did not say.
            @Nullable public var registered: Int?
            public init(id: String, title: String, theme: String, date: String, venue: String, registered: Int?) {
                self.id = id; self.title = title; self.theme = theme; self.date = date; self.venue = venue; self.registered = registered
            }
        }

        public var centreId: String
        public var centreName: String
        public var year: Int
        public var trainings: [Training]
        public var networkDays: [NetworkDay]
        /// False when the networks service did not answer (`networkDays` is then empty).
        public var networkDaysAvailable: Bool
        public var lectures: [Lecture]
        public var supervision: [Assignment]
        /// The year as a document: Markdown, and the same as an HTML page.
        public var markdown: String
        public var html: String
        /// False when the referrals service did not answer (the report's tables then say so).
        public var statisticsAvailable: Bool
        /// The annual report's tables ready to paste, as Markdown and as one CSV.
        public var reportMarkdown: String
        public var reportCSV: String

        public init(centreId: String, centreName: String, year: Int, trainings: [Training], networkDays: [NetworkDay], networkDaysAvailable: Bool,
                    lectures: [Lecture], supervision: [Assignment], markdown: String = "", html: String = "", statisticsAvailable: Bool = false,
                    reportMarkdown: String = "", reportCSV: String = "") {
            self.centreId = centreId; self.centreName = centreName; self.year = year; self.trainings = trainings; self.networkDays = networkDays
            self.networkDaysAvailable = networkDaysAvailable; self.lectures = lectures; self.supervision = supervision; self.markdown = markdown
            self.html = html; self.statisticsAvailable = statisticsAvailable; self.reportMarkdown = reportMarkdown; self.reportCSV = reportCSV
        }
    }
}
