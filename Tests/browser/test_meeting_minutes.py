"""Browser test of the minutes flow: centre staff create a management-group meeting
(first with a missing date, shown by the field), write minutes per item with the
keyboard, mark an item confidential, circulate the minutes and see version 1 and the
circulated status. Runs against the hub that scripts/test.sh starts (HUB_URL, HUB_BIN,
HUB_DATA_DIR, HUB_CONFIG_DIR)."""
import uuid

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from test_login import HUB_URL, click_through, driver, loads_new_page, wait  # noqa: F401  (fixture)
from test_referral_form import CONFIG_DIR, DATA_DIR, HUB_BIN, create_user, login

pytestmark = pytest.mark.skipif(
    not (HUB_URL and HUB_BIN and DATA_DIR and CONFIG_DIR),
    reason="needs the running hub from scripts/test.sh (HUB_URL, HUB_BIN, HUB_DATA_DIR, HUB_CONFIG_DIR)",
)


def set_value(d, element_id, value):
    """Date and time inputs take their value from script (typing depends on the browser's locale)."""
    d.execute_script("arguments[0].value = arguments[1];", d.find_element(By.ID, element_id), value)


def test_staff_write_and_circulate_minutes(driver):  # noqa: F811
    staff = "sekr-" + uuid.uuid4().hex[:8]
    create_user(staff, "staff", centre="skaraborg")
    login(driver, staff)

    driver.get(HUB_URL + "/moten?lang=sv")
    wait(driver).until(EC.visibility_of_element_located((By.ID, "mt-heading")))
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "sv"
    Select(driver.find_element(By.ID, "centre")).select_by_value("skaraborg")

    # No date: the server refuses and says so by the field; nothing is created.
    click_through(driver, "create-meeting")
    error = wait(driver).until(EC.visibility_of_element_located((By.ID, "date-error")))
    assert error.text
    assert driver.find_element(By.ID, "date").get_attribute("aria-invalid") == "true"

    # A meeting already held (minutes go out only once a meeting has begun), on a date no other
    # test uses.
    day = 1 + uuid.uuid4().int % 28
    set_value(driver, "date", f"2025-0{1 + uuid.uuid4().int % 9}-{day:02d}")
    set_value(driver, "start", "14:00")
    set_value(driver, "end", "16:00")
    click_through(driver, "create-meeting")
    wait(driver).until(EC.visibility_of_element_located((By.ID, "agenda")))
    assert "Utväg Skaraborg" in driver.find_element(By.ID, "mt-heading").text
    assert driver.find_element(By.ID, "minutes-status").text == "utkast"

    # The first item (welcome): notes typed with the keyboard, saved with Enter on the button.
    items = driver.find_elements(By.CSS_SELECTOR, "#agenda > li")
    assert len(items) >= 5
    welcome_id = items[0].get_attribute("id").removeprefix("item-")
    text = driver.find_element(By.ID, "text-" + welcome_id)
    assert driver.find_element(By.CSS_SELECTOR, f"label[for='text-{welcome_id}']").text.startswith("Anteckningar för punkt 1")
    text.send_keys("Alla hälsas välkomna.")
    loads_new_page(driver, lambda: driver.find_element(By.ID, "save-" + welcome_id).send_keys(Keys.ENTER))
    wait(driver).until(EC.text_to_be_present_in_element_value((By.ID, "text-" + welcome_id), "Alla hälsas välkomna."))

    # The third item (centre state) is confidential: it stays out of the circulated copy.
    state_id = driver.find_elements(By.CSS_SELECTOR, "#agenda > li")[2].get_attribute("id").removeprefix("item-")
    driver.find_element(By.ID, "text-" + state_id).send_keys("Känsligt personalärende.")
    driver.find_element(By.ID, "conf-" + state_id).click()
    click_through(driver, "save-" + state_id)
    wait(driver).until(EC.text_to_be_present_in_element_value((By.ID, "text-" + state_id), "Känsligt personalärende."))

    # Circulate: version 1, status "utskickade", the confidential text not in it.
    click_through(driver, "circulate-minutes")
    wait(driver).until(EC.text_to_be_present_in_element((By.ID, "minutes-status"), "utskickade"))
    summary = driver.find_element(By.CSS_SELECTOR, "details.version summary")
    assert "Version 1" in summary.text
    summary.click()
    circulated = driver.find_element(By.CSS_SELECTOR, "details.version").text
    assert "Alla hälsas välkomna." in circulated
    assert "Känsligt personalärende." not in circulated

    # The print version has the minutes' shape.
    click_through(driver, "print-link")
    wait(driver).until(EC.visibility_of_element_located((By.TAG_NAME, "h1")))
    assert driver.find_element(By.TAG_NAME, "h1").text.startswith("Mötesanteckningar ledningsgruppsmöte Utväg Skaraborg")
    assert "Närvarande:" in driver.page_source and "Vid anteckningarna" in driver.page_source
