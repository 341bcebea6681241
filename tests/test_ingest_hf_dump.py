"""The Hugging Face Daily Papers text dump: the four real dumps and hand-made edge cases."""

from __future__ import annotations

import os
from datetime import date, datetime, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.ingest import read_records
from auditor.ingest.hf_dump import parse_dump
from auditor.models import paper_id_for

DATA = Path(__file__).parent / "data" / "ingest"


def _by_title(records):
    return {r.paper.title: r for r in records}


# --------------------------------------------------------------------------- the real dumps


def test_every_record_of_the_four_real_dumps_parses(example_dumps):
    skipped = []
    records = [r for path in example_dumps for r in read_records(path, on_skip=lambda *a: skipped.append(a))]
    assert len(example_dumps) == 4
    assert skipped == []
    assert len(records) == 313
    assert len({r.paper.paper_id for r in records}) == 285
    per_file = {}
    for r in records:
        per_file[r.sighting.source] = per_file.get(r.sighting.source, 0) + 1
    assert per_file == {
        "000_51f9fbe3ed667fa8.txt": 76,
        "001_4ba32737bc2cf3ae.txt": 83,
        "002_66a351f9232b2adb.txt": 102,
        "003_6fa0e9d270975311.txt": 52,
    }
    for r in records:
        assert r.paper.title and "\n" not in r.paper.title and r.paper.title == r.paper.title.strip()
        assert len(r.paper.abstract) > 1000  # no title/abstract misalignment anywhere
        assert r.sighting.paper_id == r.paper.paper_id == paper_id_for(r.paper.title)


def test_spot_checks_of_real_records(example_dumps):
    records = [r for path in example_dumps for r in read_records(path)]
    first = records[0]
    assert first.paper.title.startswith("SMERF: Streamable Memory Efficient Radiance Fields")
    assert first.paper.abstract.endswith("https://smerf-3d.github.io.")
    assert (first.paper.authors, first.paper.published_on, first.paper.upvotes) == (8, date(2023, 12, 12), None)
    assert first.sighting == first.sighting.__class__(first.paper.paper_id, "000_51f9fbe3ed667fa8.txt",
                                                      date(2025, 10, 28), 0)

    titles = _by_title(r for r in records if r.sighting.source.startswith("000"))
    zeppelin = titles["Zeppelin: Balancing Variable-length Workloads in Data Parallel Large Model Training"]
    assert (zeppelin.paper.authors, zeppelin.paper.published_on) == (10, date(2025, 9, 26))  # "Sep 26"

    treesynth = titles["TreeSynth: Synthesizing Diverse Data from Scratch via Tree-Guided Subspace Partitioning"]
    assert (treesynth.paper.authors, treesynth.paper.published_on, treesynth.paper.organisation) == (None, None, None)
    assert treesynth.paper.abstract.endswith("https://github.com/cpa2001/TreeSynth.")
    after = records[records.index(treesynth) + 1]  # the title right after its abstract
    assert after.paper.title == "Fat Polygonal Partitions with Applications to Visualization and Embeddings"
    assert after.sighting.position == treesynth.sighting.position + 1

    configurable = titles["Configurable Foundation Models: Building LLMs from a Modular Perspective"]
    assert configurable.paper.organisation == "openbmb OpenBMB"
    assert (configurable.paper.authors, configurable.paper.upvotes) == (None, 2)
    assert configurable.paper.published_on == date(2024, 9, 4)  # "Sep 4, 2024 2"

    relaxed = titles["Relaxed Recursive Transformers: Effective Parameter Sharing with Layer-wise LoRA"]
    assert (relaxed.paper.authors, relaxed.paper.upvotes, relaxed.paper.published_on) == (6, 3, date(2024, 10, 27))

    meta = _by_title(records)["The Art of Scaling Reinforcement Learning Compute for LLMs"]
    assert (meta.paper.organisation, meta.paper.upvotes, meta.paper.published_on) == (
        "facebook AI at Meta", 2, date(2025, 10, 15))  # "Oct 15 2": yearless, with upvotes
    assert meta.sighting.dump_date == date(2025, 11, 10)

    apple = _by_title(records)["Pretraining with hierarchical memories: separating long-tail and common knowledge"]
    assert (apple.paper.organisation, apple.paper.published_on) == ("apple Apple", date(2025, 9, 29))
    assert apple.sighting.dump_date == date(2025, 12, 10)


def test_dump_without_the_daily_papers_line_and_without_dates(example_dumps):
    path = next(p for p in example_dumps if p.name.startswith("002"))
    dump = parse_dump(path.read_text(encoding="utf-8"), path.name, saved_on=date(2025, 6, 1))
    assert dump.has_header and dump.author_blocks == 0 and len(dump.records) == 102
    assert dump.dump_date == date(2025, 4, 22) and dump.dump_year_from == "file date"
    assert dump.records[0].paper.title == "Lightweight Transformers for Clinical Natural Language Processing"
    assert all(r.paper.published_on is None and r.paper.authors is None for r in dump.records)
    assert [r.sighting.position for r in dump.records] == list(range(102))


def test_no_paper_is_dated_after_its_dump(example_dumps):
    for path in example_dumps:
        for r in read_records(path):
            if r.paper.published_on and r.sighting.dump_date:
                assert r.paper.published_on <= r.sighting.dump_date


# --------------------------------------------------------------------------- hand-made edge cases


def test_malformed_records_are_skipped_and_reported_while_the_rest_parses():
    skips = []
    records = list(read_records(DATA / "small_dump.txt", on_skip=lambda *a: skips.append(a)))
    assert [(r.sighting.position, r.paper.title) for r in records] == [
        (0, "First Paper: With Authors"),
        (1, "Second Paper: Yearless"),
        (3, "Third Paper: Organisation and Authors"),
        (5, "Fifth Paper: No Author Block"),
        (6, "Sixth Paper: Wrapped Title"),  # a title wrapped over two lines is joined
    ]
    assert [(source, position) for source, position, _ in skips] == [("small_dump.txt", 2), ("small_dump.txt", 4)]
    assert "without a title" in skips[0][2] and skips[0][2].startswith("line 29:")
    assert "Smarch 45" in skips[1][2]
    first, second, third, fifth, sixth = (r.paper for r in records)
    assert (first.authors, first.upvotes, first.published_on) == (3, 5, date(2024, 12, 30))
    # dump year = latest explicit year + 1 = 2025; "Dec 31" is after the dump's "Jan 3": the year before
    assert second.published_on == date(2024, 12, 31)
    assert (third.organisation, third.authors, third.upvotes, third.published_on) == (
        "someorg Some Organisation", 7, 11, date(2025, 1, 2))
    assert (fifth.authors, fifth.published_on) == (None, None)
    assert sixth.abstract == "Last abstract."
    assert {r.sighting.dump_date for r in records} == {date(2025, 1, 3)}


def test_title_that_lost_its_abstract_does_not_shift_the_records_after_it():
    long_abstract = "word " * 200
    text = f"Lonely Title\n\nNext Title\n\n{long_abstract}\n\n  • 2 authors\n·\nMar 3, 2024\n"
    skips = []
    dump = parse_dump(text, "x.txt", on_skip=lambda *a: skips.append(a))
    assert [r.paper.title for r in dump.records] == ["Next Title"]
    assert dump.records[0].paper.authors == 2 and dump.records[0].sighting.position == 1
    assert skips == [("x.txt", 0, "line 1: title without an abstract")]


def test_abstract_without_title_is_reported():
    text = f"{'long text ' * 60}\n\nA Title\n\nIts abstract.\n"
    skips = []
    dump = parse_dump(text, "x.txt", on_skip=lambda *a: skips.append(a))
    assert [r.paper.title for r in dump.records] == ["A Title"]
    assert skips[0][1] == 0 and "without a title" in skips[0][2]


HEADER = "new\n\nSubscribe\n\nbyAK and the research community\n\n{date}\n\n"


def _dump(dump_date: str, *paper_dates: str) -> str:
    body = "".join(f"Title {i}\n\nAbstract {i}.\n\n  • 1 author\n·\n{d}\n\n" for i, d in enumerate(paper_dates))
    return HEADER.format(date=dump_date) + body


def test_dump_year_from_an_explicit_argument_wins():
    dump = parse_dump(_dump("Mar 5", "Feb 1, 2020", "Feb 2"), "d.txt", dump_year=2023, saved_on=date(2030, 1, 1))
    assert dump.dump_date == date(2023, 3, 5) and dump.dump_year_from == "argument"
    assert [r.paper.published_on for r in dump.records] == [date(2020, 2, 1), date(2023, 2, 2)]


def test_dump_year_from_the_latest_explicit_year_beats_the_file_date():
    dump = parse_dump(_dump("Mar 5", "Feb 1, 2020", "Jun 1, 2022", "Feb 2"), "d.txt", saved_on=date(2030, 1, 1))
    assert dump.dump_date == date(2023, 3, 5) and dump.dump_year_from == "records"
    assert dump.records[2].paper.published_on == date(2023, 2, 2)


def test_dump_year_from_the_file_date_rolls_back_a_year_when_the_dump_date_is_later():
    dump = parse_dump(_dump("Dec 30", "Dec 29"), "d.txt", saved_on=date(2026, 1, 5))
    assert dump.dump_date == date(2025, 12, 30) and dump.dump_year_from == "file date"
    assert dump.records[0].paper.published_on == date(2025, 12, 29)
    same_year = parse_dump(_dump("Dec 30", "Dec 29"), "d.txt", saved_on=date(2026, 12, 31))
    assert same_year.dump_date == date(2026, 12, 30)


def test_dump_year_unknown_leaves_yearless_dates_empty():
    dump = parse_dump(_dump("Mar 5", "Feb 2"), "d.txt")
    assert dump.dump_date is None and dump.dump_year_from is None
    assert dump.records[0].paper.published_on is None


def test_read_records_dates_a_dump_by_its_file_time(tmp_path):
    path = tmp_path / "dump.txt"
    path.write_text(_dump("Apr 22", "Apr 20"), encoding="utf-8")
    stamp = datetime(2024, 3, 1, tzinfo=timezone.utc).timestamp()
    os.utime(path, (stamp, stamp))
    records = list(read_records(path))
    assert records[0].sighting.dump_date == date(2023, 4, 22)  # saved on 2024-03-01, so not Apr 2024
    assert list(read_records(path, dump_year=2025))[0].paper.published_on == date(2025, 4, 20)


def test_windows_line_endings_and_a_byte_order_mark(tmp_path):
    path = tmp_path / "dump.txt"
    path.write_bytes(("\ufeff" + _dump("Mar 5", "Feb 1, 2020")).replace("\n", "\r\n").encode("utf-8"))
    [record] = read_records(path)
    assert (record.paper.title, record.paper.abstract, record.paper.authors) == ("Title 0", "Abstract 0.", 1)
    assert record.sighting.dump_date == date(2021, 3, 5)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["A Title", "An abstract.", "", "  • 3 authors", "·", "Jul 28",
                                 "Sep 4, 2024 2", "org Org", "Feb 30", "x" * 500, "new", "Oct 28"]),
                max_size=40))
def test_parser_never_raises_and_accounts_for_every_record(lines):
    skips = []
    dump = parse_dump("\n".join(lines), "h.txt", on_skip=lambda *a: skips.append(a))
    positions = [r.sighting.position for r in dump.records] + [p for _, p, _ in skips]
    assert sorted(positions) == list(range(len(positions)))  # every record counted once, in order
    assert all(r.paper.title and r.paper.abstract for r in dump.records)
