"""Cross-centre access over HTTP against the running hub (scripts/test.sh starts it).

Networks and training decide who may do what inside the service (docs/authorisation.md).
Staff of Skaraborg, a board member of Södra Älvsborg and a police user are each refused
every organiser operation on Södra Älvsborg's network day, contact persons, coverage,
tour, attendance, training, certificates, lectures, supervision and year in review."""
import datetime
import json
import os
import subprocess
import urllib.error
import urllib.request
import uuid

import pytest

HUB_URL = os.environ.get("HUB_URL", "").rstrip("/")
HUB_BIN = os.environ.get("HUB_BIN", "")
DATA_DIR = os.environ.get("HUB_DATA_DIR", "")
CONFIG_DIR = os.environ.get("HUB_CONFIG_DIR", "")
ADMIN_PASSWORD = os.environ.get("HUB_ADMIN_PASSWORD", "")
PASSWORD = "acc-" + uuid.uuid4().hex

pytestmark = pytest.mark.skipif(
    not (HUB_URL and HUB_BIN and DATA_DIR and CONFIG_DIR and ADMIN_PASSWORD),
    reason="needs the running hub from scripts/test.sh",
)

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
OWNER = "sodra-alvsborg"


def api(method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(HUB_URL + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with OPENER.open(request, timeout=20) as response:
            raw = response.read()
            return response.status, (json.loads(raw) if raw and raw[:1] in b"{[" else raw)
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, raw


def user_token(name, role, **extra):
    args = [HUB_BIN, "users", "create", "--username", name, "--role", role, "--data-dir", DATA_DIR, "--config", CONFIG_DIR]
    for k, v in extra.items():
        args += ["--" + k, v]
    r = subprocess.run(args, input=PASSWORD + "\n", capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr[-300:]
    status, reply = api("POST", "/api/v1/tokens", {"username": name, "password": PASSWORD})
    assert status == 201, reply
    return reply["token"]


@pytest.fixture(scope="module")
def seeded():
    status, reply = api("POST", "/api/v1/tokens", {"username": "admin", "password": ADMIN_PASSWORD})
    assert status == 201
    admin = reply["token"]
    today = datetime.date.today()
    date = lambda days: (today + datetime.timedelta(days=days)).isoformat()  # noqa: E731
    status, day = api("POST", "/api/v1/network-days", {
        "centreId": OWNER, "title": "Åtkomsttest", "theme": "Behörighet", "date": date(40), "startTime": "09:00",
        "endTime": "12:00", "venue": "Borås", "capacity": 5, "feeSEK": 100, "deadline": date(30)}, admin)
    assert status == 201, day
    status, reg = api("POST", f"/api/v1/network-days/{day['id']}/registrations", {
        "name": "Åsa Åtkomst", "agency": "police", "email": "asa.atkomst@polisen.example",
        "invoiceReference": "Polisen 123"}, admin)
    assert status in (200, 201), reg
    participant = reg["participants"][0]["participantId"]
    status, contact = api("POST", "/api/v1/contact-persons", {
        "centreId": OWNER, "name": "Kim Kontakt", "agency": "police", "email": "kim@polisen.example"}, admin)
    assert status in (200, 201), contact
    status, visit = api("POST", "/api/v1/tour-visits", {"centreId": OWNER, "municipality": "Borås", "date": date(10)}, admin)
    assert status in (200, 201), visit
    status, training = api("POST", "/api/v1/trainings", {
        "centreId": OWNER, "kind": "training", "title": "Åtkomstkurs", "audience": "Socialsekreterare",
        "trainers": [{"name": "Utbildare"}], "capacity": 5, "deadline": date(5),
        "sessions": [{"date": date(10), "startTime": "09:00", "endTime": "12:00", "venue": "Borås"}]}, admin)
    assert status == 201, training
    status, assignment = api("POST", "/api/v1/supervision-assignments", {
        "centreId": OWNER, "municipality": "Mark", "agency": "social-services", "unit": "Vuxenenheten"}, admin)
    assert status == 201, assignment
    suffix = uuid.uuid4().hex[:6]
    outsiders = {
        "staff of skaraborg": user_token("acc-staff-" + suffix, "staff", centre="skaraborg"),
        "board of sodra-alvsborg": user_token("acc-board-" + suffix, "board", centre=OWNER),
        "police user": user_token("acc-police-" + suffix, "agency", agency="police"),
    }
    own_staff = user_token("acc-own-" + suffix, "staff", centre=OWNER)
    return {"day": day["id"], "participant": participant, "contact": contact["id"], "visit": visit["id"],
            "training": training["id"], "session": training["sessions"][0]["id"], "assignment": assignment["id"],
            "outsiders": outsiders, "own": own_staff}


def operations(s):
    d, t, a = s["day"], s["training"], s["assignment"]
    return [
        ("GET", f"/api/v1/network-days/{d}", None),
        ("PATCH", f"/api/v1/network-days/{d}", {"title": "Ändrad"}),
        ("POST", f"/api/v1/network-days/{d}/cancel", {}),
        ("POST", f"/api/v1/network-days/{d}/invitations", {}),
        ("GET", f"/api/v1/network-days/{d}/registrations", None),
        ("GET", f"/api/v1/network-days/{d}/participants.csv", None),
        ("GET", f"/api/v1/network-days/{d}/invoice-basis", None),
        ("POST", f"/api/v1/registrations/{s['participant']}/check-in", {"attended": True}),
        ("POST", f"/api/v1/registrations/{s['participant']}/move", {"to": "waiting", "reason": "Test"}),
        ("GET", f"/api/v1/contact-persons?centre={OWNER}", None),
        ("POST", "/api/v1/contact-persons", {"centreId": OWNER, "name": "Ny", "agency": "police", "email": "ny@polisen.example"}),
        ("PATCH", f"/api/v1/contact-persons/{s['contact']}", {"name": "Ändrad"}),
        ("GET", f"/api/v1/coverage/{OWNER}", None),
        ("GET", f"/api/v1/tour-visits?centre={OWNER}", None),
        ("POST", f"/api/v1/tour-visits/{s['visit']}/complete", {}),
        ("GET", f"/api/v1/network-attendance?centre={OWNER}", None),
        ("POST", f"/api/v1/trainings/{t}/cancel", {}),
        ("GET", f"/api/v1/trainings/{t}/registrations", None),
        ("GET", f"/api/v1/trainings/{t}/attendance", None),
        ("POST", f"/api/v1/training-sessions/{s['session']}/attendance", {"marks": []}),
        ("POST", f"/api/v1/trainings/{t}/certificates", {}),
        ("GET", f"/api/v1/trainings/{t}/evaluation", None),
        ("GET", f"/api/v1/lectures?centre={OWNER}", None),
        ("GET", f"/api/v1/supervision-assignments?centre={OWNER}", None),
        ("GET", f"/api/v1/supervision-assignments/{a}", None),
        ("POST", f"/api/v1/supervision-assignments/{a}/parts", {"part": "information", "status": "done", "date": "2031-02-01"}),
        ("GET", f"/api/v1/supervision-coverage/{OWNER}", None),
        ("GET", f"/api/v1/year-in-review/{OWNER}?year=2031", None),
    ]


def test_outsiders_are_refused_every_organiser_operation_over_http(seeded):
    refused = 0
    for who, token in seeded["outsiders"].items():
        for method, path, body in operations(seeded):
            status, reply = api(method, path, body, token)
            assert status == 403, f"{who}: {method} {path} gave {status}"
            assert b"asa.atkomst" not in json.dumps(reply).encode() if not isinstance(reply, bytes) else b"asa.atkomst" not in reply
            refused += 1
    assert refused == 3 * len(operations(seeded))
    # Nothing the outsiders tried took effect: the day is still open and unchanged.
    status, day = api("GET", f"/api/v1/network-days/{seeded['day']}", None, seeded["own"])
    assert status == 200 and day["status"] == "open" and day["title"] == "Åtkomsttest"


def test_the_centres_own_staff_may_read_its_participants(seeded):
    status, reply = api("GET", f"/api/v1/network-days/{seeded['day']}/registrations", None, seeded["own"])
    assert status == 200 and len(reply["participants"]) == 1
    status, _ = api("GET", f"/api/v1/supervision-assignments/{seeded['assignment']}", None, seeded["own"])
    assert status == 200
