"""An admin and a researcher read their pages in headless Chromium, in one language: the users
with the outbox's channels, the API tokens, the audit trail (filtered to one record, with its
changes) and its verification, then the research export page with its downloads. Each page is
checked by axe-core and, in zh-TW, for English (see browser_support); a screenshot of each.

    python3 admin_check.py BASE_URL PASSWORD LANGUAGE SCREENSHOT_FOLDER ADMIN RESEARCHER RECORD_ID

Prints what it checked; exits 1 at the first thing that is not as expected.
"""
import os
import sys

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import Walk  # noqa: E402

base, password, language, folder, admin, researcher, record = sys.argv[1:8]
expected = {"en": {"users": "Users", "channels": "Follow-up channels", "tokens": "API tokens", "audit": "Audit trail",
                   "intact": "Audit trail intact", "exports": "Research export", "correct": "correct"},
            "zh-TW": {"users": "使用者", "channels": "追蹤通知管道", "tokens": "API 權杖", "audit": "稽核紀錄",
                      "intact": "稽核紀錄完整", "exports": "研究資料匯出", "correct": "更正"}}[language]

walk = Walk(language, folder, "admin-", width=1280, height=900)
driver = walk.driver
try:
    walk.check(walk.sign_in(base, admin, password), "the admin signs in")
    driver.get(base + "/admin/users")
    walk.check(walk.arrive(lambda d: expected["users"] in d.title and expected["channels"] in d.page_source),
               "the users page lists the accounts and the outbox's channels")
    walk.shot("users")
    driver.get(base + "/admin/tokens")
    walk.check(walk.arrive(lambda d: expected["tokens"] in d.title), "the tokens page opens")
    walk.shot("tokens")
    # Issuing a token: the POST redirects to the tokens page, which shows it once; a reload does not.
    username = walk.field("username")
    if username.tag_name == "select":
        Select(username).select_by_value(admin)
    walk.type_into("label", "EHR import " + language)
    walk.check(walk.submit("main form[action='/admin/tokens'] button[type=submit]") and driver.current_url == base + "/admin/tokens",
               "issuing a token redirects to the tokens page")
    secret = driver.find_elements(By.CSS_SELECTOR, "code.secret")
    walk.check(len(secret) == 1 and secret[0].text.startswith("scn_t_"), "which shows the token once")
    walk.shot("token-issued")
    driver.refresh()
    walk.check(walk.arrive(lambda d: not d.find_elements(By.CSS_SELECTOR, "code.secret")) and ("EHR import " + language) in driver.page_source,
               "a reload lists the token without showing it again, and issues no second one")
    walk.check(driver.page_source.count("EHR import " + language) == 1, "one token issued")
    driver.get(f"{base}/admin/audit?recordId={record}")
    walk.check(walk.arrive(lambda d: expected["audit"] in d.title and expected["correct"] in d.page_source),
               "the audit trail shows the record's correction")
    walk.check(bool(driver.find_elements(By.CSS_SELECTOR, "table.changes")), "with its changes field by field")
    walk.shot("audit-record")
    driver.find_element(By.CSS_SELECTOR, "a[href*='verify=1']").click()
    walk.check(walk.arrive(lambda d: expected["intact"] in d.page_source), "the verification says the trail is intact")
    walk.shot("audit-verified")
    walk.quit()

    walk = Walk(language, folder, "exports-", width=1280, height=900)
    driver = walk.driver
    walk.check(walk.sign_in(base, researcher, password), "the researcher signs in")
    driver.get(base + "/exports")
    walk.check(walk.arrive(lambda d: expected["exports"] in d.title), "the export page opens")
    walk.check(bool(driver.find_elements(By.CSS_SELECTOR, "a[download]")), "with its downloads")
    walk.shot("exports")
finally:
    walk.quit()
