"""The `audit` command line: a thin shell over auditor.pipeline and friends.

Every expected failure (bad dump, bad config, locked database) ends with one
line on stderr and a documented exit code (auditor.exitcodes), never a
traceback.
"""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Sequence

import click

from auditor import __version__, exitcodes
from auditor.errors import AuditorError, TokenRefused, one_line
from auditor.redaction import redacted_output
from auditor.signals import interrupt_signals, terminated

EPILOG_EXIT = (
    "Exit codes: 0 done; 1 usage or input error, or a database failure; 3 partial results (rate limited, hosts unreachable or "
    "too many targets in error/unknown; re-run later to resume); 4 --fail-under not met; 5 GitHub "
    "refused the token; 6 --fail-under not decided (too few papers scored); 130 interrupted (Ctrl-C); "
    "143 terminated (SIGTERM); re-run to resume."
)


class AuditGroup(click.Group):
    """Maps our errors and click's usage errors to one line and exit code 1."""

    def main(self, *args: Any, **kwargs: Any) -> Any:  # noqa: D102
        kwargs["standalone_mode"] = False
        with redacted_output(), interrupt_signals():
            return self._main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:  # noqa: D102
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a reader that left early is met here, not at interpreter exit
            return result
        except BrokenPipeError:  # `audit ... | head`: the reader has what it wanted, as for any Unix tool
            from auditor.preflight import closed_pipe_exit

            closed_pipe_exit()

    def _main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            from auditor.preflight import usage_line

            click.echo(usage_line(exc), err=True)
            sys.exit(exitcodes.USAGE_OR_INPUT)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exitcodes.USAGE_OR_INPUT)
        except click.Abort:  # click turns a KeyboardInterrupt (Ctrl-C, or our SIGTERM) into Abort
            _interrupted()
        except TokenRefused as exc:
            click.echo(f"audit: error: {exc}", err=True)
            sys.exit(exitcodes.BAD_TOKEN)
        except AuditorError as exc:
            click.echo(f"audit: error: {exc}", err=True)
            sys.exit(exitcodes.USAGE_OR_INPUT)
        except KeyboardInterrupt:
            _interrupted()
        except Exception as exc:
            if not _is_database_error(exc):
                raise
            click.echo(f"audit: error: the database failed: {one_line(exc)}", err=True)
            sys.exit(exitcodes.USAGE_OR_INPUT)


def _is_database_error(exc: BaseException) -> bool:
    """A DuckDB error (out of memory, disk full, a file another process holds): one line, not a traceback.

    Looked up in ``sys.modules`` so that a command that never opened a database
    does not import DuckDB to find out.
    """
    duckdb = sys.modules.get("duckdb")
    return duckdb is not None and isinstance(exc, duckdb.Error)


def migration_notice(path: str, found: int, to: int) -> None:
    """The one line a command prints before it migrates a file an older version wrote (a cached
    --db is rewritten, a large one takes a while): even with -q, the store itself says nothing."""
    print(f"audit: migrating {path} from schema {found} to {to}", file=sys.stderr, flush=True)


def _interrupted() -> None:
    """One line and the exit code of Ctrl-C (130) or SIGTERM (143, what CI sends on cancel)."""
    if terminated():
        click.echo("audit: terminated (SIGTERM); the run is marked interrupted, the database is consistent, "
                   "run the same command again to resume", err=True)
        sys.exit(exitcodes.TERMINATED)
    click.echo("audit: interrupted; the database is consistent, run the same command again to resume", err=True)
    sys.exit(exitcodes.INTERRUPTED)


@click.group(cls=AuditGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="audit")
def cli() -> None:
    """Audit the code links and code-availability claims of research papers.

    \b
    Examples:
      audit run examples/dumps/*.txt              # the whole audit, scorecards in out/
      audit extract examples/dumps/*.txt | head   # links and claims only, no network
      audit report --format md                    # scorecard again, from out/audit.duckdb
      audit checks                                # the checks and their weights
    """


dumps_argument = click.argument(
    "dumps", nargs=-1, required=True, type=click.Path(path_type=Path, allow_dash=True)
)
quiet_option = click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
color_option = click.option(
    "--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
    help="Colour the summary: auto colours a terminal unless NO_COLOR is set.",
)
title_option = click.option("--title-column", help="Title column of a CSV/JSONL/Parquet table.")
abstract_option = click.option("--abstract-column", help="Abstract column of a CSV/JSONL/Parquet table.")


# --------------------------------------------------------------------------- run


@cli.command(epilog=EPILOG_EXIT)
@dumps_argument
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False), help="DuckDB file [default: OUT/audit.duckdb].")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("out"), show_default=True, help="Folder for the scorecards.")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Judge activity and promises as of this date [default: today].")
@click.option("--checks", "check_names", help="Comma-separated checks to run [default: all enabled].")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False, exists=True), help="audit.toml or pyproject.toml with [tool.auditor].")
@click.option("--offline", is_flag=True, help="Collect nothing; network checks report 'unknown'.")
@click.option("--fail-under", type=click.FloatRange(0, 10), help="Exit 4 when the mean paper score is below this (6 when too few papers could be scored to tell).")
@click.option("--max-error-share", type=click.FloatRange(0, 1), help="Exit 3 (partial) when more than this share of targets ends in error or unknown [default: config max_error_share, 0.25].")
@click.option("--min-judged-share", type=click.FloatRange(0, 1), help="--fail-under decides only when at least this share of papers was scored [default: config min_judged_share, 0.5].")
@click.option("--max-wait", type=click.FloatRange(0), default=300, show_default=True, help="Seconds to wait for a rate limit to reset before stopping with partial results.")
@click.option("--max-age", type=click.FloatRange(0), default=24, show_default=True, help="Hours cached facts stay fresh.")
@click.option("--archive-max-age", type=click.FloatRange(0), default=168, show_default=True, help="Hours cached archive facts (Software Heritage, Zenodo) stay fresh.")
@click.option("--refresh", is_flag=True, help="Fetch every target again, ignoring the cache.")
@click.option("--hosts", "host_names", help="Comma-separated hosts to collect from: github, huggingface, anonymous, forges, web, archives [default: all].")
@click.option("--discover", "discover_names", help="Comma-separated sources of links: abstract, comments, hf_paper, github_search [default: abstract,comments,hf_paper].")
@click.option("--page-links", type=click.IntRange(0), default=5, show_default=True, help="At most this many repository links a project page adds to its paper.")
@click.option("--allow-private-hosts", is_flag=True, hidden=True, help="Allow fetching loopback/private addresses (tests only).")
@click.option("--jobs", type=click.IntRange(1), help="Processes for checks and scoring on a large run [default: the number of cores].")
@click.option("--keep-runs", type=click.IntRange(1), help="After the run, forget all but the N latest runs and compact the file.")
@click.option("--shard", "shard", metavar="K/N", help="Collect only the targets of shard K of N, for `audit merge` (no scores).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON (summary.json) instead of text.")
@quiet_option
@color_option
@title_option
@abstract_option
def run(
    dumps: Sequence[Path],
    db: Path | None,
    out_dir: Path,
    as_of: Any,
    check_names: str | None,
    config_path: Path | None,
    offline: bool,
    fail_under: float | None,
    max_wait: float,
    max_age: float,
    archive_max_age: float,
    refresh: bool,
    host_names: str | None,
    discover_names: str | None,
    page_links: int,
    allow_private_hosts: bool,
    jobs: int | None,
    keep_runs: int | None,
    shard: str | None,
    as_json: bool,
    max_error_share: float | None,
    min_judged_share: float | None,
    quiet: bool,
    color: str,
    title_column: str | None,
    abstract_column: str | None,
) -> None:
    """Audit every paper of DUMPS: links, claims, repository facts, checks, scores.

    Writes OUT/audit.duckdb, OUT/scorecard.csv, OUT/links.csv, OUT/scorecard.md,
    OUT/scorecard.html and OUT/summary.json. A token in GITHUB_TOKEN or
    GH_TOKEN makes GitHub collection fast (batched GraphQL); without one,
    GitHub allows 60 requests an hour. GITHUB_API_URL points at GitHub
    Enterprise Server or a test server.

    \b
    DUMPS are files, folders (the dumps inside them), - (standard input) or
    the Hugging Face Daily Papers of a day, week or month (hf-daily:2026-11-30,
    hf-daily:2026-W48, hf-daily:2026-11).
    Without GITHUB_TOKEN or GH_TOKEN the token of the GitHub CLI (gh auth
    token) is used when gh is installed.

    \b
    Example:
      GITHUB_TOKEN=... audit run examples/dumps/*.txt --fail-under 5
      audit run dumps/ --json | jq .score
    """
    import os

    from auditor.config import load_config
    from auditor.gh_token import token_from_gh
    from auditor.inputs import expanded
    from auditor.pipeline import RunOptions, run_audit
    from auditor.progress import for_stream
    from auditor.shards import parse_shard

    config = load_config(config_path)
    if fail_under is None:
        fail_under = getattr(config, "fail_under", None)
    env = dict(os.environ)
    token_source = "GITHUB_TOKEN" if env.get("GITHUB_TOKEN") else "GH_TOKEN" if env.get("GH_TOKEN") else None
    if token_source is None and not offline and (gh := token_from_gh(env)):
        env["GITHUB_TOKEN"], token_source = gh, "gh auth token"
    stack = expanded(dumps)
    files = stack.__enter__()
    options = RunOptions(
        dumps=files,
        db=db or out_dir / "audit.duckdb",
        out=out_dir,
        as_of=as_of.date() if as_of else (config.as_of or date.today()),
        config=config,
        checks=[c.strip() for c in check_names.split(",") if c.strip()] if check_names else None,
        offline=offline,
        max_wait=max_wait,
        max_age=timedelta(hours=max_age),
        archive_max_age=timedelta(hours=archive_max_age),
        refresh=refresh,
        allow_private_hosts=allow_private_hosts,
        hosts=_host_names(host_names),
        discover=_discover_names(discover_names),
        page_links=page_links,
        title_column=title_column,
        abstract_column=abstract_column,
        jobs=jobs,
        keep_runs=keep_runs,
        max_error_share=config.max_error_share if max_error_share is None else max_error_share,
        shard=parse_shard(shard) if shard else None,
    )
    progress = for_stream(sys.stderr, quiet=quiet)
    try:
        summary = run_audit(options, progress=progress, env=env, on_migrate=migration_notice)
    finally:
        progress.close()
        stack.__exit__(None, None, None)
    for warning in summary.warnings:  # e.g. a refused token left out of GITHUB_TOKENS (shown even with -q)
        click.echo(f"audit: warning: {warning}", err=True)
    report = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
    if as_json:
        click.echo(json.dumps({**report, "token": token_source}, indent=2, ensure_ascii=False))
    else:
        _print_summary(summary, report, offline=offline, color=color, token_source=token_source)
    if fail_under is not None:
        from auditor.run_health import fail_under_verdict

        verdict, message = fail_under_verdict(
            report.get("score"), int(report.get("papers_scored") or 0), int(report.get("papers_to_judge") or 0), fail_under,
            config.min_judged_share if min_judged_share is None else min_judged_share,
        )
        if verdict != "pass":
            click.echo(f"audit: {message}", err=True)
        if verdict == "undecided" and summary.status != "partial":
            sys.exit(exitcodes.UNDECIDED)
        if verdict == "fail" and summary.status != "partial":
            sys.exit(exitcodes.FAIL_UNDER)
    if summary.status == "partial":
        sys.exit(exitcodes.PARTIAL)


def _host_names(value: str | None) -> list[str] | None:
    from auditor.hosts.registry import HOST_NAMES

    if not value:
        return None
    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in HOST_NAMES]
    if unknown:
        from auditor.preflight import unknown_names

        raise click.BadParameter(unknown_names("host", unknown, HOST_NAMES), param_hint="--hosts")
    return names


def _discover_names(value: str | None) -> list[str]:
    from auditor.discover import DEFAULT_SOURCES, SOURCES

    if value is None:
        return list(DEFAULT_SOURCES)
    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in SOURCES]
    if unknown:
        raise click.BadParameter(f"unknown source(s) {', '.join(unknown)}; choose from {', '.join(SOURCES)}", param_hint="--discover")
    return list(dict.fromkeys(["abstract", *names]))  # the abstract is always read


def _print_summary(summary: Any, report: dict[str, Any], offline: bool = False, color: str = "auto",
                   token_source: str | None = None) -> None:
    from auditor.terminal import console, status_word, styled

    con = console(sys.stdout, color)

    def echo(*parts: Any) -> None:
        con.print(styled(*parts))

    # The run's own view of its targets (offline facts are judged but never stored).
    statuses: list[Any] = []
    for s, n in sorted(summary.targets_by_status.items()):
        statuses += [", " if statuses else "", f"{n} ", status_word(s)]
    score = report.get("score")
    echo(f"run {summary.run_id}: ", status_word(summary.status))
    echo(f"papers {summary.papers} (from {summary.records} records), links {summary.links}")
    echo("targets: ", *(statuses or ["none"]), f" ({summary.from_cache} from cache, {'none collected: --offline' if offline else f'{summary.fetched} to collect'})")
    if not offline:
        echo("token: ", (f"from `{token_source}`" if token_source == "gh auth token" else token_source, "green")
             if token_source else ("none (GitHub allows 60 requests an hour; set GITHUB_TOKEN or log in with gh)", "yellow"))
    scored = f"{report.get('papers_scored', 0)} of {report.get('papers_to_judge', 0)} papers scored"
    echo("mean paper score: ", ("n/a" if score is None else str(score), "bold"),
         f" ({scored}); papers with a failing check: {report.get('failing', 0)}")
    for line in report.get("worst", [])[:5]:
        word, _, rest = line.partition(" ")
        echo("  - ", status_word(word), " ", rest)
    discovery = getattr(summary, "discovery", None)
    if discovery is not None and (discovery.links or discovery.reasons):
        found = sum(discovery.links.values())
        by = ", ".join(f"{n} {s}" for s, n in sorted(discovery.links.items()))
        echo(f"discovered: {found} links beyond the abstracts{f' ({by})' if by else ''}")
        for source, n in sorted(discovery.not_reached.items()):
            echo(f"discovery: {source} could not reach {n} papers ({discovery.reasons.get(source, 'unknown')})")
        for source, why in sorted(discovery.reasons.items()):
            if source not in discovery.not_reached:
                echo(f"discovery: {source} {why}")
    if summary.skipped_records:
        echo(f"skipped {len(summary.skipped_records)} unreadable record(s); first: {summary.skipped_records[0]}")
    if summary.cut_abstracts:
        echo(f"cut {len(summary.cut_abstracts)} long abstract(s); first: {summary.cut_abstracts[0]}")
    if summary.offline_reasons:
        unknown = summary.targets_by_status.get("unknown", 0)
        reasons = "; ".join(dict.fromkeys(r.removeprefix("offline: ") for r in summary.offline_reasons))
        echo(f"offline: {reasons}: {unknown} targets left 'unknown', re-run with network to judge them")
    for reason in summary.partial_reasons:
        echo(f"partial: {reason}")
    if report.get("md_path"):
        echo(f"scorecards: {report.get('csv_path')}, {report.get('md_path')}, {report.get('html_path')}")


# --------------------------------------------------------------------------- extract


@cli.command()
@dumps_argument
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False), help="Also store papers, links and claims in this DuckDB file.")
@click.option("--jobs", type=click.IntRange(1), help="Processes that extract [default: the number of cores].")
@quiet_option
@title_option
@abstract_option
def extract(dumps: Sequence[Path], fmt: str, db: Path | None, jobs: int | None, quiet: bool, title_column: str | None, abstract_column: str | None) -> None:
    """Extract links and code-availability claims; no network.

    Prints one JSON object per distinct paper (jsonl) or one row per link (csv),
    as the records are read, in their order, in flat memory.

    DUMPS are files, folders (the dumps inside them) or - (standard input).

    \b
    Example:
      audit extract examples/dumps/*.txt --format csv > links.csv
      cat dump.txt | audit extract - | head
    """
    from auditor.discover.daily import is_daily
    from auditor.inputs import expanded
    from auditor.progress import for_stream

    live = [str(d) for d in dumps if is_daily(d)]
    if live:  # a listing is fetched, and extract promises no network
        raise AuditorError(f"{live[0]}: the Hub's Daily Papers are read by `audit run`; `audit extract` uses no network")
    progress = for_stream(sys.stderr, quiet=quiet)
    with expanded(dumps) as files:
        try:
            _extract(files, fmt, db, jobs, title_column, abstract_column, progress)
        finally:
            progress.close()


def _extract(dumps: Sequence[Path], fmt: str, db: Path | None, jobs: int | None, title_column: str | None,
             abstract_column: str | None, progress: Any) -> None:
    """A closed stdout (`audit extract ... | head`) ends it quietly in AuditGroup.invoke."""
    from auditor.extract_stream import OpenedDumps, default_jobs

    # JSON Lines read by the workers themselves; with --db they also build the store's rows
    jobs = jobs or default_jobs()
    opened = OpenedDumps(list(dumps), title_column, abstract_column, jobs)  # every file opened before anything is written
    if db is None:
        opened.stream(fmt, jobs, sys.stdout.write, progress)
    else:
        from auditor.store import Store

        with Store.open(db, on_migrate=migration_notice) as store:
            run_id = store.start_run({"command": "extract", "dumps": [str(p) for p in dumps]}, date.today())
            with store.ending_on_error(run_id):
                store.begin_staging()
                opened.stream(fmt, jobs, sys.stdout.write, progress, stage=store.stage_tables)
                store.merge_staged(run_id)
            store.finish_run(run_id, "done")
    skipped, cuts = opened.notes.skipped(), opened.notes.cuts
    sys.stdout.flush()
    for line in skipped:
        click.echo(f"audit: skipped {line}", err=True)
    for line in cuts:
        click.echo(f"audit: cut {line}", err=True)


# --------------------------------------------------------------------------- report, checks


@cli.command()
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=Path("out/audit.duckdb"), show_default=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "md", "json", "html"]), default="md", show_default=True, help="csv: scorecard.csv; md: the Markdown scorecard; json: summary.json plus every scorecard row; html: the HTML scorecard.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), help="Also rewrite every scorecard file in this folder.")
@click.option("--run", "run_id", help="A run id [default: the latest run that finished, done or partial].")
@quiet_option
def report(db: Path, fmt: str, out_dir: Path | None, run_id: str | None, quiet: bool) -> None:
    """Print a scorecard from the DuckDB file, without the network.

    \b
    Example:
      audit report --db out/audit.duckdb --format csv > scorecard.csv
      audit report --format html > scorecard.html
    """
    from auditor.preflight import report_run, writable_folder
    from auditor.progress import for_stream
    from auditor.report import stream_report, write_reports

    if out_dir is not None:
        writable_folder(out_dir, "--out")
    progress = for_stream(sys.stderr, quiet=quiet)
    try:
        with report_run(db, run_id, say=not quiet, on_migrate=migration_notice) as (store, run_id):
            if out_dir is not None:
                write_reports(store, out_dir, run_id, progress=progress)
            progress.start("report", 1, "scorecard")
            stream_report(store, fmt, lambda text: click.echo(text, nl=False), run_id)
            progress.advance("report")
            progress.finish("report")
    finally:
        progress.close()


@cli.command()
@click.argument("out_db", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("shards", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("out"), show_default=True, help="Folder for the scorecards.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False, exists=True), help="audit.toml or pyproject.toml with [tool.auditor].")
@quiet_option
def merge(out_db: Path, shards: Sequence[Path], out_dir: Path, config_path: Path | None, quiet: bool) -> None:
    """Combine the DuckDB files of `audit run --shard K/N` (all N of them) into OUT_DB, then check,
    score and write the scorecards there, as one unsharded run would.

    \b
    Example:
      audit merge out/audit.duckdb shard-1.duckdb shard-2.duckdb shard-3.duckdb
    """
    import os

    from auditor.config import load_config
    from auditor.shards import merge_shards

    from auditor.progress import for_stream

    progress = for_stream(sys.stderr, quiet=quiet)
    try:
        summary = merge_shards(out_db, list(shards), out_dir, env=os.environ, config=load_config(config_path), progress=progress,
                               on_migrate=migration_notice)
    finally:
        progress.close()
    report = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
    _print_summary(summary, report)
    if summary.status == "partial":  # as `audit run` decides it (auditor.pipeline.audit_stored_papers)
        sys.exit(exitcodes.PARTIAL)


@cli.command()
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=Path("out/audit.duckdb"), show_default=True)
@click.option("--keep-runs", type=click.IntRange(1), help="Forget all but the N latest runs first (their papers, links and facts stay).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing when done.")
def vacuum(db: Path, keep_runs: int | None, quiet: bool) -> None:
    """Compact the DuckDB file: drop what no run refers to, rewrite it without free space.

    \b
    Example:
      audit vacuum --db out/audit.duckdb --keep-runs 12
    """
    from auditor.store import Store
    from auditor.store.compact import compact_file

    with Store.open(db, on_migrate=migration_notice) as store:
        forgotten = store.keep_runs(keep_runs) if keep_runs else 0
        store.drop_orphans()
    before, after = compact_file(db)
    if not quiet:
        click.echo(f"{db}: {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB" + (f"; forgot {forgotten} run(s)" if forgotten else ""))


@cli.command(name="archive-request")
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=Path("out/audit.duckdb"), show_default=True)
@click.option("--run", "run_id", help="A run id [default: the latest run].")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True, help="Requests to file at most.")
@click.option("--allow-private-hosts", is_flag=True, hidden=True, help="Allow loopback/private addresses (tests only).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing.")
def archive_request_cmd(db: Path, run_id: str | None, limit: int, allow_private_hosts: bool, quiet: bool) -> None:
    """Ask Software Heritage (Save Code Now) to archive the run's unarchived repositories.

    Only repositories the run found never archived, at most --limit; each
    answer is stored (facts `swh-save:<target>`) and printed. SWH_TOKEN, when
    set, is sent to Software Heritage only.
    """
    import os

    from auditor.archive_request import archive_request
    from auditor.store import Store

    with Store.open(db, on_migrate=migration_notice) as store:
        resolved = store.resolve_run(run_id)
        if resolved is None:
            raise click.UsageError("no run in the database yet: run `audit run DUMPS` first")
        got = archive_request(store, resolved, os.environ, limit=limit, allow_private_hosts=allow_private_hosts)
    if not quiet:
        for facts in got:
            data = facts.data or {}
            click.echo(f"{facts.target_key.removeprefix('swh-save:')}\t{data.get('request_status') or facts.status}"
                       f"\t{data.get('task_status') or facts.error or ''}")
        click.echo(f"{len(got)} Save Code Now request(s) filed")


@cli.command(name="checks")
@click.option("-q", "--quiet", is_flag=True, help="Names only, one a line.")
def list_checks(quiet: bool) -> None:
    """List the installed checks with their weight and description.

    \b
    Example:
      audit checks
    """
    from auditor.checking import discover_checks
    from auditor.config import load_config

    weights = load_config(None).weights
    for name, check in discover_checks().items():
        weight = weights.get(name, check.weight)
        click.echo(name if quiet else f"{name:<16} weight {weight:<4g} {check.description}")


def main() -> None:
    cli()
