// `meetings.import`: a parsed set of minutes (MinutesParser.swift) stored as a held
// meeting with attendance, items, decisions, action items and filed minutes.

import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
import MeetingsAPI

/// `meetings.import {text, centre?, date?, group?, dryRun?}`: minutes become a held meeting
/// with its attendance, items, decisions, action items and filed minutes (version 1 is the
/// text as imported). `centre`, `date` and `group` override what the minutes say; with
/// `dryRun` nothing is stored and the reply says what would be.
enum ImportHandler {
    static func kind(of title: String) -> String {
        let t = title.lowercased()
        if t.hasPrefix("välkom") { return "welcome" }
        if t.contains("föregående mötesanteckningar") || t.contains("föregående protokoll") || t.contains("föregående minnesanteckningar") { return "review" }
        if t.hasPrefix("aktuellt läge") { return "centre-state" }
        if t.contains("samverkansfrågor") || t.contains("respektive myndighet") { return "status-round" }
        if t.hasPrefix("övrig") { return "other" }
        return "day"
    }

    @Sendable static func handle(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> MinutesImport.Reply {
        let actor = try Caller.from(request, reference: env.reference, service: "meetings")
        let fields = try BodyReader(request.body)
        let text = try fields.string("text", max: 200_000, multiline: true)
        let dryRun = try fields.optionalBool("dryRun") ?? false
        let parsed = MinutesParser.read(text)
        try MinutesParser.requireMinutes(parsed)
        // The group: only the management group's minutes are kept here.
        if let g = try fields.optionalString("group", max: 40) {
            guard g == "management" else {
                throw HubError(.validation, "Only the management group's minutes are imported; the group must be management.", field: "body.group")
            }
        } else if let g = parsed.group, g != "management" {
            throw HubError(.validation, "The title names a \(g), not a management-group meeting. If these are the management group's minutes, "
                           + "give the group: hub import minutes --group management.", field: "body.group")
        }
        let centre: ReferenceData.Centre
        if let id = try fields.optionalString("centre", max: 64) { centre = try env.centre(id) }
        else if let name = parsed.centreName?.lowercased(),
                let found = env.reference.centres.first(where: { $0.name.lowercased() == name || name.contains($0.town.lowercased())
                                                                 || name.hasSuffix($0.name.lowercased().replacingOccurrences(of: "utväg ", with: "")) }) {
            centre = found
        } else {
            let ids = env.reference.centres.map(\.id).joined(separator: ", ")
            throw HubError(.validation, (parsed.centreName == nil ? "The minutes name no centre (no \"Utväg …\" in the title or header)"
                                         : "The centre the minutes name is not configured")
                           + "; give the centre: hub import minutes --centre ID (one of: \(ids)).", field: "body.centre")
        }
        try actor.requireManager(centre: centre.id)
        guard let date = try fields.optionalDate("date") ?? parsed.date else { throw MinutesParser.missingDate }
        let actions = parsed.items.flatMap(\.actions)
        var summary = MinutesImport.Reply(
            centre: centre.id, date: date, dryRun: dryRun, present: parsed.present.count, regrets: parsed.regrets.count, items: parsed.items.count,
            decisions: parsed.items.filter { $0.decisions != nil }.count, actionItems: actions.count,
            itemTitles: parsed.items.map { "\($0.number). \($0.title)" }, upcoming: parsed.upcoming.map(\.date),
            place: parsed.place, start: parsed.start, end: parsed.end, chair: parsed.chair, secretary: parsed.secretary,
            previousMinutesDate: parsed.previousMinutesDate, unplaced: parsed.unplaced.map { MinutesImport.Unplaced(line: $0.line, text: $0.text) })
        if dryRun { return summary }
        let plan = Meetings.Plan(date: date, start: parsed.start ?? centre.managementGroup.defaultStart, end: parsed.end ?? centre.managementGroup.defaultEnd,
                                 place: parsed.place ?? "", link: nil, chair: parsed.chair, chairTemporary: parsed.chair != nil && parsed.chairTemporary,
                                 secretary: parsed.secretary)
        let id = try await Meetings.insert(env, context.database, centre: centre.id, plan: plan, seriesID: nil, actor: actor.who, imported: true)
        let store = MeetingStore(context.database)
        for (i, p) in (parsed.present.map { ($0, "present") } + parsed.regrets.map { ($0, "regrets") }).enumerated() {
            try await store.insertImportedAttendee(meeting: id, id: "imp-\(i + 1)", name: p.0.name, title: p.0.title, agency: p.0.agency,
                                                   agencyLabel: p.0.agencyLabel, municipality: p.0.municipality, status: p.1)
        }
        let now = env.timestamp
        for (i, item) in parsed.items.enumerated() {
            let itemID = Ids.make()
            try await store.insertImportedItem(id: itemID, meeting: id, position: (i + 1) * 10, kind: kind(of: item.title), title: item.title,
                                               text: item.text.isEmpty ? nil : item.text, decisions: item.decisions, at: now)
            for a in item.actions {
                try await store.insertAction(id: Ids.make(), meeting: id, item: itemID, text: a.text, owner: a.owner, agency: nil, due: a.due, at: now)
            }
            try await Search.reindex(context.database, meeting: id, item: itemID)
        }
        try await store.insertImportedItem(id: Ids.make(), meeting: id, position: (parsed.items.count + 1) * 10, kind: "upcoming",
                                           title: "Kommande mötestider",
                                           text: parsed.upcomingText.isEmpty ? nil : parsed.upcomingText.joined(separator: "\n"), decisions: nil, at: now)
        try await store.fileImportedMinutes(meeting: id, markdown: text, by: actor.who, at: now)
        summary.meetingId = id
        return summary
    }
}
