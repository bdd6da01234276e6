"""Request validation: collect every bad field, then raise one InvalidInput."""

from __future__ import annotations

import base64
import hashlib
import json
import re

from translator.drivers import exceptions as exc

MAX_NAME = 255
MAX_ID = 255
MAX_REQUEST_ID = 128
MAX_PAGE_TOKEN = 2048
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 100
MAX_METADATA_ITEMS = 64
MAX_METADATA_KEY = 255
MAX_METADATA_VALUE = 255
MAX_USER_DATA = 64 * 1024
MAX_LIST_ITEMS = 32
MAX_PUBLIC_KEY = 16 * 1024

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_REQUEST_ID = re.compile(r"^[\x21-\x7e]{1,128}$")


class Validator:
    def __init__(self) -> None:
        self.violations: list[exc.FieldViolation] = []

    def add(self, field: str, description: str) -> None:
        self.violations.append(exc.FieldViolation(field, description))

    def check(self, ok: bool, field: str, description: str) -> bool:
        if not ok:
            self.add(field, description)
        return ok

    def text(self, value: str, field: str, *, required: bool = False,
             max_len: int = MAX_NAME) -> None:
        if not value:
            if required:
                self.add(field, f"{field} is required")
            return
        self.check(len(value) <= max_len, field, f"{field} is longer than {max_len} characters")
        self.check(not _CONTROL.search(value), field, f"{field} contains control characters")

    def request_id(self, value: str) -> None:
        if value:
            self.check(bool(_REQUEST_ID.match(value)), "request_id",
                       "request_id must be 1-128 printable ASCII characters without spaces "
                       "(a UUID is recommended)")

    def page(self, page_size: int, page_token: str) -> int:
        """Checks paging fields; returns the effective page size."""
        self.check(page_size >= 0, "page_size", "page_size must not be negative")
        self.check(len(page_token) <= MAX_PAGE_TOKEN, "page_token", "page_token is too long")
        if page_size <= 0:
            return DEFAULT_PAGE_SIZE
        return min(page_size, MAX_PAGE_SIZE)

    def names(self, values, field: str, *, max_items: int = MAX_LIST_ITEMS) -> None:
        self.check(len(values) <= max_items, field, f"at most {max_items} {field} are accepted")
        for i, value in enumerate(values):
            self.text(value, f"{field}[{i}]", required=True)

    def metadata(self, metadata, field: str = "metadata") -> None:
        if not self.check(len(metadata) <= MAX_METADATA_ITEMS, field,
                          f"at most {MAX_METADATA_ITEMS} metadata items are accepted"):
            return
        for key, value in metadata.items():
            self.text(key, f"{field}[{key!r}]", required=True, max_len=MAX_METADATA_KEY)
            self.text(value, f"{field}[{key!r}]", max_len=MAX_METADATA_VALUE)

    def raise_if_invalid(self) -> None:
        if self.violations:
            summary = "; ".join(v.description for v in self.violations[:3])
            raise exc.InvalidInput(f"invalid request: {summary}", violations=self.violations)


def page_size(request) -> int:
    """The effective page size of a list request; INVALID_ARGUMENT for bad paging fields."""
    size, token = request.page_size, request.page_token
    if 0 < size <= MAX_PAGE_SIZE and len(token) <= MAX_PAGE_TOKEN:
        return size  # the common, valid case without building a Validator
    v = Validator()
    size = v.page(request.page_size, request.page_token)
    v.raise_if_invalid()
    return size


def require_id(value: str, field: str = "id") -> None:
    v = Validator()
    v.text(value, field, required=True, max_len=MAX_ID)
    v.raise_if_invalid()


def validate_target(request) -> None:
    """A mutating request on one existing resource: request_id and id."""
    v = Validator()
    v.request_id(request.request_id)
    v.text(request.id, "id", required=True, max_len=MAX_ID)
    v.raise_if_invalid()


def fingerprint(request) -> str:
    """A digest of a request with its request_id cleared (AIP-155 reuse checks)."""
    copy = type(request)()
    copy.CopyFrom(request)
    if hasattr(copy, "request_id"):
        copy.request_id = ""
    return hashlib.sha256(copy.SerializeToString(deterministic=True)).hexdigest()


def encode_token(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()


def decode_token(token: str, field: str = "page_token") -> dict:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        if not isinstance(data, dict):
            raise ValueError(token)
        return data
    except (ValueError, UnicodeError) as error:
        raise exc.InvalidInput(f"{field} is not a token this server issued",
                               field=field) from error
