/// Templates of the meeting pages. Mustache escapes every `{{value}}`.
enum MeetingTemplates {
    static let all: [String: String] = ["mt_list": list, "mt_meeting": meeting]

    static let list = """
    <h1 id="mt-heading">{{t.mt_title}}</h1>
    {{#hasError}}<div class="error-summary" role="alert" id="error-summary"><p>{{t.error_summary}}</p><p>{{errorText}}</p></div>{{/hasError}}
    {{#hasMeetings}}
    <table id="meetings"><caption>{{t.mt_list_caption}}</caption>
    <thead><tr><th scope="col">{{t.mt_date}}</th><th scope="col">{{t.mt_time}}</th><th scope="col">{{t.mt_centre}}</th><th scope="col">{{t.mt_place}}</th><th scope="col">{{t.col_status}}</th><th scope="col">{{t.mt_minutes}}</th></tr></thead>
    <tbody>{{#meetings}}<tr><td><a href="/moten/{{id}}">{{date}}</a></td><td>{{start}}–{{end}}</td><td>{{centre}}</td><td>{{place}}</td><td>{{statusText}}</td><td>{{minutesText}}</td></tr>{{/meetings}}</tbody>
    </table>
    {{/hasMeetings}}
    {{^hasMeetings}}<p id="no-meetings">{{t.mt_none}}</p>{{/hasMeetings}}
    {{#hasAttendance}}
    <h2 id="attendance-heading">{{t.mt_agency_attendance}}</h2>
    <table id="agency-attendance" aria-labelledby="attendance-heading">
    <thead><tr><th scope="col">{{t.mt_centre}}</th><th scope="col">{{t.mt_agency}}</th><th scope="col">{{t.mt_held_meetings}}</th><th scope="col">{{t.mt_absent_in_a_row}}</th></tr></thead>
    <tbody>{{#attendance}}<tr{{#flagged}} class="flagged"{{/flagged}}><td>{{centre}}</td><td>{{agencyName}}</td><td>{{meetings}}</td><td>{{absentInARow}}{{#flagged}} <strong class="flag">{{flagText}}</strong>{{/flagged}}</td></tr>{{/attendance}}</tbody>
    </table>
    {{/hasAttendance}}
    {{#mayCreate}}
    <h2 id="new-heading">{{t.mt_new}}</h2>
    <form method="post" action="/moten" novalidate id="meeting-form" aria-labelledby="new-heading">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <div class="field{{#err.centre}} has-error{{/err.centre}}"><label for="centre">{{t.mt_centre}}</label>
    {{#err.centre}}<p class="field-error" id="centre-error">{{err.centre}}</p>{{/err.centre}}
    <select id="centre" name="centre">{{#centres}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/centres}}</select></div>
    <div class="field{{#err.date}} has-error{{/err.date}}"><label for="date">{{t.mt_date}}</label>
    <p class="hint" id="date-hint">{{t.mt_date_hint}}</p>
    {{#err.date}}<p class="field-error" id="date-error">{{err.date}}</p>{{/err.date}}
    <input id="date" name="date" type="date" required value="{{form.date}}" aria-describedby="date-hint{{#err.date}} date-error{{/err.date}}"{{#err.date}} aria-invalid="true"{{/err.date}}></div>
    <div class="field{{#err.start}} has-error{{/err.start}}"><label for="start">{{t.mt_start}}</label>
    {{#err.start}}<p class="field-error" id="start-error">{{err.start}}</p>{{/err.start}}
    <input id="start" name="start" type="time" value="{{form.start}}"></div>
    <div class="field{{#err.end}} has-error{{/err.end}}"><label for="end">{{t.mt_end}}</label>
    {{#err.end}}<p class="field-error" id="end-error">{{err.end}}</p>{{/err.end}}
    <input id="end" name="end" type="time" value="{{form.end}}"></div>
    <div class="field"><label for="place">{{t.mt_place}}</label><input id="place" name="place" type="text" maxlength="200" value="{{form.place}}"></div>
    <div class="field{{#err.link}} has-error{{/err.link}}"><label for="link">{{t.mt_link}}</label>
    {{#err.link}}<p class="field-error" id="link-error">{{err.link}}</p>{{/err.link}}
    <input id="link" name="link" type="url" maxlength="500" value="{{form.link}}"></div>
    <button type="submit" id="create-meeting">{{t.mt_create}}</button>
    </form>
    {{/mayCreate}}
    """

    static let meeting = """
    <h1 id="mt-heading">{{t.mt_meeting}} {{m.centreName}} {{m.date}}</h1>
    {{#hasError}}<div class="error-summary" role="alert" id="error-summary"><p>{{t.error_summary}}</p><p>{{errorText}}</p></div>{{/hasError}}
    <dl class="facts">
    <dt>{{t.mt_time}}</dt><dd>{{m.date}} {{m.start}}–{{m.end}}</dd>
    <dt>{{t.mt_place}}</dt><dd>{{m.place}}{{#m.link}} (<a href="{{m.link}}">{{t.mt_link}}</a>){{/m.link}}</dd>
    <dt>{{t.mt_chair}}</dt><dd>{{m.chair}}</dd>
    <dt>{{t.mt_secretary}}</dt><dd>{{m.secretary}}</dd>
    <dt>{{t.col_status}}</dt><dd id="meeting-status">{{statusText}}</dd>
    <dt>{{t.mt_minutes}}</dt><dd id="minutes-status">{{minutesText}}</dd>
    <dt>{{t.mt_deadline}}</dt><dd>{{m.itemDeadline}}</dd>
    </dl>
    <p><a href="/moten/{{m.id}}/utskrift" id="print-link">{{t.mt_print}}</a> · <a href="/moten/{{m.id}}/anteckningar.md" id="md-link">{{t.mt_markdown}}</a></p>
    {{#staff}}
    <h2 id="att-heading">{{t.mt_attendance}}</h2>
    <form method="post" action="/moten/{{m.id}}/narvaro" id="attendance-form" aria-labelledby="att-heading">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <table><thead><tr><th scope="col">{{t.mt_name}}</th><th scope="col">{{t.mt_agency}}</th><th scope="col">{{t.col_status}}</th></tr></thead><tbody>
    {{#attendees}}<tr><td>{{name}}, {{title}}</td><td>{{agencyName}}</td><td><label class="visually-hidden" for="att_{{memberId}}">{{t.col_status}} {{name}}</label>
    <select id="att_{{memberId}}" name="att_{{memberId}}"><option value="present"{{#is_present}} selected{{/is_present}}>{{t.mt_att_present}}</option><option value="regrets"{{#is_regrets}} selected{{/is_regrets}}>{{t.mt_att_regrets}}</option><option value="absent"{{#is_absent}} selected{{/is_absent}}>{{t.mt_att_absent}}</option></select> <span>({{statusText}})</span></td></tr>{{/attendees}}
    </tbody></table>
    <button type="submit" id="save-attendance">{{t.mt_save_attendance}}</button>
    </form>
    {{/staff}}
    {{#hasCarried}}<h2>{{t.mt_carried}}</h2><ul id="carried">{{#carried}}<li>{{text}} ({{owner}}{{#due}}, {{due}}{{/due}})</li>{{/carried}}</ul>{{/hasCarried}}
    <h2 id="agenda-heading">{{t.mt_agenda}}</h2>
    <ol id="agenda">
    {{#items}}<li id="item-{{id}}"><h3>{{title}}{{#confidential}} <span class="tag">{{t.mt_confidential}}</span>{{/confidential}}</h3>
    {{#isStatusRound}}<ul class="reports">{{#reports}}<li><strong>{{agencyName}}:</strong> {{text}}</li>{{/reports}}</ul>{{/isStatusRound}}
    {{#editable}}
    <form method="post" action="/moten/{{m.id}}/punkt" class="item-form">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="itemId" value="{{id}}">
    {{#error}}<p class="field-error" role="alert" id="text-error-{{id}}">{{error}}</p>{{/error}}
    <div class="field"><label for="text-{{id}}">{{t.mt_item_text}} {{number}}</label><textarea id="text-{{id}}" name="text" rows="5">{{text}}</textarea></div>
    <div class="field"><label for="decisions-{{id}}">{{t.mt_decisions}}</label><textarea id="decisions-{{id}}" name="decisions" rows="2">{{decisions}}</textarea></div>
    <div class="field checkbox"><input type="checkbox" id="conf-{{id}}" name="confidential"{{#confidential}} checked{{/confidential}}><label for="conf-{{id}}">{{t.mt_confidential_label}}</label></div>
    <button type="submit" id="save-{{id}}">{{t.mt_save_item}}</button>
    </form>
    {{/editable}}
    {{^editable}}{{#text}}<p>{{text}}</p>{{/text}}{{#decisions}}<p><strong>{{t.mt_decisions}}:</strong> {{decisions}}</p>{{/decisions}}{{/editable}}
    </li>{{/items}}
    </ol>
    {{#editable}}
    <h2 id="actions-heading">{{t.mt_actions}}</h2>
    <ul id="actions">{{#actions}}<li>{{text}} ({{owner}}{{#due}}, {{due}}{{/due}}) – {{status}}</li>{{/actions}}</ul>
    <form method="post" action="/moten/{{m.id}}/atgard" id="action-form" aria-labelledby="actions-heading" novalidate>
    <input type="hidden" name="csrf" value="{{csrf}}">
    <div class="field{{#err.text}} has-error{{/err.text}}"><label for="action-text">{{t.mt_action_text}}</label>{{#err.text}}<p class="field-error">{{err.text}}</p>{{/err.text}}<input id="action-text" name="text" type="text" maxlength="1000"></div>
    <div class="field{{#err.owner}} has-error{{/err.owner}}"><label for="action-owner">{{t.mt_action_owner}}</label>{{#err.owner}}<p class="field-error">{{err.owner}}</p>{{/err.owner}}<input id="action-owner" name="owner" type="text" maxlength="120"></div>
    <div class="field{{#err.due}} has-error{{/err.due}}"><label for="action-due">{{t.mt_action_due}}</label>{{#err.due}}<p class="field-error" id="due-error">{{err.due}}</p>{{/err.due}}<input id="action-due" name="due" type="date"></div>
    <button type="submit" id="add-action">{{t.mt_add_action}}</button>
    </form>
    {{/editable}}
    {{#agencyUser}}{{#planned}}
    <h2 id="report-heading">{{t.mt_report_heading}}</h2>
    <form method="post" action="/moten/{{m.id}}/lagesrapport" id="report-form" aria-labelledby="report-heading" novalidate>
    <input type="hidden" name="csrf" value="{{csrf}}">
    <div class="field{{#err.text}} has-error{{/err.text}}"><label for="report-text">{{t.mt_report_text}}</label>
    <p class="hint" id="report-hint">{{t.mt_report_hint}} {{m.itemDeadline}}</p>
    {{#err.text}}<p class="field-error" id="report-error">{{err.text}}</p>{{/err.text}}
    {{#err.agency}}<p class="field-error" id="agency-error">{{err.agency}}</p>{{/err.agency}}
    <textarea id="report-text" name="text" rows="6" aria-describedby="report-hint"></textarea></div>
    <button type="submit" id="submit-report">{{t.mt_report_submit}}</button>
    </form>
    <form method="post" action="/moten/{{m.id}}/ny-punkt" id="member-item-form" novalidate><input type="hidden" name="csrf" value="{{csrf}}">
    <div class="field{{#err.title}} has-error{{/err.title}}"><label for="member-item">{{t.mt_new_item}}</label>{{#err.title}}<p class="field-error">{{err.title}}</p>{{/err.title}}
    <input id="member-item" name="title" type="text" maxlength="200"></div><button type="submit" id="member-add-item">{{t.mt_add_item}}</button></form>
    {{/planned}}{{/agencyUser}}
    {{#staff}}
    <h2 id="steps-heading">{{t.mt_steps}}</h2>
    <div class="steps">
    {{#planned}}<form method="post" action="/moten/{{m.id}}/ny-punkt" novalidate><input type="hidden" name="csrf" value="{{csrf}}"><div class="field{{#err.title}} has-error{{/err.title}}"><label for="new-item">{{t.mt_new_item}}</label>{{#err.title}}<p class="field-error">{{err.title}}</p>{{/err.title}}<input id="new-item" name="title" type="text" maxlength="200"></div><button type="submit" id="add-item">{{t.mt_add_item}}</button></form>
    <form method="post" action="/moten/{{m.id}}/skicka-dagordning"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="circulate-agenda">{{t.mt_circulate_agenda}}</button></form>
    <form method="post" action="/moten/{{m.id}}/godkann-foregaende"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="approve-previous">{{t.mt_approve_previous}}</button></form>{{/planned}}
    {{#editable}}<form method="post" action="/moten/{{m.id}}/skicka-anteckningar"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="circulate-minutes">{{t.mt_circulate_minutes}}</button></form>{{/editable}}
    {{#approved}}<form method="post" action="/moten/{{m.id}}/arkivera"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="file-minutes">{{t.mt_file}}</button></form>{{/approved}}
    </div>
    {{#hasVersions}}<h2 id="versions-heading">{{t.mt_versions}}</h2>
    {{#versions}}<details class="version"><summary>{{t.mt_version}} {{version}} – {{circulatedAt}}</summary>{{#diff}}<h3>{{t.mt_diff}}</h3><pre class="diff">{{diff}}</pre>{{/diff}}<pre>{{markdown}}</pre></details>{{/versions}}{{/hasVersions}}
    {{/staff}}
    """
}
