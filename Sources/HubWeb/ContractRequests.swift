import HubProtocol

package extension ServiceRoutes {
    /// Sends a contract request (`NetworksAPI.DayGet(dayId:)`, …) as `ask` does and reads the
    /// reply as the contract's reply type: pages never dig in another service's JSON.
    package func ask<R: ContractRequest>(_ request: R) async throws(HubError) -> R.Reply {
        try R.reply(try await ask(R.type, try request.body()))
    }

    /// `ask`, with a refusal as a value (for forms that show the service's errors).
    package func attempt<R: ContractRequest>(_ request: R) async -> Result<R.Reply, HubError> {
        do { return .success(try await ask(request)) } catch { return .failure(error) }
    }
}

package extension Encodable {
    /// A contract value as Mustache data: its wire members, nulls as empty text (see `JSONValue.mustache`).
    package var mustacheData: Any { ((try? JSONValue.encode(self)) ?? .null).mustache }
}

package extension Language {
    /// The language a contract's vocabulary names its codes in (`Vocabulary.name`).
    package var vocabulary: VocabularyLanguage { self == .en ? .en : .sv }
}
