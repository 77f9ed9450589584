"""A clinician records a patient's consent to follow-up messages in a headless Chromium, in one
language: a mistake first (SMS for a patient with no phone, a malformed LINE id), then LINE; then
reads what the outbox sent on a course page and on the due list; a screenshot of each page.

    python3 contact_check.py BASE_URL USERNAME PASSWORD LANGUAGE SCREENSHOT_FOLDER PATIENT_ID LINE_USER_ID MESSAGED_COURSE_ID

Prints what it checked; exits 1 at the first thing that is not as expected.
"""
import os
import sys

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import Walk  # noqa: E402

base, username, password, language, folder, patient, line_user, course = sys.argv[1:9]
expected = {"en": {"none": "has not agreed to follow-up messages", "record": "Record consent", "sms": "SMS needs a phone number",
                   "format": "LINE user id", "saved": "In writing", "stop": "Stop all messages", "stopped": "Opted out on",
                   "sent": "Invitation · LINE · Sent", "messages": "Messages sent"},
            "zh-TW": {"none": "病人尚未同意接收追蹤通知", "record": "記錄同意", "sms": "簡訊需要病歷上有電話號碼",
                      "format": "LINE 使用者 ID格式不正確", "saved": "書面", "stop": "停止所有通知", "stopped": "取消通知",
                      "sent": "邀請 · LINE · 已傳送", "messages": "已傳送的通知"}}[language]

walk = Walk(language, folder, "contact-")
driver = walk.driver
try:
    walk.check(walk.sign_in(base, username, password), "signed in")
    driver.get(f"{base}/patients/{patient}")
    walk.check(walk.arrive(lambda d: expected["none"] in d.page_source), "the patient's page says no consent is recorded")
    driver.find_element(By.LINK_TEXT, expected["record"]).click()
    walk.check(walk.arrive(lambda d: d.current_url.endswith("/contact")), "the consent form opens")
    walk.shot("form")

    Select(walk.field("channels[0]")).select_by_value("sms")
    walk.type_into("lineUserId", "U123")
    walk.choose("consentHow", "written")
    walk.check(walk.submit() and expected["sms"] in driver.page_source, "SMS for a patient with no phone is refused beside the field")
    errors = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".field-error")]
    walk.check(any(expected["format"] in e for e in errors), "the malformed LINE id is named beside its field")
    walk.check(walk.field("lineUserId").get_attribute("value") == "U123", "what was typed is kept")
    walk.shot("refused")

    Select(walk.field("channels[0]")).select_by_value("line")
    walk.type_into("lineUserId", line_user)
    walk.check(walk.submit() and f"/patients/{patient}" in driver.current_url and expected["saved"] in driver.page_source,
               "the consent is saved and shown on the patient's page")
    walk.check(line_user in driver.page_source, "with the LINE user id")
    walk.shot("consented")
    walk.check(walk.submit("#contact form button[type=submit]") and expected["stopped"] in driver.page_source, "the stop button opts the patient out")
    walk.check(not driver.find_elements(By.CSS_SELECTOR, "#contact form"), "and is gone once pressed")
    walk.shot("opted-out")

    driver.get(f"{base}/courses/{course}")
    walk.check(walk.arrive(lambda d: expected["messages"] in d.page_source), "the course page lists what the outbox sent")
    walk.shot("course-messages")
    driver.get(f"{base}/follow-ups")
    walk.check(walk.arrive(lambda d: expected["sent"] in d.page_source), "the due list shows the invitation beside the follow-up")
    walk.check(driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
               or bool(driver.find_elements(By.CSS_SELECTOR, ".table-scroll")), "the wide list scrolls inside its box")
    walk.shot("due-list")
finally:
    walk.quit()
