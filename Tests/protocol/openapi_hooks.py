"""schemathesis hooks for the rules of /openapi.yaml that JSON Schema cannot state.

The document names five formats of its own: `personnummer` and `samordningsnummer` (a real
date of birth and the right check digit), `minutes` (minutes in the centres' style),
`statistics-csv` (the statistics import file) and `cursor` (a page's nextCursor). Their
strategies below make values of them.

A JSON Schema describes each field by itself; a few of the hub's rules compare two fields
(a day ends after it starts, a deadline is not after the start, a maximum is at least the
minimum) or compute over one (a personnummer's check digit). Each rule is stated in the
operation's summary in the document; here the same rules make the requests that
schemathesis generates valid ones to them, so that "schema-valid request rejected" means
a real difference between the document and the server. Loaded through SCHEMATHESIS_HOOKS
by Tests/protocol/test_openapi_schemathesis.py. A schema-valid body that breaks such a rule
is repaired (`map_case`: a time, date or code moved so that the rule holds), not dropped,
so that every phase — the coverage phase's boundary values too — sends valid requests and
no generation is wasted; a schema-violating body is never changed."""
import json
import os

import base64
import copy
import datetime
import zoneinfo

import schemathesis
from hypothesis import strategies as st

_CONFIG = os.environ.get("HUB_CONFIG_DIR") or os.path.join(os.path.dirname(__file__), "..", "..", "config")
with open(os.path.join(_CONFIG, "centres.json"), encoding="utf-8") as f:
    _centres = json.load(f)
SERVED = {c["id"]: set(c["municipalities"]) for c in (_centres.get("centres", _centres) if isinstance(_centres, dict) else _centres)}
with open(os.path.join(_CONFIG, "agencies.json"), encoding="utf-8") as f:
    _agencies = json.load(f)
AGENCIES = [a["id"] for a in (_agencies.get("agencies", _agencies) if isinstance(_agencies, dict) else _agencies)]
CATEGORIES = ["subjected-to-violence", "used-violence", "child-witness", "young-adult", "not-stated"]


def _identity_number(day_offset):
    """YYYYMMDD-NNNC for a birth date 1930–2005 (day + 60 for a samordningsnummer)."""
    def make(born, serial):
        day = born.day + day_offset
        nine = f"{born:%y%m}{day:02d}{serial:03d}"
        total = 0
        for i, c in enumerate(nine):
            d = int(c) * (2 if i % 2 == 0 else 1)
            total += d - 9 if d > 9 else d
        return f"{born:%Y%m}{day:02d}-{serial:03d}{(10 - total % 10) % 10}"
    return st.builds(make, st.dates(datetime.date(1930, 1, 1), datetime.date(2005, 12, 31)), st.integers(0, 999))


_name = st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäö", min_size=2, max_size=12).map(str.capitalize)
_minutes = st.lists(st.tuples(_name, _name).map(" ".join), min_size=1, max_size=6).map(lambda people: "Närvarande: " + ", ".join(people) + "\n")


@st.composite
def _statistics_csv(draw):
    centre = draw(st.sampled_from(sorted(SERVED)))
    year = draw(st.integers(1990, datetime.date.today().year))
    table, key = draw(st.one_of(st.tuples(st.just("category"), st.sampled_from(CATEGORIES)),
                                st.tuples(st.just("agency"), st.sampled_from(AGENCIES + ["self"])),
                                st.tuples(st.just("municipality"), st.sampled_from(sorted(SERVED[centre])))))
    return f"centre;year;table;key;count\n{centre};{year};{table};{key};{draw(st.integers(0, 1000000))}\n"


schemathesis.openapi.format("personnummer", _identity_number(0))
schemathesis.openapi.format("samordningsnummer", _identity_number(60))
schemathesis.openapi.format("minutes", _minutes)
schemathesis.openapi.format("statistics-csv", _statistics_csv())
# A page's nextCursor: base64url of "<submitted at>|<referral id>".
schemathesis.openapi.format("cursor", st.builds(
    lambda at, ident: base64.urlsafe_b64encode(f"{at:%Y-%m-%dT%H:%M:%S}.000Z|{ident}".encode()).decode().rstrip("="),
    st.datetimes(datetime.datetime(2020, 1, 1), datetime.datetime(2030, 1, 1)), st.text(alphabet="0123456789abcdef-", min_size=1, max_size=36)))


# --- Rules between fields -------------------------------------------------------------
# Each repair below takes a generated body that the schema allows and changes as little as it
# can so that it also keeps the rule (docs/protocol.md, "The OpenAPI document"). The changed
# values stay ones the schema allows: only dates, times and codes are moved, within their
# patterns. Bodies of another shape (a list where an object belongs) are left alone.

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def _text(value):
    """Text that is not blank: a blank member is one not given."""
    return value if isinstance(value, str) and value.strip() else None


def _exists(date, time):
    """Whether HH:MM on date is a wall-clock time in Stockholm (not in the hour skipped in spring)."""
    try:
        local = datetime.datetime.fromisoformat(f"{date}T{time}").replace(tzinfo=STOCKHOLM)
    except ValueError:
        return True
    back = local.astimezone(datetime.timezone.utc).astimezone(STOCKHOLM)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


def _real(date, time):
    """time on date, moved out of the skipped hour by one hour."""
    if _text(date) and _text(time) and not _exists(date, time):
        return f"{int(time[:2]) + 1:02d}{time[2:]}"
    return time


def _later(time):
    hours, minutes = divmod(int(time[:2]) * 60 + int(time[3:5]) + 1, 60)
    return f"{hours:02d}:{minutes:02d}"


def _ordered(start, end):
    """(start, end) with end after start, both HH:MM."""
    if end > start:
        return start, end
    if start > end:
        return end, start
    return (start, _later(start)) if start < "23:59" else ("23:58", "23:59")


def _times(body, start_key, end_key, date=None):
    """The day's start and end: real wall-clock times, the end after the start."""
    start, end = _text(body.get(start_key)), _text(body.get(end_key))
    if start and end:
        start, end = _ordered(_real(date, start), _real(date, end))
        if date and not (_exists(date, start) and _exists(date, end)):
            start, end = "10:00", "11:00"
        body[start_key], body[end_key] = start, end


def _deadline(body, date, start):
    """A deadline (a date: the end of that day; or dateTHH:MM) not after the start."""
    deadline = _text(body.get("deadline"))
    if not (deadline and date and start):
        return
    late = deadline > f"{date}T{start}" if "T" in deadline else deadline >= date
    if late:
        body["deadline"] = f"{date}T00:00"


def _network_day(body):
    date = _text(body.get("date"))
    _times(body, "startTime", "endTime", date)
    _deadline(body, date, _text(body.get("startTime")))


def _training(body):
    sessions = body.get("sessions")
    if not isinstance(sessions, list):
        return
    kept, spans = [], []
    for session in sessions:
        if not isinstance(session, dict):
            kept.append(session)
            continue
        _times(session, "startTime", "endTime", _text(session.get("date")))
        date, start, end = (_text(session.get(k)) for k in ("date", "startTime", "endTime"))
        if date and start and end:
            span = (date + start, date + end)
            if any(a < span[1] and span[0] < b for a, b in spans):
                continue  # it overlaps one before it: left out (at least one session stays)
            spans.append(span)
        kept.append(session)
    body["sessions"] = kept
    if spans:
        first = min(spans)[0]
        _deadline(body, first[:10], first[10:])


def _meeting(body):
    start, end = _text(body.get("start")), _text(body.get("end"))
    if start and end:
        body["start"], body["end"] = _ordered(start, end)
    elif start or end:
        # One alone is compared with the centre's default time: both are given instead.
        body["start"], body["end"] = _ordered(start or "00:00", end or "23:59")
    series, date = body.get("series"), _text(body.get("date"))
    if isinstance(series, list) and date:
        body["series"] = [d for d in series if not (isinstance(d, str) and d <= date)]


def _group(body):
    for low, high in (("min", "max"), ("ageMin", "ageMax")):
        a, b = body.get(low), body.get(high)
        # A whole number may come as 15.0 (JSON Schema's integer takes it).
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b)) and b < a:
            body[low], body[high] = b, a


def _served(body):
    """A municipality named with a centre is one the centre serves."""
    centre, municipality = _text(body.get("centreId")), _text(body.get("municipality"))
    if centre in SERVED and municipality and municipality not in SERVED[centre]:
        body["municipality"] = sorted(SERVED[centre])[0]


def _contact(body):
    """An end date is not before the start, which is today when none is given."""
    start, end = _text(body.get("activeFrom")), _text(body.get("activeTo"))
    if end:
        begin = start or datetime.date.today().isoformat()
        if end < begin:
            if start:
                body["activeFrom"], body["activeTo"] = end, start
            else:
                body["activeTo"] = begin
    _served(body)


with open(os.path.join(_CONFIG, "management-groups.json"), encoding="utf-8") as f:
    _groups = json.load(f).get("groups", [])
# Agencies with a member in every centre's management group (and so invited to every meeting).
_MEMBER_AGENCIES = sorted(set(AGENCIES).intersection(*[{m.get("agency") for m in g.get("members", [])} for g in _groups])) if _groups else []


def _status_report(body):
    """A status report speaks for an agency invited to the meeting (a member of its centre's
    management group), for the municipality that member has: an agency every group has, and
    the member's own municipality (none named)."""
    if _MEMBER_AGENCIES and body.get("agency") not in _MEMBER_AGENCIES:
        body["agency"] = _MEMBER_AGENCIES[0]
    body["municipality"] = None


# An attachment said to be a PDF must start as one ("%PDF"); other types are taken as sent.
_FILES = {"application/pdf": base64.b64encode(b"%PDF-1.4\n%%EOF\n").decode()}


RULES = {
    ("POST", "/api/v1/network-days"): _network_day,
    ("PATCH", "/api/v1/network-days/{dayId}"): _network_day,
    ("POST", "/api/v1/trainings"): _training,
    ("POST", "/api/v1/meetings"): _meeting,
    ("PATCH", "/api/v1/meetings/{meetingId}"): _meeting,
    ("POST", "/api/v1/groups"): _group,
    ("POST", "/api/v1/contact-persons"): _contact,
    ("PATCH", "/api/v1/contact-persons/{contactId}"): _contact,
    ("POST", "/api/v1/tour-visits"): _served,
    ("POST", "/api/v1/lectures"): _served,
    ("POST", "/api/v1/supervision-assignments"): _served,
    ("POST", "/api/v1/meetings/{meetingId}/status-reports"): _status_report,
}


_REFERRALS = json.load(open(os.path.join(_CONFIG, "referrals.json"), encoding="utf-8"))
_CODES = {key: [r["code"] for r in _REFERRALS.get(key, [])] for key in ("closureReasons", "withdrawReasons")}


def _step_body(action, body):
    """A referral step's body by its `action` (a path parameter: JSON Schema cannot tie the
    body to it): the members the step reads, with values it takes. Which step the referral's
    status allows, and which channel its safe-contact instructions allow, is its state (409)."""
    in_two_weeks = (datetime.date.today() + datetime.timedelta(days=14)).isoformat()
    steps = {
        "receive": {},
        "assess": {"decision": "accept", "priority": 2},
        "appointment": {"date": in_two_weeks, "channel": "letter"},
        "treatment": {"mode": "individual"},
        "close": {"reason": (_CODES["closureReasons"] or ["other"])[0]},
        "withdraw": {"reason": (_CODES["withdrawReasons"] or ["other"])[0]},
        "reprioritise": {"priority": 1, "reason": "Ny bedömning"},
    }
    step = steps.get(action)
    if step is not None:
        body.update(step)


def _negative(case):
    meta = getattr(case, "meta", None)
    generation = getattr(meta, "generation", None)
    mode = getattr(generation, "mode", None)
    return bool(mode is not None and mode.is_negative)


@schemathesis.hook
def map_case(context, case):
    """Repairs a schema-valid body to keep the rules between its fields (every phase: the
    coverage phase's boundary values, fuzzing and the stateful phase). A schema-violating
    case (negative mode) is left as it was made."""
    operation = context.operation
    key = (operation.method.upper(), operation.path) if operation is not None else None
    if key == ("POST", "/api/v1/referrals/{id}/{action}") and not _negative(case):
        body = dict(case.body) if isinstance(case.body, dict) else {}
        _step_body((case.path_parameters or {}).get("action"), body)
        case.body = body
        return case
    if key == ("POST", "/api/v1/meetings/{meetingId}/attachments") and not _negative(case) and isinstance(case.body, dict):
        case.body = dict(case.body, data=_FILES.get(case.body.get("contentType"), case.body.get("data")))
        return case
    if key == ("GET", "/api/v1/referrals") and not _negative(case):
        # An administrator's lists (without a search item: the working lists) are a centre's.
        query = dict(case.query or {})
        if not _text(query.get("centre")):
            query["centre"] = sorted(SERVED)[0]
            case.query = query
        return case
    rule = RULES.get(key)
    if rule is None or _negative(case) or not isinstance(case.body, dict):
        return case
    body = copy.deepcopy(case.body)
    try:
        rule(body)
    except (TypeError, AttributeError, ValueError, IndexError):
        return case  # a body of another shape than the rule reads: left to the schema checks
    case.body = body
    return case
