// The referrals service's vocabulary: every code it sends or takes, with its Swedish and
// English name. Pages show codes by these names (ReferralsWeb builds its string-table
// entries from them); the adapters and the service check codes against the same lists.
// Names that are configuration (the coded reasons in config/referrals.json, centres,
// agencies, risk questions) stay in config.

/// A code of the referrals contract with its Swedish and English name.
public protocol ReferralCode: RawRepresentable, CaseIterable, Sendable, Codable, Hashable where RawValue == String {
    /// The prefix of the code's page-string key (`status_accepted`).
    static var stringKeyPrefix: String { get }
    var sv: String { get }
    var en: String { get }
}

extension ReferralCode {
    /// The name in `language` ("sv" or "en"; anything else gives Swedish).
    public func name(_ language: String) -> String { language == "en" ? en : sv }
    /// Every code, as sent.
    public static var codes: [String] { allCases.map(\.rawValue) }
    /// The string-table entries `<prefix>_<code>` in one language.
    public static func strings(_ language: String) -> [String: String] {
        Dictionary(uniqueKeysWithValues: allCases.map { (stringKeyPrefix + "_" + $0.rawValue, $0.name(language)) })
    }
}

/// The client category used in the annual report ("målgrupp").
public enum ClientCategory: String, ReferralCode {
    case subjectedToViolence = "subjected-to-violence"
    case usedViolence = "used-violence"
    case childWitness = "child-witness"
    case youngAdult = "young-adult"
    case notStated = "not-stated"

    public static let stringKeyPrefix = "category"
    public var sv: String {
        switch self {
        case .subjectedToViolence: "Utsatt för våld"
        case .usedViolence: "Utövat våld"
        case .childWitness: "Barn som upplevt våld"
        case .youngAdult: "Unga vuxna 18–25"
        case .notStated: "Ej angiven"
        }
    }
    public var en: String {
        switch self {
        case .subjectedToViolence: "Subjected to violence"
        case .usedViolence: "Has used violence"
        case .childWitness: "Child who experienced violence"
        case .youngAdult: "Young adults 18–25"
        case .notStated: "Not stated"
        }
    }
}

/// The help a referrer asks for ("insats").
public enum HelpKind: String, ReferralCode {
    case individualTalks = "individual-talks"
    case womensGroup = "womens-group"
    case nonViolenceGroup = "non-violence-group"
    case youngAdultsGroup = "young-adults-group"
    case childParentGroup = "child-parent-group"

    public static let stringKeyPrefix = "help"
    public var sv: String {
        switch self {
        case .individualTalks: "Individuella samtal"
        case .womensGroup: "Kvinnogrupp"
        case .nonViolenceGroup: "Icke-våldsgrupp"
        case .youngAdultsGroup: "Grupp för unga vuxna"
        case .childParentGroup: "Barn- och föräldragrupp"
        }
    }
    public var en: String {
        switch self {
        case .individualTalks: "Individual talks"
        case .womensGroup: "Women's group"
        case .nonViolenceGroup: "Non-violence group"
        case .youngAdultsGroup: "Young adults' group"
        case .childParentGroup: "Child-and-parent group"
        }
    }
}

/// A referral's place in its life cycle. Every change is an event and a history row.
public enum ReferralStatus: String, ReferralCode {
    case submitted, received, accepted, redirected, declined
    case appointmentOffered = "appointment-offered"
    case inTreatment = "in-treatment"
    case closed, withdrawn

    /// Statuses after which nothing more happens.
    public var isFinal: Bool { [.redirected, .declined, .closed, .withdrawn].contains(self) }
    /// Statuses in which the person waits in the centre's queue.
    public static let waiting: [ReferralStatus] = [.accepted]

    public static let stringKeyPrefix = "status"
    public var sv: String {
        switch self {
        case .submitted: "Skickad"
        case .received: "Mottagen"
        case .accepted: "I kö"
        case .redirected: "Vidarehänvisad"
        case .declined: "Avslagen"
        case .appointmentOffered: "Besök erbjudet"
        case .inTreatment: "I behandling"
        case .closed: "Avslutad"
        case .withdrawn: "Återkallad"
        }
    }
    public var en: String {
        switch self {
        case .submitted: "Sent"
        case .received: "Received"
        case .accepted: "In the queue"
        case .redirected: "Redirected"
        case .declined: "Declined"
        case .appointmentOffered: "Appointment offered"
        case .inTreatment: "In treatment"
        case .closed: "Closed"
        case .withdrawn: "Withdrawn"
        }
    }
}

/// How urgent the referrer thinks it is.
public enum Urgency: String, ReferralCode {
    case normal, high, acute
    public static let stringKeyPrefix = "urgency"
    public var sv: String { switch self { case .normal: "Normal"; case .high: "Hög"; case .acute: "Akut" } }
    public var en: String { switch self { case .normal: "Normal"; case .high: "High"; case .acute: "Acute" } }
}

/// How the client is identified.
public enum IdentityKind: String, ReferralCode {
    case personnummer, samordningsnummer
    /// Anonymous: the referral gets a reserve id ("reservnummer") instead.
    case none
    public static let stringKeyPrefix = "identity_kind"
    public var sv: String { switch self { case .personnummer: "Personnummer"; case .samordningsnummer: "Samordningsnummer"; case .none: "Anonym" } }
    public var en: String { switch self { case .personnummer: "Personnummer"; case .samordningsnummer: "Samordningsnummer"; case .none: "Anonymous" } }
}

/// What the client consented to: `referral` (the referral may be passed to Utväg) is
/// required from an agency; `status` lets the referrer follow status changes;
/// `outcome` lets it also see the reasons and the treatment form.
public enum ConsentScope: String, ReferralCode {
    case referral, status, outcome
    public static let stringKeyPrefix = "scope"
    public var sv: String { switch self { case .referral: "hänvisningen"; case .status: "status"; case .outcome: "utfall" } }
    public var en: String { switch self { case .referral: "the referral"; case .status: "status"; case .outcome: "outcome" } }
}

/// Who sends a referral.
public enum ReferralSource: String, ReferralCode {
    case agency
    case selfReferral = "self"
    public static let stringKeyPrefix = "source"
    public var sv: String { switch self { case .agency: "Myndighet"; case .selfReferral: "Egen anmälan" } }
    public var en: String { switch self { case .agency: "Agency"; case .selfReferral: "Self-referral" } }
}

/// The decision of `referrals.assess`.
public enum AssessmentDecision: String, ReferralCode {
    case accept, redirect, decline
    public static let stringKeyPrefix = "decision"
    public var sv: String { switch self { case .accept: "Anta till kön"; case .redirect: "Hänvisa vidare"; case .decline: "Avslå" } }
    public var en: String { switch self { case .accept: "Accept into the queue"; case .redirect: "Redirect"; case .decline: "Decline" } }
}

/// How the first appointment is offered (`referrals.appointment`).
public enum AppointmentChannel: String, ReferralCode {
    case phone, letter
    case inPerson = "in-person"
    case viaReferrer = "via-referrer"
    public static let stringKeyPrefix = "appointment_channel"
    public var sv: String { switch self { case .phone: "Telefon"; case .letter: "Brev"; case .inPerson: "Personligen"; case .viaReferrer: "Via hänvisaren" } }
    public var en: String { switch self { case .phone: "Phone"; case .letter: "Letter"; case .inPerson: "In person"; case .viaReferrer: "Via the referrer" } }
}

/// The treatment form (`referrals.treatment.start`'s `mode`; the agency's status event
/// says `individual` or `group`, never the group's name).
public enum TreatmentMode: String, ReferralCode {
    case individual, group
    public static let stringKeyPrefix = "treatment"
    public var sv: String { switch self { case .individual: "Individuella samtal"; case .group: "Grupp" } }
    public var en: String { switch self { case .individual: "Individual talks"; case .group: "Group" } }
}

/// What a referral's history row records as done (`history[].action`).
public enum ReferralAction: String, ReferralCode {
    case submit, receive, assess, accept, decline, redirect, appointment, treatment, group, close, withdraw, reprioritise
    public static let stringKeyPrefix = "history_action"
    public var sv: String {
        switch self {
        case .submit: "Skickad"
        case .receive: "Mottagen"
        case .assess: "Bedömd"
        case .accept: "Antagen"
        case .decline: "Avslagen"
        case .redirect: "Vidarehänvisad"
        case .appointment: "Besök erbjudet"
        case .treatment: "Behandling"
        case .group: "Gruppstart"
        case .close: "Avslutad"
        case .withdraw: "Återkallad"
        case .reprioritise: "Omprioriterad"
        }
    }
    public var en: String {
        switch self {
        case .submit: "Sent"
        case .receive: "Received"
        case .assess: "Assessed"
        case .accept: "Accepted"
        case .decline: "Declined"
        case .redirect: "Redirected"
        case .appointment: "Appointment offered"
        case .treatment: "Treatment"
        case .group: "Group start"
        case .close: "Closed"
        case .withdraw: "Withdrawn"
        case .reprioritise: "Reprioritised"
        }
    }
}

extension ReferralAction {
    /// The statuses a step may start from; the service refuses the step from any other
    /// with `invalid_transition`, and the pages offer it only from these.
    public var allowedFrom: [ReferralStatus] {
        switch self {
        case .receive: [.submitted]
        case .assess, .accept, .decline, .redirect: [.submitted, .received]
        case .appointment, .reprioritise: [.accepted]
        case .treatment, .group: [.accepted, .appointmentOffered]
        case .close: [.accepted, .appointmentOffered, .inTreatment]
        case .withdraw: [.submitted, .received, .accepted, .appointmentOffered]
        case .submit: []
        }
    }

    /// Whether the step may start from `status` (a code; false for an unknown one).
    public func isAllowed(from status: String) -> Bool { ReferralStatus(rawValue: status).map(allowedFrom.contains) ?? false }
}

/// Why staff open a referral's personal data (`referrals.get`'s and `referrals.find`'s `purpose`).
public enum ReadPurpose: String, ReferralCode {
    case caseHandling = "case-handling"
    case assessment, appointment
    case followUp = "follow-up"
    case print
    public static let stringKeyPrefix = "purpose"
    public var sv: String {
        switch self { case .caseHandling: "Handläggning"; case .assessment: "Bedömning"; case .appointment: "Besök"; case .followUp: "Uppföljning"; case .print: "Utskrift" }
    }
    public var en: String {
        switch self { case .caseHandling: "Case handling"; case .assessment: "Assessment"; case .appointment: "Appointment"; case .followUp: "Follow-up"; case .print: "Print" }
    }
}

/// The views of `referrals.list`.
public enum ReferralListView: String, ReferralCode {
    case mine, queue, centre
    public static let stringKeyPrefix = "list_view"
    public var sv: String { switch self { case .mine: "Våra hänvisningar"; case .queue: "Kö"; case .centre: "Centrumets ärenden" } }
    public var en: String { switch self { case .mine: "Our referrals"; case .queue: "Queue"; case .centre: "The centre's cases" } }
}

/// A centre's intake state for one category (`referrals.capacity`, `capacity.<centre>`).
public enum IntakeStateCode: String, ReferralCode {
    case open
    case waitingList = "waiting-list"
    case paused
    public static let stringKeyPrefix = "state"
    public var sv: String { switch self { case .open: "Öppet – ingen kö"; case .waitingList: "Väntelista"; case .paused: "Köstopp" } }
    public var en: String { switch self { case .open: "Open – no queue"; case .waitingList: "Waiting list"; case .paused: "Intake paused" } }
}

/// The estimated wait, as a band (`waitBand`, capacity `band`).
public enum WaitBand: String, ReferralCode {
    case underOneMonth = "under-1-month"
    case oneToThreeMonths = "1-3-months"
    case overThreeMonths = "over-3-months"
    public static let stringKeyPrefix = "band"
    public var sv: String { switch self { case .underOneMonth: "Under en månad"; case .oneToThreeMonths: "1–3 månader"; case .overThreeMonths: "Över tre månader" } }
    public var en: String { switch self { case .underOneMonth: "Under one month"; case .oneToThreeMonths: "1–3 months"; case .overThreeMonths: "Over three months" } }
}

/// The answers to a risk-screening question.
public enum RiskAnswer: String, ReferralCode {
    case yes, no, unknown
    public static let stringKeyPrefix = "answer"
    public var sv: String { switch self { case .yes: "Ja"; case .no: "Nej"; case .unknown: "Vet ej" } }
    public var en: String { switch self { case .yes: "Yes"; case .no: "No"; case .unknown: "Don't know" } }
}

/// The whole vocabulary, for pages and tests.
public enum ReferralVocabulary {
    public static let all: [any ReferralCode.Type] = [
        ClientCategory.self, HelpKind.self, ReferralStatus.self, Urgency.self, IdentityKind.self, ConsentScope.self,
        ReferralSource.self, AssessmentDecision.self, AppointmentChannel.self, TreatmentMode.self, ReferralAction.self,
        ReadPurpose.self, ReferralListView.self, IntakeStateCode.self, WaitBand.self, RiskAnswer.self,
    ]

    /// Every code's string-table entry (`<prefix>_<code>`) in `language`.
    public static func strings(_ language: String) -> [String: String] {
        var out: [String: String] = [:]
        for type in all { out.merge(type.strings(language)) { first, _ in first } }
        return out
    }
}
