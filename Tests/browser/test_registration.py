"""Browser test: the public registration page for a network day.

An admin creates a network day through the JSON API; then a visitor without an
account opens the public page (Swedish), sends it empty and sees the errors beside
the fields, registers, follows the personal cancellation link and cancels.
Needs a running hub; the CI script sets HUB_URL and HUB_ADMIN_PASSWORD (see test_login.py).
"""
import datetime
import json
import urllib.request

import icalendar
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from test_login import ADMIN_PASSWORD, HUB_URL, click_through, driver, wait  # noqa: F401  (fixture)

pytestmark = pytest.mark.skipif(
    not HUB_URL or not ADMIN_PASSWORD,
    reason="HUB_URL and HUB_ADMIN_PASSWORD must be set to a running hub (the CI script sets them)",
)

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def api(method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(HUB_URL + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with OPENER.open(request, timeout=20) as response:
        return response.status, json.loads(response.read() or b"null")


def create_day():
    status, reply = api("POST", "/api/v1/tokens", {"username": "admin", "password": ADMIN_PASSWORD})
    assert status == 201
    token = reply["token"]
    day = (datetime.date.today() + datetime.timedelta(days=40)).isoformat()
    deadline = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    status, created = api("POST", "/api/v1/network-days", {
        "centreId": "sodra-alvsborg", "title": "Nätverksdag i webbläsartest", "theme": "Barn som upplever våld",
        "date": day, "startTime": "09:00", "endTime": "15:30", "venue": "Knistad Herrgård",
        "organisers": ["Utväg Södra Älvsborg"], "capacity": 2, "feeSEK": 0, "deadline": deadline,
    }, token)
    assert status == 201, created
    return created["id"], token


def test_visitor_registers_on_public_page_and_cancels_by_link(driver):  # noqa: F811
    day_id, token = create_day()

    driver.get(f"{HUB_URL}/anmalan/{day_id}?lang=sv")
    heading = wait(driver).until(EC.visibility_of_element_located((By.ID, "reg-heading")))
    assert heading.text == "Nätverksdag i webbläsartest"
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "sv"
    assert "raderas senast" in driver.find_element(By.ID, "privacy-notice").text
    # The honeypot is out of sight and out of the tab order.
    honeypot = driver.find_element(By.ID, "website")
    assert not honeypot.is_displayed() and honeypot.get_attribute("tabindex") == "-1"
    # Every visible field has a label.
    for field in ("name", "email", "agency", "municipality", "dietary"):
        assert driver.find_element(By.CSS_SELECTOR, f"label[for={field}]").text

    # Empty form: errors beside the fields, summary linking to them.
    click_through(driver, "register-submit")
    wait(driver).until(EC.visibility_of_element_located((By.ID, "error-summary")))
    assert driver.find_element(By.ID, "name-error").text == "Fyll i fältet."
    assert driver.find_element(By.ID, "email-error").is_displayed()
    assert driver.find_element(By.ID, "name").get_attribute("aria-invalid") == "true"

    # An invalid address is refused by the service and reported beside the e-mail field.
    driver.find_element(By.ID, "name").send_keys("Webb Testsson")
    driver.find_element(By.ID, "email").send_keys("inte-en-adress")
    Select(driver.find_element(By.ID, "agency")).select_by_value("social-services")
    Select(driver.find_element(By.ID, "municipality")).select_by_value("Borås")
    click_through(driver, "register-submit")
    error = wait(driver).until(EC.visibility_of_element_located((By.ID, "email-error")))
    assert "giltig e-postadress" in error.text
    assert driver.find_element(By.ID, "name").get_attribute("value") == "Webb Testsson"

    email = driver.find_element(By.ID, "email")
    email.clear()
    email.send_keys("webb.testsson@boras.example")
    driver.find_element(By.ID, "dietary").send_keys("Vegetarisk")
    click_through(driver, "register-submit")
    status = wait(driver).until(EC.visibility_of_element_located((By.ID, "reg-status")))
    assert status.text == "Du har fått en plats."
    link = driver.find_element(By.ID, "cancel-link").get_attribute("href")
    assert "/r/" in link
    # The confirmation shows no one else and not even the address typed.
    assert "webb.testsson@boras.example" not in driver.page_source

    # "Add to calendar": an .ics that a calendar library reads, the day at its Stockholm time,
    # and the person asked to answer (RSVP).
    calendar_url = driver.find_element(By.ID, "calendar-link").get_attribute("href")
    with OPENER.open(calendar_url, timeout=20) as response:
        assert response.headers["Content-Type"].startswith("text/calendar")
        calendar = icalendar.Calendar.from_ical(response.read())
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 1
    assert str(events[0]["SUMMARY"]) == "Nätverksdag i webbläsartest"
    assert events[0]["DTSTART"].dt.tzinfo is not None and events[0]["DTSTART"].dt.strftime("%H:%M") == "09:00"
    attendee = events[0]["ATTENDEE"]
    assert str(attendee).lower() == "mailto:webb.testsson@boras.example" and attendee.params["RSVP"] == "TRUE"

    # The organiser sees the registration.
    _, listing = api("GET", f"/api/v1/network-days/{day_id}/registrations", token=token)
    assert [p["status"] for p in listing["participants"]] == ["confirmed"]

    # The personal link shows the place and cancels it, once.
    driver.get(link)
    assert wait(driver).until(EC.visibility_of_element_located((By.ID, "my-status"))).text == "Plats bekräftad"
    click_through(driver, "cancel-submit")
    assert wait(driver).until(EC.visibility_of_element_located((By.ID, "confirm-heading"))).text == "Vill du avboka din plats?"
    click_through(driver, "confirm-yes")
    done = wait(driver).until(EC.visibility_of_element_located((By.ID, "message-text")))
    assert done.text == "Din anmälan är avbokad."
    _, listing = api("GET", f"/api/v1/network-days/{day_id}/registrations", token=token)
    assert [p["status"] for p in listing["participants"]] == ["cancelled"]
