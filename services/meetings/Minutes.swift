import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
import MeetingsAPI

/// Minutes: text and decisions per agenda item, action items, links and attachments,
/// and the life cycle draft → circulated → approved (at the next meeting) → filed.
/// Approved and filed minutes never change.
enum Minutes {
    static let locked = MeetingsError.minutesLocked
    static let invalidTransition = MeetingsError.invalidTransition
    /// The meeting has not begun yet (its minutes cannot go out).
    static let notStarted = MeetingsError.notStarted

    /// Refuses any change to minutes that were approved or filed.
    static func requireEditable(_ db: any DatabaseExecutor, meeting: String) async throws(HubError) {
        let status = try await MeetingStore(db).minutesState(meeting: meeting)?.status ?? "draft"
        guard status == "draft" || status == "circulated" else {
            throw HubError(locked, "The minutes are \(status == "filed" ? "filed" : "approved") and never change.", field: "body.meetingId")
        }
    }

    /// The meeting and the checks every minutes change shares.
    static func editable(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> (MeetingActor, BodyReader, MeetingRecord) {
        let actor = try Caller.from(request, reference: env.reference, service: "meetings")
        let body = try BodyReader(request.body)
        let m = try await MeetingStore(context.database).meeting(try body.id("meetingId")!)
        try actor.requireManager(centre: m.centre)
        guard m.status != "cancelled" else { throw HubError(.conflict, "The meeting is cancelled.", field: "body.meetingId") }
        try await requireEditable(context.database, meeting: m.id)
        return (actor, body, m)
    }

    /// The agenda item `id` of the meeting, nil for none. One not on this meeting's agenda is
    /// `missing`: 404 when the item is the thing addressed (its id in the path), 409 when the
    /// body names it beside the meeting addressed (the agenda decides; a 404 there would read
    /// as "no such meeting").
    static func agendaItem(_ db: any DatabaseExecutor, meeting: String, id: String?, field: String,
                           missing: HubError.Code = .conflict) async throws(HubError) -> AgendaItemRecord? {
        guard let id else { return nil }
        guard let item = try await MeetingStore(db).agendaItem(meeting: meeting, id: id) else {
            throw HubError(missing, "Not an item of this meeting's agenda.", field: field)
        }
        return item
    }

    /// `meetings.minutes.item.set {meetingId, itemId, text?, decisions?, title?, confidential?}`.
    @Sendable static func setItem(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> MinutesItemSet.Reply {
        let (_, body, m) = try await editable(env, request, context)
        guard let item = try await agendaItem(context.database, meeting: m.id, id: try body.string("itemId", max: 40), field: "body.itemId",
                                              missing: .notFound) else {
            throw HubError(.validation, "Required.", field: "body.itemId")
        }
        let max = env.settings.maxTextChars
        let text = body.has("text") ? try body.optionalString("text", max: max, multiline: true) : item.text
        let decisions = body.has("decisions") ? try body.optionalString("decisions", max: max, multiline: true) : item.decisions
        let title = try body.optionalString("title", max: 200) ?? item.title
        let confidential = try body.optionalBool("confidential") ?? item.confidential
        try await MeetingStore(context.database).updateItem(item.id, text: text, decisions: decisions, title: title, confidential: confidential)
        try await MeetingStore(context.database).markMinutesChanged(meeting: m.id)
        try await Search.reindex(context.database, meeting: m.id, item: item.id)
        guard let stored = try await agendaItem(context.database, meeting: m.id, id: item.id, field: "body.itemId") else {
            throw HubError(.validation, "Not an item of this meeting's agenda.", field: "body.itemId")
        }
        return stored.contract
    }

    /// `meetings.minutes.actions.add {meetingId, itemId?, text, owner, agency?, due?}`.
    @Sendable static func addAction(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> ActionAdd.Reply {
        let (_, body, m) = try await editable(env, request, context)
        let item = try await agendaItem(context.database, meeting: m.id, id: try body.optionalString("itemId", max: 40), field: "body.itemId")
        let text = try body.string("text", max: 1000, multiline: true)
        let owner = try body.string("owner", max: 120)
        let agency = try body.optionalString("agency", max: 64)
        if let agency, agency != "utvag", !env.reference.agencies.contains(where: { $0.id == agency }) {
            throw HubError(.validation, "Not a partner agency.", field: "body.agency")
        }
        let due = try body.optionalDate("due")
        let id = Ids.make()
        let store = MeetingStore(context.database)
        try await store.insertAction(id: id, meeting: m.id, item: item?.id, text: text, owner: owner, agency: agency, due: due, at: env.timestamp)
        try await store.markMinutesChanged(meeting: m.id)
        return try await storedAction(store, id)
    }

    /// `meetings.minutes.actions.update {meetingId, actionId, status: open|done}`: marked at
    /// any later meeting of the centre (whose minutes are still editable).
    @Sendable static func updateAction(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> ActionUpdate.Reply {
        let (_, body, m) = try await editable(env, request, context)
        let actionID = try body.string("actionId", max: 40)
        let status = try body.choice("status", ["open", "done"])
        let store = MeetingStore(context.database)
        guard let action = try await store.action(actionID, centre: m.centre) else {
            throw HubError(.notFound, "Not an action item of this centre.", field: "body.actionId")
        }
        if action.meetingID != m.id { try await requireEditable(context.database, meeting: m.id) }
        try await store.setActionStatus(action.id, status: status, doneAt: status == "done" ? env.timestamp : nil)
        try await store.markMinutesChanged(meeting: m.id)
        return try await storedAction(store, action.id)
    }

    /// An action item just written, as the reply gives it.
    static func storedAction(_ store: MeetingStore, _ id: String) async throws(HubError) -> ActionItem {
        guard let action = try await store.action(id) else { throw HubError(.storage, "The action item was not stored.") }
        return action.contract
    }

    /// Open action items from earlier meetings of the centre: carried to this agenda until done.
    static func carriedActions(_ db: any DatabaseExecutor, meeting m: MeetingRecord) async throws(HubError) -> [ActionRecord] {
        try await MeetingStore(db).openActions(centre: m.centre, before: m.date)
    }

    /// `meetings.actions.open {centre?}`: the open action items that wait for the caller, for
    /// the start page. Staff and board of a centre (and admins, for one centre or all) get the
    /// centre's open items; an agency gets those assigned to its own agency. Ordered by due
    /// date (items without one last), then by the meeting they came from; at most 50.
    @Sendable static func openActions(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> ActionsOpen.Reply {
        let actor = try Caller.from(request, reference: env.reference, service: "meetings")
        let body = try BodyReader(request.body)
        let asked = try body.optionalString("centre", max: 64)
        if let asked { _ = try env.centre(asked) }
        let agencies: Set<String>?, centre: String?
        switch actor.role {
        case .agency, .adapter:
            agencies = actor.agencies
            centre = asked
        default:
            agencies = nil
            centre = asked ?? actor.centre
            if let centre {
                guard actor.seesConfidential(centre: centre) else { throw HubError(.forbidden, "Only the centre's staff and board see its action items.") }
            } else {
                guard actor.role == .admin else { throw HubError(.validation, "Which centre?", field: "body.centre") }
            }
        }
        let open = try await MeetingStore(context.database).openActions(assignedTo: agencies, centre: centre, limit: 50)
        return ActionsOpen.Reply(actions: open.map { action, centre in
            OpenAction(action: action.contract, centre: centre, centreName: (try? env.centre(centre).name) ?? centre,
                       agencyName: action.agency.map(env.agencyName))
        })
    }

    /// `meetings.minutes.links.add {meetingId, itemId?, title, url}`.
    @Sendable static func addLink(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> LinkAdd.Reply {
        let (_, body, m) = try await editable(env, request, context)
        let item = try await agendaItem(context.database, meeting: m.id, id: try body.optionalString("itemId", max: 40), field: "body.itemId")
        let title = try body.string("title", max: 200)
        let url = try body.string("url", max: 1000)
        guard let pattern = try? Regex(LinkAdd.urlPattern), (try? pattern.wholeMatch(in: url)) != nil else {
            throw HubError(.validation, "A link is an http(s):// address.", field: "body.url")
        }
        let id = Ids.make()
        try await MeetingStore(context.database).insertLink(id: id, meeting: m.id, item: item?.id, title: title, url: url)
        try await MeetingStore(context.database).markMinutesChanged(meeting: m.id)
        return LinkAdd.Reply(id: id, title: title, url: url)
    }

    /// `meetings.minutes.attachments.add {meetingId, itemId?, filename, contentType, data (base64)}`:
    /// stored with its SHA-256 and size; over `attachments.maxBytes` or of a type not listed is refused.
    @Sendable static func addAttachment(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> AttachmentAdd.Reply {
        let (actor, body, m) = try await editable(env, request, context)
        let item = try await agendaItem(context.database, meeting: m.id, id: try body.optionalString("itemId", max: 40), field: "body.itemId")
        let filename = try body.string("filename", max: 160)
        guard !filename.contains("/"), !filename.contains("\\"), !filename.hasPrefix(".") else {
            throw HubError(.validation, "A file name without folders.", field: "body.filename")
        }
        let type = try body.string("contentType", max: 120).lowercased()
        guard env.settings.attachments.types.contains(type) else {
            throw HubError(.validation, "That type of file is not accepted; use one of: \(env.settings.attachments.types.joined(separator: ", ")).", field: "body.contentType")
        }
        let limit = env.settings.attachments.maxBytes
        guard case .string(let encoded)? = body.object["data"] else { throw HubError(.validation, "Required: the file as base64.", field: "body.data") }
        guard encoded.utf8.count <= (limit / 3 + 1) * 4 + 4 else {
            throw HubError(.tooLarge, "The file is larger than \(limit) bytes.", field: "body.data")
        }
        guard let data = Data(base64Encoded: encoded), !data.isEmpty else { throw HubError(.validation, "Not base64 data.", field: "body.data") }
        guard data.count <= limit else { throw HubError(.tooLarge, "The file is larger than \(limit) bytes.", field: "body.data") }
        if type == "application/pdf", !data.starts(with: Array("%PDF".utf8)) {
            throw HubError(.validation, "The file is not a PDF.", field: "body.data")
        }
        let bytes = [UInt8](data), sha = Ids.sha256(bytes), id = Ids.make()
        try await MeetingStore(context.database).insertAttachment(id: id, meeting: m.id, item: item?.id, filename: filename, contentType: type,
                                                            bytes: bytes, sha256: sha, by: actor.who, at: env.timestamp)
        try await MeetingStore(context.database).markMinutesChanged(meeting: m.id)
        return AttachmentAdd.Reply(id: id, filename: filename, contentType: type, size: bytes.count, sha256: sha)
    }

    /// `meetings.minutes.attachments.get {meetingId, attachmentId}` → the file (base64) with its checksum, verified.
    @Sendable static func getAttachment(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> AttachmentGet.Reply {
        let actor = try Caller.from(request, reference: env.reference, service: "meetings")
        let body = try BodyReader(request.body)
        let store = MeetingStore(context.database)
        let m = try await store.visibleMeeting(try body.id("meetingId")!, actor: actor)
        guard let file = try await store.attachmentFile(meeting: m.id, id: try body.string("attachmentId", max: 40)) else {
            throw HubError(.notFound, "No such attachment.", field: "body.attachmentId")
        }
        guard Ids.sha256(file.data) == file.sha256 else { throw HubError(.storage, "The stored file does not match its checksum.") }
        return AttachmentGet.Reply(filename: file.filename, contentType: file.contentType, size: file.size, sha256: file.sha256,
                                   data: Data(file.data).base64EncodedString())
    }

    /// `meetings.minutes.approve {meetingId}`: at this meeting, the previous meeting's
    /// circulated minutes are approved. The review item records the exact version.
    @Sendable static func approve(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> MinutesApprove.Reply {
        let actor = try Caller.from(request, reference: env.reference, service: "meetings")
        let body = try BodyReader(request.body)
        let store = MeetingStore(context.database)
        let m = try await store.meeting(try body.id("meetingId")!)
        try actor.requireManager(centre: m.centre)
        try await requireEditable(context.database, meeting: m.id)
        guard let review = try await store.reviewItem(meeting: m.id) else {
            throw HubError(invalidTransition, "This meeting's agenda has no review of previous minutes.", field: "body.meetingId")
        }
        let previousID: String
        if let explicit = try body.id("previousMeetingId", required: false) { previousID = explicit }
        else if let linked = review.reviewedMeetingID { previousID = linked }
        else { throw HubError(invalidTransition, "There are no previous minutes to approve.", field: "body.meetingId") }
        let previous = try await store.meeting(previousID, field: "body.previousMeetingId")
        guard previous.centre == m.centre, previous.date < m.date else {
            throw HubError(.validation, "Minutes are approved at a later meeting of the same centre.", field: "body.previousMeetingId")
        }
        guard let minutes = try await store.minutesState(meeting: previous.id) else {
            throw HubError(.notFound, "No minutes.", field: "body.previousMeetingId")
        }
        guard minutes.status == "circulated" else {
            throw HubError(invalidTransition, "Only circulated minutes can be approved.", field: "body.previousMeetingId")
        }
        guard !minutes.changedSinceCirculation else {
            throw HubError(invalidTransition, "The minutes changed after they were circulated; circulate the new version first.", field: "body.previousMeetingId")
        }
        let version = minutes.version
        try await store.approveMinutes(meeting: previous.id, version: version, approvedIn: m.id, at: env.timestamp)
        let note = try body.optionalString("note", max: 2000, multiline: true)
            ?? "Inga invändningar på föregående mötesanteckningar så dessa lades till handlingarna."
        try await store.recordReview(item: review.id, reviewed: previous.id, version: version, note: note,
                                     title: "Genomgång av föregående mötesanteckningar från \(SwedishDate.long(previous.date))")
        try await store.markMinutesChanged(meeting: m.id)
        context.events.emit("minutes.approved", ["meetingId": .string(previous.id), "centre": .string(m.centre), "version": .int(version),
                                           "approvedInMeeting": .string(m.id)])
        return MinutesApprove.Reply(meetingId: previous.id, status: MinutesStatus.approved.rawValue, version: version, approvedInMeeting: m.id)
    }

    /// `meetings.minutes.file {meetingId}`: approved minutes are placed on file ("läggs till handlingarna").
    @Sendable static func file(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> MinutesFile.Reply {
        let actor = try Caller.from(request, reference: env.reference, service: "meetings")
        let body = try BodyReader(request.body)
        let store = MeetingStore(context.database)
        let m = try await store.meeting(try body.id("meetingId")!)
        try actor.requireManager(centre: m.centre)
        guard try await store.minutesState(meeting: m.id)?.status == "approved" else {
            throw HubError(invalidTransition, "Only approved minutes are filed.", field: "body.meetingId")
        }
        try await store.fileMinutes(meeting: m.id, at: env.timestamp)
        context.events.emit("minutes.filed", ["meetingId": .string(m.id), "centre": .string(m.centre)])
        return MinutesFile.Reply(meetingId: m.id, status: MinutesStatus.filed.rawValue)
    }

    /// `meetings.minutes.versions {meetingId}` → every circulated version with its diff against the one before.
    @Sendable static func versions(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> MinutesVersions.Reply {
        let actor = try Caller.from(request, reference: env.reference, service: "meetings")
        let body = try BodyReader(request.body)
        let store = MeetingStore(context.database)
        let m = try await store.visibleMeeting(try body.id("meetingId")!, actor: actor)
        return MinutesVersions.Reply(meetingId: m.id, versions: try await store.versions(meeting: m.id).map { v in
            MinutesVersions.Version(version: v.version, markdown: v.markdown, sha256: v.sha256, diff: v.diff, circulatedAt: v.circulatedAt)
        })
    }
}

/// A line diff (longest common subsequence) in the unified style: "- " removed, "+ " added.
enum LineDiff {
    static func diff(_ old: String, _ new: String) -> String {
        let a = old.components(separatedBy: "\n"), b = new.components(separatedBy: "\n")
        let n = a.count, m = b.count
        guard n * m <= 4_000_000 else { return "- (previous version)\n+ (whole text changed)" }
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var out: [String] = [], i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, a[i] == b[j] { i += 1; j += 1 }
            else if j < m, i == n || lcs[i][j + 1] >= lcs[i + 1][j] { out.append("+ " + b[j]); j += 1 }
            else { out.append("- " + a[i]); i += 1 }
        }
        return out.joined(separator: "\n")
    }
}
