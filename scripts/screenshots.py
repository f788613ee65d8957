#!/usr/bin/env python3
"""Screenshots of the main pages for the README, taken from a running hub with headless
Chromium at 1366 px, in Swedish.

    HUB_URL=… HUB_ADMIN_PASSWORD=… HUB_BIN=… HUB_DATA_DIR=… HUB_CONFIG_DIR=… \
        python3 scripts/screenshots.py [OUT_DIR]      (default docs/screenshots)

It makes its own example data (a referral, a network day, a training, a meeting) and a staff
user, so a fresh hub shows something. Everything in it is invented."""
import os
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Tests", "browser"))

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

import test_page_crawl as crawl  # noqa: E402
from test_referral_form import PASSWORD, create_user  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "docs", "screenshots")


def browser():
    options = Options()
    options.binary_location = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,900", "--lang=sv-SE"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER_PATH", "/usr/bin/chromedriver")), options=options)


def login(d, username, password):
    d.delete_all_cookies()
    d.get(crawl.HUB_URL + "/login?lang=sv")
    d.find_element("id", "username").send_keys(username)
    d.find_element("id", "password").send_keys(password)
    d.find_element("id", "login-submit").click()


def shoot(d, path, name):
    d.get(crawl.HUB_URL + path)
    height = d.execute_script("return Math.min(document.body.scrollHeight, 2400)")
    d.set_window_size(1366, max(700, height))
    d.save_screenshot(os.path.join(OUT, name + ".png"))
    d.set_window_size(1366, 900)
    print("wrote", name + ".png")


def main():
    os.makedirs(OUT, exist_ok=True)
    content = crawl.seed_content()
    staff = "skarm-" + uuid.uuid4().hex[:6]
    create_user(staff, "staff", centre="skaraborg")
    d = browser()
    try:
        login(d, staff, PASSWORD)
        shoot(d, "/?lang=sv", "start-staff")
        shoot(d, "/hanvisningar/sok?lang=sv", "find-a-case")
        d.get(crawl.HUB_URL + "/hanvisningar/sok?lang=sv")
        first = d.find_elements("css selector", "#search-results tbody th a")
        if first:
            shoot(d, first[0].get_attribute("href").replace(crawl.HUB_URL, "") + "?lang=sv", "case")
        shoot(d, "/kapacitet?lang=sv", "queue-and-intake")
        shoot(d, "/statistik?centre=skaraborg&lang=sv", "statistics")
        shoot(d, "/moten?lang=sv", "meetings")
        shoot(d, "/natverk?lang=sv", "network-days")
        shoot(d, "/natverk/tackning/skaraborg?lang=sv", "coverage")
        d.delete_all_cookies()
        shoot(d, f"/anmalan/{content['day']}?lang=sv", "public-registration")
    finally:
        d.quit()


if __name__ == "__main__":
    main()
