"""schemathesis hooks for the rules of /openapi.yaml that JSON Schema cannot state.

The document names five formats of its own: `personnummer` and `samordningsnummer` (a real
date of birth and the right check digit), `minutes` (minutes in the centres' style),
`statistics-csv` (the statistics import file) and `cursor` (a page's nextCursor). Their
strategies below make values of them.

A JSON Schema describes each field by itself; a few of the hub's rules compare two fields
(a day ends after it starts, a deadline is not after the start, a maximum is at least the
minimum) or compute over one (a personnummer's check digit). Each rule is stated in the
operation's summary in the document; here the same rules keep the requests that
schemathesis generates as valid ones to them, so that "schema-valid request rejected" means
a real difference between the document and the server. Loaded through SCHEMATHESIS_HOOKS
by Tests/protocol/test_openapi_schemathesis.py; nothing here changes a request, it only
drops generated ones that break a rule."""
import json
import os

import base64
import datetime

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


def _is_text(*values):
    return all(isinstance(v, str) for v in values)


def _ends_after_start(start, end):
    # HH:MM compares as text; a missing end takes the service's default and is left to it.
    return not _is_text(start, end) or end > start


def _deadline_before(deadline, date, start):
    """A deadline (date, end of that day; or dateTHH:MM) is not after the start."""
    if not _is_text(deadline, date, start):
        return True
    if "T" in deadline:
        return deadline <= f"{date}T{start}"
    return deadline < date


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


def _network_day(body):
    return (_ends_after_start(body.get("startTime"), body.get("endTime"))
            and _deadline_before(body.get("deadline"), body.get("date"), body.get("startTime")))


def _training(body):
    sessions = [s for s in body.get("sessions") or [] if isinstance(s, dict)]
    spans = []
    for s in sessions:
        if not _ends_after_start(s.get("startTime"), s.get("endTime")):
            return False
        if _is_text(s.get("date"), s.get("startTime"), s.get("endTime")):
            spans.append((s["date"] + s["startTime"], s["date"] + s["endTime"]))
    spans.sort()
    if any(a[1] > b[0] for a, b in zip(spans, spans[1:])):
        return False  # sessions overlap
    if spans and _is_text(body.get("deadline")):
        first = spans[0][0]
        return _deadline_before(body["deadline"], first[:10], first[10:])
    return True


def _meeting(body):
    start, end = body.get("start"), body.get("end")
    if (start is None) != (end is None):
        return False  # one of them is compared with the centre's default time
    series = body.get("series") or []
    date = body.get("date")
    if _is_text(date) and any(isinstance(d, str) and d <= date for d in series):
        return False
    return _ends_after_start(start, end)


def _group(body):
    def ordered(low, high):
        a, b = body.get(low), body.get(high)
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b))
        return not numbers or b >= a
    return ordered("min", "max") and ordered("ageMin", "ageMax")


def _served(body):
    """A municipality named with a centre is one the centre serves."""
    centre, municipality = body.get("centreId"), body.get("municipality")
    return not _is_text(centre, municipality) or municipality in SERVED.get(centre, ())


def _contact(body):
    """An end date is not before the start, which is today when none is given."""
    start, end = body.get("activeFrom"), body.get("activeTo")
    if _is_text(end):
        begin = start if _is_text(start) else datetime.date.today().isoformat()
        if end < begin:
            return False
    return _served(body)


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
}


@schemathesis.hook
def filter_body(context, body):
    operation = context.operation
    if operation is None or not isinstance(body, dict):
        return True
    rule = RULES.get((operation.method.upper(), operation.path))
    try:
        return rule(body) if rule else True
    except (TypeError, AttributeError, ValueError):
        # A generated body of another shape than the rule reads (a list where a date list
        # belongs, say) is not the case the rule is about: leave it to the schema checks.
        return True
