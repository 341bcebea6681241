"""The facts a run's checks read, held small: the store has them, this remembers which.

A run used to keep every target's facts (READMEs, listings, commit lists) in one
dict from collection to scoring: hundreds of megabytes at 20,000 papers and
several gigabytes at 100,000. Here each target costs one short entry: facts
the store holds as they are (fresh from the cache, collected and written this
run) are remembered by their status only; facts the store does not hold as the
run sees them (``unknown`` or ``error`` ones, which never replace known facts
there, or ``--offline`` placeholders) are kept whole, and they are small. A
batch of papers then loads its targets' facts with one query (:meth:`load`),
with the repository's archive facts joined in as the archive pass found them,
and drops them after the batch. Checks stay pure: they get a plain mapping.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable, Iterable, Iterator, Mapping, NamedTuple

from auditor.models import Facts

class Brief(NamedTuple):
    """Status and error of stored facts: what run health reads (target_health)."""

    status: str
    error: str | None = None


class RunFacts(Mapping[str, Facts]):
    """Target key -> facts for one run, in the order the run met the targets.

    ``load_stored`` reads facts from the store by key (``Store.load_facts``).
    Reading one key (``run_facts[key]``) costs a query: readers of many keys
    call :meth:`load` once per batch instead.
    """

    def __init__(self, load_stored: Callable[[Iterable[str]], Mapping[str, Facts]]) -> None:
        self._load_stored = load_stored
        self._entries: dict[str, Facts | str] = {}
        self._archive: dict[str, Facts | str] = {}  # archive key -> entry (auditor.archival)

    @classmethod
    def held(cls, facts: Iterable[Facts]) -> "RunFacts":
        """Facts all at hand, held whole with no store behind them (tests, benchmarks)."""
        run = cls(lambda keys: {})
        for one in facts:
            run.keep(one, stored=False)
        return run

    # ------------------------------------------------------------------ writing

    def keep(self, facts: Facts, *, stored: bool) -> None:
        """Remember ``facts``; ``stored``: the store holds them as they are (when they are known)."""
        self._entries[facts.target_key] = facts.status if stored and facts.known else facts

    def keep_stored(self, key: str, status: str) -> None:
        """Remember that the store holds known facts of ``key`` (status ``status``) as the run sees them."""
        self._entries[key] = status

    def keep_archive(self, archive: Mapping[str, Facts]) -> None:
        """The archive pass's facts (``archive:<key>`` -> facts), which the store holds as they are
        (fresh from the cache, or collected and saved): known ones are remembered by status."""
        for key, facts in archive.items():
            self._archive[key] = facts.status if facts.known else facts

    # ------------------------------------------------------------------ reading

    def load(self, keys: Iterable[str]) -> dict[str, Facts]:
        """The facts of those ``keys`` the run has (one query), archive facts joined in."""
        from auditor.archival import with_archive
        from auditor.hosts.archives import archive_key

        wanted = [k for k in dict.fromkeys(keys) if k in self._entries]
        archives = {archive_key(k) for k in wanted if archive_key(k) in self._archive}
        stored = [k for k in wanted if isinstance(self._entries[k], str)]
        stored += [k for k in archives if isinstance(self._archive[k], str)]
        found = self._load_stored(stored) if stored else {}
        facts = {k: self._whole(k, self._entries[k], found) for k in wanted}
        if not archives:
            return facts
        return with_archive(facts, {k: self._whole(k, self._archive[k], found) for k in archives})

    @staticmethod
    def _whole(key: str, entry: Facts | str, found: Mapping[str, Facts]) -> Facts:
        if not isinstance(entry, str):
            return entry
        got = found.get(key)
        if got is None:  # the store lost it (a concurrent vacuum?): say so rather than fail the run
            from auditor.hosts.base import unknown_facts

            return unknown_facts(key, "facts not found in the database")
        return got

    def __getitem__(self, key: str) -> Facts:
        if key not in self._entries:
            raise KeyError(key)
        return self.load([key])[key]

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def statuses(self) -> Counter[str]:
        """How many targets have each status."""
        return Counter(e if isinstance(e, str) else e.status for e in self._entries.values())

    def briefs(self) -> Iterator[Facts | Brief]:
        """Each target's status and error, in order (known stored facts: their status only)."""
        for entry in self._entries.values():
            yield Brief(entry) if isinstance(entry, str) else entry
