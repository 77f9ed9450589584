"""A patient answers a follow-up link on a phone-sized headless Chromium, in one language:
the questions, the answer, a double submit, an altered link and a revoked one; a screenshot of
each page.

    python3 follow_up_check.py BASE_URL LANGUAGE SCREENSHOT_FOLDER TOKEN REVOKED_TOKEN CLINIC

Prints what it checked; exits 1 at the first thing that is not as expected.
"""
import os
import sys

from selenium.webdriver.common.by import By

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import Walk  # noqa: E402

base, language, folder, token, revoked, clinic = sys.argv[1:7]
expected = {"en": {"question": "Has the pain come back", "thanks": "Your answer has reached your clinic.", "already": "already received",
                   "stopped": "will send you no more follow-up messages",
                   "invalid": "This link is not valid."},
            "zh-TW": {"stopped": "不會再傳送追蹤通知給您", "question": "疼痛是否回到治療前的樣子", "thanks": "診所已收到您的回覆", "already": "已收到您的回覆", "invalid": "此連結無效"}}[language]

walk = Walk(language, folder, "follow-up-", width=390, height=844)
driver = walk.driver
try:
    driver.get(f"{base}/f/{token}")
    walk.check(walk.arrive(lambda d: expected["question"] in d.page_source), f"the patient's page asks its questions in {language}")
    walk.check(clinic in driver.page_source, "it names the clinic")
    buttons = driver.find_elements(By.CSS_SELECTOR, ".nrs-choice span")
    walk.check(len(buttons) == 11 and all(b.size["height"] >= 40 for b in buttons), "the 0–10 buttons are large enough to tap")
    walk.check(driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"), "nothing runs off the phone's screen sideways")
    walk.shot("questions")
    # The same questions open in a second tab (the link tapped twice), answered there after the first.
    first = driver.current_window_handle
    driver.execute_script("window.open(arguments[0])", f"{base}/f/{token}")
    second = [handle for handle in driver.window_handles if handle != first][0]
    driver.find_element(By.CSS_SELECTOR, "input[name=nrs][value='3'] + span").click()
    walk.choose("pgic", "6")
    walk.choose("painCameBack", "no")
    walk.check(walk.submit("main form button[type=submit]") and expected["thanks"] in driver.page_source, "the answer is received")
    walk.shot("thanks")
    # The thanks is a page of its own (post/redirect/get): a reload sends nothing again.
    walk.check(driver.current_url == f"{base}/f/{token}", "the answer redirects to the link's own page")
    driver.refresh()
    walk.check(walk.arrive(lambda d: expected["already"] in d.page_source), "a reload of the thanks says it was received, asking nothing")
    driver.switch_to.window(second)
    walk.arrive(lambda d: expected["question"] in d.page_source)
    driver.find_element(By.CSS_SELECTOR, "input[name=nrs][value='4'] + span").click()
    walk.choose("painCameBack", "yes")
    walk.check(walk.submit("main form button[type=submit]") and expected["already"] in driver.page_source, "a second submit shows \"already received\"")
    walk.shot("already")
    driver.get(f"{base}/f/{token}")
    walk.check(walk.arrive(lambda d: expected["already"] in d.page_source), "the link opened again says it was received")
    # The opt-out from a message's link: one tap, then a page of its own (post/redirect/get) that a reload leaves as it is.
    driver.get(f"{base}/f/{token}/stop")
    walk.check(walk.arrive(lambda d: d.find_elements(By.CSS_SELECTOR, "main form button[type=submit]")), "the opt-out page asks with one button")
    walk.shot("opt-out")
    walk.check(walk.submit("main form button[type=submit]") and expected["stopped"] in driver.page_source and clinic in driver.page_source,
               "stopping the messages says so, naming the clinic")
    driver.refresh()
    walk.check(walk.arrive(lambda d: expected["stopped"] in d.page_source), "a reload still says so, sending nothing again")
    walk.shot("opted-out")
    driver.get(f"{base}/f/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}")
    walk.check(walk.arrive(lambda d: expected["invalid"] in d.page_source) and clinic not in driver.page_source, "an altered link shows a clear page naming nothing")
    walk.shot("altered")
    driver.get(f"{base}/f/{revoked}")
    walk.check(walk.arrive(lambda d: expected["invalid"] in d.page_source) and clinic not in driver.page_source, "a revoked link shows the same page")
    walk.shot("revoked")
finally:
    walk.quit()
