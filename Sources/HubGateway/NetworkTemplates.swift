/// Templates of the network-day pages. Mustache escapes every `{{value}}`.
enum NetworkTemplates {
    static let all: [String: String] = [
        "nw_register": register, "nw_register_done": registerDone, "nw_my": myRegistration, "nw_message": message,
        "nw_booking": booking, "nw_group": group, "nw_group_done": groupDone, "nw_days": days, "nw_day": day, "nw_print": printList, "nw_invoice": invoice, "nw_coverage": coverage,
        "nw_new_day": newDay, "nw_self": selfUpdate, "nw_contacts": contacts, "nw_attendance": attendance, "nw_tour": tour,
    ]

    static let contacts = """
    <h1 id="contacts-heading">{{t.ct_heading}}: {{centreName}}</h1>
    <p><a href="/networks/coverage/{{centreId}}">{{t.nw_coverage_link}}</a> · <a href="/networks/tour/{{centreId}}">{{t.tour_title}}</a> · <a href="/networks/attendance/{{centreId}}">{{t.att_title}}</a></p>
    {{#addedURL}}<div class="notice" role="status" id="contact-added"><p>{{t.ct_added}}</p><p><a href="{{addedURL}}" id="self-link">{{addedURL}}</a></p></div>{{/addedURL}}
    {{#hasContacts}}<table id="contacts">
    <thead><tr><th scope="col">{{t.col_name}}</th><th scope="col">{{t.col_title_job}}</th><th scope="col">{{t.nw_col_agency}}</th><th scope="col">{{t.nw_col_municipality}}</th><th scope="col">{{t.col_email}}</th><th scope="col">{{t.col_phone}}</th></tr></thead>
    <tbody>{{#contacts}}<tr><th scope="row">{{name}}</th><td>{{title}}</td><td>{{agencyName}}</td><td>{{municipality}}</td><td>{{email}}</td><td>{{phone}}</td></tr>
    {{/contacts}}</tbody></table>{{/hasContacts}}
    {{^hasContacts}}<p>{{t.ct_none}}</p>{{/hasContacts}}
    <h2 id="add-heading">{{t.ct_add}}</h2>
    {{#formError}}<div class="error-summary" role="alert"><p>{{formError}}</p></div>{{/formError}}
    <form method="post" action="/networks/contacts/{{centreId}}" novalidate id="contact-form">
    <input type="hidden" name="csrf" value="{{csrf}}">
    \(input("name", "self_name", extra: " required maxlength=\"200\""))
    \(input("title", "self_job", extra: " maxlength=\"200\""))
    \(input("unit", "self_unit", extra: " maxlength=\"200\""))
    <div class="field{{#err.agency}} has-error{{/err.agency}}">
    <label for="agency">{{t.reg_agency}}</label>
    {{#err.agency}}<p class="field-error" id="agency-error">{{err.agency}}</p>{{/err.agency}}
    <select id="agency" name="agency"><option value="">{{t.reg_agency_choose}}</option>{{#agencies}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/agencies}}</select>
    </div>
    <div class="field{{#err.municipality}} has-error{{/err.municipality}}">
    <label for="municipality">{{t.reg_municipality}}</label>
    {{#err.municipality}}<p class="field-error" id="municipality-error">{{err.municipality}}</p>{{/err.municipality}}
    <select id="municipality" name="municipality"><option value="">{{t.ct_municipality_none}}</option>{{#municipalities}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/municipalities}}</select>
    </div>
    \(input("email", "self_email", type: "email", extra: " required maxlength=\"254\""))
    \(input("phone", "self_phone", type: "tel", extra: " maxlength=\"40\""))
    <button type="submit" id="contact-submit">{{t.ct_add}}</button>
    </form>
    """

    static let attendance = """
    <h1 id="attendance-heading">{{t.att_title}}: {{centreName}}</h1>
    <table id="attendance">
    <caption>{{t.att_caption}}</caption>
    <thead><tr><th scope="col">{{t.nw_col_agency}}</th><th scope="col">{{t.col_registered}}</th><th scope="col">{{t.col_attended_n}}</th><th scope="col">{{t.col_days}}</th></tr></thead>
    <tbody>{{#agencies}}<tr><th scope="row">{{name}}</th><td>{{registered}}</td><td class="{{#absent}}gap{{/absent}}">{{#absent}}<span class="gap-mark" aria-hidden="true">✗</span> {{t.att_absent}}{{/absent}}{{^absent}}{{attended}}{{/absent}}</td><td>{{daysRepresented}} / {{dayCount}}</td></tr>
    {{/agencies}}</tbody></table>
    """

    static let tour = """
    <h1 id="tour-heading">{{t.tour_title}} {{year}}: {{centreName}}</h1>
    <table id="not-visited">
    <caption>{{t.tour_caption}}</caption>
    <tbody>{{#notVisited}}<tr><th scope="row">{{municipality}}</th><td class="{{^planned}}gap{{/planned}}">{{#planned}}{{t.tour_planned}}{{/planned}}{{^planned}}<span class="gap-mark" aria-hidden="true">✗</span> {{t.tour_not_planned}}{{/planned}}</td></tr>
    {{/notVisited}}</tbody></table>
    <h2>{{t.tour_visits}}</h2>
    <table id="visits"><tbody>{{#visits}}<tr><th scope="row">{{municipality}}</th><td>{{plannedDate}}</td><td>{{#done}}{{t.tour_done}} {{completedDate}}{{/done}}{{^done}}<form method="post" action="/networks/tour/{{centreId}}/{{id}}/complete"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">{{t.tour_complete}}<span class="visually-hidden"> {{municipality}}</span></button></form>{{/done}}</td></tr>
    {{/visits}}</tbody></table>
    <h2 id="plan-heading">{{t.tour_plan}}</h2>
    {{#formError}}<div class="error-summary" role="alert"><p>{{formError}}</p></div>{{/formError}}
    <form method="post" action="/networks/tour/{{centreId}}" novalidate id="tour-form">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <div class="field"><label for="municipality">{{t.reg_municipality}}</label>
    <select id="municipality" name="municipality">{{#municipalities}}<option value="{{name}}">{{name}}</option>{{/municipalities}}</select></div>
    \(input("date", "nw_f_date", extra: " required inputmode=\"numeric\""))
    <button type="submit" id="tour-submit">{{t.tour_plan}}</button>
    </form>
    """

    static let selfUpdate = """
    <h1 id="self-heading">{{t.self_title}}</h1>
    <p>{{t.self_intro}}</p>
    {{#saved}}<p class="notice" role="status" id="self-saved">{{t.self_saved}}</p>{{/saved}}
    <form method="post" action="/c/{{token}}" novalidate id="self-form">
    <input type="hidden" name="csrf" value="{{csrf}}">
    \(input("name", "self_name", extra: " required autocomplete=\"name\" maxlength=\"200\""))
    \(input("title", "self_job", extra: " autocomplete=\"organization-title\" maxlength=\"200\""))
    \(input("unit", "self_unit", extra: " maxlength=\"200\""))
    \(input("email", "self_email", type: "email", extra: " required autocomplete=\"email\" maxlength=\"254\""))
    \(input("phone", "self_phone", type: "tel", extra: " autocomplete=\"tel\" maxlength=\"40\""))
    <button type="submit" id="self-submit">{{t.self_submit}}</button>
    </form>
    """

    /// One labelled input of the new-day form with its error beside it.
    static func input(_ name: String, _ label: String, type: String = "text", extra: String = "") -> String {
        """
        <div class="field{{#err.\(name)}} has-error{{/err.\(name)}}">
        <label for="\(name)">{{t.\(label)}}</label>
        {{#err.\(name)}}<p class="field-error" id="\(name)-error">{{err.\(name)}}</p>{{/err.\(name)}}
        <input id="\(name)" name="\(name)" type="\(type)" value="{{form.\(name)}}"\(extra){{#err.\(name)}} aria-invalid="true" aria-describedby="\(name)-error"{{/err.\(name)}}>
        </div>
        """
    }

    static let newDay = """
    <h1 id="new-day-heading">{{t.nw_new}}</h1>
    <p>{{t.nw_new_intro}}</p>
    {{#formError}}<div class="error-summary" role="alert" id="form-error"><p>{{formError}}</p></div>{{/formError}}
    <form method="post" action="/networks/days/new" novalidate id="new-day-form">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <div class="field{{#err.centreId}} has-error{{/err.centreId}}">
    <label for="centreId">{{t.nw_f_centre}}</label>
    {{#err.centreId}}<p class="field-error" id="centreId-error">{{err.centreId}}</p>{{/err.centreId}}
    <select id="centreId" name="centreId">{{#centres}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/centres}}</select>
    </div>
    \(input("title", "nw_f_title", extra: " required maxlength=\"300\""))
    \(input("theme", "nw_f_theme", extra: " required maxlength=\"500\""))
    \(input("date", "nw_f_date", extra: " required inputmode=\"numeric\""))
    \(input("startTime", "nw_f_start", extra: " required inputmode=\"numeric\""))
    \(input("endTime", "nw_f_end", extra: " required inputmode=\"numeric\""))
    \(input("venue", "nw_f_venue", extra: " required"))
    \(input("organisers", "nw_f_organisers"))
    <div class="field{{#err.programme}} has-error{{/err.programme}}">
    <label for="programme">{{t.nw_f_programme}}</label>
    {{#err.programme}}<p class="field-error" id="programme-error">{{err.programme}}</p>{{/err.programme}}
    <textarea id="programme" name="programme" rows="5">{{form.programme}}</textarea>
    </div>
    \(input("capacity", "nw_f_capacity", extra: " required inputmode=\"numeric\""))
    \(input("feeSEK", "nw_f_fee", extra: " inputmode=\"numeric\""))
    \(input("deadline", "nw_f_deadline", extra: " required inputmode=\"numeric\""))
    \(input("contactEmail", "nw_f_contact", type: "email"))
    <button type="submit" id="new-day-submit">{{t.nw_f_submit}}</button>
    </form>
    """

    /// The day's facts, shared by the public pages.
    static let facts = """
    <dl class="facts">
    <dt>{{t.reg_when}}</dt><dd>{{day.date}} {{day.startTime}}–{{day.endTime}}</dd>
    <dt>{{t.reg_where}}</dt><dd>{{day.venue}}</dd>
    <dt>{{t.reg_theme}}</dt><dd>{{day.theme}}</dd>
    {{#organisers}}<dt>{{t.reg_organisers}}</dt><dd>{{organisers}}</dd>{{/organisers}}
    <dt>{{t.reg_fee}}</dt><dd>{{feeText}}</dd>
    <dt>{{t.reg_deadline}}</dt><dd>{{day.deadline}}</dd>
    </dl>
    """

    /// The agency and municipality choices of the public registration forms (one person or a group).
    static let agencyAndMunicipality = """
    <div class="field{{#err.agency}} has-error{{/err.agency}}">
    <label for="agency">{{t.reg_agency}}</label>
    {{#err.agency}}<p class="field-error" id="agency-error">{{err.agency}}</p>{{/err.agency}}
    <select id="agency" name="agency" required{{#err.agency}} aria-invalid="true" aria-describedby="agency-error"{{/err.agency}}>
    <option value="">{{t.reg_agency_choose}}</option>
    {{#agencies}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/agencies}}
    </select>
    </div>
    <div class="field{{#err.municipality}} has-error{{/err.municipality}}">
    <label for="municipality">{{t.reg_municipality}}</label>
    {{#err.municipality}}<p class="field-error" id="municipality-error">{{err.municipality}}</p>{{/err.municipality}}
    <select id="municipality" name="municipality"{{#err.municipality}} aria-invalid="true" aria-describedby="municipality-error"{{/err.municipality}}>
    <option value="">{{t.reg_municipality_none}}</option>
    {{#municipalities}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/municipalities}}
    </select>
    </div>
    """

    /// The honeypot and the privacy notice every public registration form ends with.
    static let honeypotAndPrivacy = """
    <div class="hp" aria-hidden="true">
    <label for="website">{{t.reg_honeypot}}</label>
    <input id="website" name="website" type="text" tabindex="-1" autocomplete="off" value="">
    </div>
    <section class="privacy" aria-labelledby="privacy-heading">
    <h2 id="privacy-heading">{{t.reg_privacy_heading}}</h2>
    <p id="privacy-notice">{{privacyText}}</p>
    </section>
    """

    static let register = """
    <h1 id="reg-heading">{{day.title}}</h1>
    <p>{{t.reg_intro}}</p>
    \(facts)
    {{#hasProgramme}}<h2>{{t.reg_programme}}</h2><ul class="programme">{{#programme}}<li>{{start}}{{#end}}–{{end}}{{/end}} {{title}}{{#speaker}} ({{speaker}}){{/speaker}}</li>{{/programme}}</ul>{{/hasProgramme}}
    {{#formError}}<div class="error-summary" role="alert" id="form-error"><p>{{formError}}</p></div>{{/formError}}
    {{#closedText}}<p class="notice" role="status" id="reg-closed">{{closedText}}</p>{{/closedText}}
    {{#open}}
    {{#full}}<p class="notice" role="status" id="reg-full">{{t.reg_full}}</p>{{/full}}
    {{^full}}<p id="seats-left">{{seatsText}}</p>{{/full}}
    {{#hasFieldErrors}}<div class="error-summary" role="alert" id="error-summary"><p>{{t.error_summary}}</p><ul>{{#fieldErrors}}<li><a href="#{{id}}">{{label}}: {{message}}</a></li>{{/fieldErrors}}</ul></div>{{/hasFieldErrors}}
    <form method="post" action="/register/{{day.id}}" novalidate id="registration-form">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <div class="field{{#err.name}} has-error{{/err.name}}">
    <label for="name">{{t.reg_name}}</label>
    {{#err.name}}<p class="field-error" id="name-error">{{err.name}}</p>{{/err.name}}
    <input id="name" name="name" type="text" autocomplete="name" required maxlength="200" value="{{form.name}}"{{#err.name}} aria-invalid="true" aria-describedby="name-error"{{/err.name}}>
    </div>
    <div class="field{{#err.email}} has-error{{/err.email}}">
    <label for="email">{{t.reg_email}}</label>
    <p class="hint" id="email-hint">{{t.reg_email_hint}}</p>
    {{#err.email}}<p class="field-error" id="email-error">{{err.email}}</p>{{/err.email}}
    <input id="email" name="email" type="email" autocomplete="email" required maxlength="254" value="{{form.email}}" aria-describedby="email-hint{{#err.email}} email-error{{/err.email}}"{{#err.email}} aria-invalid="true"{{/err.email}}>
    </div>
    \(agencyAndMunicipality)
    <div class="field{{#err.dietary}} has-error{{/err.dietary}}">
    <label for="dietary">{{t.reg_dietary}}</label>
    {{#err.dietary}}<p class="field-error" id="dietary-error">{{err.dietary}}</p>{{/err.dietary}}
    <textarea id="dietary" name="dietary" rows="2" maxlength="500"{{#err.dietary}} aria-invalid="true" aria-describedby="dietary-error"{{/err.dietary}}>{{form.dietary}}</textarea>
    </div>
    {{#hasFee}}<div class="field{{#err.invoiceReference}} has-error{{/err.invoiceReference}}">
    <label for="invoiceReference">{{t.reg_invoice}}</label>
    <p class="hint" id="invoice-hint">{{t.reg_invoice_hint}}</p>
    {{#err.invoiceReference}}<p class="field-error" id="invoiceReference-error">{{err.invoiceReference}}</p>{{/err.invoiceReference}}
    <input id="invoiceReference" name="invoiceReference" type="text" required maxlength="100" value="{{form.invoiceReference}}" aria-describedby="invoice-hint{{#err.invoiceReference}} invoiceReference-error{{/err.invoiceReference}}"{{#err.invoiceReference}} aria-invalid="true"{{/err.invoiceReference}}>
    </div>{{/hasFee}}
    \(honeypotAndPrivacy)
    <button type="submit" id="register-submit">{{t.reg_submit}}</button>
    </form>
    <p><a href="/register/{{day.id}}/group" id="group-link">{{t.group_link}}</a></p>
    {{/open}}
    """

    /// Booking several colleagues at once on one invoice reference, with one link to manage the places.
    static let group = """
    <h1 id="group-heading">{{t.group_title}}: {{day.title}}</h1>
    <p>{{t.group_intro}}</p>
    \(facts)
    {{#formError}}<div class="error-summary" role="alert" id="form-error"><p>{{formError}}</p></div>{{/formError}}
    {{#closedText}}<p class="notice" role="status" id="reg-closed">{{closedText}}</p>{{/closedText}}
    {{#open}}
    {{^full}}<p id="seats-left">{{seatsText}}</p>{{/full}}
    {{#hasFieldErrors}}<div class="error-summary" role="alert" id="error-summary"><p>{{t.error_summary}}</p><ul>{{#fieldErrors}}<li><a href="#{{id}}">{{label}}: {{message}}</a></li>{{/fieldErrors}}</ul></div>{{/hasFieldErrors}}
    <form method="post" action="/register/{{day.id}}/group" novalidate id="group-form">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <fieldset><legend>{{t.group_booker}}</legend>
    {{#bookerFields}}<div class="field{{#error}} has-error{{/error}}">
    <label for="{{id}}">{{label}}</label>
    {{#error}}<p class="field-error" id="{{id}}-error">{{error}}</p>{{/error}}
    <input id="{{id}}" name="{{id}}" type="{{type}}" autocomplete="{{autocomplete}}" maxlength="{{max}}" value="{{value}}"{{#error}} aria-invalid="true" aria-describedby="{{id}}-error"{{/error}}>
    </div>{{/bookerFields}}
    \(agencyAndMunicipality)
    </fieldset>
    {{#rows}}<fieldset id="person-{{n}}"><legend>{{legend}}</legend>
    {{#fields}}<div class="field{{#error}} has-error{{/error}}">
    <label for="{{id}}">{{label}}</label>
    {{#error}}<p class="field-error" id="{{id}}-error">{{error}}</p>{{/error}}
    <input id="{{id}}" name="{{id}}" type="{{type}}" maxlength="{{max}}" value="{{value}}"{{#error}} aria-invalid="true" aria-describedby="{{id}}-error"{{/error}}>
    </div>{{/fields}}
    </fieldset>{{/rows}}
    \(honeypotAndPrivacy)
    <button type="submit" id="group-submit">{{t.group_submit}}</button>
    </form>
    {{/open}}
    """

    static let groupDone = """
    <h1 id="done-heading">{{t.reg_done_title}}</h1>
    \(facts)
    <table id="group-places">
    <thead><tr><th scope="col">{{t.col_name}}</th><th scope="col">{{t.col_status}}</th></tr></thead>
    <tbody>{{#places}}<tr><th scope="row">{{name}}</th><td>{{statusText}}</td></tr>{{/places}}</tbody>
    </table>
    <p>{{t.group_manage_intro}}</p>
    <p><a id="manage-link" href="{{manageURL}}">{{manageURL}}</a></p>
    """

    static let registerDone = """
    <h1 id="done-heading">{{t.reg_done_title}}</h1>
    <p id="reg-status" role="status">{{statusText}}</p>
    \(facts)
    {{#cancelURL}}<p>{{t.reg_cancel_link_intro}}</p>
    <p><a id="cancel-link" href="{{cancelURL}}">{{cancelURL}}</a></p>{{/cancelURL}}
    """

    static let myRegistration = """
    <h1 id="my-heading">{{t.my_title}}: {{day.title}}</h1>
    \(facts)
    <dl class="facts"><dt>{{t.col_name}}</dt><dd id="my-name">{{participant.name}}</dd>
    <dt>{{t.my_status}}</dt><dd id="my-status">{{statusText}}</dd></dl>
    {{#canCancel}}<form method="post" action="/r/{{token}}/cancel">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <p>{{t.my_cancel_confirm}}</p>
    <button type="submit" id="cancel-submit">{{t.my_cancel}}</button>
    </form>{{/canCancel}}
    """

    static let message = """
    <h1 id="message-heading">{{heading}}</h1>
    <p id="message-text" role="status">{{text}}</p>
    """

    static let booking = """
    <h1 id="booking-heading">{{t.booking_title}}: {{day.title}}</h1>
    <p>{{bookingIntro}}</p>
    <table id="booking-places">
    <thead><tr><th scope="col">{{t.col_name}}</th><th scope="col">{{t.col_status}}</th><th scope="col"><span class="visually-hidden">{{t.booking_cancel_place}}</span></th></tr></thead>
    <tbody>
    {{#participants}}<tr><th scope="row">{{name}}</th><td>{{statusText}}</td><td>{{#active}}<form method="post" action="/b/{{token}}/cancel"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="participantId" value="{{id}}"><button type="submit">{{t.booking_cancel_place}}<span class="visually-hidden"> {{name}}</span></button></form>{{/active}}</td></tr>
    {{/participants}}
    </tbody>
    </table>
    """

    static let days = """
    <h1 id="nw-heading">{{t.nw_heading}}</h1>
    <p><a href="/networks/days/new" id="new-day-link">{{t.nw_new}}</a></p>
    <ul class="actions">{{#centres}}<li>{{name}}: <a href="/networks/contacts/{{id}}">{{t.ct_title}}</a>, <a href="/networks/coverage/{{id}}">{{t.cov_title}}</a>, <a href="/networks/tour/{{id}}">{{t.tour_title}}</a>, <a href="/networks/attendance/{{id}}">{{t.att_title}}</a></li>{{/centres}}</ul>
    {{#hasDays}}<table id="nw-days">
    <thead><tr><th scope="col">{{t.col_date}}</th><th scope="col">{{t.col_title}}</th><th scope="col">{{t.col_seats}}</th><th scope="col">{{t.col_status}}</th></tr></thead>
    <tbody>
    {{#days}}<tr><td>{{date}}</td><th scope="row"><a href="/networks/days/{{id}}">{{title}}</a></th><td>{{taken}}/{{capacity}} (+{{waiting}})</td><td>{{status}}</td></tr>
    {{/days}}
    </tbody></table>{{/hasDays}}
    {{^hasDays}}<p>{{t.nw_none}}</p>{{/hasDays}}
    """

    static let day = """
    <h1 id="day-heading">{{day.title}}</h1>
    <p>{{day.date}} {{day.startTime}}–{{day.endTime}}, {{day.venue}}</p>
    <p id="seats-summary">{{seatsSummary}}</p>
    {{#cancelled}}<p class="notice" role="status">{{t.nw_cancelled}}</p>{{/cancelled}}
    {{#invitedText}}<p id="invited" role="status">{{invitedText}}</p>{{/invitedText}}
    {{#moveNotice}}<p class="notice" role="status" id="move-notice">{{moveNotice}}</p>{{/moveNotice}}
    {{#moveError}}<div class="error-summary" role="alert" id="move-error"><p>{{moveError}}</p></div>{{/moveError}}
    {{^cancelled}}<form method="post" action="/networks/days/{{day.id}}/invite" class="inline-action"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="invite-submit">{{t.nw_invite}}</button></form>
    <form method="post" action="/networks/days/{{day.id}}/cancel" class="inline-action"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="cancel-day-submit" class="secondary">{{t.nw_cancel_day}}</button></form>{{/cancelled}}
    <ul class="actions">
    <li><a href="/register/{{day.id}}">{{t.nw_public_link}}</a></li>
    <li><a href="/networks/days/{{day.id}}/print" id="print-link">{{t.nw_print}}</a></li>
    <li><a href="/networks/days/{{day.id}}/participants.csv" id="csv-link">{{t.nw_csv}}</a></li>
    <li><a href="/networks/days/{{day.id}}/invoice" id="invoice-link">{{t.nw_invoice}}</a></li>
    </ul>
    <table id="participants">
    <caption>{{t.nw_participants}}</caption>
    <thead><tr><th scope="col">{{t.col_name}}</th><th scope="col">{{t.nw_col_agency}}</th><th scope="col">{{t.nw_col_municipality}}</th><th scope="col">{{t.col_dietary}}</th><th scope="col">{{t.col_status}}</th><th scope="col">{{t.col_attended}}</th><th scope="col">{{t.nw_col_move}}</th></tr></thead>
    <tbody>
    {{#participants}}<tr><th scope="row">{{name}}</th><td>{{agencyName}}</td><td>{{municipality}}</td><td>{{dietary}}</td><td>{{statusText}}</td>
    <td>{{#confirmed}}<form method="post" action="/networks/days/{{dayId}}/checkin"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="participantId" value="{{id}}"><input type="hidden" name="attended" value="{{#attended}}0{{/attended}}{{^attended}}1{{/attended}}"><span class="{{#attended}}present{{/attended}}">{{#attended}}{{t.nw_present}}{{/attended}}{{^attended}}{{t.nw_not_present}}{{/attended}}</span> <button type="submit">{{#attended}}{{t.nw_uncheck}}{{/attended}}{{^attended}}{{t.nw_checkin}}{{/attended}}<span class="visually-hidden"> {{name}}</span></button></form>{{/confirmed}}</td>
    <td>{{#moveTo}}<form method="post" action="/networks/days/{{dayId}}/move" class="move-form"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="participantId" value="{{id}}"><input type="hidden" name="to" value="{{moveTo}}"><label for="reason-{{id}}">{{t.nw_move_reason}}</label> <input id="reason-{{id}}" name="reason" type="text" required maxlength="500"> <button type="submit">{{moveButton}}<span class="visually-hidden"> {{name}}</span></button></form>{{/moveTo}}</td></tr>
    {{/participants}}
    </tbody>
    </table>
    """

    static let printList = """
    <h1>{{t.nw_print_heading}}: {{day.title}}</h1>
    <p>{{day.date}} {{day.startTime}}–{{day.endTime}}, {{day.venue}}</p>
    <table id="print-list" class="print">
    <thead><tr><th scope="col">#</th><th scope="col">{{t.col_name}}</th><th scope="col">{{t.nw_col_agency}}</th><th scope="col">{{t.nw_col_municipality}}</th><th scope="col">{{t.col_dietary}}</th><th scope="col">{{t.col_signature}}</th></tr></thead>
    <tbody>
    {{#participants}}<tr><td>{{number}}</td><th scope="row">{{name}}</th><td>{{agencyName}}</td><td>{{municipality}}</td><td>{{dietary}}</td><td class="signature"></td></tr>
    {{/participants}}
    </tbody>
    </table>
    """

    static let invoice = """
    <h1>{{t.nw_invoice_heading}}: {{day.title}}</h1>
    {{#free}}<p>{{t.nw_invoice_free}}</p>{{/free}}
    {{^free}}<table id="invoice-basis">
    <thead><tr><th scope="col">{{t.nw_col_agency}}</th><th scope="col">{{t.col_invoice}}</th><th scope="col">{{t.col_people}}</th><th scope="col">{{t.col_fee}}</th><th scope="col">{{t.col_amount}}</th></tr></thead>
    <tbody>
    {{#lines}}<tr><th scope="row">{{agencyName}}</th><td>{{invoiceReference}}</td><td>{{people}}</td><td>{{feeSEK}}</td><td>{{amountSEK}}</td></tr>
    {{/lines}}
    </tbody>
    <tfoot><tr><th scope="row" colspan="2">{{t.nw_invoice_total}}</th><td>{{people}}</td><td></td><td id="invoice-total">{{totalSEK}}</td></tr></tfoot>
    </table>{{/free}}
    """

    static let coverage = """
    <h1 id="coverage-heading">{{t.cov_heading}}: {{centreName}}</h1>
    <p id="coverage-gaps">{{gapsText}}</p>
    <div class="table-scroll">
    <table id="coverage" class="coverage">
    <caption>{{t.cov_caption}}</caption>
    <thead><tr><th scope="col">{{t.nw_col_municipality}}</th>{{#agencies}}<th scope="col">{{name}}</th>{{/agencies}}</tr></thead>
    <tbody>
    {{#rows}}<tr><th scope="row">{{municipality}}</th>{{#cells}}<td class="{{#gap}}gap{{/gap}}{{^gap}}covered{{/gap}}">{{#gap}}<span class="gap-mark" aria-hidden="true">✗</span> {{t.cov_gap}}{{/gap}}{{^gap}}{{names}}{{/gap}}</td>{{/cells}}</tr>
    {{/rows}}
    </tbody>
    </table>
    </div>
    """

    /// Appended to /static/hub.css. The gap mark is a symbol and a word, not colour alone.
    static let css = """

    .hint { color: #3b3b3b; margin: 0 0 .25rem; }
    select, textarea, input[type=email] { font: inherit; padding: .5rem; width: 100%; max-width: 24rem; border: 2px solid #595959; border-radius: 4px; }
    select:focus-visible, textarea:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; box-shadow: 0 0 0 5px var(--ink); }
    .has-error select, .has-error textarea { border-color: var(--error); }
    .hp { position: absolute; left: -10000px; top: auto; width: 1px; height: 1px; overflow: hidden; }
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    .facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
    .facts dt { font-weight: 600; }
    .facts dd { margin: 0; }
    .privacy { border-left: 5px solid var(--brand); padding: .25rem 1rem; margin: 1rem 0; }
    .privacy h2 { font-size: 1.1rem; margin: .25rem 0; }
    .actions { display: flex; flex-wrap: wrap; gap: 1rem; list-style: none; padding: 0; }
    .present { color: #0b6b2e; font-weight: 600; }
    .table-scroll { overflow-x: auto; }
    td.gap { background: #fde8ea; color: var(--error); font-weight: 700; border: 2px solid var(--error); }
    td.covered { background: #eaf5ee; }
    .signature { min-width: 10rem; }
    td form { margin: 0; display: inline; }
    form.inline-action { display: inline-block; margin: 0 1rem .75rem 0; }
    button.secondary { background: #fff; color: var(--error); border: 2px solid var(--error); }
    td button, .booking button { font: inherit; background: var(--brand); color: #fff; border: 0; border-radius: 4px; padding: .2rem .6rem; cursor: pointer; }
    @media print {
      .site-header, .site-footer, .skip-link, .actions { display: none; }
      main { max-width: none; padding: 0; }
      table.print td, table.print th { padding: .6rem .5rem; }
    }
    """
}
