"""Accessibility: axe-core finds no serious or critical violation on the pages people work in.

For each role (admin, centre staff, an agency user, a board member) this opens the start page,
the lists the role's menu offers (referrals, meetings, network days, trainings) and a case page,
in Swedish and in English, in headless Chromium, and runs axe-core (WCAG 2.0/2.1/2.2 A and AA
rules plus best practices) on each. A serious or critical violation fails the test, named by
page, rule and the number of elements: never the page text, which may hold personal data.

axe-core's own script comes from the PyPI package axe-playwright-python (installed without
its Playwright dependency by scripts/setup.sh): it carries a current axe.min.js, which is all
this needs; Selenium injects it."""
import importlib.util
import os

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from test_login import HUB_URL, driver, wait  # noqa: F401  (fixture)
from test_page_crawl import seed_content
from test_referral_form import CONFIG_DIR, DATA_DIR, HUB_BIN, PASSWORD

ADMIN_PASSWORD = os.environ.get("HUB_ADMIN_PASSWORD", "")

pytestmark = pytest.mark.skipif(
    not (HUB_URL and HUB_BIN and DATA_DIR and CONFIG_DIR and ADMIN_PASSWORD),
    reason="needs the running hub from scripts/test.sh",
)

# Which pages each role works in (beyond its start page); a case page is added for those who see cases.
PAGES = {
    "admin": ["/hanvisningar", "/moten", "/natverk", "/utbildning", "/driftstatus"],
    "staff": ["/hanvisningar", "/hanvisningar/sok", "/moten", "/natverk", "/utbildning"],
    "agency": ["/hanvisningar", "/hanvisningar/ny"],
    "board": ["/moten"],
}
CASE_PAGE_ROLES = {"admin", "staff", "agency"}


def axe_source():
    spec = importlib.util.find_spec("axe_playwright_python")
    assert spec and spec.submodule_search_locations, "axe-playwright-python is not installed (scripts/setup.sh installs it)"
    path = os.path.join(spec.submodule_search_locations[0], "axe.min.js")
    with open(path, encoding="utf-8") as f:
        return f.read()


AXE = None


def run_axe(d):
    global AXE
    if AXE is None:
        AXE = axe_source()
    d.execute_script(AXE)
    version = d.execute_script("return window.axe && window.axe.version")
    assert version and int(version.split(".")[0]) >= 4, "axe-core did not load"
    return d.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
                           resultTypes: ['violations']})
           .then(r => done({violations: r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,
                                                                  targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))})),
                            passes: r.passes.length}))
           .catch(e => done({error: String(e)}));
    """)


def login(d, username, password):
    d.delete_all_cookies()
    d.get(HUB_URL + "/login?lang=sv")
    wait(d).until(EC.visibility_of_element_located((By.ID, "username")))
    d.find_element(By.ID, "username").send_keys(username)
    d.find_element(By.ID, "password").send_keys(password)
    d.find_element(By.ID, "login-submit").click()
    wait(d).until(EC.visibility_of_element_located((By.ID, "start-heading")))


@pytest.fixture(scope="module")
def content():
    return seed_content()


@pytest.mark.parametrize("role", ["admin", "staff", "agency", "board"])
def test_axe_finds_no_serious_or_critical_violation_on_a_roles_pages(driver, content, role):  # noqa: F811
    d = driver
    d.set_script_timeout(60)
    username, password = content["users"][role]
    login(d, username, password)
    pages = ["/"] + PAGES[role]
    if role in CASE_PAGE_ROLES:
        d.get(HUB_URL + "/hanvisningar?lang=sv")
        links = [a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, "main a[href^='/hanvisningar/'], main a[href*='/hanvisningar/']")]
        cases = [h[len(HUB_URL):] for h in links if h and h.startswith(HUB_URL + "/hanvisningar/")
                 and h.rstrip("/").split("/")[-1] not in ("ny", "sok") and "?" not in h]
        assert cases, f"the {role} referral list links to no case"
        pages.append(cases[0])
    failures, checked = [], 0
    for path in pages:
        for language in ("sv", "en"):
            d.get(f"{HUB_URL}{path}?lang={language}")
            wait(d).until(EC.presence_of_element_located((By.TAG_NAME, "main")))
            result = run_axe(d)
            assert "error" not in result, f"axe failed on {path}: {result.get('error')}"
            assert result["passes"] > 10, f"axe checked almost nothing on {path}"
            checked += 1
            for v in result["violations"]:
                if v["impact"] in ("serious", "critical"):
                    failures.append(f"{path} [{language}]: {v['impact']} {v['id']} on {v['nodes']} element(s), e.g. {v['targets']}")
    assert checked == 2 * len(pages)
    assert not failures, "\n".join(failures)
