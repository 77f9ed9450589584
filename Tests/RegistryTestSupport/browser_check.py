"""Walks the clinic's pages in headless Chromium (Debian's chromium and chromium-driver) as a
clinician would, in one language, saving a screenshot of every page it visits.

    python3 browser_check.py BASE_URL USERNAME PASSWORD LANGUAGE SCREENSHOT_FOLDER PATIENT_MRN PATIENT_NAME

Prints what it checked; exits 1 at the first thing that is not as expected.
"""
import os
import subprocess
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

base, username, password, language, folder, patient_mrn, patient_name = sys.argv[1:8]
os.makedirs(folder, exist_ok=True)
expected = {
    "en": {"signIn": "Sign in", "home": "Today at my sites", "improved": "improved after", "hydro": "ultrasound-guided hydrodissection",
           "wrong": "Wrong username or password."},
    "zh-TW": {"signIn": "登入", "home": "今日院區病人", "improved": "次後改善", "hydro": "超音波導引神經水解", "wrong": "帳號或密碼錯誤"},
}[language]

options = webdriver.ChromeOptions()
for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=834,1194", f"--lang={language}"):
    options.add_argument(argument)
options.add_experimental_option("prefs", {"intl.accept_languages": language})
# The driver and the browser must not hold our output pipe: the test reads it to its end.
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver", log_output=subprocess.DEVNULL), options=options)
step = 0


def check(condition, what):
    if not condition:
        print(f"FAILED: {what} (at {driver.current_url})")
        driver.quit()
        sys.exit(1)
    print(f"ok: {what}")


def arrive(predicate):
    """Waits (up to 10 s) for the navigation a click or Enter started."""
    try:
        WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.readyState") == "complete" and predicate(d))
        return True
    except Exception:
        return False


def shot(name):
    global step
    step += 1
    driver.save_screenshot(os.path.join(folder, f"{language}-{step:02d}-{name}.png"))


try:
    driver.get(base + "/")
    check(driver.current_url.endswith("/login"), "the entry leads a signed-out visitor to the sign-in page")
    check(expected["signIn"] in driver.page_source, "the sign-in page speaks " + language)
    shot("sign-in")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys("not the password" + Keys.ENTER)
    check(arrive(lambda d: expected["wrong"] in d.page_source), "a wrong password shows the message on the form")
    check(driver.find_element(By.ID, "username").get_attribute("value") == username, "the username typed is kept")
    shot("sign-in-failed")
    driver.find_element(By.ID, "password").send_keys(password + Keys.ENTER)
    check(arrive(lambda d: d.current_url.endswith("/home")), "signing in by keyboard alone leads home")
    check(expected["home"] in driver.page_source, "home speaks " + language)
    shot("home")
    search = driver.find_element(By.ID, "q")
    check(driver.switch_to.active_element == search, "the search field has the focus")
    search.send_keys(patient_mrn.lower() + Keys.ENTER)
    check(arrive(lambda d: "/home?q=" in d.current_url and patient_mrn in d.page_source), "the search by MRN finds the patient")
    shot("search")
    driver.find_element(By.LINK_TEXT, patient_mrn).click()
    check(arrive(lambda d: "/patients/" in d.current_url and patient_name in d.page_source), "the patient page shows the patient")
    shot("patient")
    driver.find_element(By.CSS_SELECTOR, "a[href^='/courses/']").click()
    check(arrive(lambda d: "/courses/" in d.current_url), "the course opens from the patient page")
    source = driver.page_source
    check(expected["improved"] in source, "the course page shows the derived state")
    check(expected["hydro"] in source, "the timeline names the procedure in " + language)
    check(len(driver.find_elements(By.CSS_SELECTOR, "svg.chart circle.nrs")) >= 2, "the pain chart draws the scores")
    if os.environ.get("EXPECT_VOIDED") == "1":
        check(len(driver.find_elements(By.CSS_SELECTOR, "tr.voided")) == 1, "the voided record is struck through")
    shot("course")

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
    shot("score-saved")
finally:
    driver.quit()
