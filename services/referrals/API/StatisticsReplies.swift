// The reply of `referrals.statistics`: the annual report's tables (format `json`), the
// statistics CSV (`csv`) or the report as Markdown and CSV (`report`). Counts that leave the
// centre's staff (view `shared`) may be masked, so a cell is a number or a mark.

import HubProtocol

/// One count of the statistics: a number, or in the shared view the mark that stands for
/// a small one (`<5`) or for the cell hidden so that no total reveals it (`x`).
public enum StatisticsCell: Codable, Sendable, Hashable, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    case number(Int)
    case string(String)

    public init(integerLiteral value: Int) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }

    /// The count, unless masked.
    public var count: Int? { if case .number(let n) = self { return n }; return nil }
    /// As a table shows it: the number, or the mark.
    public var text: String {
        switch self {
        case .number(let n): String(n)
        case .string(let mark): mark
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let n = try? container.decode(Int.self) { self = .number(n) } else { self = .string(try container.decode(String.self)) }
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let n): try container.encode(n)
        case .string(let mark): try container.encode(mark)
        }
    }
}

extension ReferralStatistics {
    /// Whether each year's figures were imported (`referrals.statistics.import`) rather than counted.
    public struct Imported: Codable, Sendable, Equatable {
        public var year: Bool
        public var previous: Bool
        public init(year: Bool, previous: Bool) { self.year = year; self.previous = previous }
    }
    /// This year against last: `difference` is `x` when either side is masked.
    public struct Comparison: Codable, Sendable, Equatable {
        public var year: StatisticsCell
        public var previous: StatisticsCell
        public var difference: StatisticsCell
        public init(year: StatisticsCell, previous: StatisticsCell, difference: StatisticsCell) {
            self.year = year; self.previous = previous; self.difference = difference
        }
    }
    /// Unique clients of one category, this year and last.
    public struct CategoryRow: Codable, Sendable, Equatable {
        public var category: ClientCategory
        public var year: StatisticsCell
        public var previous: StatisticsCell
        public var difference: StatisticsCell
        public init(category: ClientCategory, _ comparison: Comparison) {
            self.category = category; year = comparison.year; previous = comparison.previous; difference = comparison.difference
        }
    }
    /// Unique clients per category, with the totals.
    public struct UniqueClients: Codable, Sendable, Equatable {
        public var rows: [CategoryRow]
        public var total: Comparison
        public init(rows: [CategoryRow], total: Comparison) { self.rows = rows; self.total = total }
    }
    /// Referrals by one referring agency (`self`: the person's own), this year (`count`) and last.
    public struct AgencyRow: Codable, Sendable, Equatable {
        public var agency: String
        /// The agency's name; `self` for the person's own.
        public var name: String
        public var count: StatisticsCell
        public var previous: StatisticsCell
        public var difference: StatisticsCell
        public init(agency: String, name: String, _ comparison: Comparison) {
            self.agency = agency; self.name = name; count = comparison.year; previous = comparison.previous; difference = comparison.difference
        }
    }
    /// Referrals from one municipality the centre serves, this year (`count`) and last.
    public struct MunicipalityRow: Codable, Sendable, Equatable {
        public var municipality: String
        public var count: StatisticsCell
        public var previous: StatisticsCell
        public var difference: StatisticsCell
        public init(municipality: String, _ comparison: Comparison) {
            self.municipality = municipality; count = comparison.year; previous = comparison.previous; difference = comparison.difference
        }
    }
    /// Referrals counted by agency or municipality, with this year's and last year's totals.
    public struct Counts<Row: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
        public var rows: [Row]
        public var total: StatisticsCell
        public var previousTotal: StatisticsCell
        public init(rows: [Row], total: StatisticsCell, previousTotal: StatisticsCell) { self.rows = rows; self.total = total; self.previousTotal = previousTotal }
    }
    /// Days from referral to the first appointment offered in the year; null when there is
    /// none, or in the shared view too few to show.
    public struct Wait: Codable, Sendable, Equatable {
        public var n: StatisticsCell
        @Nullable public var medianDays: Int?
        @Nullable public var p90Days: Int?
        public init(n: StatisticsCell, medianDays: Int?, p90Days: Int?) { self.n = n; self.medianDays = medianDays; self.p90Days = p90Days }
    }
    /// The queue's length at the end of a week (YYYY-MM-DD).
    public struct QueuePoint: Codable, Sendable, Equatable {
        public var date: String
        public var length: StatisticsCell
        public init(date: String, length: StatisticsCell) { self.date = date; self.length = length }
    }
    /// The annual report's tables for one centre and year (format `json`).
    public struct Tables: Codable, Sendable, Equatable {
        public var centre: String
        public var centreName: String
        public var year: Int
        /// `internal` or `shared` (small numbers masked).
        public var view: String
        /// Counts from 1 to `threshold` − 1 are masked in the shared view.
        public var threshold: Int
        public var imported: Imported
        public var uniqueClients: UniqueClients
        public var byAgency: Counts<AgencyRow>
        public var byMunicipality: Counts<MunicipalityRow>
        public var waitToFirstAppointment: Wait
        public var queueOverTime: [QueuePoint]
        public init(centre: String, centreName: String, year: Int, view: String, threshold: Int, imported: Imported, uniqueClients: UniqueClients,
                    byAgency: Counts<AgencyRow>, byMunicipality: Counts<MunicipalityRow>, waitToFirstAppointment: Wait, queueOverTime: [QueuePoint]) {
            self.centre = centre; self.centreName = centreName; self.year = year; self.view = view; self.threshold = threshold
            self.imported = imported; self.uniqueClients = uniqueClients; self.byAgency = byAgency; self.byMunicipality = byMunicipality
            self.waitToFirstAppointment = waitToFirstAppointment; self.queueOverTime = queueOverTime
        }
    }
    /// The statistics CSV (format `csv`), with the name to save it under.
    public struct CSVFile: Codable, Sendable, Equatable {
        public var filename: String
        public var csv: String
        public init(filename: String, csv: String) { self.filename = filename; self.csv = csv }
    }
    /// The annual report's tables as Markdown (ready to paste) and as CSV (format `report`).
    public struct Report: Codable, Sendable, Equatable {
        public var centre: String
        public var centreName: String
        public var year: Int
        public var imported: Imported
        public var markdown: String
        public var csv: String
        public init(centre: String, centreName: String, year: Int, imported: Imported, markdown: String, csv: String) {
            self.centre = centre; self.centreName = centreName; self.year = year; self.imported = imported; self.markdown = markdown; self.csv = csv
        }
    }

    /// The reply in the format asked for, told apart by `filename` (csv) or `markdown` (report).
    public enum Reply: Codable, Sendable, Equatable {
        case tables(Tables)
        case csv(CSVFile)
        case report(Report)

        enum Probe: String, CodingKey { case filename, markdown }

        public init(from decoder: any Decoder) throws {
            let probe = try decoder.container(keyedBy: Probe.self)
            if probe.contains(.filename) {
                self = .csv(try CSVFile(from: decoder))
            } else if probe.contains(.markdown) {
                self = .report(try Report(from: decoder))
            } else {
                self = .tables(try Tables(from: decoder))
            }
        }
        public func encode(to encoder: any Encoder) throws {
            switch self {
            case .tables(let tables): try tables.encode(to: encoder)
            case .csv(let file): try file.encode(to: encoder)
            case .report(let report): try report.encode(to: encoder)
            }
        }
    }
}
