/// Templates of the referral pages (Mustache; every `{{value}}` is escaped, only the
/// charts — SVG built by `StatisticsView` from escaped parts — are inserted raw).
enum ReferralTemplates {
    static let all: [String: String] = [
        "referrals": list, "referral_form": form, "referral": referral, "capacity": capacity,
        "statistics": statistics, "audit": audit, "groups": groups,
    ]

    static let groups = """
    <h1 id="groups-heading">{{t.groups_heading}}</h1>
    {{#error}}<div class="error-summary" role="alert"><p>{{error}}</p></div>{{/error}}
    {{#groups}}<section aria-labelledby="g-{{id}}"><h2 id="g-{{id}}">{{name}}</h2>
    <p>{{help}} · {{t.group_size}} {{min}}–{{max}}{{#countsChildren}} {{t.group_children}}{{/countsChildren}} · {{t.group_ages}} {{ageMin}}–{{ageMax}}</p>
    <p class="{{#ready}}cap-open{{/ready}}{{^ready}}notice{{/ready}}" role="status">{{t.group_enrolled}}: {{enrolled}} · {{t.group_waiting}}: {{waiting}} · {{#ready}}{{t.group_ready}}{{/ready}}{{^ready}}{{t.group_not_ready}}{{/ready}}</p>
    {{#candidates.0}}<form method="post" action="/grupper/{{id}}/placera"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="centre" value="{{centre}}">
    <fieldset><legend>{{t.group_candidates}}</legend>{{#candidates}}<div><input type="checkbox" id="c-{{id}}" name="referral" value="{{id}}"> <label class="inline" for="c-{{id}}">{{reference}} ({{participants}}) – {{status}}</label></div>{{/candidates}}</fieldset>
    <button type="submit">{{t.group_assign}}</button></form>{{/candidates.0}}
    </section>{{/groups}}
    <section aria-labelledby="new-group"><h2 id="new-group">{{t.group_new}}</h2>
    <form method="post" action="/grupper"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="centre" value="{{centre}}">
    <div class="field"><label for="g-name">{{t.group_name}}</label><input type="text" id="g-name" name="name"></div>
    <div class="field"><label for="g-help">{{t.help}}</label><select id="g-help" name="help">{{#kinds}}<option value="{{id}}">{{label}}</option>{{/kinds}}</select></div>
    <div class="field"><label for="g-min">{{t.group_min}}</label><input type="text" inputmode="numeric" id="g-min" name="min"></div>
    <div class="field"><label for="g-max">{{t.group_max}}</label><input type="text" inputmode="numeric" id="g-max" name="max"></div>
    <div class="field"><label for="g-agemin">{{t.group_age_min}}</label><input type="text" inputmode="numeric" id="g-agemin" name="ageMin"></div>
    <div class="field"><label for="g-agemax">{{t.group_age_max}}</label><input type="text" inputmode="numeric" id="g-agemax" name="ageMax"></div>
    <div class="field"><label for="g-start">{{t.group_starts}}</label><input type="date" id="g-start" name="startsOn"></div>
    <button type="submit">{{t.group_define}}</button></form></section>
    """

    static let fieldError = ""

    static let list = """
    <h1 id="referrals-heading">{{t.referrals_heading}}</h1>
    {{#canRefer}}<p><a class="button" href="/hanvisningar/ny" id="new-referral">{{t.new_referral}}</a></p>{{/canRefer}}
    {{#isAgency}}
    <h2>{{t.my_referrals}}</h2>
    {{#hasMine}}<table id="my-referrals"><caption>{{t.my_referrals_caption}}</caption>
    <thead><tr><th scope="col">{{t.col_reference}}</th><th scope="col">{{t.col_your_ref}}</th><th scope="col">{{t.col_centre}}</th><th scope="col">{{t.col_submitted}}</th><th scope="col">{{t.col_status}}</th></tr></thead>
    <tbody>{{#mine}}<tr><th scope="row"><a href="/hanvisningar/{{id}}">{{reference}}</a></th><td>{{externalRef}}</td><td>{{centre}}</td><td>{{submitted}}</td><td class="referral-status">{{status}}</td></tr>{{/mine}}</tbody></table>{{/hasMine}}
    {{^hasMine}}<p>{{t.no_referrals}}</p>{{/hasMine}}
    {{/isAgency}}
    {{#isStaff}}
    <section aria-labelledby="incoming-heading"><h2 id="incoming-heading">{{t.incoming}}</h2>
    <table id="incoming"><caption>{{t.incoming_caption}}</caption>
    <thead><tr><th scope="col">{{t.col_reference}}</th><th scope="col">{{t.col_category}}</th><th scope="col">{{t.col_submitted}}</th><th scope="col">{{t.col_urgency}}</th><th scope="col">{{t.col_status}}</th></tr></thead>
    <tbody>{{#incoming}}<tr><th scope="row"><a href="/hanvisningar/{{id}}">{{reference}}</a>{{#highRisk}} <strong class="flag">{{t.high_risk}}</strong>{{/highRisk}}</th><td>{{category}}</td><td>{{submitted}}</td><td>{{urgency}}</td><td>{{status}}</td></tr>{{/incoming}}</tbody></table>
    </section>
    <section aria-labelledby="queue-heading"><h2 id="queue-heading">{{t.queue_heading}}</h2>
    {{#queues}}<h3>{{category}} ({{count}})</h3>
    {{#empty}}<p>{{t.queue_empty}}</p>{{/empty}}
    {{^empty}}<table class="queue"><caption>{{t.queue_caption}}</caption>
    <thead><tr><th scope="col">{{t.col_position}}</th><th scope="col">{{t.col_reference}}</th><th scope="col">{{t.col_priority}}</th><th scope="col">{{t.col_received}}</th><th scope="col">{{t.col_municipality}}</th><th scope="col">{{t.col_wait}}</th></tr></thead>
    <tbody>{{#items}}<tr><td>{{position}}</td><th scope="row"><a href="/hanvisningar/{{id}}">{{reference}}</a>{{#highRisk}} <strong class="flag">{{t.high_risk}}</strong>{{/highRisk}}</th><td>{{priority}}</td><td>{{received}}</td><td>{{municipality}}</td><td>{{wait}} ({{days}} {{t.days}})</td></tr>{{/items}}</tbody></table>{{/empty}}
    {{/queues}}
    </section>
    <p><a href="/grupper?centre={{centre}}">{{t.groups_link}}</a> · <a href="/granskning?centre={{centre}}">{{t.audit_link}}</a></p>
    {{/isStaff}}
    """

    static let form = """
    <h1 id="form-heading">{{t.form_heading}}</h1>
    <p>{{t.form_intro}}</p>
    {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
    {{#hasErrors}}<div class="error-summary" role="alert" id="error-summary" tabindex="-1"><p>{{t.error_summary}}</p><ul>{{#errorList}}<li><a href="#{{key}}">{{message}}</a></li>{{/errorList}}</ul></div>{{/hasErrors}}
    <form method="post" action="/hanvisningar/ny" novalidate id="referral-form">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="formKey" value="{{v.formKey}}">
    <fieldset><legend>{{t.fs_referrer}}</legend>
    {{#isStaff}}<div class="field"><input type="checkbox" id="self" name="self"{{#v.self_checked}} checked{{/v.self_checked}}> <label class="inline" for="self">{{t.self_referral_label}}</label></div>
    <div class="field{{#e.referrer_agency}} has-error{{/e.referrer_agency}}"><label for="referrer_agency">{{t.referrer_agency}}</label>{{#e.referrer_agency}}<p class="field-error" id="referrer_agency-error">{{e.referrer_agency}}</p>{{/e.referrer_agency}}<input type="text" id="referrer_agency" name="referrer.agency" value="{{v.referrer_agency}}"></div>{{/isStaff}}
    {{^isStaff}}<p>{{t.referrer_agency}}: <strong>{{agencyName}}</strong></p>{{#e.referrer_agency}}<p class="field-error" id="referrer_agency">{{e.referrer_agency}}</p>{{/e.referrer_agency}}{{/isStaff}}
    <div class="field{{#e.referrer_unit}} has-error{{/e.referrer_unit}}"><label for="referrer_unit">{{t.referrer_unit}}</label>{{#e.referrer_unit}}<p class="field-error" id="referrer_unit-error">{{e.referrer_unit}}</p>{{/e.referrer_unit}}<input type="text" id="referrer_unit" name="referrer.unit" value="{{v.referrer_unit}}" autocomplete="organization"{{#e.referrer_unit}} aria-invalid="true" aria-describedby="referrer_unit-error"{{/e.referrer_unit}}></div>
    <div class="field{{#e.referrer_contactName}} has-error{{/e.referrer_contactName}}"><label for="referrer_contactName">{{t.referrer_contact}}</label>{{#e.referrer_contactName}}<p class="field-error" id="referrer_contactName-error">{{e.referrer_contactName}}</p>{{/e.referrer_contactName}}<input type="text" id="referrer_contactName" name="referrer.contactName" value="{{v.referrer_contactName}}" autocomplete="name"{{#e.referrer_contactName}} aria-invalid="true" aria-describedby="referrer_contactName-error"{{/e.referrer_contactName}}></div>
    <div class="field{{#e.referrer_contactPhone}} has-error{{/e.referrer_contactPhone}}"><label for="referrer_contactPhone">{{t.referrer_phone}}</label>{{#e.referrer_contactPhone}}<p class="field-error">{{e.referrer_contactPhone}}</p>{{/e.referrer_contactPhone}}<input type="tel" id="referrer_contactPhone" name="referrer.contactPhone" value="{{v.referrer_contactPhone}}"></div>
    <div class="field{{#e.referrer_contactEmail}} has-error{{/e.referrer_contactEmail}}"><label for="referrer_contactEmail">{{t.referrer_email}}</label>{{#e.referrer_contactEmail}}<p class="field-error">{{e.referrer_contactEmail}}</p>{{/e.referrer_contactEmail}}<input type="email" id="referrer_contactEmail" name="referrer.contactEmail" value="{{v.referrer_contactEmail}}"></div>
    </fieldset>
    <fieldset><legend>{{t.fs_need}}</legend>
    <div class="field{{#e.municipality}} has-error{{/e.municipality}}"><label for="municipality">{{t.municipality}}</label><p class="hint">{{t.municipality_hint}}</p>{{#e.municipality}}<p class="field-error" id="municipality-error">{{e.municipality}}</p>{{/e.municipality}}
    <select id="municipality" name="municipality"{{#e.municipality}} aria-invalid="true" aria-describedby="municipality-error"{{/e.municipality}}><option value="">{{t.choose}}</option>{{#centres}}<optgroup label="{{name}}{{#paused}} – {{t.paused_short}}{{/paused}}">{{#municipalities}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/municipalities}}</optgroup>{{/centres}}</select></div>
    <div class="field{{#e.category}} has-error{{/e.category}}"><label for="category">{{t.category}}</label>{{#e.category}}<p class="field-error" id="category-error">{{e.category}}</p>{{/e.category}}
    <select id="category" name="category"{{#e.category}} aria-invalid="true" aria-describedby="category-error"{{/e.category}}><option value="">{{t.choose}}</option>{{#categories}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/categories}}</select></div>
    <fieldset class="field{{#e.help}} has-error{{/e.help}}" id="help"><legend>{{t.help}}</legend>{{#e.help}}<p class="field-error">{{e.help}}</p>{{/e.help}}
    {{#helpKinds}}<div><input type="checkbox" id="help_{{id}}" name="help.{{id}}"{{#checked}} checked{{/checked}}> <label class="inline" for="help_{{id}}">{{label}}</label></div>{{/helpKinds}}</fieldset>
    <div class="field"><label for="urgency">{{t.urgency}}</label><select id="urgency" name="urgency">{{#urgencies}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/urgencies}}</select></div>
    </fieldset>
    <fieldset><legend>{{t.fs_client}}</legend>
    <fieldset class="field{{#e.client_identityKind}} has-error{{/e.client_identityKind}}" id="client_identityKind"><legend>{{t.identity_kind}}</legend>
    {{#identityKinds}}<div><input type="radio" id="ik_{{id}}" name="client.identityKind" value="{{id}}"{{#checked}} checked{{/checked}}> <label class="inline" for="ik_{{id}}">{{label}}</label></div>{{/identityKinds}}</fieldset>
    <div class="field{{#e.client_identityNumber}} has-error{{/e.client_identityNumber}}"><label for="client_identityNumber">{{t.identity_number}}</label><p class="hint">{{t.identity_number_hint}}</p>{{#e.client_identityNumber}}<p class="field-error" id="client_identityNumber-error">{{e.client_identityNumber}}</p>{{/e.client_identityNumber}}<input type="text" id="client_identityNumber" name="client.identityNumber" value="{{v.client_identityNumber}}" inputmode="numeric" autocomplete="off"{{#e.client_identityNumber}} aria-invalid="true" aria-describedby="client_identityNumber-error"{{/e.client_identityNumber}}></div>
    <div class="field{{#e.client_name}} has-error{{/e.client_name}}"><label for="client_name">{{t.client_name}}</label>{{#e.client_name}}<p class="field-error" id="client_name-error">{{e.client_name}}</p>{{/e.client_name}}<input type="text" id="client_name" name="client.name" value="{{v.client_name}}" autocomplete="off"{{#e.client_name}} aria-invalid="true" aria-describedby="client_name-error"{{/e.client_name}}></div>
    <div class="field"><input type="checkbox" id="client_protectedIdentity" name="client.protectedIdentity"{{#v.client_protectedIdentity_checked}} checked{{/v.client_protectedIdentity_checked}}> <label class="inline" for="client_protectedIdentity">{{t.protected_identity}}</label><p class="hint">{{t.protected_identity_hint}}</p></div>
    <div class="field{{#e.client_phone}} has-error{{/e.client_phone}}"><label for="client_phone">{{t.client_phone}}</label>{{#e.client_phone}}<p class="field-error">{{e.client_phone}}</p>{{/e.client_phone}}<input type="tel" id="client_phone" name="client.phone" value="{{v.client_phone}}" autocomplete="off"></div>
    <div class="field{{#e.client_email}} has-error{{/e.client_email}}"><label for="client_email">{{t.client_email}}</label>{{#e.client_email}}<p class="field-error">{{e.client_email}}</p>{{/e.client_email}}<input type="email" id="client_email" name="client.email" value="{{v.client_email}}" autocomplete="off"></div>
    <div class="field"><label for="client_address">{{t.client_address}}</label><input type="text" id="client_address" name="client.address" value="{{v.client_address}}" autocomplete="off"></div>
    <div class="field{{#e.client_childrenAges}} has-error{{/e.client_childrenAges}}"><label for="client_childrenAges">{{t.children_ages}}</label><p class="hint">{{t.children_ages_hint}}</p>{{#e.client_childrenAges}}<p class="field-error">{{e.client_childrenAges}}</p>{{/e.client_childrenAges}}<input type="text" id="client_childrenAges" name="client.childrenAges" value="{{v.client_childrenAges}}"></div>
    <div class="field"><label for="client_interpreterLanguage">{{t.interpreter}}</label><input type="text" id="client_interpreterLanguage" name="client.interpreterLanguage" value="{{v.client_interpreterLanguage}}"></div>
    </fieldset>
    <fieldset id="safeContact" class="{{#e.safeContact}}has-error{{/e.safeContact}}"><legend>{{t.fs_safe_contact}}</legend>{{#e.safeContact}}<p class="field-error">{{e.safeContact}}</p>{{/e.safeContact}}
    <div class="field"><input type="checkbox" id="safeContact_doNotContact" name="safeContact.doNotContact"{{#v.safeContact_doNotContact_checked}} checked{{/v.safeContact_doNotContact_checked}}> <label class="inline" for="safeContact_doNotContact">{{t.do_not_contact}}</label></div>
    <div class="field"><input type="checkbox" id="safeContact_mayCall" name="safeContact.mayCall"{{#v.safeContact_mayCall_checked}} checked{{/v.safeContact_mayCall_checked}}> <label class="inline" for="safeContact_mayCall">{{t.may_call}}</label></div>
    <div class="field"><label for="safeContact_callTimes">{{t.call_times}}</label><input type="text" id="safeContact_callTimes" name="safeContact.callTimes" value="{{v.safeContact_callTimes}}"></div>
    <div class="field"><input type="checkbox" id="safeContact_mayLeaveMessage" name="safeContact.mayLeaveMessage"{{#v.safeContact_mayLeaveMessage_checked}} checked{{/v.safeContact_mayLeaveMessage_checked}}> <label class="inline" for="safeContact_mayLeaveMessage">{{t.may_leave_message}}</label></div>
    </fieldset>
    <fieldset id="consent" class="{{#e.consent}}has-error{{/e.consent}}"><legend>{{t.fs_consent}}</legend>{{#e.consent}}<p class="field-error">{{e.consent}}</p>{{/e.consent}}
    <div class="field"><input type="checkbox" id="consent_given" name="consent.given"{{#v.consent_given_checked}} checked{{/v.consent_given_checked}}> <label class="inline" for="consent_given">{{t.consent_given}}</label></div>
    <div class="field"><input type="checkbox" id="consent_status" name="consent.status"{{#v.consent_status_checked}} checked{{/v.consent_status_checked}}> <label class="inline" for="consent_status">{{t.consent_status}}</label></div>
    <div class="field"><input type="checkbox" id="consent_outcome" name="consent.outcome"{{#v.consent_outcome_checked}} checked{{/v.consent_outcome_checked}}> <label class="inline" for="consent_outcome">{{t.consent_outcome}}</label></div>
    <div class="field{{#e.consent_givenAt}} has-error{{/e.consent_givenAt}}"><label for="consent_givenAt">{{t.consent_date}}</label>{{#e.consent_givenAt}}<p class="field-error">{{e.consent_givenAt}}</p>{{/e.consent_givenAt}}<input type="date" id="consent_givenAt" name="consent.givenAt" value="{{v.consent_givenAt}}"></div>
    <div class="field{{#e.consent_recordedBy}} has-error{{/e.consent_recordedBy}}"><label for="consent_recordedBy">{{t.consent_recorded_by}}</label>{{#e.consent_recordedBy}}<p class="field-error">{{e.consent_recordedBy}}</p>{{/e.consent_recordedBy}}<input type="text" id="consent_recordedBy" name="consent.recordedBy" value="{{v.consent_recordedBy}}"></div>
    </fieldset>
    <fieldset><legend>{{t.fs_risk}}</legend><p class="hint">{{t.risk_hint}}</p>
    {{#risk}}<fieldset class="field{{#error}} has-error{{/error}}" id="riskAnswers_{{id}}"><legend>{{text}}{{#required}} ({{t.required}}){{/required}}</legend>{{#error}}<p class="field-error">{{error}}</p>{{/error}}
    {{#answers}}<span class="choice"><input type="radio" id="risk_{{q}}_{{id}}" name="risk.{{q}}" value="{{id}}"{{#checked}} checked{{/checked}}> <label class="inline" for="risk_{{q}}_{{id}}">{{label}}</label></span>{{/answers}}</fieldset>{{/risk}}
    </fieldset>
    <div class="field{{#e.notes}} has-error{{/e.notes}}"><label for="notes">{{t.notes}}</label><p class="hint">{{t.notes_hint}}</p>{{#e.notes}}<p class="field-error">{{e.notes}}</p>{{/e.notes}}<textarea id="notes" name="notes" rows="5" maxlength="{{maxText}}">{{v.notes}}</textarea></div>
    <button type="submit" id="submit-referral">{{t.submit_referral}}</button>
    </form>
    """

    static let referral = """
    <h1 id="referral-heading">{{t.referral_heading}} {{reference}}</h1>
    {{#justSubmitted}}<p class="notice" role="status" id="submitted-notice">{{t.submitted_notice}}</p>{{/justSubmitted}}
    {{#error}}<div class="error-summary" role="alert" id="action-error"><p>{{error}}</p></div>{{/error}}
    {{#protected}}<p class="warning" role="note"><strong>{{t.protected_banner}}</strong></p>{{/protected}}
    {{#doNotContact}}<p class="warning" role="note"><strong>{{t.dnc_banner}}</strong></p>{{/doNotContact}}
    {{#highRisk}}<p class="warning" role="note"><strong>{{t.high_risk}}</strong> ({{riskScore}})</p>{{/highRisk}}
    <dl class="facts">
    <dt>{{t.col_status}}</dt><dd id="referral-status">{{status}}</dd>
    <dt>{{t.col_centre}}</dt><dd>{{centre}}</dd>
    <dt>{{t.col_category}}</dt><dd>{{category}}</dd>
    <dt>{{t.col_submitted}}</dt><dd>{{submitted}}</dd>
    {{#externalRef}}<dt>{{t.col_your_ref}}</dt><dd>{{externalRef}}</dd>{{/externalRef}}
    {{#appointmentDate}}<dt>{{t.appointment_date}}</dt><dd>{{appointmentDate}}</dd>{{/appointmentDate}}
    {{#treatment}}<dt>{{t.treatment}}</dt><dd>{{treatment}}</dd>{{/treatment}}
    {{#reason}}<dt>{{t.reason}}</dt><dd>{{reason}}</dd>{{/reason}}
    {{#queue}}<dt>{{t.queue_position}}</dt><dd id="queue-position">{{position}} / {{of}} – {{band}} ({{days}} {{t.days}})</dd>{{/queue}}
    </dl>
    {{#noStatusConsent}}<p class="notice">{{t.no_status_consent}}</p>{{/noStatusConsent}}
    {{#personal}}
    <section aria-labelledby="personal-heading"><h2 id="personal-heading">{{t.personal_heading}}</h2>
    <p class="hint">{{t.audit_notice}}</p>
    <dl class="facts">
    {{#name}}<dt>{{t.client_name}}</dt><dd id="client-name">{{name}}</dd>{{/name}}
    {{#identityNumber}}<dt>{{t.identity_number}}</dt><dd>{{identityNumber}}</dd>{{/identityNumber}}
    {{#phone}}<dt>{{t.client_phone}}</dt><dd>{{phone}}</dd>{{/phone}}
    {{#email}}<dt>{{t.client_email}}</dt><dd>{{email}}</dd>{{/email}}
    {{#address}}<dt>{{t.client_address}}</dt><dd>{{address}}</dd>{{/address}}
    {{#callTimes}}<dt>{{t.call_times}}</dt><dd>{{callTimes}}</dd>{{/callTimes}}
    {{#interpreterLanguage}}<dt>{{t.interpreter}}</dt><dd>{{interpreterLanguage}}</dd>{{/interpreterLanguage}}
    {{#referrerContactName}}<dt>{{t.referrer_contact}}</dt><dd>{{referrerContactName}} {{referrerContactPhone}} {{referrerContactEmail}}</dd>{{/referrerContactName}}
    {{#consentRecordedBy}}<dt>{{t.consent_recorded_by}}</dt><dd>{{consentRecordedBy}}</dd>{{/consentRecordedBy}}
    {{#notes}}<dt>{{t.notes}}</dt><dd>{{notes}}</dd>{{/notes}}
    </dl>
    {{#risk.0}}<h3>{{t.fs_risk}}</h3><ul>{{#risk}}<li>{{question}}: {{answer}}</li>{{/risk}}</ul>{{/risk.0}}
    </section>
    {{/personal}}
    <dl class="facts"><dt>{{t.help}}</dt><dd>{{help}}</dd><dt>{{t.municipality}}</dt><dd>{{municipality}}</dd>{{#children}}<dt>{{t.children_ages}}</dt><dd>{{children}}</dd>{{/children}}{{#reserveId}}<dt>{{t.reserve_id}}</dt><dd>{{reserveId}}</dd>{{/reserveId}}</dl>
    {{#hasLinked}}<section><h2>{{t.linked_heading}}</h2><ul>{{#linked}}<li><a href="/hanvisningar/{{id}}">{{reference}}</a> – {{status}}</li>{{/linked}}</ul></section>{{/hasLinked}}
    {{^print}}
    {{#isStaff}}
    <section aria-labelledby="actions-heading" id="actions"><h2 id="actions-heading">{{t.actions_heading}}</h2>
    {{#canReceive}}<form method="post" action="/hanvisningar/{{id}}/atgard"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="receive"><button type="submit" id="action-receive">{{t.action_receive}}</button></form>{{/canReceive}}
    {{#canAssess}}<form method="post" action="/hanvisningar/{{id}}/atgard" class="action"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="assess"><input type="hidden" name="decision" value="accept">
    <label for="accept-priority">{{t.col_priority}}</label><select id="accept-priority" name="priority"><option value="1">{{t.priority_1}}</option><option value="2" selected>{{t.priority_2}}</option><option value="3">{{t.priority_3}}</option></select>
    <button type="submit" id="action-accept">{{t.action_accept}}</button></form>
    <form method="post" action="/hanvisningar/{{id}}/atgard" class="action"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="assess"><input type="hidden" name="decision" value="decline">
    <label for="decline-reason">{{t.reason}}</label><select id="decline-reason" name="reason">{{#declineReasons}}<option value="{{code}}">{{label}}</option>{{/declineReasons}}</select>
    <button type="submit" id="action-decline">{{t.action_decline}}</button></form>
    <form method="post" action="/hanvisningar/{{id}}/atgard" class="action"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="assess"><input type="hidden" name="decision" value="redirect">
    <label for="redirect-reason">{{t.reason}}</label><select id="redirect-reason" name="reason">{{#redirectReasons}}<option value="{{code}}">{{label}}</option>{{/redirectReasons}}</select>
    <label for="redirect-to">{{t.redirect_to}}</label><input type="text" id="redirect-to" name="redirectTo">
    <button type="submit" id="action-redirect">{{t.action_redirect}}</button></form>{{/canAssess}}
    {{#canReprioritise}}<form method="post" action="/hanvisningar/{{id}}/atgard" class="action"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="reprioritise">
    <label for="re-priority">{{t.col_priority}}</label><select id="re-priority" name="priority"><option value="1">{{t.priority_1}}</option><option value="2">{{t.priority_2}}</option><option value="3">{{t.priority_3}}</option></select>
    <label for="re-reason">{{t.reprioritise_reason}}</label><input type="text" id="re-reason" name="reason">
    <button type="submit" id="action-reprioritise">{{t.action_reprioritise}}</button></form>{{/canReprioritise}}
    {{#canOffer}}<form method="post" action="/hanvisningar/{{id}}/atgard" class="action"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="appointment">
    <label for="appointment-date">{{t.appointment_date}}</label><input type="date" id="appointment-date" name="date">
    <label for="appointment-channel">{{t.channel}}</label><select id="appointment-channel" name="channel"><option value="via-referrer">{{t.channel_via_referrer}}</option><option value="phone">{{t.channel_phone}}</option><option value="letter">{{t.channel_letter}}</option><option value="in-person">{{t.channel_in_person}}</option></select>
    <button type="submit" id="action-appointment">{{t.action_appointment}}</button></form>{{/canOffer}}
    {{#canTreat}}<form method="post" action="/hanvisningar/{{id}}/atgard" class="action"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="treatment"><input type="hidden" name="mode" value="individual">
    <button type="submit" id="action-treatment">{{t.action_treatment}}</button></form>
    {{#groups.0}}<form method="post" action="/hanvisningar/{{id}}/atgard" class="action"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="treatment"><input type="hidden" name="mode" value="group">
    <label for="group-id">{{t.group}}</label><select id="group-id" name="groupId">{{#groups}}<option value="{{id}}">{{name}}</option>{{/groups}}</select>
    <button type="submit" id="action-group">{{t.action_group}}</button></form>{{/groups.0}}{{/canTreat}}
    {{#canClose}}<form method="post" action="/hanvisningar/{{id}}/atgard" class="action"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="close">
    <label for="close-reason">{{t.reason}}</label><select id="close-reason" name="reason">{{#closureReasons}}<option value="{{code}}">{{label}}</option>{{/closureReasons}}</select>
    <button type="submit" id="action-close">{{t.action_close}}</button></form>{{/canClose}}
    <p><a href="/hanvisningar/{{id}}?print=1">{{t.print_view}}</a></p>
    </section>
    {{/isStaff}}
    {{#canWithdraw}}{{#withdrawReasons.0}}<form method="post" action="/hanvisningar/{{id}}/atgard" class="action"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="withdraw">
    <label for="withdraw-reason">{{t.withdraw_reason}}</label><select id="withdraw-reason" name="reason">{{#withdrawReasons}}<option value="{{code}}">{{label}}</option>{{/withdrawReasons}}</select>
    <button type="submit" id="action-withdraw">{{t.action_withdraw}}</button></form>{{/withdrawReasons.0}}{{/canWithdraw}}
    {{/print}}
    <section aria-labelledby="history-heading"><h2 id="history-heading">{{t.history_heading}}</h2>
    <table id="history"><caption>{{t.history_caption}}</caption><thead><tr><th scope="col">{{t.col_when}}</th><th scope="col">{{t.col_status}}</th><th scope="col">{{t.col_step}}</th><th scope="col">{{t.reason}}</th></tr></thead>
    <tbody>{{#history}}<tr><td>{{at}}</td><td>{{status}}</td><td>{{action}}{{#priority}} ({{priority}}){{/priority}}</td><td>{{reason}} {{note}}</td></tr>{{/history}}</tbody></table></section>
    <p><a href="/hanvisningar">{{t.back_to_referrals}}</a></p>
    """

    static let capacity = """
    <h1 id="capacity-heading">{{t.capacity_heading}}</h1>
    <p>{{t.capacity_intro}}</p>
    {{#centres}}<section aria-labelledby="cap-{{id}}"><h2 id="cap-{{id}}">{{name}}</h2>
    {{#paused}}<p class="warning" role="note">{{t.paused_short}}: {{message}} {{#alternatives}}{{t.turn_instead}} {{alternatives}}{{/alternatives}}</p>{{/paused}}
    <table class="capacity" id="capacity-{{id}}"><caption>{{t.capacity_caption}}</caption><thead><tr><th scope="col">{{t.col_category}}</th><th scope="col">{{t.col_intake}}</th></tr></thead>
    <tbody>{{#categories}}<tr><th scope="row">{{category}}</th><td class="cap-{{state}}">{{label}}</td></tr>{{/categories}}</tbody></table>
    {{#canEdit}}<form method="post" action="/kapacitet/{{id}}" class="action"><input type="hidden" name="csrf" value="{{csrf}}">
    {{^paused}}<input type="hidden" name="paused" value="true"><label for="msg-{{id}}">{{t.pause_message}}</label><input type="text" id="msg-{{id}}" name="message">
    <label for="alt-{{id}}">{{t.pause_alternatives}}</label><input type="text" id="alt-{{id}}" name="alternatives"><button type="submit">{{t.pause_intake}}</button>{{/paused}}
    {{#paused}}<input type="hidden" name="paused" value="false"><button type="submit">{{t.resume_intake}}</button>{{/paused}}
    </form>{{/canEdit}}
    </section>{{/centres}}
    """

    static let statistics = """
    <h1 id="stats-heading">{{t.stats_heading}} – {{centre}} {{year}}</h1>
    <p><a href="/statistik?centre={{centreId}}&amp;year={{previousYear}}">← {{previousYear}}</a> · <a href="/statistik?centre={{centreId}}&amp;year={{nextYear}}">{{nextYear}} →</a> · <a href="/statistik.csv?centre={{centreId}}&amp;year={{year}}" id="stats-csv">{{t.download_csv}}</a></p>
    {{#shared}}<p class="notice">{{t.masked_notice}}</p>{{/shared}}
    {{#importedNote}}<p class="notice" id="stats-imported">{{importedNote}}</p>{{/importedNote}}
    <section aria-labelledby="s1"><h2 id="s1">{{t.stats_clients}}</h2>
    <table id="stats-clients"><caption>{{t.stats_clients_caption}}</caption><thead><tr><th scope="col">{{t.col_category}}</th><th scope="col">{{year}}</th><th scope="col">{{previousYear}}</th><th scope="col">{{t.col_difference}}</th></tr></thead>
    <tbody>{{#categories}}<tr><th scope="row">{{label}}</th><td>{{year}}</td><td>{{previous}}</td><td>{{difference}}</td></tr>{{/categories}}
    <tr><th scope="row">{{t.total}}</th><td>{{categoryTotal.year}}</td><td>{{categoryTotal.previous}}</td><td>{{categoryTotal.difference}}</td></tr></tbody></table>
    <figure>{{{categoryChart}}}</figure></section>
    <section aria-labelledby="s2"><h2 id="s2">{{t.stats_agencies}}</h2>
    <table id="stats-agencies"><caption>{{t.stats_agencies_caption}}</caption><thead><tr><th scope="col">{{t.col_agency}}</th><th scope="col">{{t.col_count}}</th></tr></thead>
    <tbody>{{#agencies}}<tr><th scope="row">{{label}}</th><td>{{count}}</td></tr>{{/agencies}}<tr><th scope="row">{{t.total}}</th><td>{{agencyTotal}}</td></tr></tbody></table>
    <figure>{{{agencyChart}}}</figure></section>
    <section aria-labelledby="s3"><h2 id="s3">{{t.stats_queue}}</h2><figure>{{{queueChart}}}</figure>
    <p>{{t.stats_wait}}: {{t.median}} {{waitMedian}} {{t.days}}, {{t.p90}} {{waitP90}} {{t.days}} (n = {{waitN}})</p></section>
    <section aria-labelledby="s4"><h2 id="s4">{{t.stats_municipalities}}</h2>
    <table id="stats-municipalities"><caption>{{t.stats_municipalities_caption}}</caption><thead><tr><th scope="col">{{t.col_municipality}}</th><th scope="col">{{t.col_count}}</th></tr></thead>
    <tbody>{{#municipalities}}<tr><th scope="row">{{label}}</th><td>{{count}}</td></tr>{{/municipalities}}<tr><th scope="row">{{t.total}}</th><td>{{municipalityTotal}}</td></tr></tbody></table></section>
    """

    static let audit = """
    <h1>{{t.audit_heading}}</h1>
    <table id="audit"><caption>{{t.audit_caption}}</caption><thead><tr><th scope="col">{{t.col_when}}</th><th scope="col">{{t.col_who}}</th><th scope="col">{{t.col_role}}</th><th scope="col">{{t.col_unit}}</th><th scope="col">{{t.col_step}}</th><th scope="col">{{t.col_record}}</th><th scope="col">{{t.col_purpose}}</th></tr></thead>
    <tbody>{{#entries}}<tr><td>{{at}}</td><td>{{actor}}</td><td>{{role}}</td><td>{{unit}}</td><td>{{action}}</td><td>{{#referral}}<a href="/hanvisningar/{{referral}}">{{referral}}</a>{{/referral}}</td><td>{{purpose}}</td></tr>{{/entries}}</tbody></table>
    """
}
