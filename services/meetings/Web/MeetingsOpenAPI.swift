import HubWeb
import MeetingsAPI

/// The meetings part of the OpenAPI document (paths under /api/v1 and their schemas),
/// kept apart so that other features' paths merge without touching it.
enum MeetingsOpenAPI {
    typealias Op = APIOperation
    static let centre = ["centre": APISchema.centre]
    /// An http(s) address as `meetings.minutes.links.add` takes it (`LinkAdd.urlPattern`).
    static let link = "{ type: string, maxLength: 1000, pattern: '^[\\t-\\r ]*" + LinkAdd.urlPattern + "[\\t-\\r ]*$' }"
    /// A file: a name without folders (not starting with '.'), one of the accepted types
    /// (config/meetings.json `attachments.types`, as shipped), the content as base64.
    static let attachment = APISchema.object([
        ("filename", #"{ type: string, maxLength: 160, pattern: '^[\t-\r ]*[^\s./\\\x00-\x1f\x7f-\x9f][^/\\\x00-\x1f\x7f-\x9f]*$' }"#),
        ("contentType", APISchema.choice(["application/pdf", "image/png", "image/jpeg", "text/plain", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"])),
        ("data", "{ type: string, minLength: 4, maxLength: 60000, pattern: '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$', description: \"The file, base64\" }"),
        ("itemId", APISchema.text(40)),
    ], required: ["filename", "contentType", "data"], closed: true)

    /// Every operation, with its reply schema from `replies`.
    static let operations = APIOperation.replying(table, replies)

    static let table: [APIOperation] = [
        Op("get", "/api/v1/meetings", id: "listMeetings", tag: "meetings", summary: "Meetings the user may see, by date (meetings.list)",
           query: [APIParameter("centre", APISchema.centre), APIParameter("from", APISchema.date), APIParameter("to", APISchema.date)]),
        Op("post", "/api/v1/meetings", id: "createMeeting", tag: "meetings",
           summary: "Create a meeting (and a series) from the centre's agenda template (admin, staff; meetings.create). It ends after it starts; series dates come after the date, once each. chairMemberId and secretaryMemberId name members of the centre's group",
           body: "{ $ref: \"#/components/schemas/MeetingInput\" }", status: 201, conflict: true),
        Op("get", "/api/v1/meetings/{meetingId}", id: "getMeeting", tag: "meetings",
           summary: "A meeting with attendees, agenda, status reports, action items and minutes state (meetings.get)"),
        Op("patch", "/api/v1/meetings/{meetingId}", id: "updateMeeting", tag: "meetings",
           summary: "Change date, time, place, chair or secretary; raises the iCalendar SEQUENCE (meetings.update)",
           body: "{ $ref: \"#/components/schemas/MeetingChange\" }", bodyRequired: false, conflict: true),
        Op("post", "/api/v1/meetings/{meetingId}/cancel", id: "cancelMeeting", tag: "meetings", summary: "Cancel; METHOD:CANCEL to everyone invited (meetings.cancel)", conflict: true),
        Op("post", "/api/v1/meetings/{meetingId}/attendance", id: "setAttendance", tag: "meetings", summary: "Record present / regrets / absent (meetings.attendance.set)",
           body: APISchema.object([("entries", "{ type: array, minItems: 1, maxItems: 100, items: \(APISchema.object([("memberId", APISchema.text(40, required: true)), ("status", APISchema.choice(["present", "regrets", "absent"]))], required: ["memberId", "status"], closed: true)) }")],
                                  required: ["entries"], closed: true), conflict: true),
        Op("post", "/api/v1/meetings/{meetingId}/replies", id: "replyToInvitation", tag: "meetings",
           summary: "Attending or regrets (meetings.attendance.reply); a calendar program may send its iCalendar METHOD:REPLY as the text of calendar instead",
           body: APISchema.object([("memberId", APISchema.text(40, required: true)), ("reply", APISchema.choice(["attending", "regrets"]))], required: ["memberId", "reply"], closed: true),
           conflict: true),
        Op("post", "/api/v1/meetings/{meetingId}/agenda-items", id: "addAgendaItem", tag: "meetings", summary: "Add an item before the deadline (meetings.agenda.add)",
           body: APISchema.object([("title", APISchema.text(200, required: true)), ("confidential", APISchema.boolean)], required: ["title"], closed: true), status: 201, conflict: true),
        Op("post", "/api/v1/meetings/{meetingId}/agenda/circulate", id: "circulateAgenda", tag: "meetings", summary: "Send the agenda and the invitation (meetings.agenda.circulate)", conflict: true),
        Op("post", "/api/v1/meetings/{meetingId}/status-reports", id: "submitStatusReport", tag: "meetings",
           summary: "An agency's report for the status round (meetings.status-report.submit)",
           body: APISchema.object([("text", APISchema.text(20000, required: true, multiline: true)), ("agency", APISchema.agency), ("municipality", APISchema.text(64))], required: ["text", "agency"], closed: true),
           conflict: true),
        Op("put", "/api/v1/meetings/{meetingId}/items/{itemId}", id: "setMinutesItem", tag: "meetings",
           summary: "Minutes text, decisions, confidential flag of an item (meetings.minutes.item.set)",
           body: APISchema.object([("title", APISchema.text(200)), ("text", APISchema.text(20000, multiline: true)), ("decisions", APISchema.text(20000, multiline: true)),
                                   ("confidential", APISchema.boolean)], closed: true), conflict: true),
        Op("post", "/api/v1/meetings/{meetingId}/actions", id: "addActionItem", tag: "meetings", summary: "Add an action item (meetings.minutes.actions.add)",
           body: APISchema.object([("text", APISchema.text(1000, required: true, multiline: true)), ("owner", APISchema.text(120, required: true)),
                                   ("agency", APISchema.agency), ("itemId", APISchema.id), ("due", APISchema.date)], required: ["text", "owner"], closed: true),
           status: 201, conflict: true),
        Op("patch", "/api/v1/meetings/{meetingId}/actions/{actionId}", id: "updateActionItem", tag: "meetings", summary: "Mark an action item open or done (meetings.minutes.actions.update)",
           body: APISchema.object([("status", APISchema.choice(["open", "done"]))], required: ["status"], closed: true), conflict: true),
        Op("post", "/api/v1/meetings/{meetingId}/links", id: "addLink", tag: "meetings", summary: "Add a link (meetings.minutes.links.add)",
           body: APISchema.object([("title", APISchema.text(200, required: true)), ("url", link), ("itemId", APISchema.text(40))], required: ["title", "url"], closed: true),
           status: 201, conflict: true),
        Op("post", "/api/v1/meetings/{meetingId}/attachments", id: "addAttachment", tag: "meetings",
           summary: "Attach a file as base64; SHA-256, size and type checked (meetings.minutes.attachments.add)", body: attachment, status: 201, conflict: true),
        Op("get", "/api/v1/meetings/{meetingId}/attachments/{attachmentId}", id: "getAttachment", tag: "meetings", summary: "An attachment with its checksum (meetings.minutes.attachments.get)"),
        Op("post", "/api/v1/meetings/{meetingId}/minutes/circulate", id: "circulateMinutes", tag: "meetings", summary: "Circulate a new version of the minutes (meetings.minutes.circulate)", conflict: true),
        Op("post", "/api/v1/meetings/{meetingId}/minutes/approve", id: "approvePreviousMinutes", tag: "meetings",
           summary: "At this meeting, approve the previous meeting's circulated minutes (meetings.minutes.approve)",
           body: APISchema.object([("previousMeetingId", APISchema.id), ("note", APISchema.text(2000, multiline: true))], closed: true), bodyRequired: false, conflict: true),
        Op("post", "/api/v1/meetings/{meetingId}/minutes/file", id: "fileMinutes", tag: "meetings", summary: "Place approved minutes on file (meetings.minutes.file)", conflict: true),
        Op("get", "/api/v1/meetings/{meetingId}/minutes/versions", id: "minutesVersions", tag: "meetings", summary: "Circulated versions with diffs (meetings.minutes.versions)"),
        Op("get", "/api/v1/meetings/{meetingId}/export", id: "exportMinutes", tag: "meetings", summary: "The minutes as Markdown or print-ready HTML (meetings.export)",
           query: [APIParameter("format", APISchema.choice(["markdown", "html"]))], responseDescription: "The document",
           response: [("text/markdown", "{ type: string }"), ("text/html", "{ type: string }")]),
        Op("post", "/api/v1/minutes/import", id: "importMinutes", tag: "meetings", summary: "Import minutes written in the centres' style (meetings.import)",
           body: APISchema.object([("text", "{ type: string, maxLength: 200000, format: minutes, description: \"Minutes in the centres' style (Markdown or plain text): a list of those present (Närvarande) or numbered items, at least\" }"),
                                   ("centre", APISchema.centre), ("date", APISchema.date), ("group", APISchema.choice(["management"])), ("dryRun", APISchema.boolean)],
                                  required: ["text", "centre", "date"], closed: true),
           status: 201, conflict: true),
        Op("get", "/api/v1/minutes/search", id: "searchMinutes", tag: "meetings", summary: "Full-text search over a centre's minutes (meetings.search)",
           query: [APIParameter("centre", APISchema.centre, required: true), APIParameter("q", "{ type: string, maxLength: 200, pattern: '^[A-Za-z0-9]{2,20}(?: [A-Za-z0-9]{2,20}){0,7}$', description: \"One to eight words of two letters or digits or more\" }", required: true)]),
        Op("get", "/api/v1/management-groups/{centre}", id: "managementGroup", tag: "meetings", summary: "Members of a centre's management group on a date (meetings.groups.list)",
           query: [APIParameter("date", APISchema.date)], pathSchemas: centre),
        Op("get", "/api/v1/management-groups/{centre}/history", id: "managementGroupHistory", tag: "meetings", summary: "Every term of every member (meetings.groups.history)", pathSchemas: centre),
        Op("post", "/api/v1/management-groups/{centre}/replace", id: "replaceRepresentative", tag: "meetings",
           summary: "An agency changes its representative; history kept (meetings.groups.replace). The new term starts after the current one started",
           pathSchemas: centre,
           body: APISchema.object([("memberId", APISchema.text(40, required: true)), ("from", APISchema.date), ("name", APISchema.text(120, required: true)),
                                   ("title", APISchema.text(120, required: true)), ("email", APISchema.email)], required: ["memberId", "from", "name", "title"], closed: true),
           conflict: true),
        Op("get", "/api/v1/management-groups/{centre}/attendance", id: "agencyAttendance", tag: "meetings",
           summary: "Each agency's attendance with absences in a row flagged (meetings.attendance.agencies)", pathSchemas: centre),
        Op("post", "/api/v1/meetings-mail/flush", id: "flushMeetingMail", tag: "meetings", summary: "Send queued agenda, minutes and invitation mail through the SMTP relay (meetings.mail.flush)"),
        Op("post", "/api/v1/meetings-reminders/run", id: "runMeetingReminders", tag: "meetings", summary: "Send due reminders (meetings.reminders.run)"),
    ]

    static var paths: String { APIOperation.paths(operations) }

    static let meetingFields: [(String, String)] = [
        ("date", APISchema.date), ("start", APISchema.time), ("end", APISchema.time), ("place", APISchema.text(200)),
        ("link", "{ type: string, maxLength: 500, pattern: '^[\\t-\\r ]*https://[^\\s\\x00-\\x1f\\x7f-\\x9f]+[\\t-\\r ]*$' }"), ("temporaryChair", APISchema.text(120)),
    ]

    static let schemas = """
        MeetingInput: \(APISchema.object([("centre", APISchema.centre)] + meetingFields + [("series", "{ type: array, maxItems: 12, uniqueItems: true, items: \(APISchema.date) }")],
                                         required: ["centre", "date"], closed: true))
        MeetingChange: \(APISchema.object(meetingFields, closed: true))
    """
}
