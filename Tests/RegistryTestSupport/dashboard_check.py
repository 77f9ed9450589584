"""Reads the outcome dashboard in headless Chromium as a manager, a researcher and a clinician
would, in one language: the figures, a filter that changes them, the print-to-PDF with every
chart, and the clinician's 403 page; saves a screenshot of each page and the PDF.

    python3 dashboard_check.py BASE_URL PASSWORD LANGUAGE SCREENSHOT_FOLDER MANAGER RESEARCHER CLINICIAN SITE_ID

Every user has PASSWORD. Prints what it checked; exits 1 at the first thing that is not as expected.
"""
import base64
import os
import sys

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import Walk  # noqa: E402

base, password, language, folder, manager, researcher, clinician, site = sys.argv[1:9]
expected = {"en": {"title": "Treatment outcomes", "courses": "Courses", "forbidden": "Outcome reports are for clinic managers and researchers."},
            "zh-TW": {"title": "治療成效", "courses": "療程數", "forbidden": "治療成效報表僅供院區主管與研究人員使用。"}}[language]


def courses(driver):
    for figure in driver.find_elements(By.CSS_SELECTOR, ".figure"):
        if figure.find_element(By.TAG_NAME, "dt").text == expected["courses"]:
            return figure.find_element(By.TAG_NAME, "dd").text
    return None


for role, username in (("manager", manager), ("researcher", researcher)):
    walk = Walk(language, folder, f"dashboard-{role}-", width=1100, height=900)
    driver = walk.driver
    try:
        walk.check(walk.sign_in(base, username, password), f"the {role} signs in")
        driver.get(base + "/reports/outcomes")
        walk.check(walk.arrive(lambda d: expected["title"] in d.page_source), f"the dashboard opens for the {role} in {language}")
        charts = driver.find_elements(By.CSS_SELECTOR, "figure.chart-figure svg")
        funnels = driver.find_elements(By.CSS_SELECTOR, "section.funnel svg")
        walk.check(len(charts) == 4 + len(funnels) and all(chart.is_displayed() for chart in charts), "its four charts and the funnel plots are drawn")
        # Each funnel has its unadjusted plot, and an adjusted one when its case-mix model is estimable.
        walk.check(4 <= len(funnels) <= 8 and all(f.find_elements(By.CSS_SELECTOR, "circle.provider") and f.find_elements(By.CSS_SELECTOR, "path.limit")
                                                  for f in funnels), "each funnel plot has its providers and limit curves")
        walk.check(len(driver.find_elements(By.CSS_SELECTOR, "section.funnel table[data-table^=funnel]")) == 4, "a table under each funnel plot")
        everything = courses(driver)
        walk.check(everything is not None and int(everything) > 0, f"it counts the courses ({everything})")
        walk.shot("all")
        if role == "manager":
            Select(walk.field("siteId")).select_by_value(site)
            Select(walk.field("injectate")).select_by_value("d5w")
            walk.check(walk.submit("main form[method=get] button[type=submit]") and "injectate=d5w" in driver.current_url, "the filter is applied")
            narrowed = courses(driver)
            walk.check(narrowed is not None and int(narrowed) < int(everything), f"one branch and one injectate narrow the figures ({everything} → {narrowed})")
            walk.shot("filtered")
        pdf = base64.b64decode(driver.print_page())
        with open(os.path.join(folder, f"dashboard-{role}-{language}.pdf"), "wb") as out:
            out.write(pdf)
        on_screen = len(driver.find_elements(By.CSS_SELECTOR, "figure.chart-figure svg"))
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        printed = [chart for chart in driver.find_elements(By.CSS_SELECTOR, "figure.chart-figure svg") if chart.is_displayed()]
        walk.check(len(printed) == on_screen and not driver.find_element(By.CSS_SELECTOR, "section.filters").is_displayed(),
                   "printed, the dashboard keeps every chart and leaves the filter form out")
        walk.check(pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 2, "the print-to-PDF has its pages")
        walk.shot("print")
    finally:
        walk.quit()

walk = Walk(language, folder, "dashboard-clinician-", width=1100, height=900)
try:
    walk.check(walk.sign_in(base, clinician, password), "the clinician signs in")
    walk.driver.get(base + "/reports/outcomes")
    walk.check(walk.arrive(lambda d: expected["forbidden"] in d.page_source), "a clinician gets the 403 page")
    walk.shot("forbidden")
finally:
    walk.quit()
