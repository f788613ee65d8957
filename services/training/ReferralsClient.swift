import HubProtocol
import ReferralsAPI

// What the training service asks of the referrals service, read through the referrals
// contract (`ReferralsAPI`) rather than by hand. A file of its own, as NetworksClient.swift:
// imports are per file and the contracts name some messages alike.

extension TrainingEnvironment {
    /// The referrals service's statistics of `centre`'s `year` as annual-report tables
    /// (Markdown and CSV), asked as `actor` (who must be allowed to see them there).
    func statisticsReport(centre: String, year: Int, actor: JSONValue) async throws(HubError) -> (markdown: String, csv: String)? {
        guard let bus else { return nil }
        let body = try ReferralStatistics(centre: centre, year: year, format: "report").body(actor: actor)
        let reply = try await bus.request(ReferralStatistics.type, body: body, timeout: .seconds(3))
        guard case .report(let report) = try ReferralStatistics.reply(reply) else {
            throw HubError(.internal, "The referrals service's reply to \(ReferralStatistics.type) does not fit its contract.")
        }
        return (report.markdown, report.csv)
    }
}
