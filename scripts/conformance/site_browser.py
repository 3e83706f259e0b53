#!/usr/bin/env python3
"""Browser tests of the static site (`dist/site/`) in a real headless Chromium (Debian's chromium and
chromium-driver), driven by Selenium: build the site of our catalog, of the shared Auth0 corpus (with
its variables file) and of the SigmaHQ sample, then type in the search box, apply filters, reload a
shared link, sort, follow links both ways, press a copy button, open the coverage matrix and follow a
cell, and open every rule page. Any console message at error level, any failed request or any request
that leaves file:// fails the run. Screenshots (index, rule page, matrix; desktop and phone widths)
go to target/site-screenshots/. With --bench-catalog, the search time on that catalog's index is
measured (it must stay under 100 ms).

Usage: site_browser.py --detc PATH [--shared DIR] [--out DIR] [--bench-catalog DIR]
"""
import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager fetch a driver

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
LIMIT = 50  # rows the index shows before "Show all"
DESKTOP = (1366, 900)
PHONE = (390, 844)
SKIP_ALL = "targets:\n  splunk: {skip_unsupported: true}\n  elastic: {skip_unsupported: true}\n  sumo: {skip_unsupported: true}\n"


class Failure(Exception):
    pass


def check(cond, message):
    if not cond:
        raise Failure(message)


def build(detc, out, config=None, cwd=ROOT):
    args = [str(detc)]
    if config:
        args += ["--config", str(config)]
    args += ["build", "--force", "--out", str(out)]
    run = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    check(run.returncode in (0, 1) and (out / "site/index.html").is_file(), f"build failed: {run.stderr[-3000:]}")
    return out / "site"


def driver():
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    profile = tempfile.mkdtemp(prefix="detc-chromium-")
    for a in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage", f"--user-data-dir={profile}"]:
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    d.set_window_size(*DESKTOP)
    d.execute_cdp_cmd("Network.enable", {})
    return d, profile


class Page:
    """One browser with the checks every page load gets."""

    def __init__(self, shots):
        self.d, self.profile = driver()
        self.shots = shots
        # The browser's own start-up page is not ours: forget what it logged.
        self.d.get("about:blank")
        time.sleep(0.5)
        self.problems()

    def problems(self):
        """Console errors, failed requests and requests to anything but file: or data: since the last call."""
        out = []
        for e in self.d.get_log("browser"):
            if e["level"] in ("SEVERE", "ERROR"):
                out.append(f"console: {e['message']}")
        for e in self.d.get_log("performance"):
            msg = json.loads(e["message"])["message"]
            if msg["method"] == "Network.loadingFailed":
                out.append(f"request failed: {msg['params'].get('errorText')}")
            if msg["method"] == "Network.requestWillBeSent":
                url = msg["params"]["request"]["url"]
                if not (url.startswith("file:") or url.startswith("data:")):
                    out.append(f"network request: {url}")
        return out

    def open(self, url):
        self.d.get(url)
        WebDriverWait(self.d, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")
        self.clean(url)

    def clean(self, where):
        p = self.problems()
        check(not p, f"{where}: " + "; ".join(p))

    def shot(self, name):
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            self.d.set_window_size(*size)
            time.sleep(0.2)
            self.d.save_screenshot(str(self.shots / f"{name}-{label}.png"))
        self.d.set_window_size(*DESKTOP)

    def visible_rows(self):
        return self.d.execute_script(
            "return Array.from(document.querySelectorAll('#catalog tbody tr')).filter(r => !r.hidden)"
            ".map(r => ({i: +r.dataset.i, title: r.cells[0].querySelector('a').textContent,"
            " level: r.cells[1].textContent.trim(), href: r.cells[0].querySelector('a').getAttribute('href')}))")

    def count_text(self):
        return self.d.find_element(By.ID, "count").text

    def matches(self):
        """How many detections match (the table holds at most the first 50 of them)."""
        return int(self.d.find_element(By.ID, "count").get_attribute("data-matches"))

    def check_rows(self, name, expected, what):
        rows = self.visible_rows()
        check(self.matches() == expected, f"{name}: {what}: {self.matches()} matches, expected {expected}")
        check(len(rows) == min(expected, LIMIT), f"{name}: {what}: {len(rows)} rows for {expected} matches")
        return rows


def test_index(page, site, name):
    url = (site / "index.html").as_uri()
    page.open(url)
    d = page.d
    entries = d.execute_script("return window.DETC_INDEX.entries")
    check(entries, f"{name}: an empty index")
    page.check_rows(name, len(entries), "no filter")
    check(page.count_text().startswith(f"{len(entries)} detections"), f"{name}: count says {page.count_text()!r}")
    check(d.find_element(By.ID, "filters").is_displayed(), f"{name}: the filters are hidden")
    page.shot(f"{name}-index")

    # Search: a word of the first row's title; every row left contains it.
    word = max(entries[0]["t"].split(), key=len).lower()
    box = d.find_element(By.ID, "q")
    box.send_keys(word)
    expected = sum(1 for e in entries if word in e["h"])
    rows = page.check_rows(name, expected, f"search {word!r}")
    check(all(word in entries[r["i"]]["h"] for r in rows), f"{name}: a row without {word!r} is shown")
    check(page.count_text().startswith(f"{expected} "), f"{name}: {page.count_text()}")
    check("q=" in d.current_url, f"{name}: the search is not in the URL: {d.current_url}")
    box.clear()
    box.send_keys(" ")  # an input event with an empty query

    # Filter by a level the catalog has: every row shown has it, and so does the URL.
    level = Select(d.find_element(By.ID, "f-level"))
    value = level.options[1].get_attribute("value")
    level.select_by_value(value)
    rows = page.check_rows(name, sum(1 for e in entries if e["l"] == value), f"level {value}")
    check(all(r["level"] == value for r in rows), f"{name}: level {value}: a row of another level")
    check(f"level={value}" in d.current_url, f"{name}: the filter is not in the URL")

    # Sort by title, then reload the shared link: the same state comes back.
    Select(d.find_element(By.ID, "f-sort")).select_by_value("title")
    titles = [r["title"].lower() for r in page.visible_rows()]
    check(titles == sorted(titles), f"{name}: not sorted by title")
    shared = d.current_url
    page.open("about:blank")
    page.open(shared)
    check(Select(d.find_element(By.ID, "f-level")).first_selected_option.get_attribute("value") == value,
          f"{name}: the shared link lost the level filter")
    check([r["title"].lower() for r in page.visible_rows()] == titles, f"{name}: the shared link shows other rows")

    # Keyboard: Tab reaches the search box from the top of the page with a visible focus ring.
    d.find_element(By.ID, "clear").click()
    WebDriverWait(d, 5).until(lambda _: page.matches() == len(entries))
    if len(entries) > LIMIT:
        d.find_element(By.ID, "more").click()
        check(len(page.visible_rows()) == len(entries), f"{name}: show all shows {len(page.visible_rows())}")
    page.clean(f"{name} index")
    return entries


def test_rule_pages(page, site, name, entries):
    d = page.d
    # Follow the first row's link from the index.
    page.open((site / "index.html").as_uri())
    link = d.find_element(By.CSS_SELECTOR, "#catalog tbody tr a")
    title = link.text
    link.click()
    WebDriverWait(d, 10).until(lambda d: d.find_element(By.TAG_NAME, "h1").text == title)
    page.clean(f"{name}: {title}")
    # Copy the first query: the page says it was copied.
    buttons = d.find_elements(By.CSS_SELECTOR, "button.copy")
    check(buttons, f"{name}: {title} has no copy button")
    buttons[0].click()
    status = buttons[0].find_element(By.XPATH, "following-sibling::span[@class='copied']")
    WebDriverWait(d, 5).until(lambda _: status.text != "")
    check(status.text == "Copied", f"{name}: copy says {status.text!r}")
    page.shot(f"{name}-rule")
    page.clean(f"{name}: copy")
    # Every page: it loads cleanly, its title is its index row's, and it shows a query or why not.
    for e in entries:
        page.open((site / e["u"]).as_uri())
        h1 = d.find_element(By.TAG_NAME, "h1").text
        check(h1 == e["t"].strip() or h1 == " ".join(e["t"].split()), f"{name}: {e['u']} shows {h1!r}, not {e['t']!r}")
        check(d.find_elements(By.CSS_SELECTOR, "#h-q ~ .query"), f"{name}: {e['u']} has no query section")


def test_correlation_links(page, site, name, entries):
    """A correlation links to its base rules and each base rule links back."""
    d = page.d
    corr = [e for e in entries if e["k"] == "correlation"]
    check(corr, f"{name}: no correlation")
    for e in corr:
        page.open((site / e["u"]).as_uri())
        bases = [a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, "#h-corr ~ ul a")]
        check(bases, f"{name}: {e['u']} links to no base rule")
        for b in bases:
            page.open(b)
            back = [a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, "#h-corr ~ ul a")]
            check(any(x.endswith(e["u"]) for x in back), f"{name}: {b} does not link back to {e['u']}")


def test_coverage(page, site, name):
    d = page.d
    page.open((site / "coverage.html").as_uri())
    check(len(d.find_elements(By.CSS_SELECTOR, ".matrix .tactic")) == 14, f"{name}: the matrix has not 14 tactics")
    check(d.find_elements(By.CSS_SELECTOR, "svg.chart"), f"{name}: no summary chart")
    page.shot(f"{name}-coverage")
    cell = d.find_element(By.CSS_SELECTOR, "a.cell")
    count = int(cell.find_element(By.CSS_SELECTOR, ".n").text)
    technique = cell.find_element(By.CSS_SELECTOR, ".tid").text
    cell.click()
    WebDriverWait(d, 10).until(lambda d: "index.html" in d.current_url)
    WebDriverWait(d, 5).until(lambda _: page.matches() == count)
    sel = Select(d.find_element(By.ID, "f-technique")).first_selected_option.get_attribute("value")
    check(sel == technique, f"{name}: the technique filter shows {sel!r}, not {technique!r}")
    page.clean(f"{name}: coverage cell")


def test_our_results(page, site):
    """Our catalog's tests ran during the build: every test shows `passed`."""
    d = page.d
    page.open((site / "index.html").as_uri())
    Select(d.find_element(By.ID, "f-tests")).select_by_value("failed")
    check(page.matches() == 0, "ours: a detection has failing tests")
    Select(d.find_element(By.ID, "f-tests")).select_by_value("with")
    entries = d.execute_script("return window.DETC_INDEX.entries")
    check(page.matches() == len(entries), "ours: a detection without tests")
    page.open((site / entries[0]["u"]).as_uri())
    states = [s.text for s in d.find_elements(By.CSS_SELECTOR, ".tests .res")]
    check(states and all(s == "passed" for s in states), f"ours: test results {states}")


def search_timing(page, site):
    """Milliseconds from an input event in the search box to the table updated and laid out, and to
    the next painted frame, over a few queries typed three times: (median, max) of each."""
    d = page.d
    page.open((site / "index.html").as_uri())
    laid, painted = [], []
    for q in ["powershell", "cmd", "a", "mimikatz", "attack.t1059", "zzzz-nothing", ""] * 3:
        ms = d.execute_async_script(
            "const done = arguments[arguments.length - 1]; const box = document.getElementById('q');"
            "const t = performance.now(); box.value = arguments[0];"
            "box.dispatchEvent(new Event('input', {bubbles: true}));"
            "document.body.offsetHeight; const laid = performance.now() - t;"
            "requestAnimationFrame(() => setTimeout(() => done([laid, performance.now() - t]), 0));", q)
        laid.append(ms[0])
        painted.append(ms[1])
    page.clean("bench search")
    n = len(d.execute_script("return window.DETC_INDEX.entries"))
    return (statistics.median(laid), max(laid)), (statistics.median(painted), max(painted)), n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--detc", required=True)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--out", default=str(ROOT / "target/site-browser"))
    ap.add_argument("--bench-catalog")
    args = ap.parse_args()
    detc = pathlib.Path(args.detc).resolve()
    out = pathlib.Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    shots = ROOT / "target/site-screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    shared = pathlib.Path(args.shared).resolve()

    sites = [("ours", build(detc, out / "ours"))]
    sites.append(("auth0", build(detc, out / "auth0", ROOT / "scripts/conformance/auth0.detc.yaml")))
    sigma_cfg = out / "sigmahq.detc.yaml"
    sigma_cfg.write_text(f"catalog: [{json.dumps(str(shared / 'corpus/sigmahq-sample'))}]\nexclude_broken: true\n{SKIP_ALL}")
    sites.append(("sigmahq", build(detc, out / "sigmahq", sigma_cfg)))

    page = Page(shots)
    failures = 0
    checks = len(sites)
    try:
        for name, site in sites:
            try:
                entries = test_index(page, site, name)
                test_rule_pages(page, site, name, entries)
                test_coverage(page, site, name)
                if any(e["k"] == "correlation" for e in entries):
                    test_correlation_links(page, site, name, entries)
                if name == "ours":
                    test_our_results(page, site)
                print(f"site_browser: {name}: {len(entries)} pages, search, filters, shared link, sort, copy, coverage: ok")
            except Failure as f:
                failures += 1
                print(f"site_browser: {name}: FAILED: {f}", file=sys.stderr)
        if args.bench_catalog:
            cfg = out / "bench.detc.yaml"
            cfg.write_text(f"catalog: [{json.dumps(str(pathlib.Path(args.bench_catalog).resolve()))}]\nexclude_broken: true\n{SKIP_ALL}")
            site = build(detc, out / "bench", cfg)
            (median, worst), (pmedian, pworst), n = search_timing(page, site)
            print(f"site_browser: search over {n} detections: table updated and laid out in median {median:.1f} ms "
                  f"(max {worst:.1f}); next frame painted in median {pmedian:.1f} ms (max {pworst:.1f})")
            checks += 1
            if median >= 100:
                failures += 1
                print("site_browser: FAILED: search took 100 ms or more (median)", file=sys.stderr)
    finally:
        page.d.quit()
        shutil.rmtree(page.profile, ignore_errors=True)
    print(f"site_browser: screenshots in {shots}")
    print(f"{checks - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
