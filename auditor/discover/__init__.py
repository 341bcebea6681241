"""Finding a paper's code where the abstract does not name it.

Pure parsing lives apart from HTTP: :mod:`identity` (arXiv ids, DOIs and
titles from text), :mod:`comments` (links in the arXiv comments),
:mod:`hub` (what the Hub's paper answers say). The I/O edge is
:mod:`fetch` (one cached request per paper and source) and
:mod:`daily` (the Hub's Daily Papers listing as a dump). The pipeline's
discovery stage is :mod:`stage`.
"""

#: Sources ``--discover`` accepts, and those on by default.
SOURCES = ("abstract", "comments", "hf_paper", "github_search")
DEFAULT_SOURCES = ("abstract", "comments", "hf_paper")
