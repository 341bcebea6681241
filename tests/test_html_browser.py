"""The HTML scorecard in a real browser (Debian's Chromium through Playwright).

The page comes from a real `audit run` of the bundled dumps against the fake
GitHub on 127.0.0.1; what the page should show is worked out from the run's
scorecard.csv and links.csv, not from the page's own script. Skips only where
no browser can be had (see tests/browser/chromium.py).
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest

from inprocess import audit
from browser.chromium import browser_context, unavailable_reason

REASON = unavailable_reason()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"no browser: {REASON}")

AS_OF = "2026-11-20"


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def status_of(row: dict[str, str]) -> str:
    """The paper's word, from scorecard.csv alone."""
    if int(row["n_fail"]):
        return "fail"
    if int(row["n_warn"]):
        return "warn"
    if not row["applicable"] or int(float(row["applicable"])) == 0:
        return "n/a"
    return "pass" if row["score"] else "unknown"


@pytest.fixture(scope="module")
def scorecard(fake_github_server, tmp_path_factory):
    """(html path, scorecard rows by paper id, links.csv rows) of one real run."""
    if fake_github_server.schema is None:
        pytest.skip(f"GitHub's GraphQL schema is absent ({fake_github_server.schema_error})")
    fake_github_server.reset()
    out = tmp_path_factory.mktemp("browser") / "out"
    dumps = sorted((Path(__file__).parent.parent / "examples" / "dumps").glob("*.txt"))
    # code_linked judges every paper (a paper with no link fails it, or is unknown when a source
    # could not search): without it, link-less papers stay the "nothing to judge" ones shown folded.
    config = out.parent / "audit.toml"
    config.write_text('disabled = ["code_linked"]\n')
    result = audit("run", "--out", str(out), "--as-of", AS_OF, "--hosts", "github", "--config", str(config),
                   "--quiet", *map(str, dumps), env=fake_github_server.env("test-token"))
    fake_github_server.reset()
    assert result.returncode == 0, result.stderr
    papers = {r["paper_id"]: r for r in read_csv(out / "scorecard.csv")}
    return out / "scorecard.html", papers, read_csv(out / "links.csv")


@pytest.fixture(scope="module")
def browser(scorecard):
    """Started after the scorecard is written: that run (in this process) needs an event loop of
    its own, which Playwright's sync API holds from its start to its end."""
    with browser_context(1400, 900) as context:
        yield context


class Watched:
    """A page with every console error, page error and outgoing request recorded."""

    def __init__(self, context, url: str, width: int = 1400) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = context.new_page()
        self.page.set_viewport_size({"width": width, "height": 900})
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

        def route(r):  # anything but the page itself leaves the page: record it, never send it
            if r.request.url == url:
                r.continue_()
            else:
                self.requests.append(r.request.url)
                r.abort()

        self.page.route("**/*", route)
        self.page.goto(url)
        self.page.wait_for_selector("#paper-rows tr")

    def rows(self) -> list[dict[str, str]]:
        """The paper rows on screen: id (from the data), status and the cells' text."""
        return self.page.eval_on_selector_all(
            "#paper-rows tr[data-row]",
            """trs => trs.map(tr => ({status: tr.dataset.status, title: tr.cells[1].innerText.trim(),
                 reason: tr.cells[2].innerText.trim(), score: tr.cells[3].innerText.trim(),
                 claim: tr.cells[5].innerText.trim(), date: tr.cells[7].innerText.trim()}))""",
        )

    def wait_rows(self, test, limit: float = 5.0) -> None:
        """Wait until the number of rows satisfies ``test`` (the search is debounced).

        Polled from here: the page's CSP forbids the eval that wait_for_function needs.
        """
        deadline = time.monotonic() + limit
        while not test(self.page.locator("#paper-rows tr[data-row]").count()):
            assert time.monotonic() < deadline, "rows never settled"
            time.sleep(0.05)

    def select(self, id_: str, label: str) -> None:
        self.page.select_option(f"#{id_}", label=label)

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def page(browser, scorecard):
    watched = Watched(browser, scorecard[0].as_uri())
    yield watched
    assert watched.errors == [], watched.errors
    assert watched.requests == [], watched.requests
    watched.close()


def titles(papers, wanted) -> list[str]:
    return sorted(" ".join(r["title"].split()) for r in papers.values() if wanted(r))


def test_opens_on_the_problems_worst_first(page, scorecard):
    _, papers, _ = scorecard
    problems = [r for r in papers.values() if status_of(r) in ("fail", "warn")]
    rows = page.rows()
    assert page.page.is_checked("#f-problems")
    assert len(rows) == min(100, len(problems)) and len(problems) > 10
    assert {r["status"] for r in rows} <= {"fail", "warn"}
    # Worst first, as scorecard.csv orders them.
    expected = [" ".join(r["title"].split()) for r in papers.values() if status_of(r) in ("fail", "warn")]
    assert [r["title"] for r in rows] == expected[: len(rows)]
    assert "of %d matching" % len(problems) in page.page.inner_text("#count")


def shown_scores(page) -> list[float | None]:
    """The score column, None for a paper judged only by information checks (shown n/a)."""
    return [None if r["score"].startswith("n/a") else float(r["score"].split()[0]) for r in page.rows()]


def test_sorting_by_score_title_and_date(page):
    page.page.click("th[data-sort=score] button")
    shown = shown_scores(page)
    scores = [s for s in shown if s is not None]
    assert shown == scores + [None] * (len(shown) - len(scores))  # unscored last, either way
    assert scores == sorted(scores) and scores[0] < scores[-1]
    assert page.page.get_attribute("th[data-sort=score]", "aria-sort") == "ascending"
    page.page.click("th[data-sort=score] button")
    assert shown_scores(page) == sorted(scores, reverse=True) + [None] * (len(shown) - len(scores))
    assert page.page.get_attribute("th[data-sort=score]", "aria-sort") == "descending"
    page.page.click("th[data-sort=title] button")
    shown = [r["title"].lower() for r in page.rows()]
    assert shown == sorted(shown)
    page.page.focus("th[data-sort=date] button")  # the keyboard sorts too
    page.page.keyboard.press("Enter")
    dates = [r["date"] for r in page.rows() if r["date"]]
    assert dates == sorted(dates) and page.page.get_attribute("th[data-sort=date]", "aria-sort") == "ascending"


def test_status_claim_and_check_filters(page, scorecard):
    _, papers, _ = scorecard
    page.select("f-status", "warn")
    assert sorted(r["title"] for r in page.rows()) == titles(papers, lambda r: status_of(r) == "warn")
    page.select("f-status", "any")
    page.page.uncheck("#f-problems")
    page.select("f-claim", "promised")
    rows = page.rows()
    assert rows and {r["claim"] for r in rows} == {"promised"}
    expected = titles(papers, lambda r: r["claim"] == "promised" and status_of(r) != "n/a")
    assert sorted(r["title"] for r in rows) == expected
    page.select("f-claim", "any")
    page.select("f-check", "license")
    page.select("f-status", "fail")
    assert sorted(r["title"] for r in page.rows()) == titles(papers, lambda r: r["license"] == "fail")


def test_host_source_and_search(page, scorecard):
    _, papers, links = scorecard
    page.page.uncheck("#f-problems")
    page.select("f-host", "huggingface")
    hf = {l["paper_id"] for l in links if l["target_kind"].startswith("huggingface")}
    assert hf and sorted(r["title"] for r in page.rows()) == titles(papers, lambda r: r["paper_id"] in hf)
    page.select("f-host", "any")
    page.select("f-source", "abstract")
    from_abstract = {l["paper_id"] for l in links if not l["via"]}
    assert len(page.rows()) == min(100, len(from_abstract))
    page.select("f-source", "any")
    page.page.fill("#f-q", "ferret")
    page.wait_rows(lambda n: n < 5)
    assert [r["title"] for r in page.rows()] == titles(papers, lambda r: "ferret" in r["title"].lower())
    page.page.fill("#f-q", "starjob42")  # a repository's name is searchable too
    page.wait_rows(lambda n: n == 1)
    page.page.click("button[type=reset]")
    page.wait_rows(lambda n: n > 10)
    assert page.page.is_checked("#f-problems")  # back to the default view


def test_papers_with_nothing_to_judge_fold_into_one_line(page, scorecard):
    _, papers, _ = scorecard
    empty = [r for r in papers.values() if status_of(r) == "n/a"]
    page.page.uncheck("#f-problems")
    fold = page.page.locator("button.fold")
    assert f"{len(empty)} papers with nothing to judge" in fold.inner_text()
    judged = [r for r in page.rows()]
    assert "n/a" not in {r["status"] for r in judged}
    fold.click()
    assert page.page.get_attribute("button.fold", "aria-expanded") == "true"
    page.page.click("#more")
    assert "n/a" in {r["status"] for r in page.rows()}


def test_expanding_a_paper_shows_links_and_reasons(page, scorecard):
    _, papers, links = scorecard
    first = page.page.locator("#paper-rows tr[data-row]").first
    title = first.locator("td.paper").inner_text().strip()
    paper = next(r for r in papers.values() if " ".join(r["title"].split()) == title)
    first.locator("button.toggle").press("Enter")
    assert page.page.get_attribute("#paper-rows button.toggle >> nth=0", "aria-expanded") == "true"
    detail = page.page.locator("tr.detail")
    text = detail.inner_text()
    mine = [l for l in links if l["paper_id"] == paper["paper_id"] and l["status"] != "skip"]
    assert mine
    for l in mine:
        assert l["reason"] in text and l["check"] in text
    assert detail.locator(f'a[href="{mine[0]["url"]}"]').count() >= 1
    assert "found in abstract" in text and paper["sources"].split("; ")[0] in text
    page.page.locator("#paper-rows button.toggle").first.click()
    assert page.page.locator("tr.detail").count() == 0


@pytest.mark.parametrize("width", [1400, 420])
def test_no_horizontal_page_scroll(browser, scorecard, width):
    watched = Watched(browser, scorecard[0].as_uri(), width)
    try:
        watched.page.locator("#paper-rows button.toggle").first.click()
        watched.page.uncheck("#f-problems")
        watched.page.locator("#paper-rows button.toggle").first.click()
        widths = watched.page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], widths
        # The table scrolls in its own box instead, and the reason sits beside the title.
        box = watched.page.evaluate("(() => { const b = document.querySelector('.tablebox');"
                                    " return [b.scrollWidth, b.clientWidth]; })()")
        assert box[1] <= width
        head = watched.page.eval_on_selector_all("#papers thead th", "ths => ths.map(t => t.innerText.trim())")
        assert head[1].startswith("Paper") and head[2].startswith("Top reason")
        assert watched.errors == [] and watched.requests == []
    finally:
        watched.close()
