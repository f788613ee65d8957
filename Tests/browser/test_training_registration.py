"""Browser test: registering for a two-date training on its public page.

An admin publishes a two-date training ("Barn som upplevt våld") through the JSON API;
then a visitor without an account opens the public page (Swedish, then English), sees
both sessions, sends the form empty and sees the errors beside the fields, registers
using only the keyboard to submit, and cancels through the personal link.
Needs a running hub; the CI script sets HUB_URL and HUB_ADMIN_PASSWORD (see test_login.py).
"""
import datetime

import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

import test_page_crawl as crawl  # noqa: E402
from test_login import ADMIN_PASSWORD, HUB_URL, click_through, driver, wait  # noqa: F401  (fixture)
from test_registration import api

pytestmark = pytest.mark.skipif(
    not HUB_URL or not ADMIN_PASSWORD,
    reason="HUB_URL and HUB_ADMIN_PASSWORD must be set to a running hub (the CI script sets them)",
)


def create_training():
    status, reply = api("POST", "/api/v1/tokens", {"username": "admin", "password": ADMIN_PASSWORD})
    assert status == 201
    token = reply["token"]
    first = (datetime.date.today() + datetime.timedelta(days=40)).isoformat()
    second = (datetime.date.today() + datetime.timedelta(days=47)).isoformat()
    deadline = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    status, created = api("POST", "/api/v1/trainings", {
        "centreId": "sodra-alvsborg", "kind": "training", "title": "Barn som upplevt våld (webbläsartest)",
        "focus": "Att samtala med barn", "audience": "Socialsekreterare",
        "trainers": [{"name": "Utbildare Ett"}, {"name": "Extern Föreläsare", "external": True, "organisation": "Högskolan"}],
        "sessions": [
            {"date": first, "startTime": "09:00", "endTime": "16:00", "venue": "Utvägs lokaler Borås"},
            {"date": second, "startTime": "09:00", "endTime": "12:00", "venue": "Utvägs lokaler Borås"},
        ],
        "capacity": 10, "deadline": deadline,
    }, token)
    assert status == 201, created
    assert len(created["sessions"]) == 2
    return created, token


def test_visitor_registers_for_a_two_date_training_and_cancels(driver):  # noqa: F811
    training, token = create_training()
    training_id = training["id"]

    driver.get(f"{HUB_URL}/utbildning/anmalan/{training_id}?lang=en")
    heading = wait(driver).until(EC.visibility_of_element_located((By.ID, "reg-heading")))
    assert heading.text == "Barn som upplevt våld (webbläsartest)"
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert "every session" in driver.page_source

    driver.get(f"{HUB_URL}/utbildning/anmalan/{training_id}?lang=sv")
    wait(driver).until(EC.visibility_of_element_located((By.ID, "reg-heading")))
    sessions = driver.find_elements(By.CSS_SELECTOR, "#sessions li")
    assert len(sessions) == 2
    assert training["sessions"][1]["date"] in sessions[1].text
    for field in ("name", "email", "agency", "municipality", "dietary"):
        assert driver.find_element(By.CSS_SELECTOR, f"label[for={field}]").text

    # Empty form: errors beside the fields.
    click_through(driver, "register-submit")
    wait(driver).until(EC.visibility_of_element_located((By.ID, "error-summary")))
    assert driver.find_element(By.ID, "name-error").text == "Fyll i fältet."
    assert driver.find_element(By.ID, "email").get_attribute("aria-invalid") == "true"

    driver.find_element(By.ID, "name").send_keys("Kurs Deltagarsson")
    driver.find_element(By.ID, "email").send_keys("kurs.deltagarsson@boras.example")
    Select(driver.find_element(By.ID, "agency")).select_by_value("social-services")
    Select(driver.find_element(By.ID, "municipality")).select_by_value("Borås")
    # Submit with the keyboard.
    driver.find_element(By.ID, "register-submit").send_keys(Keys.ENTER)
    status = wait(driver).until(EC.visibility_of_element_located((By.ID, "reg-status")))
    assert status.text == "Du har fått en plats."
    link = driver.find_element(By.ID, "cancel-link").get_attribute("href")
    assert "/tr/" in link
    assert "kurs.deltagarsson@boras.example" not in driver.page_source

    _, listing = api("GET", f"/api/v1/trainings/{training_id}/registrations", token=token)
    assert [p["status"] for p in listing["participants"]] == ["confirmed"]

    # The organiser's participant list, and the same list as CSV for Swedish Excel: semicolons,
    # a UTF-8 byte order mark, Swedish columns, the person's row.
    organiser = crawl.Browser()
    organiser.login("admin", ADMIN_PASSWORD)
    status, _, page, _ = organiser.get(f"/utbildning/tillfallen/{training_id}?lang=sv")
    assert status == 200 and 'id="participants"' in page and "Kurs Deltagarsson" in page
    # Searching the participants: by part of the name, ignoring case; a miss says so and shows no table.
    status, _, page, _ = organiser.get(f"/utbildning/tillfallen/{training_id}?lang=sv&q=deltagars&status=confirmed&sort=name")
    assert status == 200 and "Kurs Deltagarsson" in page and "Visar 1 av 1 anmälda." in page
    status, _, page, _ = organiser.get(f"/utbildning/tillfallen/{training_id}?lang=sv&q=finnsinte")
    assert status == 200 and "Visar 0 av 1 anmälda." in page and 'id="participants"' not in page, "the attendance sheet still names everyone; the list shows no one"
    csv_request = urllib.request.Request(f"{HUB_URL}/utbildning/tillfallen/{training_id}/deltagare.csv")
    with organiser.opener.open(csv_request, timeout=20) as response:
        assert response.headers["Content-Type"].startswith("text/csv")
        raw = response.read()
    assert raw.startswith(b"\xef\xbb\xbf"), "a byte order mark, for Excel"
    rows = raw.decode("utf-8-sig").splitlines()
    assert rows[0].split(";")[:3] == ["Status", "Plats i kön", "Namn"]
    assert any("Kurs Deltagarsson" in row.split(";") for row in rows[1:])
    status, _, invoice, _ = organiser.get(f"/utbildning/tillfallen/{training_id}/fakturaunderlag?lang=sv")
    assert status == 200 and "Fakturaunderlag" in invoice

    # The same address again is refused beside the e-mail field.
    driver.get(f"{HUB_URL}/utbildning/anmalan/{training_id}")
    wait(driver).until(EC.visibility_of_element_located((By.ID, "reg-heading")))
    driver.find_element(By.ID, "name").send_keys("Kurs Deltagarsson")
    driver.find_element(By.ID, "email").send_keys("kurs.deltagarsson@boras.example")
    Select(driver.find_element(By.ID, "agency")).select_by_value("social-services")
    click_through(driver, "register-submit")
    assert "redan anmäld" in wait(driver).until(EC.visibility_of_element_located((By.ID, "email-error"))).text

    driver.get(link)
    assert wait(driver).until(EC.visibility_of_element_located((By.ID, "my-status"))).text == "Plats bekräftad"
    assert len(driver.find_elements(By.CSS_SELECTOR, "#sessions li")) == 2
    click_through(driver, "cancel-submit")
    assert wait(driver).until(EC.visibility_of_element_located((By.ID, "confirm-heading"))).text == "Vill du avboka din plats?"
    click_through(driver, "confirm-yes")
    done = wait(driver).until(EC.visibility_of_element_located((By.ID, "message-text")))
    assert done.text == "Din anmälan är avbokad."
    _, listing = api("GET", f"/api/v1/trainings/{training_id}/registrations", token=token)
    assert [p["status"] for p in listing["participants"]] == ["cancelled"]
