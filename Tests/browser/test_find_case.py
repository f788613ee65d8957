"""Browser test: centre staff find a declined case and a closed case again, by case number,
by status and by personnummer (posted with a purpose, audited, never in the address bar).

The two referrals are made for one invented person (a generated personnummer that passes the
check digit) through the API; the search runs in headless Chromium. Nothing personal is
printed: assertions compare, they do not show page text."""
import datetime
import random
import uuid

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from test_login import ADMIN_PASSWORD, HUB_URL, click_through, driver, wait  # noqa: F401  (fixture)
from test_page_crawl import api
from test_referral_form import CONFIG_DIR, DATA_DIR, HUB_BIN, create_user, fill, login

pytestmark = pytest.mark.skipif(
    not (HUB_URL and HUB_BIN and DATA_DIR and CONFIG_DIR and ADMIN_PASSWORD),
    reason="needs the running hub from scripts/test.sh",
)


def invented_personnummer():
    """A personnummer for a person born 1970–1999 whose check digit is right (Luhn over 10 digits)."""
    rng = random.Random(uuid.uuid4().int)
    born = datetime.date(1970, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 29))
    nine = born.strftime("%y%m%d") + f"{rng.randrange(0, 1000):03d}"
    total = 0
    for i, ch in enumerate(nine):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return born.strftime("%Y%m%d") + "-" + nine[6:] + str((10 - total % 10) % 10)


def referral(number, ref):
    return {
        "externalRef": ref, "source": "agency",
        "referrer": {"agency": "police", "unit": "LPO Skövde", "contactName": "Kim Polis"},
        "municipality": "Skövde", "category": "subjected-to-violence", "help": ["individual-talks"],
        "client": {"identityKind": "personnummer", "identityNumber": number, "name": "Sökbar Testperson", "protectedIdentity": False},
        "safeContact": {"doNotContact": True},
        "consent": {"given": True, "scope": ["referral", "status"], "givenAt": datetime.date.today().isoformat(), "recordedBy": "Kim Polis"},
        "urgency": "normal", "riskAnswers": {"escalation": "no", "threat-to-kill": "no", "strangulation": "no"},
    }


@pytest.fixture(scope="module")
def two_cases():
    status, reply = api("POST", "/api/v1/tokens", {"username": "admin", "password": ADMIN_PASSWORD})
    assert status == 201
    admin = reply["token"]
    number = invented_personnummer()
    cases = {}
    for kind in ("declined", "closed"):
        status, made = api("POST", "/api/v1/referrals", referral(number, f"FIND-{kind}-{uuid.uuid4().hex[:6]}"), admin)
        assert status in (200, 201), made.get("error") if isinstance(made, dict) else status
        cases[kind] = made
        assert api("POST", f"/api/v1/referrals/{made['id']}/receive", {}, admin)[0] == 200
    assert api("POST", f"/api/v1/referrals/{cases['declined']['id']}/assess",
               {"decision": "decline", "reason": "outside-target-group"}, admin)[0] == 200
    assert api("POST", f"/api/v1/referrals/{cases['closed']['id']}/assess", {"decision": "accept", "priority": 2}, admin)[0] == 200
    assert api("POST", f"/api/v1/referrals/{cases['closed']['id']}/close", {"reason": "completed"}, admin)[0] == 200
    return number, cases


def results(d):
    rows = d.find_elements(By.CSS_SELECTOR, "#search-results tbody tr")
    return {r.find_element(By.CSS_SELECTOR, "th a").text: r.find_element(By.CSS_SELECTOR, "td.referral-status").text for r in rows}


def test_staff_find_declined_and_closed_cases_by_number_status_and_personnummer(driver, two_cases):  # noqa: F811
    number, cases = two_cases
    staff = "sok-" + uuid.uuid4().hex[:8]
    create_user(staff, "staff", centre="skaraborg")
    d = driver
    login(d, staff)
    d.get(HUB_URL + "/hanvisningar?lang=sv")
    click_through(d, "search-link")
    wait(d).until(EC.visibility_of_element_located((By.ID, "search-form")))

    # By case number: the declined case, with its status by name.
    fill(d, "reference", cases["declined"]["reference"])
    click_through(d, "search-submit")
    assert results(d) == {cases["declined"]["reference"]: "Avslagen"}

    # By status: the closed case is among the closed ones.
    d.get(HUB_URL + "/hanvisningar/sok?lang=sv")
    wait(d).until(EC.visibility_of_element_located((By.ID, "search-form")))
    Select(d.find_element(By.ID, "status")).select_by_value("closed")
    click_through(d, "search-submit")
    found = results(d)
    assert found.get(cases["closed"]["reference"]) == "Avslutad"
    assert set(found.values()) == {"Avslutad"}

    # By personnummer: without a purpose the form says so by the field and searches nothing.
    fill(d, "identityNumber", number)
    click_through(d, "person-submit")
    summary = wait(d).until(EC.visibility_of_element_located((By.ID, "error-summary")))
    assert "Syfte" in summary.text
    assert d.find_element(By.ID, "purpose").get_attribute("aria-invalid") == "true"
    # With a purpose: both cases of that person, the search logged, the number in no address.
    fill(d, "identityNumber", number)
    Select(d.find_element(By.ID, "purpose")).select_by_value("case-handling")
    click_through(d, "person-submit")
    wait(d).until(EC.visibility_of_element_located((By.ID, "search-audited")))
    assert results(d) == {cases["declined"]["reference"]: "Avslagen", cases["closed"]["reference"]: "Avslutad"}
    digits = number.replace("-", "")
    assert digits not in d.current_url and digits[2:] not in d.current_url
    assert d.find_element(By.ID, "identityNumber").get_attribute("value") == "", "the number is not shown back"


def test_a_case_page_shows_each_step_at_its_stockholm_time(driver, two_cases):  # noqa: F811
    """The instants the service recorded (UTC, read from the API) appear on the case page in
    Stockholm time, in each language's form, and never as the UTC clock time."""
    from zoneinfo import ZoneInfo
    _, cases = two_cases
    status, reply = api("POST", "/api/v1/tokens", {"username": "admin", "password": ADMIN_PASSWORD})
    assert status == 201
    status, case = api("GET", f"/api/v1/referrals/{cases['closed']['id']}?purpose=case-handling", token=reply["token"])
    assert status == 200 and len(case["history"]) >= 4
    stockholm = ZoneInfo("Europe/Stockholm")
    instants = [datetime.datetime.fromisoformat(h["at"].replace("Z", "+00:00")) for h in case["history"]]
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    d = driver
    staff = "tid-" + uuid.uuid4().hex[:8]
    create_user(staff, "staff", centre="skaraborg")
    login(d, staff)
    for language in ("sv", "en"):
        d.get(f"{HUB_URL}/hanvisningar/{cases['closed']['id']}?lang={language}")
        wait(d).until(EC.visibility_of_element_located((By.ID, "history")))
        shown = [row.find_elements(By.TAG_NAME, "td")[0].text for row in d.find_elements(By.CSS_SELECTOR, "#history tbody tr")]
        local = [i.astimezone(stockholm) for i in instants]
        if language == "sv":
            expected = [t.strftime("%Y-%m-%d %H:%M") for t in local]
        else:
            expected = [f"{t.day} {months[t.month - 1]} {t.year}, {t:%H:%M}" for t in local]
        assert sorted(shown) == sorted(expected), (language, "times differ from Stockholm time")
        utc_clock = {i.strftime("%H:%M") for i in instants}
        assert not any(s.endswith(u) for s in shown for u in utc_clock), "a UTC clock time on the page"
