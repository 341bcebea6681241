import hashlib
import re
import unicodedata

import pytest
from hypothesis import given, settings, strategies as st

from auditor.models import Result, paper_id_for


def test_paper_id_ignores_case_spacing_and_punctuation():
    assert paper_id_for("SMERF: Streamable  Memory") == paper_id_for("smerf streamable memory")
    assert paper_id_for("SMERF: Streamable Memory") != paper_id_for("SMERF: Streamable Memories")


@settings(max_examples=300, deadline=None)
@given(title=st.text(st.characters(max_codepoint=127)) | st.text())
def test_paper_id_of_an_ascii_title_is_the_id_its_definition_gives(title):
    """An ASCII title takes a shorter path (no NFKC, lower for casefold, a table for the regex)."""
    text = re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", title).casefold()).strip()
    assert paper_id_for(title) == hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def test_result_score_is_bounded():
    with pytest.raises(ValueError):
        Result(status="pass", reason="x", score=11)
