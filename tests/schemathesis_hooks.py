"""Schemathesis hooks for ``st run …/api/openapi.json --checks all`` (``schemathesis.toml``
names this file) and for the suite's run of it.

An OpenAPI document states each parameter alone; the rules between them (API.md: a named
period or ``start`` and ``end``, not both; ``start`` not after ``end``; at most 366 days;
a series of at most 2,000 buckets) it cannot state. A request valid by the document that
breaks one of those is refused with a 400 naming the parameter, which is the contract,
so it is not generated as valid data. Which requests break them is decided by the
product's own query models (``Query.check_together``), not by a second copy of the rules
here; a request invalid by the document alone is left as it is (negative data).

CSV answers (``format=csv``) are read as the text the document says they are.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import schemathesis
from pydantic import ValidationError

from hallofshame.api.errors import QUERY_MODELS
from hallofshame.api.params import Query, cross_parameter_problem


@cache
def _models() -> dict[tuple[str, str], type[Query]]:
    """(method, route rule) → the query model of its view."""
    from hallofshame.api.app import create_app
    from hallofshame.config import get_settings

    app = create_app(get_settings().model_copy(update={"cache_enabled": False}))
    out: dict[tuple[str, str], type[Query]] = {}
    for rule in app.url_map.iter_rules():
        hint = getattr(app.view_functions[rule.endpoint], "__annotations__", {}).get("query")
        # Annotations are names (postponed evaluation); every query model is registered
        # under its name when it is defined.
        model = QUERY_MODELS.get(hint) if isinstance(hint, str) else hint
        if isinstance(model, type) and issubclass(model, Query):
            template = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            for method in rule.methods or ():
                out[method, template] = model
    return out


@schemathesis.hook
def filter_case(ctx: Any, case: Any) -> bool:
    """Every phase's cases (the coverage phase's too, which ``filter_query`` misses)."""
    operation = case.operation
    model = _models().get((operation.method.upper(), operation.path))
    query = case.query
    if model is None or not query:
        return True
    try:
        parsed = model.model_validate({k: str(v) for k, v in query.items()})
    except ValidationError:
        return True  # invalid by itself: the document says so, keep the case
    return cross_parameter_problem(parsed) is None


@schemathesis.deserializer("text/csv")
def _csv(ctx: Any, response: Any) -> str:
    text: str = response.content.decode("utf-8")
    return text
