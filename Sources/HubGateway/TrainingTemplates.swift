/// Templates of the training pages. The public registration, confirmation and
/// personal-link pages are the network-day templates with the training's facts
/// (sessions, audience, trainers) and its own form addresses. Mustache escapes every `{{value}}`.
enum TrainingTemplates {
    static let all: [String: String] = [
        "tr_register": derived(NetworkTemplates.register, ["action=\"/register/{{day.id}}\"": "action=\"/training/register/{{day.id}}\"",
                                                           "{{t.reg_intro}}": "{{t.tr_reg_intro}}"]),
        "tr_register_done": derived(NetworkTemplates.registerDone, [:]),
        "tr_my": derived(NetworkTemplates.myRegistration, ["action=\"/r/{{token}}/cancel\"": "action=\"/tr/{{token}}/cancel\""])
            + "\n{{#day.ended}}<p><a id=\"evaluation-link\" href=\"/training/evaluate/{{day.id}}\">{{t.tr_eval_title}}</a></p>{{/day.ended}}",
        "tr_evaluate": evaluate, "tr_list": list, "tr_new": newEvent, "tr_event": event, "tr_lectures": lectures,
        "tr_supervision": supervision, "tr_review": review,
    ]

    /// A network-day template with the training's facts in place of the day's, and `changes` applied.
    static func derived(_ template: String, _ changes: [String: String]) -> String {
        var t = template.replacingOccurrences(of: NetworkTemplates.facts, with: facts)
        for (from, to) in changes { t = t.replacingOccurrences(of: from, with: to) }
        return t
    }

    static let facts = """
    <dl class="facts">
    <dt>{{t.tr_sessions}}</dt><dd><ol class="sessions" id="sessions">{{#day.sessions}}<li>{{date}} {{startTime}}–{{endTime}}, {{venue}}</li>{{/day.sessions}}</ol></dd>
    <dt>{{t.tr_audience}}</dt><dd>{{day.audience}}</dd>
    {{#day.focus}}<dt>{{t.tr_focus}}</dt><dd>{{day.focus}}</dd>{{/day.focus}}
    {{#organisers}}<dt>{{t.tr_trainers}}</dt><dd>{{organisers}}</dd>{{/organisers}}
    <dt>{{t.reg_fee}}</dt><dd>{{feeText}}</dd>
    <dt>{{t.reg_deadline}}</dt><dd>{{day.deadline}}</dd>
    </dl>
    {{#day.description}}<p class="description">{{day.description}}</p>{{/day.description}}
    """

    static let evaluate = """
    <h1 id="eval-heading">{{t.tr_eval_title}}: {{event.title}}</h1>
    <p>{{t.tr_eval_intro}}</p>
    {{#formError}}<div class="error-summary" role="alert" id="form-error"><p>{{formError}}</p></div>{{/formError}}
    {{^open}}<p class="notice" role="status" id="eval-closed">{{t.tr_err_eval_closed}}</p>{{/open}}
    {{#open}}<form method="post" action="/training/evaluate/{{event.id}}" novalidate id="evaluation-form">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="token" value="{{token}}">
    {{#questions}}<fieldset class="field{{#error}} has-error{{/error}}" id="{{id}}"><legend>{{label}}</legend>
    {{#error}}<p class="field-error" id="{{id}}-error">{{error}}</p>{{/error}}
    <div class="scale">{{#options}}<label for="{{id}}"><input type="radio" id="{{id}}" name="{{group}}" value="{{value}}"> {{value}}</label>{{/options}}</div>
    </fieldset>{{/questions}}
    <div class="field"><label for="comment">{{t.tr_eval_comment}}</label>
    <textarea id="comment" name="comment" rows="4" maxlength="1000"></textarea></div>
    <button type="submit" id="eval-submit">{{t.tr_eval_submit}}</button>
    </form>{{/open}}
    """

    static let list = """
    <h1 id="training-heading">{{t.tr_title}}</h1>
    <p><a href="/training/events/new" id="new-training-link">{{t.tr_new}}</a></p>
    {{#hasEvents}}<table id="trainings">
    <thead><tr><th scope="col">{{t.tr_col_title}}</th><th scope="col">{{t.tr_col_kind}}</th><th scope="col">{{t.tr_col_dates}}</th><th scope="col">{{t.tr_col_seats}}</th></tr></thead>
    <tbody>{{#events}}<tr><th scope="row"><a href="/training/events/{{id}}">{{title}}</a></th><td>{{kindText}}</td><td>{{dates}}</td><td>{{taken}} / {{capacity}}</td></tr>
    {{/events}}</tbody></table>{{/hasEvents}}
    {{^hasEvents}}<p>{{t.tr_none}}</p>{{/hasEvents}}
    <h2>{{t.tr_per_centre}}</h2>
    <ul class="actions">{{#centres}}<li>{{name}}: <a href="/training/lectures/{{id}}">{{t.tr_lectures}}</a> · <a href="/training/supervision/{{id}}">{{t.tr_supervision}}</a> · <a href="/training/review/{{id}}">{{t.tr_review}}</a></li>{{/centres}}</ul>
    """

    static let newEvent = """
    <h1 id="new-training-heading">{{t.tr_new}}</h1>
    {{#formError}}<div class="error-summary" role="alert" id="form-error"><p>{{formError}}</p></div>{{/formError}}
    <form method="post" action="/training/events/new" novalidate id="new-training-form">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <div class="field"><label for="centreId">{{t.nw_f_centre}}</label>
    <select id="centreId" name="centreId">{{#centres}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/centres}}</select></div>
    <div class="field{{#err.kind}} has-error{{/err.kind}}"><label for="kind">{{t.tr_col_kind}}</label>
    {{#err.kind}}<p class="field-error" id="kind-error">{{err.kind}}</p>{{/err.kind}}
    <select id="kind" name="kind">{{#kinds}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/kinds}}</select></div>
    \(NetworkTemplates.input("title", "tr_f_title", extra: " required maxlength=\"300\""))
    \(NetworkTemplates.input("focus", "tr_focus", extra: " maxlength=\"500\""))
    \(NetworkTemplates.input("audience", "tr_f_audience", extra: " required maxlength=\"300\""))
    <div class="field{{#err.description}} has-error{{/err.description}}"><label for="description">{{t.tr_f_description}}</label>
    {{#err.description}}<p class="field-error" id="description-error">{{err.description}}</p>{{/err.description}}
    <textarea id="description" name="description" rows="4">{{form.description}}</textarea></div>
    <div class="field{{#err.trainers}} has-error{{/err.trainers}}"><label for="trainers">{{t.tr_f_trainers}}</label>
    <p class="hint" id="trainers-hint">{{t.tr_f_trainers_hint}}</p>
    {{#err.trainers}}<p class="field-error" id="trainers-error">{{err.trainers}}</p>{{/err.trainers}}
    <textarea id="trainers" name="trainers" rows="3" aria-describedby="trainers-hint">{{form.trainers}}</textarea></div>
    {{#sessions}}<fieldset class="session" id="session-{{n}}"><legend>{{t.tr_f_session}} {{n}}</legend>
    {{#fields}}<div class="field{{#error}} has-error{{/error}}"><label for="{{key}}">{{label}}</label>
    {{#error}}<p class="field-error" id="{{key}}-error">{{error}}</p>{{/error}}
    <input id="{{key}}" name="{{key}}" type="text" value="{{value}}"{{#error}} aria-invalid="true" aria-describedby="{{key}}-error"{{/error}}></div>{{/fields}}
    </fieldset>{{/sessions}}
    \(NetworkTemplates.input("capacity", "nw_f_capacity", extra: " required inputmode=\"numeric\""))
    \(NetworkTemplates.input("feeSEK", "nw_f_fee", extra: " inputmode=\"numeric\""))
    \(NetworkTemplates.input("deadline", "nw_f_deadline", extra: " required inputmode=\"numeric\""))
    \(NetworkTemplates.input("contactEmail", "nw_f_contact", type: "email"))
    <button type="submit" id="new-training-submit">{{t.tr_f_submit}}</button>
    </form>
    """

    static let event = """
    <h1 id="event-heading">{{event.title}}</h1>
    <p>{{kindText}} · {{event.audience}}</p>
    <ol class="sessions" id="sessions">{{#sessions}}<li>{{date}} {{startTime}}–{{endTime}}, {{venue}}</li>{{/sessions}}</ol>
    <p id="seats-summary">{{seatsSummary}}</p>
    {{#cancelled}}<p class="notice" role="status">{{t.tr_cancelled}}</p>{{/cancelled}}
    {{^cancelled}}<form method="post" action="/training/events/{{event.id}}/invite" class="inline-action"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="invite-submit">{{t.nw_invite}}</button></form>{{/cancelled}}
    <ul class="actions"><li><a href="/training/register/{{event.id}}" id="public-link">{{t.nw_public_link}}</a></li>
    <li><a href="/training/evaluate/{{event.id}}" id="evaluation-link">{{t.tr_eval_title}}</a></li></ul>
    <table id="attendance">
    <caption>{{t.tr_attendance}}</caption>
    <thead><tr><th scope="col">{{t.col_name}}</th>{{#sessions}}<th scope="col">{{t.tr_f_session}} {{number}}</th>{{/sessions}}<th scope="col">{{t.tr_certificate}}</th></tr></thead>
    <tbody>{{#attendees}}<tr><th scope="row">{{name}}</th>
    {{#marks}}<td><form method="post" action="/training/events/{{eventId}}/attendance"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="sessionId" value="{{sessionId}}"><input type="hidden" name="participantId" value="{{participantId}}"><input type="hidden" name="attended" value="{{#present}}0{{/present}}{{^present}}1{{/present}}"><span class="{{#present}}present{{/present}}">{{#present}}{{t.nw_present}}{{/present}}{{^present}}{{t.nw_not_present}}{{/present}}</span> <button type="submit">{{#present}}{{t.nw_uncheck}}{{/present}}{{^present}}{{t.nw_checkin}}{{/present}}<span class="visually-hidden"> {{name}}, {{t.tr_f_session}} {{number}}</span></button></form></td>{{/marks}}
    <td>{{#certificateId}}<a href="/training/certificates/{{certificateId}}">{{t.tr_certificate_open}}<span class="visually-hidden"> {{name}}</span></a>{{/certificateId}}{{^certificateId}}{{^all}}{{t.tr_certificate_missed}}{{/all}}{{/certificateId}}</td></tr>
    {{/attendees}}</tbody></table>
    {{#ended}}<form method="post" action="/training/events/{{event.id}}/certificates"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="certificates-submit">{{t.tr_certificates_issue}}</button></form>{{/ended}}
    {{#hasWaiting}}<h2>{{t.status_waiting}}</h2><ol id="waiting">{{#waiting}}<li>{{name}}</li>{{/waiting}}</ol>{{/hasWaiting}}
    <h2>{{t.tr_eval_title}}</h2>
    <p id="eval-responses">{{responsesText}}</p>
    <dl class="facts">{{#questions}}<dt>{{label}}</dt><dd>{{average}}</dd>{{/questions}}</dl>
    <ul id="eval-comments">{{#comments}}<li>{{.}}</li>{{/comments}}</ul>
    """

    static let lectures = """
    <h1 id="lectures-heading">{{t.tr_lectures}}: {{centreName}}</h1>
    <table id="lectures"><thead><tr><th scope="col">{{t.nw_f_date}}</th><th scope="col">{{t.tr_f_topic}}</th><th scope="col">{{t.tr_f_partner}}</th><th scope="col">{{t.tr_f_unit}}</th><th scope="col">{{t.reg_municipality}}</th><th scope="col">{{t.tr_f_audience_size}}</th></tr></thead>
    <tbody>{{#lectures}}<tr><td>{{date}}</td><th scope="row">{{topic}}</th><td>{{partnerName}}</td><td>{{unit}}</td><td>{{municipality}}</td><td>{{audienceSize}}</td></tr>{{/lectures}}</tbody></table>
    <h2 id="add-lecture-heading">{{t.tr_add_lecture}}</h2>
    <form method="post" action="/training/lectures/{{centreId}}" novalidate id="lecture-form">
    <input type="hidden" name="csrf" value="{{csrf}}">
    \(NetworkTemplates.input("date", "nw_f_date", extra: " required inputmode=\"numeric\""))
    \(select("partner", "tr_f_partner", "agencies"))
    \(NetworkTemplates.input("unit", "tr_f_unit", extra: " maxlength=\"200\""))
    \(select("municipality", "reg_municipality", "municipalities", empty: "reg_municipality_none"))
    \(NetworkTemplates.input("topic", "tr_f_topic", extra: " required maxlength=\"300\""))
    \(NetworkTemplates.input("audienceSize", "tr_f_audience_size", extra: " required inputmode=\"numeric\""))
    \(NetworkTemplates.input("lecturer", "tr_f_lecturer", extra: " maxlength=\"200\""))
    <button type="submit" id="lecture-submit">{{t.tr_add_lecture}}</button>
    </form>
    """

    /// A labelled select over `list` (`id`, `name`, `selected`) with its error beside it.
    static func select(_ name: String, _ label: String, _ list: String, empty: String? = nil) -> String {
        """
        <div class="field{{#err.\(name)}} has-error{{/err.\(name)}}"><label for="\(name)">{{t.\(label)}}</label>
        {{#err.\(name)}}<p class="field-error" id="\(name)-error">{{err.\(name)}}</p>{{/err.\(name)}}
        <select id="\(name)" name="\(name)"{{#err.\(name)}} aria-invalid="true" aria-describedby="\(name)-error"{{/err.\(name)}}>\(empty.map { "<option value=\"\">{{t.\($0)}}</option>" } ?? "")
        {{#\(list)}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/\(list)}}</select></div>
        """
    }

    static let supervision = """
    <h1 id="supervision-heading">{{t.tr_supervision}}: {{centreName}}</h1>
    {{#formError}}<div class="error-summary" role="alert" id="form-error"><p>{{formError}}</p></div>{{/formError}}
    <table id="coverage"><caption>{{t.tr_coverage}}</caption>
    <tbody>{{#coverage}}<tr><th scope="row">{{municipality}}</th><td class="stage-{{status}}{{#gap}} gap{{/gap}}">{{#gap}}<span class="gap-mark" aria-hidden="true">✗</span> {{/gap}}{{statusText}}</td></tr>{{/coverage}}</tbody></table>
    <h2>{{t.tr_assignments}}</h2>
    {{#assignments}}<section class="assignment" aria-labelledby="a-{{id}}"><h3 id="a-{{id}}">{{municipality}}: {{agencyName}}, {{unit}} – {{stageText}}</h3>
    <table><tbody>{{#parts}}<tr><th scope="row">{{label}}</th><td>{{statusText}} {{date}}</td>
    <td><form method="post" action="/training/supervision/{{centreId}}/{{id}}/part" class="inline-action"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="part" value="{{part}}">
    <label for="st-{{id}}-{{part}}">{{t.col_status}}</label> <select id="st-{{id}}-{{part}}" name="status"><option value="planned">{{t.tr_pstatus_planned}}</option><option value="done">{{t.tr_pstatus_done}}</option><option value="not_started">{{t.tr_pstatus_not_started}}</option></select>
    <label for="dt-{{id}}-{{part}}">{{t.nw_f_date}}</label> <input id="dt-{{id}}-{{part}}" name="date" type="text" inputmode="numeric" size="10">
    <button type="submit">{{t.tr_save}}<span class="visually-hidden"> {{label}}</span></button></form></td></tr>{{/parts}}</tbody></table>
    <p>{{t.tr_sessions_logged}}: {{sessions}}</p>
    <form method="post" action="/training/supervision/{{centreId}}/{{id}}/session" class="inline-action"><input type="hidden" name="csrf" value="{{csrf}}">
    <label for="lp-{{id}}">{{t.tr_part}}</label> <select id="lp-{{id}}" name="part"><option value="information">{{t.tr_part_information}}</option><option value="dialogue">{{t.tr_part_dialogue}}</option><option value="onsite">{{t.tr_part_onsite}}</option></select>
    <label for="ld-{{id}}">{{t.nw_f_date}}</label> <input id="ld-{{id}}" name="date" type="text" inputmode="numeric" size="10">
    <label for="ln-{{id}}">{{t.tr_f_participants}}</label> <input id="ln-{{id}}" name="participants" type="text" inputmode="numeric" size="4">
    <button type="submit">{{t.tr_log_session}}</button></form>
    </section>{{/assignments}}
    <h2 id="add-assignment-heading">{{t.tr_add_assignment}}</h2>
    <form method="post" action="/training/supervision/{{centreId}}" novalidate id="assignment-form">
    <input type="hidden" name="csrf" value="{{csrf}}">
    \(select("municipality", "reg_municipality", "municipalities"))
    \(select("agency", "reg_agency", "agencies"))
    \(NetworkTemplates.input("unit", "tr_f_unit", extra: " required maxlength=\"200\""))
    <button type="submit" id="assignment-submit">{{t.tr_add_assignment}}</button>
    </form>
    """

    static let review = """
    <h1 id="review-heading">{{centreName}}: {{t.tr_review}} {{yearText}}</h1>
    <p><a href="?year={{yearText}}&amp;format=markdown" id="review-md">Markdown</a> · <a href="?year={{yearText}}&amp;format=html" id="review-html">HTML</a></p>
    <h2>{{t.tr_title}}</h2>
    <ul id="review-trainings">{{#trainings}}<li>{{datesText}}: {{kindText}} ”{{title}}”, {{audience}} – {{registered}} / {{attendedAll}}</li>{{/trainings}}</ul>
    <h2>{{t.tr_network_days}}</h2>
    {{^networkDaysAvailable}}<p class="notice">{{t.tr_network_days_missing}}</p>{{/networkDaysAvailable}}
    <ul id="review-days">{{#networkDays}}<li>{{date}}: {{title}} – {{theme}}, {{venue}}</li>{{/networkDays}}</ul>
    <h2>{{t.tr_lectures}}</h2>
    <ul id="review-lectures">{{#lectures}}<li>{{date}}: ”{{topic}}”, {{partnerName}} {{unit}} {{municipality}} ({{audienceSize}})</li>{{/lectures}}</ul>
    <h2>{{t.tr_supervision}}</h2>
    <ul id="review-supervision">{{#supervision}}<li>{{municipality}}: {{agencyName}}, {{unit}} – {{stageText}}</li>{{/supervision}}</ul>
    """

    /// Served at /static/training.css; also what a certificate page links to (CSP forbids inline styles).
    static let css = """
    @page { size: A4; margin: 25mm }
    body.certificate, .certificate main { font-family: Georgia, serif; color: #111; text-align: center }
    .certificate h1 { font-size: 28pt; margin-top: 30mm } .certificate .name { font-size: 22pt; margin: 12mm 0 }
    .certificate ul { list-style: none; padding: 0 } .certificate footer { margin-top: 25mm; font-size: 10pt }
    .scale label { margin-right: 1em } .stage-completed { color: #1b5e20 } .stage-supervision_ongoing { color: #0d47a1 }
    """
}
