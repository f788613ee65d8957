"""Every page a role can reach, in Swedish and in English, is fit to show a person.

After a referral, a network day (with a registration), a training and a meeting exist,
this logs in as each role (admin, centre staff, an agency user, a board member) and follows
every link from the start page, GET only, as a browser would. Each page must:
- answer without a server error (no 5xx) and with a body;
- show no empty value in brackets (`Skickad ()`);
- never show `nil`, `Optional(`, a raw ISO timestamp (`2026-12-04T19:24:44Z`) or, on the
  Swedish pages, an English status or category code where a name belongs;
- name every code by its name: no category, help, centre or agency code in the visible text.
The public pages (registration, login) are crawled the same way without logging in.
Failures name the page and the offending text only: never the page itself, which may hold
personal data. Runs against the hub that scripts/test.sh starts."""
import datetime
import html
import http.cookiejar
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from test_referral_form import PASSWORD, create_user  # noqa: E402  (users share the browser tests' password)

HUB_URL = os.environ.get("HUB_URL", "").rstrip("/")
HUB_BIN = os.environ.get("HUB_BIN", "")
DATA_DIR = os.environ.get("HUB_DATA_DIR", "")
CONFIG_DIR = os.environ.get("HUB_CONFIG_DIR", "")
ADMIN_PASSWORD = os.environ.get("HUB_ADMIN_PASSWORD", "")
MAX_PAGES = 160

pytestmark = pytest.mark.skipif(
    not (HUB_URL and HUB_BIN and DATA_DIR and CONFIG_DIR and ADMIN_PASSWORD),
    reason="needs the running hub from scripts/test.sh",
)

# Codes from the services' vocabularies that must never stand in a page's text (both languages).
CODES = {
    "subjected-to-violence", "used-violence", "child-witness", "young-adult", "not-stated",
    "individual-talks", "womens-group", "non-violence-group", "young-adults-group", "child-parent-group",
    "sodra-alvsborg", "skaraborg", "social-services", "kriminalvarden", "primary-care",
    "case-handling", "follow-up", "outside-target-group", "ongoing-treatment-elsewhere", "client-declined", "not-reachable",
    "appointment-offered", "in-treatment",
}
# English words that are codes when they appear on a Swedish page (statuses, kinds, channels).
ENGLISH_ON_SWEDISH = {
    "submitted", "received", "assessed", "accepted", "declined", "redirected", "closed", "withdrawn",
    "waiting", "confirmed", "cancelled", "open", "done", "draft", "circulated", "approved", "filed",
    "completed", "planned", "phone", "individual", "police", "training", "lecture", "agency", "self",
    "high", "acute", "present", "regrets", "absent", "none", "staff", "board", "print", "read",
    "broker", "referrals", "meetings", "networks", "municipality", "psychiatry",
}
ISO_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
SKIP_PATHS = ("/logout", "/static/", "/metrics", "/openapi.yaml", "/healthz", "/api/")


class Browser:
    """A cookie-keeping HTTP client that logs in through the form, as a person would."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                                  urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path):
        request = urllib.request.Request(HUB_URL + path, headers={"Accept": "text/html"})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers.get("Content-Type", ""), response.read().decode("utf-8", "replace"), response.url
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type", ""), e.read().decode("utf-8", "replace"), path

    def login(self, username, password):
        _, _, page, _ = self.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"username": username, "password": password, "csrf": csrf}).encode()
        request = urllib.request.Request(HUB_URL + "/login", data=body, method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": HUB_URL})
        with self.opener.open(request, timeout=30) as response:
            assert response.status == 200 and "/login" not in response.url, "login failed"


def api(method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(HUB_URL + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def visible_text(page):
    """The text a person reads: no tags, attributes, scripts or styles; entities decoded."""
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<[^>]*>", " ", page)
    return html.unescape(page)


def problems(path, page, language):
    found = []
    text = visible_text(page)
    if not text.strip():
        found.append("empty body")
    for token in ("nil", "Optional("):
        if re.search(r"(?<![\w-])" + re.escape(token) + r"(?![\w-])", text):
            found.append(token)
    if re.search(r"\(\s*\)", text):
        found.append("empty brackets ()")
    if ISO_TIME.search(page):
        found.append("ISO time " + ISO_TIME.search(page).group(0))
    # A form's instruction is not a display label: "Hemkommun", not "Hemkommun (obligatoriskt)".
    for label in re.findall(r"(?s)<(?:dt|th)\b[^>]*>(.*?)</(?:dt|th)>", page):
        if re.search(r"\((obligatoriskt|required|minst en|at least one)\)", visible_text(label)):
            found.append("form label shown as a display label: " + visible_text(label).strip()[:60])
    words = set(re.findall(r"[\w-]+", text))
    for code in sorted(CODES & words):
        found.append("code " + code)
    if language == "sv":
        for word in sorted(ENGLISH_ON_SWEDISH & words):
            found.append("English word " + word)
    return [f"{path} [{language}]: {p}" for p in found]


def crawl(browser, language, start_paths):
    seen, queue, failures = set(), list(start_paths), []
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        key = path.split("#")[0]
        if key in seen:
            continue
        seen.add(key)
        separator = "&" if "?" in key else "?"
        status, content_type, page, _ = browser.get(key + separator + "lang=" + language)
        if status >= 500:
            failures.append(f"{key} [{language}]: HTTP {status}")
            continue
        if "text/html" not in content_type:
            continue
        failures += problems(key, page, language)
        for href in re.findall(r'href="([^"]+)"', page):
            href = html.unescape(href)
            if href.startswith(("http://", "https://", "mailto:", "#", "?")):
                continue
            href = re.sub(r"[?&]lang=(sv|en)\b", "", href)
            if href.startswith("/") and not href.startswith(SKIP_PATHS) and href.split("#")[0] not in seen:
                queue.append(href)
    return seen, failures


@pytest.fixture(scope="module")
def hub_with_content():
    return seed_content()


def seed_content():
    """A referral (received), a network day with a registration, a training and a meeting."""
    status, reply = api("POST", "/api/v1/tokens", {"username": "admin", "password": ADMIN_PASSWORD})
    assert status == 201
    admin = reply["token"]
    today = datetime.date.today()
    date = lambda days: (today + datetime.timedelta(days=days)).isoformat()  # noqa: E731
    status, referral = api("POST", "/api/v1/referrals", {
        "externalRef": "crawl-" + uuid.uuid4().hex[:8], "source": "agency",
        "referrer": {"agency": "police", "unit": "LPO Skövde", "contactName": "Kim Polis"},
        "municipality": "Skövde", "category": "subjected-to-violence", "help": ["individual-talks"],
        "client": {"identityKind": "none", "protectedIdentity": False},
        "safeContact": {"doNotContact": False, "mayCall": True, "callTimes": "förmiddag"},
        "consent": {"given": True, "scope": ["referral", "status"], "givenAt": date(-1), "recordedBy": "Kim Polis"},
        "urgency": "high", "riskAnswers": {"escalation": "yes", "threat-to-kill": "no", "strangulation": "unknown"},
    }, admin)
    assert status in (200, 201), referral
    status, _ = api("POST", f"/api/v1/referrals/{referral['id']}/receive", {}, admin)
    assert status == 200
    status, day = api("POST", "/api/v1/network-days", {
        "centreId": "sodra-alvsborg", "title": "Nätverksträff för genomgång", "theme": "Samverkan", "date": date(30),
        "startTime": "09:00", "endTime": "12:00", "venue": "Borås", "capacity": 20, "feeSEK": 0, "deadline": date(20),
        "programme": [{"start": "09:00", "end": "09:30", "title": "Välkommen"}, {"start": "12:00", "title": "Lunch"}]}, admin)
    assert status == 201, day
    status, registration = api("POST", f"/api/v1/network-days/{day['id']}/registrations", {
        "name": "Testa Testsson", "agency": "police", "email": "testa@polisen.example", "invoiceReference": "P 1"}, admin)
    assert status in (200, 201), registration
    status, training = api("POST", "/api/v1/trainings", {
        "centreId": "skaraborg", "kind": "training", "title": "Grundkurs i våldsutsatthet", "audience": "Socialsekreterare",
        "trainers": [{"name": "Utbildare"}], "capacity": 10, "deadline": date(5),
        "sessions": [{"date": date(10), "startTime": "09:00", "endTime": "12:00", "venue": "Skövde"}]}, admin)
    assert status == 201, training
    status, meeting = api("POST", "/api/v1/meetings", {
        "centre": "skaraborg", "date": date(14 + uuid.uuid4().int % 300), "start": "09:00", "end": "11:00", "place": "Stadshuset"}, admin)
    assert status == 201, meeting
    suffix = uuid.uuid4().hex[:6]
    users = {
        "admin": ("admin", ADMIN_PASSWORD),
        "staff": ("crawl-staff-" + suffix, PASSWORD),
        "agency": ("crawl-agency-" + suffix, PASSWORD),
        "board": ("crawl-board-" + suffix, PASSWORD),
    }
    create_user(users["staff"][0], "staff", centre="skaraborg")
    create_user(users["agency"][0], "agency", agency="police")
    create_user(users["board"][0], "board", centre="skaraborg")
    return {"users": users, "day": day["id"], "training": training["id"]}


@pytest.mark.parametrize("role", ["admin", "staff", "agency", "board"])
@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_page_a_role_reaches_is_fit_to_show(hub_with_content, role, language):
    browser = Browser()
    browser.login(*hub_with_content["users"][role])
    seen, failures = crawl(browser, language, ["/"])
    assert len(seen) >= 4, f"the {role} start page led to only {sorted(seen)}"
    assert not failures, "\n".join(failures)
    # The status page is for administrators: another role is told so plainly, menu kept.
    status, _, page, _ = browser.get("/driftstatus?lang=" + language)
    assert status == (200 if role == "admin" else 403)
    assert 'aria-label="' in page and "<nav" in page


@pytest.mark.parametrize("language", ["sv", "en"])
def test_public_pages_are_fit_to_show(hub_with_content, language):
    browser = Browser()
    start = ["/login", f"/anmalan/{hub_with_content['day']}", f"/utbildning/anmalan/{hub_with_content['training']}"]
    seen, failures = crawl(browser, language, start)
    assert len(seen) >= 3
    assert not failures, "\n".join(failures)
