"""Promises over time and link rot, end to end: two `audit run`s four weeks apart (`--as-of`).

Against the fake GitHub and the fake Software Heritage/Zenodo
(tests/localhosts/fakearchives.py): a promise kept before the first run, one
kept between the runs, one never kept (censored); an ML repository with all
five checklist items, one partial, and an archived, a stale and an unarchived
repository. Assertions on the stored results, the `promises` and `link_rot`
views and the Markdown sections.
"""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import pytest

from auditor.promises import kaplan_meier, median_days
from auditor.store import Store
from localhosts.fakearchives import serve
from inprocess import audit
from test_run_e2e import TOKEN, query

CODE = {"train.py": "import torch\n", "eval.py": "x\n", "requirements.txt": "torch\n"}
FULL_README = ("# Model\n\nPyTorch code.\n\n## Training\n\n`python train.py`\n\n## Evaluation\n\n`python eval.py`\n\n"
               "## Pretrained models\n\nhttps://huggingface.co/lab/model-weights\n\n"
               "| model | acc |\n|---|---:|\n| ours | 91.2 |\n")
PLACEHOLDER = "# Coming soon\n\nCode will be released. PyTorch.\n"


def write_dump(path: Path) -> None:
    rows = [
        ("Early Kept Paper", "2026-01-10", "Code will be released at https://github.com/lab/early."),
        ("Late Kept Paper", "2026-01-20", "We will release code at https://github.com/lab/late."),
        ("Never Kept Paper", "2026-02-01", "Code will be made available at https://github.com/lab/never."),
        ("Stale Archive Paper", "2025-06-01", "Our code is available at https://github.com/lab/stale."),
    ]
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["title", "published_on", "abstract"])
        for title, day, abstract in rows:
            w.writerow([title, day, f"We study deep learning models for a task. {abstract}"])


def run(fake, archives_url: str, out: Path, dump: Path, as_of: str) -> subprocess.CompletedProcess[str]:
    env = {**fake.env(TOKEN), "AUDITOR_SWH_URL": archives_url, "AUDITOR_ZENODO_URL": archives_url,
           "AUDITOR_DOI_URL": archives_url}
    return audit("run", "--out", str(out), "--as-of", as_of, "--hosts", "github,archives", "--allow-private-hosts",
                 "--max-age", "0", "--archive-max-age", "0", "--quiet", str(dump), env=env)


@pytest.mark.network
def test_two_runs_weeks_apart(fake_github, tmp_path: Path) -> None:
    world = fake_github.world
    world.add_repo({"repo": "lab/early", "readme": FULL_README, "files": CODE, "languages": {"Python": 9000},
                    "license": "MIT", "commits": {"count": 9, "first": "2026-01-01T00:00:00Z", "last": "2026-01-25T00:00:00Z"}})
    world.add_repo({"repo": "lab/late", "readme": PLACEHOLDER, "languages": {}, "license": "MIT",
                    "commits": {"count": 1, "first": "2026-01-15T00:00:00Z", "last": "2026-01-15T00:00:00Z"}})
    # Its CITATION.cff names a figshare DOI that was never registered (read in the GraphQL batch, resolved by the archive pass).
    world.add_repo({"repo": "lab/never", "readme": PLACEHOLDER, "languages": {}, "license": "MIT",
                    "files": {"CITATION.cff": "cff-version: 1.2.0\ntitle: Never\ndoi: 10.6084/m9.figshare.999\n"},
                    "commits": {"count": 1, "first": "2026-01-30T00:00:00Z", "last": "2026-01-30T00:00:00Z"}})
    world.add_repo({"repo": "lab/stale", "readme": "# Stale\n\nPyTorch.\n\n`pip install -r requirements.txt`\n",
                    "files": {"train.py": "x\n", "requirements.txt": "torch\n"}, "languages": {"Python": 5000},
                    "license": "MIT", "commits": {"count": 30, "first": "2025-05-01T00:00:00Z", "last": "2026-02-10T00:00:00Z"}})
    server, archives = serve()
    archives.archive("https://github.com/lab/early", "2026-02-20T08:00:00+00:00")
    archives.archive("https://github.com/lab/stale", "2025-07-01T08:00:00+00:00")
    dump, out = tmp_path / "papers.csv", tmp_path / "out"
    write_dump(dump)
    with server:
        first = run(fake_github, server.base, out, dump, "2026-03-01")
        assert first.returncode == 0, first.stderr
        # Between the runs lab/late delivers its code (a commit on 2026-03-10).
        world.add_repo({"repo": "lab/late", "readme": FULL_README, "files": CODE, "languages": {"Python": 7000},
                        "license": "MIT", "commits": {"count": 4, "first": "2026-01-15T00:00:00Z", "last": "2026-03-10T00:00:00Z"}})
        second = run(fake_github, server.base, out, dump, "2026-03-29")
        assert second.returncode == 0, second.stderr
        # Opt-in: Save Code Now for the run's unarchived repositories, each answer recorded; asked once only.
        env = {**fake_github.env(TOKEN), "AUDITOR_SWH_URL": server.base}
        cmd = ("archive-request", "--db", str(out / "audit.duckdb"), "--allow-private-hosts")
        asked = audit(*cmd, env=env)
        assert asked.returncode == 0, asked.stderr
        assert "2 Save Code Now request(s) filed" in asked.stdout
        assert sorted(r["origin_url"] for r in archives.saves) == ["https://github.com/lab/late", "https://github.com/lab/never"]
        again = audit(*cmd, env=env)
        assert "0 Save Code Now request(s) filed" in again.stdout and len(archives.saves) == 2
    db = out / "audit.duckdb"

    promises = {r[0]: r[1:] for r in query(db, "SELECT title, kept, delivered_on::VARCHAR, censored_on::VARCHAR, days FROM promises")}
    assert promises["Early Kept Paper"] == (True, "2026-01-25", None, 15)
    assert promises["Late Kept Paper"] == (True, "2026-03-10", None, 49)  # after the run that saw it missing
    assert promises["Never Kept Paper"] == (False, None, "2026-03-29", 56)  # censored at the latest as-of
    assert "Stale Archive Paper" not in promises  # claimed available, not promised
    saved = query(db, "SELECT target_key, status, json_extract_string(data, '$.request_status') FROM facts "
                      "WHERE target_key LIKE 'swh-save:%' ORDER BY 1")
    assert saved == [("swh-save:github:lab/late", "ok", "accepted"), ("swh-save:github:lab/never", "ok", "accepted")]

    results = {(t, c): (s, r) for t, c, s, r in query(db, """
        SELECT p.title, r.check_name, r.status, r.reason FROM results r JOIN papers p USING (paper_id)
        JOIN runs ru USING (run_id) WHERE ru.as_of = DATE '2026-03-29' AND r.link_ordinal >= 0""")}
    assert results[("Early Kept Paper", "ml_completeness")][0] == "pass"
    assert results[("Stale Archive Paper", "ml_completeness")][0] == "fail"  # dependencies and training only: 2/5
    assert results[("Early Kept Paper", "archived")][0] == "pass"
    assert results[("Stale Archive Paper", "archived")][0] == "warn"
    assert "2025-07-01" in results[("Stale Archive Paper", "archived")][1] and "2026-02-10" in results[("Stale Archive Paper", "archived")][1]
    assert results[("Never Kept Paper", "archived")][0] == "fail"
    assert "Save Code Now" in results[("Never Kept Paper", "archived")][1]
    assert "DOI 10.6084/m9.figshare.999, named in CITATION.cff" in results[("Never Kept Paper", "archived")][1]

    rot = query(db, "SELECT run_date::VARCHAR, links, emptied, archived FROM link_rot ORDER BY run_date")
    assert rot == [("2026-03-01", 4, 0.5, 0.5), ("2026-03-29", 4, 0.25, 0.5)]

    md = (out / "scorecard.md").read_text()
    assert "### Promises" in md and "### Link rot" in md
    assert "**3** promised" in md and "**2** kept, **1** still open" in md
    curve = kaplan_meier([(15, True), (49, True), (56, False)])
    assert median_days(curve) == 49
    assert "Median time to delivery (Kaplan-Meier): **49 days**" in md
    assert "| 2026-03-29 | 4 | 0% | 0% | 25% | 50% |" in md
    # The README's Kaplan-Meier SQL gives the same curve as the report.
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    sql = readme.split("-- Kaplan-Meier survival of promises", 1)[1].split("```", 1)[0].strip().rstrip(";")
    with Store.open(db) as store:
        rows = store.query(sql).to_dict("records")
    assert [(int(r["days"]), int(r["at_risk"]), int(r["delivered"]), round(float(r["still_open"]), 4)) for r in rows] == \
        [(s.days, s.at_risk, s.delivered, round(s.still_open, 4)) for s in curve]
