"""``python -m fakegithub --world FILE --port N [--latency 0.1]``: serve until interrupted (benchmarks)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .server import FakeGitHub
from .world import DEFAULT_WORLD


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fakegithub", description=__doc__)
    parser.add_argument("--world", default=str(DEFAULT_WORLD), help="world JSON file (default: %(default)s)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (printed)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument("--jitter", type=float, default=0.0, help="plus up to this many seconds, seeded")
    parser.add_argument("--error-rate", type=float, default=0.0, help="fraction of 5xx answers")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--schema", default=None, help="GraphQL SDL to serve, e.g. GitHub's full schema.docs.graphql "
                        "(default: the project's fakegithub/schema.graphql)")
    parser.add_argument("--no-graphql", action="store_true", help="REST only: starts without parsing the schema")
    parser.add_argument("--anonymous-limit", type=int, default=60)
    parser.add_argument("--authenticated-limit", type=int, default=5000)
    args = parser.parse_args(argv)
    schema = False if args.no_graphql else args.schema
    fake = FakeGitHub(args.world, host=args.host, port=args.port, latency=args.latency, schema=schema)
    fake.faults.update(latency_jitter=args.jitter, error_rate=args.error_rate, seed=args.seed)
    fake.limits.anonymous, fake.limits.authenticated = args.anonymous_limit, args.authenticated_limit
    fake.start()
    print(f"fake GitHub on {fake.url} (GraphQL {fake.graphql_url}); "
          f"{len(fake.world.repos)} repositories; Ctrl-C stops", flush=True)
    if fake.schema is None:
        print(f"warning: {fake.schema_error}", file=sys.stderr, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    fake.stop()
    print(f"served {fake.stats.total} requests", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
