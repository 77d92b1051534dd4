"""Every benchmark in order, on one dataset: ``make bench`` (see bench/README.md).

    python bench/run_all.py --url mysql+pymysql://root@127.0.0.1:3306/hos_bench_l [--make L]

With ``--make S|L`` the dataset is built first (dropping the database named in --url).
Then: storage per table, the metrics timings, the recompute, the load tests (20 visitors
with the response cache off and on; with ``--long``, 100 visitors for 10 min), and one
collection cycle of 48 parks against a local fake upstream (in a scratch database
named after --url's with ``_collect``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_URL = "mysql+pymysql://root@127.0.0.1:3306/hos_bench_s"


def step(script: str, *args: str) -> None:
    print(f"\n== {script} {' '.join(args)}", flush=True)
    subprocess.run([sys.executable, str(HERE / script), *args], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--make", choices=("S", "L"), default=None)
    parser.add_argument("--long", action="store_true", help="also 100 visitors for 10 min")
    args = parser.parse_args()
    if args.make:
        step("make_dataset.py", "--size", args.make, "--url", args.url)
    step("storage.py", "--url", args.url)
    step("time_metrics.py", "--url", args.url, "--runs", "5")
    for cache in ("off", "shared"):
        step("load.py", "--url", args.url, "--users", "20", "--duration", "120", "--cache", cache)
    if args.long:
        long_run = ("--users", "100", "--duration", "600", "--cache", "shared", "--hammer")
        step("load.py", "--url", args.url, *long_run)
    step("collect_cycle.py", "--url", args.url + "_collect", "--cycles", "5")


if __name__ == "__main__":
    main()
