import Foundation
import HubProtocol
import HubCore

/// Which principal may do what on the bus (`config/policy.json`).
///
/// Checked by the broker on every message, before anything reaches a service:
/// `serve` (register as a worker of a service), `request` (message types it may
/// send), `publish` (event topics it may emit) and `subscribe` (topic prefixes it may
/// receive). Patterns are exact names, `prefix.*`, or `*`. A principal may be listed
/// by name (`adapter:police`) or by kind (`adapter:*`); `{agency}` in a pattern is
/// replaced by the principal's qualifier, so one rule serves every adapter.
public struct AuthorizationPolicy: Sendable, Codable, Equatable {
    public struct Rule: Sendable, Codable, Equatable {
        public var serve: [String]
        public var request: [String]
        public var publish: [String]
        public var subscribe: [String]
        public init(serve: [String] = [], request: [String] = [], publish: [String] = [], subscribe: [String] = []) {
            self.serve = serve; self.request = request; self.publish = publish; self.subscribe = subscribe
        }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            serve = try c.decodeIfPresent([String].self, forKey: .serve) ?? []
            request = try c.decodeIfPresent([String].self, forKey: .request) ?? []
            publish = try c.decodeIfPresent([String].self, forKey: .publish) ?? []
            subscribe = try c.decodeIfPresent([String].self, forKey: .subscribe) ?? []
        }
    }

    public var principals: [String: Rule]

    public init(principals: [String: Rule]) { self.principals = principals }

    public static func load(path: String) throws(HubError) -> AuthorizationPolicy {
        let policy = try ConfigFile.decode(AuthorizationPolicy.self, path: path)
        try policy.validate()
        return policy
    }

    public func validate() throws(HubError) {
        for (name, rule) in principals {
            let ok = name.hasSuffix(":*") ? Principal.isValid(String(name.dropLast(2))) : Principal.isValid(name)
            guard ok else { throw HubError(.validation, "Invalid principal name in policy.", field: "policy.json:principals.\(name)") }
            for p in rule.serve + rule.request + rule.publish + rule.subscribe where !Self.isValidPattern(p) {
                throw HubError(.validation, "Invalid pattern in policy.", field: "policy.json:principals.\(name)")
            }
        }
    }

    static func isValidPattern(_ p: String) -> Bool {
        if p == "*" { return true }
        let core = p.hasSuffix(".*") ? String(p.dropLast(2)) : p
        return !core.isEmpty && core.utf8.allSatisfy { c in (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x2e || c == 0x5f || c == 0x2d || c == 0x7b || c == 0x7d }
    }

    private func rules(for principal: Principal) -> [Rule] {
        var out: [Rule] = []
        if let r = principals[principal.name] { out.append(r) }
        if principal.qualifier != nil, let r = principals[principal.kind + ":*"] { out.append(r) }
        return out
    }

    private func matches(_ patterns: [String], _ value: String, principal: Principal) -> Bool {
        let q = principal.qualifier.map(String.init) ?? ""
        for raw in patterns {
            let p = raw.replacingOccurrences(of: "{agency}", with: q).replacingOccurrences(of: "{name}", with: q)
            if p == "*" || p == value { return true }
            if p.hasSuffix(".*"), value.hasPrefix(p.dropLast(1)) { return true }
        }
        return false
    }

    public func mayServe(_ principal: Principal, service: String) -> Bool {
        rules(for: principal).contains { matches($0.serve, service, principal: principal) }
    }
    public func mayRequest(_ principal: Principal, type: String) -> Bool {
        rules(for: principal).contains { matches($0.request, type, principal: principal) }
    }
    public func mayPublish(_ principal: Principal, topic: String) -> Bool {
        rules(for: principal).contains { matches($0.publish, topic, principal: principal) }
    }
    /// A subscription prefix is allowed when every topic it could match is allowed:
    /// the prefix itself must match a `subscribe` pattern (`agency.police.*` allows
    /// `agency.police.` and `agency.police.referral`, not `agency.`).
    public func maySubscribe(_ principal: Principal, prefix: String) -> Bool {
        let q = principal.qualifier.map(String.init) ?? ""
        return rules(for: principal).contains { rule in
            rule.subscribe.contains { raw in
                let p = raw.replacingOccurrences(of: "{agency}", with: q).replacingOccurrences(of: "{name}", with: q)
                if p == "*" { return true }
                if p.hasSuffix(".*") { return prefix.hasPrefix(p.dropLast(1)) }
                return prefix == p
            }
        }
    }

    /// Every service name some principal may serve: the services the broker knows of.
    public var knownServices: Set<String> {
        var s: Set<String> = []
        for rule in principals.values { for p in rule.serve where p != "*" && !p.contains("{") { s.insert(p) } }
        return s
    }
}

