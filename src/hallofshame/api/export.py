"""CSV answers: the one writer that turns a list answer into a download.

A route whose query accepts ``format`` answers JSON as always; with ``format=csv`` the
JSON it built is written here as CSV, after the route and before the response cache, so
the CSV holds exactly the rows and the (already rounded) values of the JSON answer and is
cached, validated (ETag) and compressed like it. Values are written as JSON shows them:
numbers as JSON numbers, ``true``/``false``, and an empty cell for null; a nested object
becomes ``name.field`` columns. One exception: a text cell a spreadsheet would run as a
formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return; names come
from upstream feeds) is written with a leading apostrophe, which spreadsheets show as text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask, Response, request
from pydantic import BaseModel

from hallofshame.api import schemas

FORMATS = ("json", "csv")
CSV_MIMETYPE = "text/csv"

#: Columns of an empty answer, by endpoint (a non-empty answer names its own columns).
_EMPTY_COLUMNS: dict[str, type[BaseModel]] = {
    "parks.parks_downtime": schemas.ParkDowntimeItem,
    "parks.parks_waittimes": schemas.ParkWaitItem,
    "rides.rides_downtime": schemas.RideDowntimeItem,
    "rides.rides_waittimes": schemas.RideWaitItem,
    "rides.ride_breakdowns": schemas.BreakdownItem,
}
#: Award endpoints list parks or rides, as their ``entity`` says.
_AWARDS: dict[str, tuple[type[BaseModel], type[BaseModel]]] = {
    "analytics.least_reliable": (schemas.ParkDowntimeItem, schemas.RideDowntimeItem),
    "analytics.longest_wait_times": (schemas.ParkWaitItem, schemas.RideWaitItem),
}


def _empty_model(endpoint: str, args: Mapping[str, str]) -> type[BaseModel] | None:
    if endpoint in _AWARDS:
        parks, rides = _AWARDS[endpoint]
        return rides if args.get("entity") == "rides" else parks
    return _EMPTY_COLUMNS.get(endpoint)


def empty_columns(endpoint: str, model: type[BaseModel]) -> None:
    """Declare the item model whose fields head the CSV of an empty answer."""
    _EMPTY_COLUMNS[endpoint] = model


#: What makes spreadsheet software read a text cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_START) else value
    return json.dumps(value, ensure_ascii=False)  # numbers and booleans as JSON shows them


def _flat(item: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in item.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flat(value, f"{name}."))
        else:
            out[name] = value
    return out


def write_csv(items: Iterable[Mapping[str, Any]], columns: Iterable[str] = ()) -> str:
    """Rows of the items under a header: the given columns, then every other key in the
    order it first appears. A key an item lacks is an empty cell."""
    rows = [_flat(i) for i in items]
    header = list(dict.fromkeys([*columns, *(k for r in rows for k in r)]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(row.get(k)) for k in header])
    return out.getvalue()


#: Query parameters that name the download, in this order, when given.
_NAMING = ("entity", "category", "type", "period", "start", "end", "days")


def filename(path: str, args: Mapping[str, str]) -> str:
    """``parks-downtime-yesterday.csv``, ``rides-12-days-30.csv``: the path and the
    parameters that say what the rows are (the same name for a cached answer)."""
    parts = [p for p in path.removeprefix("/api/").split("/") if p]
    parts += [args[k] for k in _NAMING if args.get(k)]
    return re.sub(r"[^A-Za-z0-9._-]+", "_", "-".join(parts)) + ".csv"


def wants_csv() -> bool:
    return request.args.get("format") == "csv"


def _to_csv(response: Response) -> Response:
    if not wants_csv() or response.status_code != 200:
        return response
    if response.mimetype == "application/json":
        body = response.get_json(silent=True)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            return response  # only list answers have rows
        model = _empty_model(request.endpoint or "", request.args)
        columns = list(model.model_fields) if model is not None and not data else []
        response.set_data(write_csv(data, columns).encode("utf-8"))
        response.mimetype = CSV_MIMETYPE  # Flask adds "; charset=utf-8" to text types
    if response.mimetype == CSV_MIMETYPE:  # also an answer served from the cache
        name = filename(request.path, request.args)
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def document_csv(spec: dict[str, Any]) -> None:
    """Declare ``text/csv`` beside JSON for every operation that takes ``format=csv``."""
    for item in spec.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            params = operation.get("parameters") or []
            takes = any(
                p.get("name") == "format" and "csv" in (p.get("schema") or {}).get("enum", [])
                for p in params
            )
            ok = operation.get("responses", {}).get("200")
            if takes and ok is not None:
                ok.setdefault("content", {})[CSV_MIMETYPE] = {
                    "schema": {"type": "string", "description": "the rows of data as CSV"}
                }


def init_export(app: Flask) -> None:
    """Register after the response cache: Flask runs later hooks first, so the cache
    stores (and validates) the CSV body, not the JSON it was written from."""
    app.after_request(_to_csv)
