"""What the browser walks share: a headless Chromium (Debian's chromium and chromium-driver) in
one language, checks that stop the walk at the first failure, waits for navigations, form
helpers, and full-page screenshots, each page checked by axe-core 4.12 first (the axe.min.js
that PyPI's axe-playwright-python 0.1.8 carries; installed without its dependencies, since only
the script is used): no violation of impact serious or critical, and none of the landmark and
heading rules, on any page a walk shows."""
import importlib.util
import json
import os
import re
import subprocess
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait


class Walk:
    def __init__(self, language, folder, prefix, width=834, height=1194):
        self.language, self.folder, self.prefix, self.width, self.height = language, folder, prefix, width, height
        self.step = 0
        os.makedirs(folder, exist_ok=True)
        options = webdriver.ChromeOptions()
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}", f"--lang={language}"):
            options.add_argument(argument)
        options.add_experimental_option("prefs", {"intl.accept_languages": language})
        # The driver and the browser must not hold our output pipe: the test reads it to its end.
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver", log_output=subprocess.DEVNULL), options=options)
        self.axe = Walk.axe_source()

    # Moderate rules a page must still keep: every page has one main landmark, content inside
    # landmarks, headings in order, a language and a title.
    ALWAYS = {"region", "landmark-one-main", "heading-order", "html-has-lang", "document-title", "page-has-heading-one"}

    @staticmethod
    def axe_source():
        found = importlib.util.find_spec("axe_playwright_python")
        if found is None or not found.submodule_search_locations:
            if os.environ.get("REGISTRY_TEST_REQUIRE_TOOLS") == "1":
                print("FAILED: axe-core is required (pip install --no-deps axe-playwright-python==0.1.8)")
                sys.exit(1)
            return None
        with open(os.path.join(list(found.submodule_search_locations)[0], "axe.min.js")) as file:
            return file.read()

    # Latin words a zh-TW page may show: units, codes, abbreviations that clinics write in Latin
    # letters, statistical methods named after people, the products the registry talks to.
    LATIN_ALLOWED = set("""NRS PRP D5W LINE SMS CSV MRN ICD PGIC ODI PSIS UTC mL mm cm CI SVG PDF API JSON FHIR URL ID U
        Kaplan Meier Wilson Newcombe Fisher Cox Efron Greenwood Poisson Spiegelhalter Log rank Newton Raphson Wald R IQR
        lidocaine ropivacaine bupivacaine levobupivacaine mepivacaine HMAC SHA exp log vs English""".split())

    def latin_words(self):
        """The Latin-letter words a reader sees, leaving out code, inputs, the language switch,
        and what the page marks as not to be translated (names, addresses, records' own text)."""
        text = self.driver.execute_script("""
            const skip = el => el.closest('code, pre, script, style, textarea, select, [translate="no"], [lang="en"]');
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            const parts = [];
            while (walker.nextNode()) {
                const n = walker.currentNode;
                if (!skip(n.parentElement)) parts.push([n.textContent, n.parentElement.tagName + '.' + n.parentElement.className.baseVal + n.parentElement.className]);
            }
            return parts;""")
        # A single letter is a variable (t, n, p, e in 1e-7), not English. Each word is named with
        # the element that shows it.
        found = {}
        for part, where in text:
            for word in re.findall(r"[A-Za-z]+", part):
                if len(word) > 1 and word not in Walk.LATIN_ALLOWED:
                    found.setdefault(word, where)
        return sorted(f"{word} (in {where})" for word, where in found.items())

    def audit(self, name):
        """axe-core on the page as shown: stops the walk on a violation that matters."""
        if self.axe is None:
            return
        self.driver.execute_script(self.axe)
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations)).catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));")
        bad = [v for v in result if v.get("impact") in ("serious", "critical") or v["id"] in Walk.ALWAYS]
        self.check(not bad, f"axe-core finds nothing serious on {name}: " + json.dumps(
            [{"id": v["id"], "impact": v.get("impact"), "help": v.get("help"), "nodes": [n.get("target") for n in v.get("nodes", [])][:3]} for v in bad]))

    def check(self, condition, what):
        if not condition:
            print(f"FAILED: {what} (at {self.driver.current_url})")
            self.driver.quit()
            sys.exit(1)
        print(f"ok: {what}")

    def arrive(self, predicate):
        """Waits (up to 10 s) for the navigation a click or Enter started."""
        try:
            WebDriverWait(self.driver, 10).until(lambda d: d.execute_script("return document.readyState") == "complete" and predicate(d))
            return True
        except Exception:
            return False

    def shot(self, name):
        """A screenshot of the whole page, numbered in visiting order, after axe-core has checked it
        and, in zh-TW, after checking it shows no English words."""
        self.audit(name)
        if self.language == "zh-TW":
            words = self.latin_words()
            self.check(not words, f"the zh-TW page {name} shows no English words: {words}")
        self.step += 1
        self.driver.set_window_size(self.width, max(self.height, self.driver.execute_script("return document.body.scrollHeight")))
        self.driver.save_screenshot(os.path.join(self.folder, f"{self.prefix}{self.language}-{self.step:02d}-{name}.png"))
        self.driver.set_window_size(self.width, self.height)

    def field(self, name):
        return self.driver.find_element(By.NAME, name)

    def type_into(self, name, text):
        element = self.field(name)
        element.clear()
        element.send_keys(text)

    def set_value(self, name, value):
        """Date inputs take typed digits in the browser's locale order; set the value instead."""
        self.driver.execute_script("arguments[0].value = arguments[1]", self.field(name), value)

    def choose(self, name, value):
        self.driver.find_element(By.CSS_SELECTOR, f"input[name='{name}'][value='{value}']").click()

    def submit(self, selector="main form[method=post] button[type=submit]"):
        """Sends a form on the page; true once the next page (the same address, after a
        redirect, or the form again) has loaded."""
        self.driver.execute_script("window.beforeSubmit = true")
        self.driver.find_element(By.CSS_SELECTOR, selector).click()
        return self.arrive(lambda d: not d.execute_script("return window.beforeSubmit === true"))

    def sign_in(self, base, username, password):
        self.driver.get(base + "/login")
        self.driver.find_element(By.ID, "username").send_keys(username)
        self.driver.find_element(By.ID, "password").send_keys(password + Keys.ENTER)
        return self.arrive(lambda d: "/login" not in d.current_url)

    def quit(self):
        self.driver.quit()
