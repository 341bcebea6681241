"""A small GitHub-compatible server (REST + GraphQL) that tests start on 127.0.0.1.

    from fakegithub import FakeGitHub, World
    with FakeGitHub() as fake:            # default world: worlds/default.json
        fake.url, fake.graphql_url        # REST base, GraphQL endpoint
        fake.world.add_repo({"repo": "me/x", "stars": 3})
        fake.faults.update(error_rate=0.3, seed=1); fake.faults.next("502", "reset")
        fake.stats.requests, fake.stats.graphql_points
        fake.reset()

In pytest: the ``fake_github`` fixture (see plugin.py). Standalone, for
benchmarks: ``python -m fakegithub --world FILE --port N --latency 0.1`` from tests/.
"""

from .faults import KINDS as FAULT_KINDS, Faults
from .server import TOKEN, FakeGitHub, Stats
from .world import DEFAULT_WORLD, WORLDS, World

__all__ = ["DEFAULT_WORLD", "FAULT_KINDS", "TOKEN", "WORLDS", "FakeGitHub", "Faults", "Stats", "World"]
