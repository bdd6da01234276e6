"""Process memory tuning: how many malloc arenas glibc may keep.

glibc gives busy threads arenas of their own (up to 8 per CPU), and memory
freed in one is reused only there: with many threads moving megabyte-sized
buffers (streamed objects), the server's RSS grows with the thread count, not
the work. Measured with P3 (benchmarks/p3_objects.py): two arenas cut a
1 GiB PutObject+GetObject peak by about 10 MiB and made it independent of
the object's size; Python's own small-object allocator is not affected.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

LOG = logging.getLogger(__name__)

#: mallopt()'s parameter number for the arena limit (glibc's malloc.h).
M_ARENA_MAX = -8


def limit_malloc_arenas(count: int) -> bool:
    """Cap glibc's malloc arenas at ``count`` (0: leave glibc's default); True when set.

    Call before threads start. On a C library without mallopt (musl) this
    does nothing and says so at DEBUG level.
    """
    if count <= 0:
        return False
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        LOG.debug("No mallopt in this C library: malloc arenas left as they are")
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return bool(mallopt(M_ARENA_MAX, count))
