"""The same request mix against two deployments, one request at a time: p50 and p95 per
endpoint for each, side by side.

    python bench/side_by_side.py --base http://127.0.0.1:8001 --base http://127.0.0.1:8002 \
        --runs 50

The default mix is what the dashboard asks for (``warming.dashboard_paths``: the rankings
of every period, the status panel, the park list, and the head and details of the first
``--parks`` parks of the first base's ``/api/parks``); ``--path`` (repeatable) replaces
it, e.g. to compare with a system whose routes differ (``--path-b`` then names the second
base's path of each ``--path``, in order).

The two bases are asked in turn, request by request (A, B, A, B …), so both see the same
machine: a burst of other work slows both, not one. Each base keeps one HTTP/1.1
connection open, as a browser would. Any answer other than 200 stops the run: a fast
error is not a fast answer. The first round is a warm-up and is not counted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Base:
    url: str
    connection: http.client.HTTPConnection = field(init=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SystemExit(f"--base {self.url!r}: expected http(s)://host[:port]")
        kind = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        self.connection = kind(parts.hostname, parts.port, timeout=60)
        self.prefix = parts.path.rstrip("/")

    def get(self, path: str) -> tuple[float, bytes]:
        """One GET on the kept connection: (milliseconds to the whole body, body)."""
        started = time.perf_counter()
        self.connection.request("GET", self.prefix + path, headers={"Accept": "application/json"})
        answer = self.connection.getresponse()
        body = answer.read()
        elapsed = (time.perf_counter() - started) * 1000
        if answer.status != 200:
            raise SystemExit(f"{self.url}{path} answered {answer.status}: {body[:200]!r}")
        return elapsed, body


def percentile(samples: list[float], share: float) -> float:
    """The nearest-rank percentile (the p95 of 20 samples is the 19th smallest)."""
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def default_paths(base: Base, parks: int) -> list[str]:
    from hallofshame.api.warming import dashboard_paths

    _, body = base.get("/api/parks")
    ids: list[int] = [p["park_id"] for p in json.loads(body)["data"]][:parks]
    return dashboard_paths(ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", action="append", required=True, help="twice: A then B")
    parser.add_argument("--runs", type=int, default=30, help="requests per path and base")
    parser.add_argument("--parks", type=int, default=3, help="parks whose pages are asked for")
    parser.add_argument("--path", action="append", help="repeatable; default: the dashboard's")
    parser.add_argument("--path-b", action="append", help="B's path of each --path, in order")
    args = parser.parse_args()
    if len(args.base) != 2:
        parser.error("--base must be given exactly twice")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    a, b = Base(args.base[0]), Base(args.base[1])
    paths_a = args.path or default_paths(a, args.parks)
    paths_b = args.path_b or paths_a
    if len(paths_b) != len(paths_a):
        parser.error("--path-b must be given once for each --path")
    pairs = list(zip(paths_a, paths_b, strict=True))
    for path_a, path_b in pairs:  # warm-up: connections, first compilations, caches
        a.get(path_a)
        b.get(path_b)
    times: dict[str, tuple[list[float], list[float]]] = {p: ([], []) for p, _ in pairs}
    for _ in range(args.runs):
        for path_a, path_b in pairs:
            times[path_a][0].append(a.get(path_a)[0])
            times[path_a][1].append(b.get(path_b)[0])
    width = max(len(p) for p in times)

    def row(name: str, ta: list[float], tb: list[float]) -> str:
        p50a, p50b = statistics.median(ta), statistics.median(tb)
        return (
            f"{name:<{width}}  {p50a:8.1f} {percentile(ta, 0.95):8.1f}  "
            f"{p50b:8.1f} {percentile(tb, 0.95):8.1f}  {p50b / p50a:6.2f}"
        )

    print(f"A = {a.url}\nB = {b.url}\n{args.runs} requests per path and base, one at a time")
    print(f"{'path':<{width}}  {'A p50':>8} {'A p95':>8}  {'B p50':>8} {'B p95':>8}  B/A p50")
    for path, (ta, tb) in times.items():
        print(row(path, ta, tb))
    every = [t for ta, _ in times.values() for t in ta], [t for _, tb in times.values() for t in tb]
    print(row("every request", *every))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
