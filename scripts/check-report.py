#!/usr/bin/env python3
"""Render a `snakemake --report` HTML file in headless Chromium and check that every figure is in it.

    python scripts/check-report.py results/<run>/report.html [--figures results/<run>/figures]

The report is a single-page app: its results are data in a script, listed and drawn only once a section
is opened. The check loads a copy of the report with a small script appended that opens every section
(category and subcategory) as a reader would, then shows every image result; `chromium --headless
--dump-dom` prints the page after that, and the check reads back, per file name, whether it was listed in
a section and whether its image decoded (a non-zero natural width). Every PNG of `--figures` (default: the
`figures/` folder beside the report) must be listed and drawn.

With the reader's view (`snakemake view ... --report`), the results page (`html/view/results.html` beside the
report, or `--results`) must be listed in the report too, and, rendered on its own, show each paper table its run
has beside ours (a `paper:` column for every `ours:` one) and the claims with a verdict on every row.

Exit status 0 when every figure is present, 1 when one is missing, 2 when no Chromium is found or the
page could not be rendered (the message says which).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")

# Appended to the report: open every section, then every image, and write what was seen into the page.
PROBE = """
<script>
(function () {
  const seen = {listed: {}, drawn: {}, errors: [], sections: 0};
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  async function until(test, tries) {  // poll: React renders and images decode asynchronously
    for (let i = 0; i < tries; i++) { if (test()) { return true; } await sleep(50); }
    return test();
  }
  async function probe() {
    for (const category of Object.keys(categories)) {
      for (const subcategory of Object.keys(categories[category])) {
        // back to the menu first, as a reader does: a section's list is built when it is opened
        app.setView({navbarMode: "menu"});
        await sleep(50);
        app.setView({navbarMode: "subcategory", category: category, subcategory: subcategory});
        const names = categories[category][subcategory].map((path) => results[path].name);
        const text = () => document.querySelector("#app").textContent;
        await until(() => names.every((name) => text().includes(name)), 40);
        seen.sections += 1;
        if (!text().trim()) { seen.errors.push("the page went blank at " + category + " / " + subcategory); }
        for (const name of names) { if (text().includes(name)) { seen.listed[name] = category + " / " + subcategory; } }
      }
    }
    for (const path of Object.keys(results)) {
      if (!String(results[path].mime_type).startsWith("image/")) { continue; }
      app.setView({content: "img", contentPath: results[path].data_uri, resultPath: path});
      const shown = () => Array.from(document.querySelectorAll("img")).find((i) => i.src === results[path].data_uri);
      await until(() => shown() && shown().complete && shown().naturalWidth > 0, 100);
      seen.drawn[results[path].name] = shown() ? shown().naturalWidth : 0;
    }
  }
  function finish() {
    const out = document.createElement("pre");
    out.id = "sphere-report-check";
    out.textContent = JSON.stringify(seen);
    document.body.appendChild(out);
  }
  window.addEventListener("load", () => setTimeout(() => probe().catch((e) => seen.errors.push(String(e))).then(finish), 200));
})();
</script>
"""


def find_browser() -> str | None:
    """A Chromium binary: $CHROMIUM, else the first of BROWSERS on PATH."""
    if os.environ.get("CHROMIUM"):
        return shutil.which(os.environ["CHROMIUM"]) or None
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def render(report: Path, browser: str, budget_ms: int = 600000) -> dict:
    """What the probe saw in `report`: {"listed": {name: section}, "drawn": {name: width}, "errors": [...]}."""
    html = report.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="sphere-report-check-") as tmp:
        page = Path(tmp) / "report.html"
        head, tag, tail = html.rpartition("</body>")  # the last one: the libraries' code holds the string too
        page.write_text(head + PROBE + tag + tail if tag else html + PROBE, encoding="utf-8")
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   f"--user-data-dir={tmp}/profile", f"--virtual-time-budget={budget_ms}", "--dump-dom",
                   page.as_uri()]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    found = re.search(r'<pre id="sphere-report-check">(.*?)</pre>', done.stdout, re.S)
    if not found:
        raise RuntimeError(f"{browser} rendered no result (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    text = found.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return json.loads(text)


def check(report: Path, figures: list[str], browser: str) -> list[str]:
    """The problems found: a figure not listed in any section, or listed but not drawn."""
    seen = render(report, browser)
    problems = [f"{name}: not listed in any section of the report" for name in figures if name not in seen["listed"]]
    problems += [f"{name}: listed but its image did not render" for name in figures
                 if name.endswith(".png") and name in seen["listed"] and not seen["drawn"].get(name)]
    return problems + [f"page script error: {e}" for e in seen["errors"]]


# What the results page must show per run table: tables/<name>.csv -> the section id of sphere.report.view
RESULTS_SECTIONS = {"accuracy_vs_m": "table3", "loss_comparison": "table4", "accuracy_vs_depth": "fig6",
                    "megaface": "table5", "claims": "claims"}


def check_results_page(page: Path, tables: Path, browser: str) -> list[str]:
    """The problems of the results page as Chromium renders it: a missing section, a section whose table has
    no paper column beside ours, a claim row without a verdict."""
    done = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                           "--dump-dom", page.resolve().as_uri()], capture_output=True, text=True, timeout=300)
    dom = done.stdout
    problems = []
    for name, section in RESULTS_SECTIONS.items():
        if not (tables / f"{name}.csv").exists():
            continue
        found = re.search(rf'<h2 id="{section}">.*?</table>', dom, re.S)
        if not found:
            problems.append(f"{page.name}: no section {section} for tables/{name}.csv")
            continue
        body = found.group(0)
        if section == "claims":
            rows = re.findall(r"<tr( class=\"[^\"]*\")?><td", body)
            verdicts = re.findall(r"<td>(reproduced|not reproduced|inconclusive)</td></tr>", body)
            if not rows or len(verdicts) != len(rows):
                problems.append(f"{page.name}: {len(rows)} claims but {len(verdicts)} verdicts")
        elif "paper: " not in body or "ours: " not in body:
            problems.append(f"{page.name}: section {section} does not put the paper's numbers beside ours")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="the HTML file of `snakemake --report`")
    parser.add_argument("--figures", type=Path, help="folder whose PNG files must appear (default: figures/ "
                                                     "beside the report)")
    parser.add_argument("--results", type=Path, help="the results page to check (default: html/view/results.html "
                                                     "beside the report, where it exists)")
    args = parser.parse_args(argv)
    browser = find_browser()
    if browser is None:
        print("check-report: no Chromium found (tried $CHROMIUM, " + ", ".join(BROWSERS) + "); "
              "e.g. `apt-get install -y chromium`", file=sys.stderr)
        return 2
    folder = args.figures or args.report.parent / "figures"
    figures = sorted(p.name for p in folder.glob("*.png"))
    if not figures:
        print(f"check-report: no figures in {folder}", file=sys.stderr)
        return 2
    results = args.results or args.report.parent / "html" / "view" / "results.html"
    try:
        problems = check(args.report, figures + ([results.name] if results.exists() else []), browser)
        if results.exists():
            problems += check_results_page(results, args.report.parent / "tables", browser)
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        print(f"check-report: {error}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"check-report: {problem}", file=sys.stderr)
    if not problems:
        print(f"check-report: {args.report}: all {len(figures)} figures listed and drawn ({', '.join(figures)})"
              + (f"; {results.name} listed, every paper table beside ours and every claim with a verdict"
                 if results.exists() else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
