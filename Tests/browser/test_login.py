"""Browser test: log in as admin through the form, check the Swedish start page, log out.

Needs a running hub. The CI script starts it and sets:
  HUB_URL             base URL of the gateway, e.g. http://127.0.0.1:8080
  HUB_ADMIN_PASSWORD  the admin password printed once by the hub
Uses Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver)
headless, driven by Selenium from PyPI.
"""
import os
import time
import urllib.error
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

HUB_URL = os.environ.get("HUB_URL", "").rstrip("/")
ADMIN_PASSWORD = os.environ.get("HUB_ADMIN_PASSWORD", "")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_PATH", "/usr/bin/chromedriver")
WAIT_SECONDS = 20

pytestmark = pytest.mark.skipif(
    not HUB_URL or not ADMIN_PASSWORD,
    reason="HUB_URL and HUB_ADMIN_PASSWORD must be set to a running hub (the CI script sets them)",
)


def wait_for_hub(timeout=60):
    """The hub may still be starting: poll /login until it answers."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(HUB_URL + "/login", timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError) as e:
            last = e
        time.sleep(0.5)
    pytest.fail(f"the hub at {HUB_URL} did not answer /login within {timeout}s: {last}")


@pytest.fixture
def driver():
    wait_for_hub()
    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,900", "--lang=sv-SE"):
        options.add_argument(arg)
    d = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    d.set_page_load_timeout(WAIT_SECONDS)
    try:
        yield d
    finally:
        d.quit()


def wait(d):
    return WebDriverWait(d, WAIT_SECONDS)


def loads_new_page(d, action):
    """Run an action that loads a new page (a form post, a link) and return once the new page is in place.

    Waiting for an element straight after the click races the navigation: the old page may still
    hold an element with the same id (a status, an error from the last post), and chromedriver
    answers a look-up made while the page changes with "aborted by navigation". So this waits
    until the old document is gone and the new one has loaded; only then do the checks look."""
    old = d.find_element(By.TAG_NAME, "html")
    action()
    settling = WebDriverWait(d, WAIT_SECONDS, ignored_exceptions=(WebDriverException,))
    settling.until(EC.staleness_of(old))
    settling.until(lambda d: d.execute_script("return document.readyState") == "complete")


def click_through(d, element_id):
    """Click the control with this id, which loads a new page, and wait for that page (see loads_new_page)."""
    loads_new_page(d, lambda: d.find_element(By.ID, element_id).click())


def test_admin_logs_in_sees_swedish_start_page_and_logs_out(driver):
    # Start clean in Swedish (the language is remembered in a cookie).
    driver.get(HUB_URL + "/login?lang=sv")
    wait(driver).until(EC.visibility_of_element_located((By.ID, "username")))
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "sv"
    assert "Logga in" in driver.find_element(By.TAG_NAME, "h1").text

    driver.find_element(By.ID, "username").send_keys("admin")
    driver.find_element(By.ID, "password").send_keys(ADMIN_PASSWORD)
    click_through(driver, "login-submit")

    # Start page: Swedish heading, greeting with the role, the hub's health in one line and
    # each service's panel (the referral queue per category, upcoming meetings…).
    heading = wait(driver).until(EC.visibility_of_element_located((By.ID, "start-heading")))
    assert heading.text == "Välkommen till Utväg Hub"
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "sv"
    greeting = driver.find_element(By.CSS_SELECTOR, "p.greeting").text
    assert "admin" in greeting and "administratör" in greeting
    assert "i drift" in driver.find_element(By.ID, "health-summary").text
    assert driver.find_element(By.ID, "ref-start-heading").text == "Hänvisningar"
    assert driver.find_elements(By.ID, "mt-start-heading"), "the meetings panel is on the start page"

    # The status page (from the menu, administrators only): the bus table, parts by their names.
    click_through(driver, "nav-status") if driver.find_elements(By.ID, "nav-status") else driver.get(HUB_URL + "/driftstatus")
    table = wait(driver).until(EC.presence_of_element_located((By.ID, "bus-status")))
    rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(rows) >= 1, "the bus status table has no rows"
    assert "Förmedlare" in rows[0].text
    # Landmarks and skip link are there.
    assert driver.find_element(By.TAG_NAME, "main").get_attribute("id") == "main"
    assert driver.find_element(By.CSS_SELECTOR, "a.skip-link").get_attribute("href").endswith("#main")

    # Log out through the form in the header (carries the CSRF token).
    click_through(driver, "logout")
    wait(driver).until(EC.visibility_of_element_located((By.ID, "username")))
    assert "/login" in driver.current_url

    # The start page now redirects to the login form.
    driver.get(HUB_URL + "/")
    wait(driver).until(EC.visibility_of_element_located((By.ID, "username")))
    assert "/login" in driver.current_url
