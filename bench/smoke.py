"""Walk every operation of a running server's OpenAPI document and report what it answers.

    python bench/smoke.py --base http://127.0.0.1:8000 [--api-key KEY]

Each GET operation is called once per value of each of its enumerated parameters
(every period, every chart type…), with path ids taken from the server's own listings
and required free-text parameters given a plain value. The state-changing operations
are called without a key (must be refused) and, with ``--api-key``, with one. Exit
status 1 when any answer is a server error or not in the envelope or error format;
refusals (4xx) are listed with their message. The statuses and times go to stdout.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from typing import Any

import httpx

#: Values for required parameters that have no enumeration.
PLAIN = {"q": "mountain"}


def _schema(doc: dict[str, Any], s: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in s:
        return doc["components"]["schemas"][s["$ref"].rsplit("/", 1)[-1]]
    return s


def _enum(doc: dict[str, Any], param: dict[str, Any]) -> list[Any]:
    s = _schema(doc, param.get("schema", {}))
    if s.get("enum"):
        return list(s["enum"])
    for alt in s.get("anyOf", []):
        values = _schema(doc, alt).get("enum")
        if values:
            return list(values)
    return []


def _ids(client: httpx.Client) -> dict[str, Any]:
    park = client.get("/api/parks").json()["data"][0]["park_id"]
    rides = client.get("/api/rides/downtime", params={"period": "yesterday"}).json()["data"]
    ride = (
        rides[0]["ride_id"]
        if rides
        else client.get(f"/api/parks/{park}/rides").json()["data"][0]["ride_id"]
    )
    # Yesterday by the server's clock, for operations that need a date (recompute).
    meta = client.get("/api/parks/downtime", params={"period": "yesterday", "limit": 1})
    day = meta.json()["meta"]["start_date"]
    return {"park_id": park, "ride_id": ride, "id": park, "start": day, "end": day}


def calls(doc: dict[str, Any], ids: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, query) for every operation × every enumerated parameter value."""
    out = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            params = op.get("parameters", [])
            url = path
            for p in params:
                if p["in"] == "path":
                    url = url.replace("{" + p["name"] + "}", str(ids[p["name"]]))
            base: dict[str, Any] = {}
            for p in params:
                if p["in"] == "query" and p.get("required"):
                    base[p["name"]] = ids.get(p["name"], PLAIN.get(p["name"], "x"))
            variants = [
                [(p["name"], v) for v in _enum(doc, p)]
                for p in params
                if p["in"] == "query" and _enum(doc, p)
            ]
            # Each enumerated parameter walked on its own (not their product).
            queries = [base] + [
                base | {name: value} for name, value in itertools.chain.from_iterable(variants)
            ]
            out.extend((method.upper(), url, q) for q in queries)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--api-key")
    args = parser.parse_args()
    failures = 0
    with httpx.Client(base_url=args.base, timeout=60) as client:
        doc = client.get("/api/openapi.json").json()
        ids = _ids(client)
        docs_page = client.get("/api/docs")
        print(f"/api/docs: {docs_page.status_code}, {len(docs_page.content)} bytes")
        for method, url, query in calls(doc, ids):
            started = time.perf_counter()
            note = ""
            if method == "GET":
                r = client.get(url, params=query)
                # A 4xx names the parameter combination the contract refuses (a ride
                # figure asked of a park…); only a server error or a body outside the
                # envelope is a failure.
                ok = r.status_code < 500 and ("data" in r.json() or "error" in r.json())
                if r.status_code >= 400:
                    note = r.json().get("error", {}).get("message", "")
            else:
                r = client.request(method, url, params=query)
                ok = r.status_code in (401, 403)
                if ok and args.api_key:
                    r = client.request(
                        method, url, params=query, headers={"X-API-Key": args.api_key}
                    )
                    ok = r.status_code < 300
            ms = (time.perf_counter() - started) * 1000
            failures += not ok
            mark = "ok " if ok else "BAD"
            print(f"{mark} {r.status_code} {ms:8.1f} ms  {method} {url} {query} {note}")
    print(f"{failures} unexpected answers")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
