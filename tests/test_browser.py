"""In a real browser: the course website works offline, and `make lab` runs notebook 00.

Chromium is Debian's (`apt-get install chromium`, as .ci/run does), driven by Playwright;
no browser build is ever downloaded. Every request that leaves 127.0.0.1 is blocked and
counted as a failure. The site is served from site/ (`make site`; rebuilt here into a
temporary folder when site/ is missing or older than its sources and Sphinx is installed).
Screenshots of the home page and of notebook 00 after Run All are written to site/.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from course_utils import glossary, headline

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "site"
CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium") or "")
                 if p and Path(p).exists()), None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
LOCAL_SCHEMES = {"file", "data", "blob", "about"}

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed: pip install -e '.[dev]'")
pytestmark = [pytest.mark.browser, pytest.mark.skipif(
    CHROMIUM is None,
    reason="browser tests skipped: no Chromium found at /usr/bin/chromium "
           "(install Debian's: sudo apt-get install chromium)")]


def _notebooks() -> list[Path]:
    return glossary.notebook_paths()


def _site_is_current(site: Path) -> bool:
    index = site / "index.html"
    if not index.exists():
        return False
    sources = [*_notebooks(), headline.RESULTS, headline.ANCHORS, ROOT / "README.md",
               glossary.DATA, ROOT / "docs" / "conf.py", ROOT / "TEACHING.md",
               ROOT / "CONTRIBUTING.md", headline.FIGURE]
    built = index.stat().st_mtime
    return all(p.stat().st_mtime <= built for p in sources) and all(
        (site / "notebooks" / f"{p.stem}.html").exists() for p in _notebooks())


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory) -> Path:
    if _site_is_current(SITE):
        return SITE
    try:
        import myst_nb  # noqa: F401
    except ImportError:
        pytest.skip("site/ is missing or stale and Sphinx is not installed: run make site")
    from course_utils import site

    out = tmp_path_factory.mktemp("site")
    assert site.main(["--out", str(out)]) == 0, "the site did not build"
    return out


@pytest.fixture(scope="module")
def server(site_dir):
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output readable
        pass


class Browser:
    """One Chromium with a fresh profile; records blocked requests and console errors."""

    def __init__(self, playwright, profile: Path):
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1280, "height": 900})
        self.context.route("**/*", self._route)

    def _route(self, route):
        url = urlsplit(route.request.url)
        if url.scheme in LOCAL_SCHEMES or url.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def page(self):
        page = self.context.new_page()
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(
            f"{page.url}: {msg.text}"))
        page.on("pageerror", lambda err: self.errors.append(f"{page.url}: {err}"))
        return page


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with sync_api.sync_playwright() as playwright:
        chromium = Browser(playwright, tmp_path_factory.mktemp("chromium-profile"))
        yield chromium
        chromium.context.close()


def _wait_for_math(page) -> int:
    """Let MathJax finish typesetting; return the number of rendered formulas."""
    try:
        page.wait_for_function(
            "() => !window.MathJax || (MathJax.startup && MathJax.startup.promise)",
            timeout=20_000)
    except sync_api.TimeoutError:
        return 0  # MathJax never loaded (e.g. a blocked CDN): the caller reports it
    page.evaluate("() => window.MathJax ? MathJax.startup.promise.then(() => true) : true")
    return page.locator("mjx-container").count()


def _broken_links(page, site_dir: Path) -> list[str]:
    """Internal links whose target file, or same-page anchor, does not exist."""
    links = page.eval_on_selector_all(
        "a[href]", "els => els.map(a => [a.getAttribute('href'), a.href])")
    ids = set(page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
    here = urlsplit(page.url)
    broken = []
    for raw, absolute in links:
        url = urlsplit(absolute)
        if url.hostname not in LOCAL_HOSTS:
            continue
        target = site_dir / unquote(url.path).lstrip("/")
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            broken.append(raw)
        elif url.path == here.path and url.fragment and unquote(url.fragment) not in ids:
            broken.append(raw)
    return broken


def _markdown_has_math(path: Path) -> bool:
    nb = json.loads(path.read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    return re.search(r"\$[^$\n]+\$", text) is not None


def _image_outputs(path: Path) -> int:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return sum("image/png" in o.get("data", {}) for c in nb["cells"] if c["cell_type"] == "code"
               for o in c.get("outputs", []))


def test_every_page_works_offline_with_figures_math_and_links(browser, server, site_dir):
    pages = ["index.html", "GLOSSARY.html", "TEACHING.html", "CONTRIBUTING.html",
             "results/RESULTS.html"] + [f"notebooks/{p.stem}.html" for p in _notebooks()]
    problems = []
    for name in pages:
        page = browser.page()
        response = page.goto(f"{server}/{name}", wait_until="load")
        assert response is not None and response.status == 200, name
        math = _wait_for_math(page)
        problems += [f"{name}: broken link {href}" for href in _broken_links(page, site_dir)]
        if name.startswith("notebooks/"):
            path = ROOT / "notebooks" / f"{Path(name).stem}.ipynb"
            figures = page.eval_on_selector_all(
                ".cell_output img", "els => els.filter(i => i.complete && i.naturalWidth > 0)"
                ".length")
            if figures != _image_outputs(path):
                problems.append(f"{name}: {figures} figures rendered, the notebook has "
                                f"{_image_outputs(path)}")
            if _markdown_has_math(path) and math == 0:
                problems.append(f"{name}: the notebook has math but none was rendered")
            if page.locator("a[href$='.ipynb']").count() == 0:
                problems.append(f"{name}: no link to its notebook source")
            if "NBVAL_" in "\n".join(page.locator(".cell_input").all_inner_texts()):
                problems.append(f"{name}: shows the NBVAL_CHECK_OUTPUT tool marker")
        if name == "index.html":
            page.screenshot(path=str(SITE / "screenshot-home.png") if SITE.exists()
                            else str(site_dir / "screenshot-home.png"), full_page=True)
        page.close()
    problems += [f"request outside 127.0.0.1 (blocked): {url}" for url in browser.blocked]
    problems += [f"console error: {error}" for error in browser.errors]
    assert problems == [], "\n".join(problems)


def test_home_page_shows_the_results_of_results_json(browser, server):
    data, tasks = headline.load()
    page = browser.page()
    page.goto(f"{server}/index.html", wait_until="load")
    rows = page.eval_on_selector_all(
        "table tr", "trs => trs.map(tr => Array.from(tr.cells).map(c => c.innerText.trim()))")
    page.close()
    by_first = {row[0]: row for row in rows if row}
    for r in headline.headline_rows(data, tasks):
        row = by_first.get(r["task"])
        assert row, f"the home page has no results row for {r['task']}"
        text = " | ".join(row)
        assert headline.pct(r["ours"]) in text and headline.pct(r["source"]) in text, text
        assert f"{r['seconds'] / 60:.1f} min" in text, text
    course_map = {row[1]: row for row in rows if len(row) == 4}
    for stem, entry in data["notebooks"].items():
        if (ROOT / "notebooks" / f"{stem}.ipynb").exists():
            assert course_map[stem][3] == f"{entry['wall_seconds'] / 60:.1f} min", stem
    for path in _notebooks():
        assert path.stem in course_map, f"{path.stem} is missing from the course map"
    assert browser.blocked == [] and browser.errors == []


def _code_cells(path: Path) -> int:
    return sum(c["cell_type"] == "code" for c in json.loads(path.read_text())["cells"])


def _data_dir() -> str | None:
    for candidate in (os.environ.get("COURSE_DATA_DIR"), ROOT.parent / "shared" / "datasets",
                      "/work/shared/datasets"):
        if candidate and Path(candidate).is_dir():
            return str(Path(candidate).resolve())
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_runs_notebook_00_in_the_smoke_profile(browser, tmp_path):
    data_dir = _data_dir()
    if data_dir is None:
        pytest.skip("no dataset folder: set COURSE_DATA_DIR (make data DATA_DIR=...)")
    port, token = _free_port(), "course-browser-test"
    # Fresh JupyterLab settings: render every cell (no windowing), so the page shows them all.
    settings = tmp_path / "lab-settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    news = tmp_path / "lab-settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    # Never write the smoke outputs over the committed notebook.
    docmanager = tmp_path / "lab-settings" / "@jupyterlab" / "docmanager-extension"
    docmanager.mkdir(parents=True)
    (docmanager / "plugin.jupyterlab-settings").write_text('{"autosave": false}')
    notebook = ROOT / "notebooks" / "00_start_here.ipynb"
    committed = notebook.read_bytes()
    env = {**os.environ, "COURSE_PROFILE": "smoke", "COURSE_DATA_DIR": data_dir,
           "COURSE_CACHE_DIR": os.environ.get("COURSE_CACHE_DIR", str(tmp_path / "cache")),
           "PYTHONPATH": str(ROOT), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "lab-settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "lab-workspaces")}
    command = ["make", "lab", f"PORT={port}",
               f"ARGS=--no-browser --IdentityProvider.token={token} "
               "--LabApp.expose_app_in_browser=True"]
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        # Running from another environment (a shared venv): let make use it as is.
        command += [f"VENV={sys.prefix}", "STAMP="]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    page = browser.page()
    try:
        url = f"http://127.0.0.1:{port}/lab/tree/00_start_here.ipynb?token={token}"
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, "make lab exited:\n" + proc.stdout.read()[-3000:]
            try:
                page.goto(url, wait_until="domcontentloaded", timeout=10_000)
                break
            except sync_api.Error:
                assert time.monotonic() < deadline, "JupyterLab did not come up in 90 s"
                time.sleep(1)
        page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=60_000)
        # Run All only once the notebook's kernel is connected and idle.
        page.wait_for_function(
            """() => {
                const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                const kernel = widget && widget.sessionContext
                  && widget.sessionContext.session && widget.sessionContext.session.kernel;
                return !!kernel && kernel.connectionStatus === "connected"
                  && kernel.status === "idle";
            }""", timeout=90_000)
        page.locator(".jp-Notebook").first.click()
        page.locator("li.lm-MenuBar-item", has_text="Run").first.click()
        page.locator("li.lm-Menu-item", has_text="Run All Cells").first.click()
        # Finished: every code cell has an execution count and the kernel is idle again.
        finished = (
            """() => {
                // A cell whose input is collapsed shows an empty prompt; the others show
                // [n] once run, [*] while queued or running.
                const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                  .map(p => p.innerText.trim());
                // Run All stops at an error: then the error is the result to report.
                const last = prompts[prompts.length - 1] || "";
                // (JupyterLab renders a traceback with the stderr mime type.)
                const failed = document.querySelector(
                  ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], "
                  + ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']");
                return prompts.length > 0 && !prompts.some(p => p.includes("*"))
                  && (failed !== null || (/^\\[\\d+\\]/.test(last)
                      && prompts.every(p => p === "" || /^\\[\\d+\\]/.test(p))))
                  && document.querySelector(
                       ".jp-Notebook-ExecutionIndicator[data-status='idle']") !== null;
            }""")
        try:
            page.wait_for_function(finished, timeout=150_000)
        except sync_api.TimeoutError:
            page.screenshot(path=str(tmp_path / "lab-timeout.png"))
            prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
            pytest.fail(f"Run All did not finish in 150 s; prompts {prompts}; "
                        f"screenshot {tmp_path / 'lab-timeout.png'}")
        prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
        errors = page.locator(".jp-OutputArea-output[data-mime-type="
                              "'application/vnd.jupyter.error']").all_inner_texts()
        stderr = page.locator(".jp-OutputArea-output[data-mime-type="
                              "'application/vnd.jupyter.stderr']").all_inner_texts()
        outputs = "\n".join(page.locator(".jp-OutputArea-output").all_inner_texts())
        data_check = page.locator(".jp-OutputArea-output", has_text="speech_commands")
        (data_check.first if data_check.count() else page.locator(".jp-Cell").last) \
            .scroll_into_view_if_needed()
        shot = (SITE if SITE.exists() else tmp_path) / "screenshot-lab-00.png"
        page.screenshot(path=str(shot), full_page=False)
    finally:
        page.close()
        os.killpg(proc.pid, signal.SIGTERM)
        changed = notebook.read_bytes() != committed
        if changed:
            notebook.write_bytes(committed)
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert not changed, "JupyterLab saved over notebooks/00_start_here.ipynb (restored)"
    assert errors == [], "error outputs:\n" + "\n".join(errors)
    assert stderr == [], "stderr outputs:\n" + "\n".join(stderr)
    assert len(prompts) == _code_cells(ROOT / "notebooks" / "00_start_here.ipynb")
    assert "profile: smoke" in outputs
    for name in ("mnist", "cifar10", "imdb", "speech_commands"):
        assert re.search(rf"^{name}\s+found\b", outputs, re.M), f"{name} not found:\n{outputs}"
    assert browser.blocked == [], f"requests outside 127.0.0.1: {browser.blocked}"
