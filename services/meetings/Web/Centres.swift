import HubProtocol
import HubWeb
import ReferralsAPI

// The configured centres, as the referrals service lists them, read through its contract
// (`ListCentres`). A file of its own: imports are per file and the contracts name some
// types alike.

extension WebEnvironment {
    /// The centres (id and name), or none when the referrals service does not answer: the
    /// pages then show no centre names rather than failing.
    func centres() async -> [(id: String, name: String)] {
        guard let body = try? ListCentres().body(),
              let reply = try? await bus.request(ListCentres.type, body: body, timeout: busTimeout),
              let list = try? ListCentres.reply(reply) else { return [] }
        return list.centres.map { (id: $0.id, name: $0.name) }
    }
}
