"""How many targets go in one batched request: additive increase, multiplicative decrease.

A batch that fails because it was too much for the server (a GraphQL timeout,
a 502, a node or resource limit) halves the size; every batch that succeeds
adds a small step back, up to the size asked for. Without the increase one
unlucky moment (a few random 502s) shrinks every later batch for the rest of
the run; without the decrease a query that is really too heavy keeps failing.

Batches are sent concurrently, so several can fail at the same size for one
cause: a failure halves the size only when the batch was sized under the
current *generation* (no halving since it was sized), so eight concurrent
failures of 50-target batches halve 50 to 25 once, not to 1.

Any failure kind may call :meth:`AdaptiveBatchSize.failed`; the controller
knows nothing of HTTP::

    sizer = AdaptiveBatchSize(50)
    size, generation = sizer.size, sizer.generation   # when taking a batch
    ...                                                # send it
    sizer.succeeded()                                  # or: sizer.failed(generation, sent=len(batch))
"""

from __future__ import annotations


class AdaptiveBatchSize:
    """The batch size of one collection, shared by all its concurrent workers."""

    def __init__(self, maximum: int, *, minimum: int = 1, step: int | None = None) -> None:
        if maximum < 1 or minimum < 1 or minimum > maximum:
            raise ValueError(f"need 1 <= minimum <= maximum, got {minimum} and {maximum}")
        self.maximum = maximum
        self.minimum = minimum
        # Random faults at rate p settle the size near 2*step*(1-p)/p: a step of an eighth of the
        # maximum keeps it there up to p = 0.2, while a too-heavy size is still probed only slowly.
        self.step = max(1, step if step is not None else -(-maximum // 8))
        self._size = maximum
        self.generation = 0  # bumped by every halving
        self.halvings = 0
        self._pinned = False

    @property
    def size(self) -> int:
        return self._size

    def failed(self, generation: int, *, sent: int | None = None) -> bool:
        """A batch sized under ``generation`` (of ``sent`` targets) was too much.

        Halves the size (from ``sent`` when that was smaller, e.g. the last
        batch of a queue) unless a halving already happened since that batch
        was sized. Returns True when it halved.
        """
        if self._pinned or generation != self.generation:
            return False
        base = min(self._size, sent) if sent else self._size
        self._size = max(self.minimum, base // 2)
        self.generation += 1
        self.halvings += 1
        return True

    def succeeded(self) -> None:
        """A batch passed: grow by one step, up to the maximum."""
        if not self._pinned:
            self._size = min(self.maximum, self._size + self.step)

    def pin(self, size: int) -> None:
        """Fix the size for the rest of the run (e.g. the endpoint cannot batch at all)."""
        self._size = max(1, size)
        self._pinned = True
        self.generation += 1

    def __repr__(self) -> str:
        return f"AdaptiveBatchSize(size={self._size}, maximum={self.maximum}, generation={self.generation})"
