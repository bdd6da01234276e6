"""request_id (AIP-155) for synchronous mutating RPCs.

The first call claims the id, runs, and records its response; a replay with
the same id and the same request returns the recorded response; the same id
with a different request is refused. A failed call releases the id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from translator.drivers import exceptions as exc
from translator.service import validation


async def call(ops, method: str, request, response_type, run: Callable[[], Awaitable],
               redact: Callable | None = None):
    if not request.request_id:
        return await run()
    fingerprint = validation.fingerprint(request)
    earlier = await ops.run_store(ops.store.claim_request, request.request_id, method,
                                  fingerprint)
    if earlier is not None:
        if earlier.method != method or earlier.fingerprint != fingerprint:
            raise exc.InvalidInput("request_id was already used for a different request",
                                   field="request_id")
        if earlier.response is None:
            raise exc.Aborted("a request with this request_id is still in progress; "
                               "retry shortly")
        return response_type.FromString(earlier.response)
    try:
        response = await run()
    except BaseException:
        await ops.run_store(ops.store.release_request, request.request_id)
        raise
    recorded = redact(response) if redact else response
    await ops.run_store(ops.store.complete_request, request.request_id,
                        recorded.SerializeToString())
    return response
