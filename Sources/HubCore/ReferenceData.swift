import Foundation
import HubProtocol

/// Reference data from `config/`: centres and the municipalities they serve, partner
/// agencies, and management-group members. A third centre or a fifth agency is a
/// configuration change, never a code change.
public struct ReferenceData: Sendable, Codable, Equatable {
    /// An Utväg centre ("Utväg Södra Älvsborg").
    public struct Centre: Sendable, Codable, Equatable {
        public struct ManagementGroupDefaults: Sendable, Codable, Equatable {
            public var meetingsPerYear: Int
            public var defaultStart: String
            public var defaultEnd: String
            public var defaultPlace: String
        }
        public var id: String
        public var name: String
        public var town: String
        public var municipalities: [String]
        public var managementGroup: ManagementGroupDefaults
    }
    /// A partner agency ("samverkande myndighet").
    public struct Agency: Sendable, Codable, Equatable {
        public var id: String
        public var name: String
        public var kind: String
        /// The adapter it connects through, if any.
        public var adapter: String?
        /// Municipal agencies exist once per municipality.
        public var perMunicipality: Bool?
    }
    /// A management-group ("ledningsgrupp") member over a period.
    public struct Member: Sendable, Codable, Equatable {
        public var name: String
        /// Where agendas, minutes and invitations are e-mailed (staff data, kept out of logs).
        public var email: String?
        public var title: String
        public var agency: String
        public var municipality: String?
        public var role: String
        public var from: String
        public var to: String?
    }
    public struct Group: Sendable, Codable, Equatable {
        public var centre: String
        public var members: [Member]
    }

    public var centres: [Centre]
    public var agencies: [Agency]
    public var groups: [Group]

    private struct CentresFile: Codable { var centres: [Centre] }
    private struct AgenciesFile: Codable { var agencies: [Agency] }
    private struct GroupsFile: Codable { var groups: [Group] }

    public static let memberRoles: Set<String> = ["member", "substitute", "chair", "secretary", "centre-head"]

    /// Loads and cross-checks the three files; every problem names its file and field.
    public static func load(configDir: String) throws(HubError) -> ReferenceData {
        let c = try ConfigFile.decode(CentresFile.self, path: configDir + "/centres.json")
        let a = try ConfigFile.decode(AgenciesFile.self, path: configDir + "/agencies.json")
        let g = try ConfigFile.decode(GroupsFile.self, path: configDir + "/management-groups.json")
        let data = ReferenceData(centres: c.centres, agencies: a.agencies, groups: g.groups)
        try data.validate()
        return data
    }

    public func validate() throws(HubError) {
        var ids = Set<String>(), municipalities = [String: String]()
        for (i, c) in centres.enumerated() {
            let f = "centres.json:centres[\(i)]"
            guard Self.isSlug(c.id) else { throw HubError(.validation, "A centre id is lower-case letters, digits and '-'.", field: f + ".id") }
            guard ids.insert(c.id).inserted else { throw HubError(.validation, "Two centres have the same id.", field: f + ".id") }
            guard !c.name.isEmpty else { throw HubError(.validation, "A centre needs a name.", field: f + ".name") }
            guard !c.municipalities.isEmpty else { throw HubError(.validation, "A centre serves at least one municipality.", field: f + ".municipalities") }
            for m in c.municipalities {
                if let other = municipalities[m] {
                    throw HubError(.validation, "Municipality \(m) is served by both \(other) and \(c.id).", field: f + ".municipalities")
                }
                municipalities[m] = c.id
            }
        }
        var agencyIDs = Set<String>()
        for (i, a) in agencies.enumerated() {
            guard Self.isSlug(a.id), agencyIDs.insert(a.id).inserted else {
                throw HubError(.validation, "An agency id must be unique, lower-case letters, digits and '-'.", field: "agencies.json:agencies[\(i)].id")
            }
        }
        for (i, group) in groups.enumerated() {
            guard ids.contains(group.centre) else {
                throw HubError(.validation, "The group names an unknown centre.", field: "management-groups.json:groups[\(i)].centre")
            }
            for (k, m) in group.members.enumerated() {
                let f = "management-groups.json:groups[\(i)].members[\(k)]"
                guard m.agency == "utvag" || agencyIDs.contains(m.agency) else { throw HubError(.validation, "Unknown agency.", field: f + ".agency") }
                guard Self.memberRoles.contains(m.role) else { throw HubError(.validation, "Unknown role; use one of \(Self.memberRoles.sorted().joined(separator: ", ")).", field: f + ".role") }
                guard LocalTime.isDate(m.from) else { throw HubError(.validation, "Not a date (YYYY-MM-DD).", field: f + ".from") }
                if let to = m.to { guard LocalTime.isDate(to), to >= m.from else { throw HubError(.validation, "Not a date on or after 'from'.", field: f + ".to") } }
            }
        }
    }

    /// The centre that serves `municipality`, if any.
    public func centre(serving municipality: String) -> Centre? {
        centres.first { $0.municipalities.contains(municipality) }
    }

    static func isSlug(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2d }
    }
    /// A real calendar date in YYYY-MM-DD (`LocalTime.isDate`).
    public static func isDate(_ s: String) -> Bool { LocalTime.isDate(s) }
}
