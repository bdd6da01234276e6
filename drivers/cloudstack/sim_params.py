"""Request parameters and listings the way CloudStack's API layer treats them.

Error texts and cserrorcodes follow CloudStack's ParamProcessWorker and
BaseListCmd: a missing or malformed parameter is a bare ServerApiException
(cserrorcode 9999); an id that names nothing is "Invalid parameter … value=…".
Parameter names are matched case-insensitively (CloudStack itself is
case-sensitive about most names; clients send them lowercase anyway, and
``details[0].cpuNumber`` arrives camel-cased).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from translator_drivers.cloudstack.sim_models import SERVER_API_EXCEPTION, ApiError

T = TypeVar("T")

#: CloudStack's ``default.page.size``: the most a listing returns, and the largest pagesize.
MAX_PAGE_SIZE = 500
#: ``pagesize=-1`` asks for everything (BaseListCmd.PAGESIZE_UNLIMITED).
UNLIMITED = -1


class Params:
    """The parameters of one request, with CloudStack's checks and error texts."""

    def __init__(self, command: str, raw: Mapping[str, str], method: str = "GET") -> None:
        self.command = command
        self.cmd = command.lower()  # as CloudStack names the command in messages
        self.method = method
        self.raw = {key.lower(): value for key, value in raw.items()}

    def get(self, name: str) -> str | None:
        return self.raw.get(name)

    def require(self, name: str) -> str:
        value = self.raw.get(name)
        if value is None:
            raise ApiError(431, f"Unable to execute API command {self.cmd} due to missing "
                                f"parameter {name}", SERVER_API_EXCEPTION)
        return value

    def invalid_value(self, name: str, value: str) -> ApiError:
        return ApiError(431, f"Unable to execute API command {self.cmd} due to invalid value "
                             f"{value} for parameter {name}", SERVER_API_EXCEPTION)

    def unknown_id(self, name: str, value: str) -> ApiError:
        """CloudStack's answer to an id that is malformed or names no entity."""
        return ApiError(431, f"Unable to execute API command {self.cmd} due to invalid value. "
                             f"Invalid parameter {name} value={value} due to incorrect long "
                             "value format, or entity does not exist or due to incorrect "
                             "parameter annotation for the field in api cmd class.",
                        SERVER_API_EXCEPTION)

    def flag(self, name: str, default: bool) -> bool:
        """A boolean as Java's Boolean.valueOf reads it: "true" in any case, else false."""
        value = self.raw.get(name)
        return default if value is None else value.strip().lower() == "true"

    def integer(self, name: str) -> int | None:
        value = self.raw.get(name)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            raise self.invalid_value(name, value) from None

    def lookup(self, name: str, table: Mapping[str, T], *, required: bool = False) -> T | None:
        """The entity an id parameter names; None when the parameter is absent."""
        value = self.require(name) if required else self.raw.get(name)
        if value is None:
            return None
        found = table.get(value.strip())
        if found is None:
            raise self.unknown_id(name, value)
        return found

    def lookup_list(self, name: str, table: Mapping[str, T]) -> list[T]:
        """The entities a comma-separated id list names."""
        value = self.raw.get(name)
        if not value:
            return []
        found = []
        for item in value.split(","):
            if item.strip():
                entity = table.get(item.strip())
                if entity is None:
                    raise self.unknown_id(name, item.strip())
                found.append(entity)
        return found

    def names(self, name: str) -> list[str]:
        value = self.raw.get(name) or ""
        return [item.strip() for item in value.split(",") if item.strip()]

    def map_param(self, name: str) -> list[dict[str, str]]:
        """A map parameter (``tags[0].key=…``, ``details[0].cpuNumber=…``) as a list of
        entries ordered by index, entry keys lowercased."""
        pattern = re.compile(re.escape(name) + r"\[(\d+)\]\.(.+)")
        entries: dict[int, dict[str, str]] = {}
        for key, value in self.raw.items():
            match = pattern.fullmatch(key)
            if match:
                entries.setdefault(int(match.group(1)), {})[match.group(2)] = value
        return [entries[index] for index in sorted(entries)]

    def window(self) -> tuple[int, int | None]:
        """(start index, page size or None for unlimited), with BaseListCmd's rules."""
        page, size = self.integer("page"), self.integer("pagesize")
        if page is None and size is not None and size != UNLIMITED:
            raise ApiError(431, '"page" parameter is required when "pagesize" is specified',
                           SERVER_API_EXCEPTION)
        if size is None and page is not None:
            raise ApiError(431, '"pagesize" parameter is required when "page" is specified',
                           SERVER_API_EXCEPTION)
        if size == UNLIMITED:
            if page is not None:
                raise ApiError(431, "Can't specify page parameter when pagesize is -1 "
                                    "(Unlimited)")
            return 0, None
        if size is not None and size > MAX_PAGE_SIZE:
            raise ApiError(431, "Page size can't exceed max allowed page size value: "
                                f"{MAX_PAGE_SIZE}")
        size = MAX_PAGE_SIZE if size is None else max(size, 0)
        return size * (page - 1) if page and page > 0 else 0, size


def listing(key: str, total: int, items: list[dict[str, Any]]) -> dict[str, Any]:
    """A list response: ``count`` (the total, not the page length) and the page.

    Like CloudStack's serializer, a zero count and an empty page are left out,
    so an empty listing is ``{}``.
    """
    body: dict[str, Any] = {}
    if total:
        body["count"] = total
    if items:
        body[key] = items
    return body


def page(p: Params, key: str, views: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Page an already filtered sequence of views."""
    views = list(views)
    start, size = p.window()
    stop = None if size is None else start + size
    return listing(key, len(views), views[start:stop])


def page_of_many(p: Params, key: str, objects: Iterable[Any], total: int,
                 render: Any) -> dict[str, Any]:
    """Page a large sequence without copying it: render only the page's objects."""
    start, size = p.window()
    stop = None if size is None else start + size
    return listing(key, total, [render(obj) for obj in itertools.islice(objects, start, stop)])
