"""Each role's start page answers "what needs me?" (issue 14), in headless Chromium.

Seeded through the API for the Skaraborg centre: a referral waiting to be received, a
meeting next week with its agenda, a network day and a training with seats. Then:
- centre staff see the new referral to receive, the queue per category, the next meeting
  with its agenda, the next network days and trainings with seats left;
- an agency sees its referrals with their status, and on its next login what changed
  since the last one (a step the centre took in between is marked);
- a board member sees the next meeting and its agenda, and nothing of the referral queue;
- an administrator sees all of that and the hub's health.
Assertions compare; they never print page text."""
import datetime
import uuid

import pytest
from selenium.webdriver.common.by import By

from test_accessibility import login
from test_login import ADMIN_PASSWORD, HUB_URL, driver  # noqa: F401  (fixture)
from test_page_crawl import api
from test_referral_form import CONFIG_DIR, DATA_DIR, HUB_BIN, PASSWORD, create_user

pytestmark = pytest.mark.skipif(
    not (HUB_URL and HUB_BIN and DATA_DIR and CONFIG_DIR and ADMIN_PASSWORD),
    reason="needs the running hub from scripts/test.sh",
)


def date(days):
    return (datetime.date.today() + datetime.timedelta(days=days)).isoformat()


@pytest.fixture(scope="module")
def seeded():
    status, reply = api("POST", "/api/v1/tokens", {"username": "admin", "password": ADMIN_PASSWORD})
    assert status == 201
    admin = reply["token"]
    suffix = uuid.uuid4().hex[:6]
    users = {role: f"start-{role}-{suffix}" for role in ("staff", "agency", "board")}
    create_user(users["staff"], "staff", centre="skaraborg")
    create_user(users["agency"], "agency", agency="police")
    create_user(users["board"], "board", centre="skaraborg")
    status, agency_token = api("POST", "/api/v1/tokens", {"username": users["agency"], "password": PASSWORD})
    assert status == 201
    status, referral = api("POST", "/api/v1/referrals", {
        "externalRef": "START-" + suffix, "source": "agency",
        "referrer": {"agency": "police", "unit": "LPO Skövde", "contactName": "Kim Polis"},
        "municipality": "Skövde", "category": "subjected-to-violence", "help": ["individual-talks"],
        "client": {"identityKind": "none", "protectedIdentity": False},
        "safeContact": {"doNotContact": True},
        "consent": {"given": True, "scope": ["referral", "status"], "givenAt": date(0), "recordedBy": "Kim Polis"},
        "urgency": "normal", "riskAnswers": {"escalation": "no", "threat-to-kill": "no", "strangulation": "no"},
    }, agency_token["token"])
    assert status in (200, 201)
    for days in range(1, 8):  # one meeting a day per centre: the first free day of the coming week
        status, meeting = api("POST", "/api/v1/meetings", {
            "centre": "skaraborg", "date": date(days), "start": "08:00", "end": "08:30", "place": "Rådhuset"}, admin)
        if status != 409:
            break
    assert status == 201
    status, day = api("POST", "/api/v1/network-days", {
        "centreId": "skaraborg", "title": "Startsidans nätverksträff " + suffix, "theme": "Samverkan", "date": date(2),
        "startTime": "09:00", "endTime": "12:00", "venue": "Skövde", "capacity": 20, "feeSEK": 0, "deadline": date(1)}, admin)
    assert status == 201
    status, training = api("POST", "/api/v1/trainings", {
        "centreId": "skaraborg", "kind": "training", "title": "Startsidans kurs " + suffix, "audience": "Alla",
        "trainers": [{"name": "Utbildare"}], "capacity": 10, "deadline": date(1),
        "sessions": [{"date": date(2), "startTime": "13:00", "endTime": "15:00", "venue": "Skövde"}]}, admin)
    assert status == 201
    return {"users": users, "admin": admin, "referral": referral, "meeting": meeting, "day": day, "training": training}


def text(d, element_id):
    found = d.find_elements(By.ID, element_id)
    return found[0].text if found else ""


def test_staff_start_page_shows_what_needs_them(driver, seeded):  # noqa: F811
    d = driver
    login(d, seeded["users"]["staff"], PASSWORD)
    d.get(HUB_URL + "/?lang=sv")
    new = d.find_element(By.CSS_SELECTOR, "#ref-start-skaraborg .attention a")
    assert new.text.endswith("att ta emot"), "the new referrals to receive are counted"
    assert "status=submitted" in new.get_attribute("href")
    assert d.find_elements(By.CSS_SELECTOR, "#ref-start-skaraborg table tbody tr"), "the queue per category"
    assert text(d, "next-meetings"), "the next meeting"
    assert text(d, "next-agenda"), "the next meeting's agenda"
    assert text(d, "next-days") and text(d, "next-trainings"), "network days and trainings with seats"
    assert not d.find_elements(By.ID, "health-summary"), "the hub's health is for administrators"


def test_agency_start_page_shows_its_referrals_and_what_changed_since_the_last_visit(driver, seeded):  # noqa: F811
    d = driver
    login(d, seeded["users"]["agency"], PASSWORD)
    d.get(HUB_URL + "/?lang=sv")
    mine = text(d, "my-referrals")
    assert seeded["referral"]["reference"] in mine and "Skickad" in mine
    assert not d.find_elements(By.CSS_SELECTOR, "#my-referrals .badge.changed"), "nothing is new on a first visit"
    # The centre receives it; on the agency's next login the change is marked.
    assert api("POST", f"/api/v1/referrals/{seeded['referral']['id']}/receive", {}, seeded["admin"])[0] == 200
    login(d, seeded["users"]["agency"], PASSWORD)
    d.get(HUB_URL + "/?lang=sv")
    assert "sedan ditt senaste besök" in text(d, "since-last-visit")
    rows = [r for r in d.find_elements(By.CSS_SELECTOR, "#my-referrals tbody tr") if seeded["referral"]["reference"] in r.text]
    assert rows and rows[0].find_elements(By.CSS_SELECTOR, ".badge.changed"), "the received referral is marked as changed"
    assert "Mottagen" in rows[0].text


def test_board_start_page_shows_the_next_meeting_and_its_agenda(driver, seeded):  # noqa: F811
    d = driver
    login(d, seeded["users"]["board"], PASSWORD)
    d.get(HUB_URL + "/?lang=sv")
    assert text(d, "next-meetings") and text(d, "next-agenda")
    assert not d.find_elements(By.ID, "ref-start-heading"), "no referral queue for the board"


def test_admin_start_page_has_everything_and_the_health_of_the_hub(driver, seeded):  # noqa: F811
    d = driver
    login(d, "admin", ADMIN_PASSWORD)
    d.get(HUB_URL + "/?lang=en")
    assert d.find_elements(By.ID, "health-summary")
    for heading in ("ref-start-heading", "mt-start-heading", "nw-start-heading", "tr-start-heading"):
        assert d.find_elements(By.ID, heading), heading
    assert d.find_elements(By.ID, "ref-start-skaraborg")
