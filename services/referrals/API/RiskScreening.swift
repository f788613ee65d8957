import HubProtocol

/// The risk-screening questions asked at referral ("riskbedömning", brief screening in the
/// style of FREDA-kortfrågor), as `config/risk-screening.json` holds them. In the contract
/// because the rule for the answers is checked twice with the same words: by the agency
/// adapters at their edge (so a document is refused before it is queued) and by the
/// referrals service (for every other caller).
public struct RiskScreening: Sendable, Codable, Equatable {
    /// One question; its `id` is the stable key of stored answers.
    public struct Question: Sendable, Codable, Equatable {
        public var id: String
        public var sv: String
        public var en: String
        public var required: Bool
        public init(id: String, sv: String, en: String, required: Bool) { self.id = id; self.sv = sv; self.en = en; self.required = required }
    }
    public var answers: [String]
    /// The number of "yes" answers at which a referral is flagged as high risk.
    public var highRiskAt: Int
    public var questions: [Question]

    public init(answers: [String], highRiskAt: Int, questions: [Question]) {
        self.answers = answers; self.highRiskAt = highRiskAt; self.questions = questions
    }

    /// The file's name in the configuration folder.
    public static let file = "risk-screening.json"

    /// Itself, or `validation` naming what is wrong with the configuration.
    public func validated() throws(HubError) -> RiskScreening {
        guard !questions.isEmpty, Set(questions.map(\.id)).count == questions.count else {
            throw HubError(.validation, "Needs at least one question and unique ids.", field: Self.file + ":questions")
        }
        guard answers.contains("yes") else { throw HubError(.validation, "The answers must include 'yes'.", field: Self.file + ":answers") }
        return self
    }

    /// The number of "yes" answers.
    public func score(_ answers: [String: String]) -> Int { answers.values.filter { $0 == "yes" }.count }

    /// The answers that may be stored, and a problem for each one that may not: an unknown
    /// question, an answer not in `answers`, and each required question left out (required
    /// unless the client is referred for having used violence). Fields are `riskAnswers.<id>`.
    public func check(_ given: [String: String], category: ClientCategory?) -> (answers: [String: String], problems: [HubError.Detail]) {
        var kept: [String: String] = [:], problems: [HubError.Detail] = []
        let known = Set(questions.map(\.id))
        for (question, answer) in given.sorted(by: { $0.key < $1.key }) {
            let field = "riskAnswers." + String(question.prefix(60))
            if !known.contains(question) {
                problems.append(.init(field: field, message: "Unknown risk-screening question.", reason: .notAChoice))
            } else if !answers.contains(answer) {
                problems.append(.init(field: field, message: "Answer with \(answers.joined(separator: ", ")).", reason: .notAChoice))
            } else {
                kept[question] = answer
            }
        }
        if category != .usedViolence {
            for question in questions where question.required && kept[question.id] == nil && given[question.id] == nil {
                problems.append(.init(field: "riskAnswers." + question.id, message: "Required risk-screening question.", reason: .required))
            }
        }
        return (kept, problems)
    }
}
