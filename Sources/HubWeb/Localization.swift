import HubProtocol
import Synchronization

/// The page language: Swedish by default, English through `?lang=en` (remembered in a cookie).
package enum Language: String, Sendable, CaseIterable {
    case sv, en

    /// A UTC instant from a service as this page's reader reads it: Stockholm time, in this
    /// language's form (`LocalTime.dateTime(_:english:)`).
    package func dateTime(_ iso: String?) -> String {
        LocalTime.dateTime(iso ?? "", english: self == .en)
    }

    /// Every UI string, by key. Both tables must have the same keys (a test checks it).
    package var strings: [String: String] {
        Strings.table(self)
    }

    package func t(_ key: String) -> String { strings[key] ?? key }

    /// A code's name in this language: the text of `prefix + code`, else of `alternative`,
    /// else the code itself (which the page crawl test then reports as a missing name).
    package func name(_ prefix: String, _ code: String, or alternative: String? = nil) -> String {
        if code.isEmpty { return "" }
        let table = strings
        return table[prefix + code] ?? alternative.flatMap { table[$0] } ?? code
    }

    /// A service's field error in this language, chosen by its machine reason — never by
    /// parsing the English message. Nil when the reason is absent or has no text of its own
    /// (the page then says something general, or a text for its own situation).
    package func fieldError(_ reason: HubError.Reason?) -> String? {
        guard let reason, let key = Self.reasonKeys[reason] else { return nil }
        return t(key)
    }

    package static let reasonKeys: [HubError.Reason: String] = [
        .required: "reg_err_required", .tooLong: "reg_err_too_long", .controlCharacters: "err_control_characters",
        .wrongType: "reg_err_invalid", .outOfRange: "err_out_of_range", .notAChoice: "reg_err_choose",
        .notADate: "tr_err_date", .notATime: "tr_err_time", .invalidEmail: "reg_err_email", .invalidPhone: "err_invalid_phone", .taken: "reg_err_email_taken",
        .endBeforeStart: "tr_err_end_before_start", .deadlineAfterStart: "tr_err_deadline", .overlap: "tr_err_overlap",
        .outOfOrder: "tr_err_part_order", .laterStarted: "tr_err_later_part", .beforePrevious: "tr_err_part_date",
        .notPlanned: "tr_err_plan_first", .deadlinePassed: "reg_err_deadline", .eventCancelled: "reg_err_day_cancelled",
        .eventStarted: "reg_err_started",
    ]

    /// `t(key)` with `{name}` placeholders filled in.
    package func t(_ key: String, _ values: [String: String]) -> String {
        var s = t(key)
        for (k, v) in values { s = s.replacingOccurrences(of: "{\(k)}", with: v) }
        return s
    }
}

/// All UI strings: the shared ones below, and each service's web module's, which the gateway
/// installs at start (`install`). Keys are unique across modules (a test checks it).
package enum Strings {
    private static let tables = Mutex<[Language: [String: String]]>([.sv: swedish, .en: english])

    /// Adds a module's tables; the shared strings win over a module's key of the same name.
    package static func install(swedish moduleSwedish: [String: String], english moduleEnglish: [String: String]) {
        tables.withLock { t in
            t[.sv] = (t[.sv] ?? [:]).merging(moduleSwedish) { own, _ in own }
            t[.en] = (t[.en] ?? [:]).merging(moduleEnglish) { own, _ in own }
        }
    }

    /// Every installed string of `language`.
    package static func table(_ language: Language) -> [String: String] {
        tables.withLock { $0[language] ?? [:] }
    }

    package static let swedish: [String: String] = [
        "app_name": "Utväg Hub",
        "skip": "Hoppa till innehållet",
        "nav_label": "Huvudmeny",
        "nav_home": "Startsida",
        "lang_switch": "In English",
        "lang_switch_code": "en",
        "logout": "Logga ut",
        "footer": "Utväg – specialistkompetenscentrum mot våld i nära relationer",
        "login_title": "Logga in",
        "login_heading": "Logga in på Utväg Hub",
        "login_intro": "Logga in med det användarnamn och lösenord du fått av administratören.",
        "username": "Användarnamn",
        "password": "Lösenord",
        "login_submit": "Logga in",
        "error_summary": "Formuläret innehåller fel:",
        "err_username_required": "Ange ditt användarnamn.",
        "err_password_required": "Ange ditt lösenord.",
        "err_login_failed": "Fel användarnamn eller lösenord.",
        "err_rate_limited": "För många misslyckade inloggningsförsök från den här adressen. Försök igen om {seconds} s.",
        "start_title": "Startsida",
        "start_heading": "Välkommen till Utväg Hub",
        "greeting": "Hej {user}! Du är inloggad som {role}.",
        "role_admin": "administratör",
        "role_staff": "personal vid Utväg",
        "role_agency": "företrädare för en samverkande myndighet",
        "role_board": "ledamot i ledningsgruppen",
        "confirm_cancel": "Nej, gå tillbaka", "pf_label": "Sök bland deltagarna", "pf_search": "Namn, organisation eller kommun", "pf_status": "Status", "pf_all": "Alla", "pf_sort": "Ordning", "pf_sort_registered": "Anmälningsordning", "pf_sort_name": "Namn", "pf_sort_agency": "Organisation", "pf_sort_status": "Status", "pf_show": "Visa", "pf_count": "Visar {shown} av {total} anmälda.",
        "err_invalid_phone": "Ange ett telefonnummer, till exempel 0501-123 45.", "calendar_add": "Lägg till i kalendern (.ics)",
        "nav_status": "Driftstatus", "status_title": "Driftstatus", "status_link": "Visa driftstatus",
        "health_all_up": "Alla delar av hubben är i drift.", "health_some_down": "{n} delar av hubben har problem.",
        "start_nothing": "Här finns inget som väntar på dig just nu.",
        "component_broker": "Förmedlare", "component_broker_numbered": "Förmedlare {n}", "component_referrals": "Hänvisningar", "component_meetings": "Ledningsgrupp",
        "component_networks": "Nätverksträffar", "component_training": "Utbildningar", "component_adapter": "Adapter: {agency}",
        "component_agency_police": "Polisen", "component_agency_municipality": "Kommunerna",
        "component_agency_psychiatry": "Psykiatrin", "component_agency_kriminalvarden": "Kriminalvården",
        "bus_heading": "Meddelandebussens status",
        "bus_caption": "Delar av hubben och om de är i drift",
        "col_component": "Del",
        "col_kind": "Typ",
        "col_status": "Status",
        "col_workers": "Arbetsprocesser",
        "status_up": "I drift",
        "status_down": "Nere",
        "status_storage_failing": "I drift, men kan inte spara",
        "status_storage_full": "I drift, men disken är full",
        "kind_broker": "Förmedlare",
        "kind_service": "Tjänst",
        "kind_adapter": "Adapter",
        "bus_unavailable": "Meddelandebussen svarar inte just nu. Försök igen om en stund.",
        "centres_heading": "Centrum",
        "centres_unavailable": "Listan över centrum kan inte visas just nu. Försök igen om en stund.",
        "centres_empty": "Inga centrum finns registrerade ännu.",
        "error_title": "Något gick fel",
        "error_403": "Du har inte behörighet till den här sidan eller åtgärden. Den hör till en annan roll eller ett annat centrum.",
        "error_403_form": "Formuläret hade gått ut. Ladda om sidan och försök igen.",
        "error_404": "Sidan finns inte.",
        "error_413": "Det du skickade var för stort.",
        "error_503": "Tjänsten är inte tillgänglig just nu. Försök igen om en stund.",
        "error_generic": "Ett oväntat fel inträffade. Försök igen om en stund.",
        "back_home": "Till startsidan",
    ]

    package static let english: [String: String] = [
        "app_name": "Utväg Hub",
        "skip": "Skip to content",
        "nav_label": "Main menu",
        "nav_home": "Home",
        "lang_switch": "På svenska",
        "lang_switch_code": "sv",
        "logout": "Log out",
        "footer": "Utväg – specialist centre against violence in close relationships",
        "login_title": "Log in",
        "login_heading": "Log in to Utväg Hub",
        "login_intro": "Log in with the username and password you were given by the administrator.",
        "username": "Username",
        "password": "Password",
        "login_submit": "Log in",
        "error_summary": "The form has errors:",
        "err_username_required": "Enter your username.",
        "err_password_required": "Enter your password.",
        "err_login_failed": "Wrong username or password.",
        "err_rate_limited": "Too many failed login attempts from this address. Try again in {seconds} s.",
        "start_title": "Home",
        "start_heading": "Welcome to Utväg Hub",
        "greeting": "Hello {user}! You are logged in as {role}.",
        "role_admin": "administrator",
        "role_staff": "Utväg staff",
        "role_agency": "representative of a partner agency",
        "role_board": "management group member",
        "confirm_cancel": "No, go back", "pf_label": "Search the participants", "pf_search": "Name, organisation or municipality", "pf_status": "Status", "pf_all": "All", "pf_sort": "Order", "pf_sort_registered": "Order of registration", "pf_sort_name": "Name", "pf_sort_agency": "Organisation", "pf_sort_status": "Status", "pf_show": "Show", "pf_count": "Showing {shown} of {total} registered.",
        "err_invalid_phone": "Enter a phone number, for example 0501-123 45.", "calendar_add": "Add to calendar (.ics)",
        "nav_status": "Status", "status_title": "Status of the hub", "status_link": "Show the status",
        "health_all_up": "Every part of the hub is up.", "health_some_down": "{n} parts of the hub have problems.",
        "start_nothing": "Nothing is waiting for you right now.",
        "component_broker": "Broker", "component_broker_numbered": "Broker {n}", "component_referrals": "Referrals", "component_meetings": "Management group",
        "component_networks": "Network days", "component_training": "Trainings", "component_adapter": "Adapter: {agency}",
        "component_agency_police": "Police", "component_agency_municipality": "Municipalities",
        "component_agency_psychiatry": "Psychiatry", "component_agency_kriminalvarden": "Prison and Probation Service",
        "bus_heading": "Message bus status",
        "bus_caption": "Parts of the hub and whether they are up",
        "col_component": "Part",
        "col_kind": "Kind",
        "col_status": "Status",
        "col_workers": "Workers",
        "status_up": "Up",
        "status_down": "Down",
        "status_storage_failing": "Up, but cannot store",
        "status_storage_full": "Up, but the disk is full",
        "kind_broker": "Broker",
        "kind_service": "Service",
        "kind_adapter": "Adapter",
        "bus_unavailable": "The message bus is not answering right now. Please try again shortly.",
        "centres_heading": "Centres",
        "centres_unavailable": "The list of centres cannot be shown right now. Please try again shortly.",
        "centres_empty": "No centres are registered yet.",
        "error_title": "Something went wrong",
        "error_403": "You do not have access to this page or action. It belongs to another role or another centre.",
        "error_403_form": "The form had expired. Reload the page and try again.",
        "error_404": "The page does not exist.",
        "error_413": "What you sent was too large.",
        "error_503": "The service is not available right now. Please try again shortly.",
        "error_generic": "An unexpected error occurred. Please try again shortly.",
        "back_home": "To the start page",
    ]
}
