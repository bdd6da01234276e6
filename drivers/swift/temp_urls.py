"""Temp URLs: the account's key, and URLs signed with it.

Swift (and RGW) verify ``HMAC(key, "<METHOD>\\n<expires>\\n<path>")`` against
either of the account's two keys, X-Account-Meta-Temp-URL-Key and -Key-2. At
start the driver stores ``[swift] temp_url_key`` as the first unless the
account holds it already; the key it replaces becomes the second (Swift's
key rotation), so URLs signed with it stay valid until they expire, and two
translators with different keys can share an account.

Measured on RGW 16.2: only HMAC-SHA1 signatures verify (``[swift]
temp_url_digest``), computed over the decoded path (the URL carries it
quoted); a bad signature is 403, an expired URL 401.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

from translator.drivers import exceptions as exc
from translator.drivers import models
from translator_drivers.swift.connection import escape_dot_segments
from translator_drivers.swift.errors import BACKEND, SwiftMisconfigured

LOG = logging.getLogger(__name__)

ACCOUNT_KEYS = ("x-account-meta-temp-url-key", "x-account-meta-temp-url-key-2")


def holds(account: Mapping[str, str], key: str) -> bool:
    """Whether the account's headers hold ``key`` as either temp URL key."""
    return key in (account.get(ACCOUNT_KEYS[0]), account.get(ACCOUNT_KEYS[1]))


def store_key(conn: Any, key: str) -> None:
    """Make ``key`` one of the account's keys (the first), keeping the replaced one."""
    account = conn.head_account()
    if holds(account, key):
        return
    conn.post_account({"X-Account-Meta-Temp-URL-Key": key,
                       "X-Account-Meta-Temp-URL-Key-2": account.get(ACCOUNT_KEYS[0], "")})
    LOG.info("Stored [swift] temp_url_key as the account's temp URL key (the previous key "
             "is kept as the second key)")


def sign(storage_url: str, container: str, name: str, method: str, expires_in: int, *,
         key: str, digest: str, limit: int) -> models.TempUrl:
    """A URL for ``method`` on the object, valid ``expires_in`` seconds (1 to ``limit``)."""
    from swiftclient.utils import generate_temp_url

    if not key:
        raise exc.UnsupportedOperation(
            "CreateTempUrl needs a temp URL key: the operator sets [swift] temp_url_key",
            backend=BACKEND)
    if method not in (models.TEMP_URL_GET, models.TEMP_URL_PUT):
        raise exc.InvalidInput("method is GET or PUT", field="method")
    if not 0 < expires_in <= limit:
        raise exc.InvalidInput(f"expires_in_seconds is 1 to {limit}",
                               field="expires_in_seconds")
    storage = urlparse(storage_url)
    path = f"{storage.path.rstrip('/')}/{container}/{name}"
    try:
        signed = generate_temp_url(path, expires_in, key, method, digest=digest)
    except ValueError as error:  # a storage URL without /v1/<account>-like depth
        raise SwiftMisconfigured("temp URLs cannot be signed for this Swift endpoint",
                                 f"storage URL path {storage.path!r}: {error}",
                                 backend=BACKEND) from error
    query = signed.partition("?")[2]
    expires = int(parse_qs(query)["temp_url_expires"][0])
    # Dot segments escaped too: a client resolving "a/../b" would ask for another object.
    url = escape_dot_segments(f"{storage.scheme}://{storage.netloc}{quote(path)}?{query}")
    return models.TempUrl(url=url, method=method,
                          expires_at=datetime.datetime.fromtimestamp(expires, datetime.UTC))
