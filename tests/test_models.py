import pytest

from auditor.models import Result, paper_id_for


def test_paper_id_ignores_case_spacing_and_punctuation():
    assert paper_id_for("SMERF: Streamable  Memory") == paper_id_for("smerf streamable memory")
    assert paper_id_for("SMERF: Streamable Memory") != paper_id_for("SMERF: Streamable Memories")


def test_result_score_is_bounded():
    with pytest.raises(ValueError):
        Result(status="pass", reason="x", score=11)
