"""Walks the clinic's pages in headless Chromium (Debian's chromium and chromium-driver) as a
clinician would, in one language, logging a whole treatment course and saving a screenshot of
every page it visits.

    python3 browser_check.py BASE_URL USERNAME PASSWORD LANGUAGE SCREENSHOT_FOLDER TODAY

TODAY is the server's date (YYYY-MM-DD); the course is dated in the weeks before it.
Prints what it checked; exits 1 at the first thing that is not as expected.
"""
import base64
import datetime
import os
import sys
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import Walk  # noqa: E402

base, username, password, language, folder, today = sys.argv[1:7]
expected = {
    "en": {"signIn": "Sign in", "home": "Today at my sites", "improved": "improved after", "hydro": "ultrasound-guided hydrodissection",
           "wrong": "Wrong username or password.", "positive": "positive", "required": "is required", "d5w": "5% dextrose (D5W)"},
    "zh-TW": {"signIn": "登入", "home": "今日院區病人", "improved": "次後改善", "hydro": "超音波導引神經水解", "wrong": "帳號或密碼錯誤",
              "positive": "陽性", "required": "請填寫", "d5w": "5% 葡萄糖水（D5W）"},
}[language]
mrn = "BR-" + uuid.uuid4().hex[:8].upper()
family, given = ("王", "小明") if language == "zh-TW" else ("Chen", "Mei")


def day(offset):
    return (datetime.date.fromisoformat(today) + datetime.timedelta(days=offset)).isoformat()


walk = Walk(language, folder, "course-")
driver, check, arrive, shot = walk.driver, walk.check, walk.arrive, walk.shot
field, type_into, set_value, choose, submit = walk.field, walk.type_into, walk.set_value, walk.choose, walk.submit


def open_link(href_fragment):
    driver.find_element(By.CSS_SELECTOR, f"a[href*='{href_fragment}']").click()
    return arrive(lambda d: href_fragment.split("?")[0] in d.current_url)


def score(nrs, date, timepoint):
    choose("nrs", str(nrs))
    set_value("recordedOn", date)
    choose("timepoint", timepoint)
    check(submit() and f"NRS {nrs}" in driver.page_source, f"pain score {nrs} on {date} saved from the course page")


try:
    driver.get(base + "/")
    check(driver.current_url.endswith("/login"), "the entry leads a signed-out visitor to the sign-in page")
    check(expected["signIn"] in driver.page_source, "the sign-in page speaks " + language)
    shot("sign-in")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys("not the password" + Keys.ENTER)
    check(arrive(lambda d: expected["wrong"] in d.page_source), "a wrong password shows the message on the form")
    check(driver.find_element(By.ID, "username").get_attribute("value") == username, "the username typed is kept")
    driver.find_element(By.ID, "password").send_keys(password + Keys.ENTER)
    check(arrive(lambda d: d.current_url.endswith("/home")), "signing in by keyboard alone leads home")
    check(expected["home"] in driver.page_source, "home speaks " + language)
    check(driver.switch_to.active_element == driver.find_element(By.ID, "q"), "the search field has the focus")
    shot("home")

    # Register a patient; a missing family name comes back beside its field, the rest kept.
    check(open_link("/patients/new"), "home leads to the registration form")
    type_into("mrn", mrn)
    type_into("givenName", given)
    set_value("dateOfBirth", "1968-04-02")
    choose("sex", "female")
    check(submit() and expected["required"] in driver.find_element(By.CSS_SELECTOR, ".has-error").text, "a missing family name is named beside its field")
    check(field("mrn").get_attribute("value") == mrn and field("givenName").get_attribute("value") == given, "what was typed is kept")
    check(driver.switch_to.active_element.get_attribute("id") == "error-summary", "the focus is on the error summary")
    shot("register-problem")
    # The form shown again is a page of its own (post/redirect/get): a reload, Back and Forward show
    # it again without asking to send it twice, and the header's language switch keeps it.
    kept = driver.current_url
    check("/patients/new?draft=" in kept, f"the form that could not be saved is kept at an address of its own ({kept})")
    driver.refresh()
    check(arrive(lambda d: d.current_url == kept) and field("mrn").get_attribute("value") == mrn
          and expected["required"] in driver.find_element(By.CSS_SELECTOR, ".has-error").text, "a reload shows the form again, as typed")
    driver.back()
    check(arrive(lambda d: d.current_url.endswith("/patients/new")) and field("mrn").get_attribute("value") in ("", mrn), "Back goes to the fresh form")
    driver.forward()
    check(arrive(lambda d: d.current_url == kept) and "ERR_CACHE_MISS" not in driver.page_source
          and field("mrn").get_attribute("value") == mrn, "Forward shows the form again, with no resubmission page")
    other = "en" if language == "zh-TW" else "zh-TW"
    required = {"en": "is required", "zh-TW": "請填寫"}
    for switch_to in (other, language):
        driver.find_element(By.CSS_SELECTOR, f"header a[lang='{switch_to}']").click()
        check(arrive(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == switch_to),
              f"the language switch on the form shown again leads to {switch_to}")
        check(required[switch_to] in driver.find_element(By.CSS_SELECTOR, ".has-error").text, f"the problem is named in {switch_to}")
        check(field("mrn").get_attribute("value") == mrn and field("givenName").get_attribute("value") == given,
              f"what was typed is kept across the switch to {switch_to}")
        shot(f"register-problem-switched-{switch_to}")
    type_into("familyName", family)
    check(submit() and "/patients/" in driver.current_url and mrn in driver.page_source, "the patient is registered and shown")
    shot("patient")

    # Open a course, started five weeks ago.
    check(open_link("/courses/new"), "the patient page opens a course")
    choose("side", "left")
    type_into("icd10", "G57.82")
    set_value("startedOn", day(-35))
    shot("open-course")
    check(submit() and "/courses/" in driver.current_url, "the course is opened")
    course = driver.current_url.split("#")[0]

    # The diagnostic block: 8 → 3 at 10 minutes is 62.5%, positive, while typing and after saving.
    check(open_link("/blocks/new"), "the course page leads to the block form")
    set_value("performedAt", day(-35) + "T09:30")
    choose("agent", "lidocaine")
    type_into("volumeMl", "2")
    choose("nrsBefore", "8")
    choose("nrsAfter", "3")
    type_into("assessedMinutesAfter", "10")
    live = driver.find_element(By.ID, "relief-output").text
    check("62.5%" in live and expected["positive"] in live, f"the form shows 62.5% and positive as it is typed ({live})")
    shot("block")
    check(submit() and driver.current_url.startswith(course), "the block is saved")
    check("62.5%" in driver.page_source and expected["positive"] in driver.page_source, "the course page confirms 62.5% and positive")

    # Baseline, three hydrodissection sessions (D5W 10 mL) and the scores after each.
    score(8, day(-35), "baseline")
    for offset in (-28, -21, -14):
        check(open_link("/sessions/new"), "the course page leads to the session form")
        set_value("sessionOn", day(offset))
        Select(field("procedures[0].kind")).select_by_value("hydrodissection")
        check(not driver.find_element(By.ID, "procedures-0-leukocytes").is_displayed(), "fields of other procedure kinds are hidden")
        Select(field("procedures[0].injectate")).select_by_value("d5w")
        type_into("procedures[0].volumeMl", "10")
        if offset == -28:
            shot("session")
        check(submit() and driver.current_url.startswith(course), f"the session on {day(offset)} is saved")
    score(6, day(-21), "pre_procedure")
    score(4, day(-14), "pre_procedure")
    score(2, day(-7), "follow_up")
    score(9, day(-6), "follow_up")

    # Correct the score of 4 to 3; void the 9 (entered on the wrong course).
    rows = driver.find_elements(By.CSS_SELECTOR, "table.timeline tbody tr")
    row = next(r for r in rows if "NRS 4" in r.text)
    row.find_element(By.CSS_SELECTOR, "a[href$='/edit']").click()
    check(arrive(lambda d: d.current_url.endswith("/edit")), "the timeline leads to the correction form")
    check(driver.find_element(By.CSS_SELECTOR, "input[name=nrs][value='4']").is_selected(), "the correction form holds the record's values")
    choose("nrs", "3")
    shot("correct")
    check(submit() and driver.current_url.startswith(course) and "NRS 3" in driver.page_source, "the corrected score is shown")
    row = next(r for r in driver.find_elements(By.CSS_SELECTOR, "table.timeline tbody tr") if "NRS 9" in r.text)
    row.find_element(By.CSS_SELECTOR, "a[href$='/void']").click()
    check(arrive(lambda d: d.current_url.endswith("/void")), "the timeline leads to the void form")
    type_into("reason", "entered on the wrong course")
    shot("void")
    check(submit() and driver.current_url.startswith(course), "the score is voided")

    source = driver.page_source
    check(len(driver.find_elements(By.CSS_SELECTOR, "tr.voided")) == 1 and "entered on the wrong course" in source, "the voided score is struck through with its reason")
    check(expected["improved"] in source, "the course page shows the derived state")
    check(source.count(expected["hydro"]) == 3 and expected["d5w"] in source, "the timeline names the three sessions in " + language)
    check(len(driver.find_elements(By.CSS_SELECTOR, "svg.chart circle.nrs")) == 4, "the pain chart draws the four scores left")
    check(len(driver.find_elements(By.CSS_SELECTOR, "svg.chart line.session")) == 3, "the pain chart marks the three sessions")
    shot("course")

    # A patient link made from the course page comes first, with a copy button and "send with LINE".
    course_url = driver.current_url
    check(submit("form[action$='/follow-up-links'] button[type=submit]") and driver.find_element(By.ID, "issued").is_displayed(),
          "a link just made is shown at the top of the course page")
    check(driver.find_element(By.CSS_SELECTOR, "#issued button[data-copy]").is_displayed()
          and driver.find_elements(By.CSS_SELECTOR, "#issued a[href^='https://line.me/R/share?text=']"), "it can be copied or sent with LINE")
    shot("link-made")
    links = len(driver.find_elements(By.CSS_SELECTOR, "table.links tbody tr"))
    driver.refresh()
    check(not driver.find_elements(By.ID, "issued") and len(driver.find_elements(By.CSS_SELECTOR, "table.links tbody tr")) == links,
          "a reload of that page shows no link again and makes no second one")
    driver.get(course_url)

    # Printed, the course page is a summary: header, state, chart and timeline; no forms or links to them.
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    check(not driver.find_element(By.CSS_SELECTOR, "main form").is_displayed() and not driver.find_element(By.CSS_SELECTOR, "nav.actions").is_displayed(),
          "the printed course page leaves the forms out")
    check(driver.find_element(By.CSS_SELECTOR, "svg.chart").is_displayed() and driver.find_element(By.CSS_SELECTOR, "table.timeline").is_displayed(),
          "the printed course page keeps the chart and the timeline")
    shot("course-print")
    with open(os.path.join(folder, f"course-{language}.pdf"), "wb") as pdf:
        pdf.write(base64.b64decode(driver.print_page()))
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

    # The pain-score form by keyboard alone: Enter without a score shows the problem beside the
    # field; arrows choose 7 on the 0-10 buttons, typing fills PGIC, Enter saves.
    driver.find_element(By.ID, "pgic").send_keys(Keys.ENTER)
    check(arrive(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".field-error")) > 0), "a score without NRS comes back with the problem beside the field")
    check(driver.switch_to.active_element.get_attribute("id") == "error-summary", "the focus is on the error summary")
    shot("score-problem")
    driver.find_element(By.CSS_SELECTOR, "input[name=nrs][value='0']").send_keys(Keys.ARROW_RIGHT * 7)
    check(driver.find_element(By.CSS_SELECTOR, "input[name=nrs][value='7']").is_selected(), "the arrow keys choose the NRS button")
    driver.find_element(By.ID, "pgic").send_keys("2" + Keys.ENTER)
    check(arrive(lambda d: "NRS 7" in d.page_source and not d.find_elements(By.CSS_SELECTOR, ".field-error")), "the score is saved and shown in the timeline")

    # Home finds the new patient by MRN in one step.
    driver.get(base + "/home")
    driver.find_element(By.ID, "q").send_keys(mrn.lower() + Keys.ENTER)
    check(arrive(lambda d: "/home?q=" in d.current_url and mrn in d.page_source), "the search by MRN finds the patient")
    shot("search")
finally:
    driver.quit()
