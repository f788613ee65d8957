/// The meetings part of the OpenAPI document (paths under /api/v1 and their schemas),
/// kept apart so that other features' paths merge without touching it. The paths are
/// written from one table so that every operation has the same responses.
enum MeetingsOpenAPI {
    /// One operation: parameters as `name` (path), `name:query` or `name:query:req`;
    /// `body` is `MeetingInput` or `object`; `status` 200, 201 or `doc` (Markdown/HTML).
    struct Op {
        var path, method, id, summary: String
        var params: [String]
        var body: String?
        var status: String
        init(_ path: String, _ method: String, _ id: String, _ summary: String, _ params: [String], body: String?, status: String) {
            self.path = path; self.method = method; self.id = id; self.summary = summary; self.params = params; self.body = body; self.status = status
        }
    }

    static let operations: [Op] = [
        Op("/api/v1/meetings", "get", "listMeetings", "Meetings the user may see, by date (meetings.list)", ["centre:query", "from:query", "to:query"], body: nil, status: "200"),
        Op("/api/v1/meetings", "post", "createMeeting", "Create a meeting (and a series) from the centre's agenda template (admin, staff; meetings.create)", [], body: "MeetingInput", status: "201"),
        Op("/api/v1/meetings/{meetingId}", "get", "getMeeting", "A meeting with attendees, agenda, status reports, action items and minutes state (meetings.get)", ["meetingId"], body: nil, status: "200"),
        Op("/api/v1/meetings/{meetingId}", "patch", "updateMeeting", "Change date, time, place, chair or secretary; raises the iCalendar SEQUENCE (meetings.update)", ["meetingId"], body: "MeetingInput", status: "200"),
        Op("/api/v1/meetings/{meetingId}/cancel", "post", "cancelMeeting", "Cancel; METHOD:CANCEL to everyone invited (meetings.cancel)", ["meetingId"], body: nil, status: "200"),
        Op("/api/v1/meetings/{meetingId}/attendance", "post", "setAttendance", "Record present / regrets / absent (meetings.attendance.set)", ["meetingId"], body: "object", status: "200"),
        Op("/api/v1/meetings/{meetingId}/replies", "post", "replyToInvitation", "Attending or regrets, or an iCalendar METHOD:REPLY (meetings.attendance.reply)", ["meetingId"], body: "object", status: "200"),
        Op("/api/v1/meetings/{meetingId}/agenda-items", "post", "addAgendaItem", "Add an item before the deadline (meetings.agenda.add)", ["meetingId"], body: "object", status: "201"),
        Op("/api/v1/meetings/{meetingId}/agenda/circulate", "post", "circulateAgenda", "Send the agenda and the invitation (meetings.agenda.circulate)", ["meetingId"], body: nil, status: "200"),
        Op("/api/v1/meetings/{meetingId}/status-reports", "post", "submitStatusReport", "An agency's report for the status round (meetings.status-report.submit)", ["meetingId"], body: "object", status: "200"),
        Op("/api/v1/meetings/{meetingId}/items/{itemId}", "put", "setMinutesItem", "Minutes text, decisions, confidential flag of an item (meetings.minutes.item.set)", ["meetingId", "itemId"], body: "object", status: "200"),
        Op("/api/v1/meetings/{meetingId}/actions", "post", "addActionItem", "Add an action item (meetings.minutes.actions.add)", ["meetingId"], body: "object", status: "201"),
        Op("/api/v1/meetings/{meetingId}/actions/{actionId}", "patch", "updateActionItem", "Mark an action item open or done (meetings.minutes.actions.update)", ["meetingId", "actionId"], body: "object", status: "200"),
        Op("/api/v1/meetings/{meetingId}/links", "post", "addLink", "Add a link (meetings.minutes.links.add)", ["meetingId"], body: "object", status: "201"),
        Op("/api/v1/meetings/{meetingId}/attachments", "post", "addAttachment", "Attach a file as base64; SHA-256, size and type checked (meetings.minutes.attachments.add)", ["meetingId"], body: "object", status: "201"),
        Op("/api/v1/meetings/{meetingId}/attachments/{attachmentId}", "get", "getAttachment", "An attachment with its checksum (meetings.minutes.attachments.get)", ["meetingId", "attachmentId"], body: nil, status: "200"),
        Op("/api/v1/meetings/{meetingId}/minutes/circulate", "post", "circulateMinutes", "Circulate a new version of the minutes (meetings.minutes.circulate)", ["meetingId"], body: nil, status: "200"),
        Op("/api/v1/meetings/{meetingId}/minutes/approve", "post", "approvePreviousMinutes", "At this meeting, approve the previous meeting's circulated minutes (meetings.minutes.approve)", ["meetingId"], body: "object", status: "200"),
        Op("/api/v1/meetings/{meetingId}/minutes/file", "post", "fileMinutes", "Place approved minutes on file (meetings.minutes.file)", ["meetingId"], body: nil, status: "200"),
        Op("/api/v1/meetings/{meetingId}/minutes/versions", "get", "minutesVersions", "Circulated versions with diffs (meetings.minutes.versions)", ["meetingId"], body: nil, status: "200"),
        Op("/api/v1/meetings/{meetingId}/export", "get", "exportMinutes", "The minutes as Markdown or print-ready HTML (meetings.export)", ["meetingId", "format:query"], body: nil, status: "doc"),
        Op("/api/v1/minutes/import", "post", "importMinutes", "Import minutes written in the centres' style (meetings.import)", [], body: "object", status: "201"),
        Op("/api/v1/minutes/search", "get", "searchMinutes", "Full-text search over a centre's minutes (meetings.search)", ["centre:query:req", "q:query:req"], body: nil, status: "200"),
        Op("/api/v1/management-groups/{centre}", "get", "managementGroup", "Members of a centre's management group on a date (meetings.groups.list)", ["centre", "date:query"], body: nil, status: "200"),
        Op("/api/v1/management-groups/{centre}/history", "get", "managementGroupHistory", "Every term of every member (meetings.groups.history)", ["centre"], body: nil, status: "200"),
        Op("/api/v1/management-groups/{centre}/replace", "post", "replaceRepresentative", "An agency changes its representative; history kept (meetings.groups.replace)", ["centre"], body: "object", status: "200"),
        Op("/api/v1/management-groups/{centre}/attendance", "get", "agencyAttendance", "Each agency's attendance with absences in a row flagged (meetings.attendance.agencies)", ["centre"], body: nil, status: "200"),
        Op("/api/v1/meetings-mail/flush", "post", "flushMeetingMail", "Send queued agenda, minutes and invitation mail through the SMTP relay (meetings.mail.flush)", [], body: nil, status: "200"),
        Op("/api/v1/meetings-reminders/run", "post", "runMeetingReminders", "Send due reminders (meetings.reminders.run)", [], body: nil, status: "200"),
    ]

    static let paths: String = {
        var out: [String] = [], last = ""
        for op in operations {
            if op.path != last { out.append("  \(op.path):"); last = op.path }
            out += ["    \(op.method):", "      summary: \"\(op.summary)\"", "      operationId: \(op.id)", "      tags: [meetings]"]
            if !op.params.isEmpty {
                out.append("      parameters:")
                for p in op.params {
                    let parts = p.split(separator: ":").map(String.init)
                    let place = parts.count > 1 ? parts[1] : "path"
                    out.append("        - { name: \(parts[0]), in: \(place), required: \(place == "path" || parts.count > 2), schema: { type: string } }")
                }
            }
            if let body = op.body {
                out += ["      requestBody:", "        required: true", "        content:", "          application/json:",
                        body == "MeetingInput" ? "            schema: { $ref: \"#/components/schemas/MeetingInput\" }" : "            schema: { type: object }"]
            }
            out.append("      responses:")
            if op.status == "doc" {
                out += ["        \"200\":", "          description: The document", "          content:",
                        "            text/markdown: { schema: { type: string } }", "            text/html: { schema: { type: string } }"]
            } else {
                out += ["        \"\(op.status)\":", "          description: The meetings service's reply", "          content:",
                        "            application/json:", "              schema: { type: object }"]
            }
            for (code, ref) in [("400", "BadRequest"), ("422", "Unprocessable"), ("401", "Unauthorized"), ("403", "Forbidden"), ("503", "Unavailable")] {
                out.append("        \"\(code)\": { $ref: \"#/components/responses/\(ref)\" }")
            }
        }
        return out.joined(separator: "\n")
    }()

    static let schemas = #"""
        MeetingInput:
          type: object
          properties:
            centre: { type: string }
            date: { type: string, format: date }
            start: { type: string, pattern: "^[0-2][0-9]:[0-5][0-9]$" }
            end: { type: string, pattern: "^[0-2][0-9]:[0-5][0-9]$" }
            place: { type: string, maxLength: 200 }
            link: { type: string, format: uri, maxLength: 500 }
            chairMemberId: { type: string }
            temporaryChair: { type: string, maxLength: 120 }
            secretaryMemberId: { type: string }
            series: { type: array, items: { type: string, format: date }, maxItems: 12 }
    """#
}
