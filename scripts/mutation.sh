#!/usr/bin/env bash
# Mutation testing of the metric rules (docs/testing.md "Mutation testing"); not part of CI.
#
#   scripts/mutation.sh            # mutate, run, print the score (incremental: results are
#                                  # kept in mutants/ and only changed functions rerun)
#   scripts/mutation.sh --fresh    # start again from nothing
#   scripts/mutation.sh --show     # list the surviving mutants with their diffs
#
# What is mutated and which tests run is [tool.mutmut] in pyproject.toml. The tests run on
# SQLite only: the URLs of the other databases are unset, so a mutant costs seconds.
# One worker: the SQLite test database is one file shared by every forked test run.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
unset HOS_TEST_MARIADB_URL HOS_TEST_POSTGRES_URL HOS_TEST_REDIS_URL HOS_REQUIRE_ALL_DATABASES
export HOS_ENV=test

case "${1:-}" in
  --fresh) rm -rf mutants ;;
  --show)
    "$BIN/mutmut" results | sed -n 's/^ *\([^:]*\): survived$/\1/p' | while read -r name; do
      "$BIN/mutmut" show "$name"
    done
    exit 0 ;;
  "") ;;
  *) echo "usage: $0 [--fresh|--show]" >&2; exit 2 ;;
esac

"$BIN/mutmut" run --max-children 1 || true  # its exit status is not the score; see below
"$BIN/python" scripts/mutation_score.py
