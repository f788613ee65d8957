// Calls to the referrals service through its contract (services/referrals/API): the
// request encoded from its type, the reply decoded into its type.

import HubCore
import HubProtocol
import HubWeb
import ReferralsAPI

extension ReferralRoutes {
    /// Sends `message` for `user` and reads its reply as the contract's type. A reply that
    /// does not fit is the hub's fault (`internal`), never the user's.
    func call<M: ContractRequest>(_ message: M.Type, _ request: M, user: User, key: String? = nil) async throws(HubError) -> M.Reply {
        let body: JSONValue
        do { body = try JSONValue.from(request) } catch { throw HubError(.internal, "The request could not be written.") }
        return try Self.reply(message, try await call(M.type, body, user: user, key: key))
    }

    /// Sends a body the page put together from what the user gave (passed on as given, so that
    /// the service names what is wrong) and reads the reply as `message`'s contract type.
    func call<M: ContractRequest>(_ message: M.Type, body: JSONValue, user: User, key: String? = nil) async throws(HubError) -> M.Reply {
        try Self.reply(message, try await call(M.type, body, user: user, key: key))
    }

    /// A reply of `message` as its contract type.
    static func reply<M: ContractRequest>(_ message: M.Type, _ value: JSONValue) throws(HubError) -> M.Reply {
        do { return try value.decode(M.Reply.self, fieldPrefix: "reply") } catch { throw misfit(message) }
    }

    /// A reply of `message` that does not fit what the page asked for: the hub's fault (`internal`).
    static func misfit<M: ContractRequest>(_ message: M.Type) -> HubError {
        HubError(.internal, "The referrals service's reply to \(M.type) does not fit its contract.")
    }
}
