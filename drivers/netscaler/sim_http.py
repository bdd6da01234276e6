"""NITRO v1 configuration requests on the simulator's store: URL and body parsing, the
GET options, and bulk requests.

URLs (NITRO "Performing NetScaler Resource Operations"):

- ``POST /nitro/v1/config/<type>`` adds (201), ``PUT /nitro/v1/config/<type>[/<name>]``
  updates (200); on a binding type both bind (POST 201, PUT 200: NITRO clients such as
  the NetScaler Ansible collection bind with PUT). ``?idempotent=yes`` on an add of an
  existing object updates it instead of answering 273.
- ``DELETE /nitro/v1/config/<type>/<name>[?args=k:v,k:v]``; args values URL-encoded.
- ``GET /nitro/v1/config/<type>[/<name>]`` with ``?filter=k:v,...`` (exact match here;
  NITRO also takes PCRE), ``?args=`` (same), ``?attrs=a,b``, ``?count=yes``
  (``[{"__count": N}]``), ``?pagesize=N&pageno=M``.
- Names in paths may be URL-encoded once or twice (adc-nitro-go and the Ansible
  collection encode twice); NetScaler names never contain "%", so decoding twice is safe.

Successful adds, updates and deletes answer an empty body (the NITRO docs give no
payload for them); a GET answers ``{"errorcode": 0, "message": "Done", "severity":
"NONE", "<type>": [...]}``, without the list when nothing matches.

Bulk: a body ``{"<type>": [{...}, {...}]}`` applies each item in order. All succeed: the
ordinary status, empty body. Otherwise 207 "Multi Status" with ``{"errorcode": 1243,
"message": "Bulk operation failed", "severity": "ERROR", "response": [...]}``. The
``X-NITRO-ONERROR`` header (or ``params.onerror`` in the body) picks what happens at the
first failed item, as NITRO documents: ``exit`` (default) stops there, keeps what was
done and lists only the failure; ``continue`` applies every item and lists one result
per item, ``{"errorcode": 0, "message": "Done", "severity": "NONE"}`` for the good ones;
``rollback`` stops, undoes the items already done and lists only the failure.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from typing import Any

from translator_drivers.netscaler import sim_bindings as bindings
from translator_drivers.netscaler import sim_errors as err
from translator_drivers.netscaler.sim_store import OBJECT_TYPES, ConfigStore

CONFIG_PREFIX = "/nitro/v1/config/"
RESOURCE_TYPES = OBJECT_TYPES + bindings.BINDING_TYPES
ON_ERROR = ("exit", "continue", "rollback")


def unquote_name(text: str) -> str:
    once = urllib.parse.unquote(text)
    return urllib.parse.unquote(once) if "%" in once else once


def split_path(path: str) -> tuple[str, str | None] | None:
    """``/nitro/v1/config/<type>[/<name>]`` -> (type, name); None for any other path."""
    if not path.startswith(CONFIG_PREFIX):
        return None
    rest = path[len(CONFIG_PREFIX):].strip("/")
    resource, _, name = rest.partition("/")
    return resource, (unquote_name(name) if name else None)


def parse_query(raw: str) -> dict[str, str]:
    """Query parameters with their values still encoded (args and filter values are
    encoded one by one, so decoding the whole value first would split them wrongly)."""
    out: dict[str, str] = {}
    for part in raw.split("&"):
        if part:
            key, _, value = part.partition("=")
            out.setdefault(urllib.parse.unquote(key), value)
    return out


def pairs(raw: str | None) -> dict[str, str]:
    """``k1:v1,k2:v2`` with each value URL-encoded -> {k1: v1, k2: v2}. A value sent
    unencoded keeps its colons (``ip:fd00::1``); only its first colon splits."""
    out: dict[str, str] = {}
    for item in (raw or "").split(","):
        key, sep, value = item.partition(":")
        if sep and key:
            out[urllib.parse.unquote(key).strip()] = urllib.parse.unquote(value)
    return out


def read_body(raw: bytes) -> dict[str, Any]:
    """A JSON request body (also NITRO's legacy form ``object=<json>``)."""
    text = raw.decode("utf-8", "replace").strip()
    if text.startswith("object="):
        text = urllib.parse.parse_qs(text).get("object", [""])[0]
    if not text:
        return {}
    try:
        body = json.loads(text)
    except ValueError:
        raise err.NitroError(err.INVALID_JSON) from None
    if not isinstance(body, dict):
        raise err.NitroError(err.INVALID_JSON)
    return body


def _matches(row: dict[str, Any], wanted: dict[str, str]) -> bool:
    for key, value in wanted.items():
        have = row.get(key)
        values = have if isinstance(have, list) else [have]
        if not any(str(v).lower() == value.lower() if isinstance(v, bool) else str(v) == value
                   for v in values):
            return False
    return True


def _get(store: ConfigStore, resource: str, name: str | None, query: dict[str, str],
         now: float) -> dict[str, Any]:
    if resource in bindings.BINDING_TYPES:
        rows = bindings.get(store, resource, name, now)
    else:
        rows = store.get(resource, name, now)
    wanted = {**pairs(query.get("args")), **pairs(query.get("filter"))}
    rows = [row for row in rows if _matches(row, wanted)]
    answer = err.done()
    if query.get("count", "").lower() == "yes":
        answer[resource] = [{"__count": len(rows)}]
        return answer
    if query.get("pagesize"):
        try:
            size, page = int(query["pagesize"]), int(query.get("pageno") or 1)
        except ValueError:
            raise err.bad_value("pagesize") from None
        rows = rows[(page - 1) * size:page * size]
    if query.get("attrs"):
        keep = urllib.parse.unquote(query["attrs"]).split(",")
        rows = [{k: row[k] for k in keep if k in row} for row in rows]
    if rows:
        answer[resource] = rows
    return answer


def _operation(store: ConfigStore, method: str, resource: str, name: str | None,
               query: dict[str, str], now: float) -> Callable[[Any], None]:
    if resource in bindings.BINDING_TYPES:
        return lambda item: bindings.bind(store, resource, item, now)
    if method == "PUT":
        return lambda item: store.update(resource, item, name)
    if query.get("idempotent", "").lower() == "yes":
        return lambda item: store.upsert(resource, item)
    return lambda item: store.add(resource, item)


def _bulk(store: ConfigStore, apply: Callable[[Any], None], items: list, onerror: str,
          ok_status: int) -> tuple[int, dict[str, Any] | None]:
    snapshot = store.snapshot() if onerror == "rollback" else None
    results: list[dict[str, Any]] = []
    failed = False
    for item in items:
        try:
            apply(item)
            results.append(err.done())
        except err.NitroError as error:
            failed = True
            if onerror != "continue":
                results = [error.body()]
                if snapshot is not None:
                    store.restore(snapshot)
                break
            results.append(error.body())
    if not failed:
        return ok_status, None
    body = err.NitroError(err.BULK_FAILED).body()
    body["response"] = results
    return 207, body


def dispatch(store: ConfigStore, method: str, resource: str, name: str | None,
             query: dict[str, str], body: dict[str, Any], onerror: str | None,
             now: float) -> tuple[int, dict[str, Any] | None]:
    """One configuration request -> (HTTP status, JSON body or None for an empty one)."""
    if resource not in RESOURCE_TYPES:
        raise err.NitroError(err.INVALID_OBJECT_NAME, resource)
    if method == "GET":
        return 200, _get(store, resource, name, query, now)
    if method == "DELETE":
        if name is None:
            raise err.missing("name")
        args = pairs(query.get("args"))
        if resource in bindings.BINDING_TYPES:
            bindings.unbind(store, resource, name, args)
        else:
            store.delete(resource, name, args)
        return 200, None
    if method not in ("POST", "PUT"):
        raise err.NitroError(err.INVALID_METHOD)
    if query.get("action"):
        raise err.NitroError(err.INVALID_ACTION, query["action"])  # not simulated
    if resource not in body:
        raise err.NitroError(err.INVALID_JSON, resource)
    apply = _operation(store, method, resource, name, query, now)
    ok_status = 201 if method == "POST" else 200
    payload = body[resource]
    if not isinstance(payload, list):
        apply(payload)
        return ok_status, None
    mode = (onerror or "exit").lower()
    if mode not in ON_ERROR:
        raise err.bad_value("X-NITRO-ONERROR", onerror)
    return _bulk(store, apply, payload, mode, ok_status)
