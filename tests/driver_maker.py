"""A fixture helper: build set-up drivers on demand, close every one at the end."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any


@contextlib.contextmanager
def driver_maker(build: Callable[..., Any]) -> Iterator[Callable[..., Any]]:
    """Yield ``make(*, setup=True, **kwargs)``: ``build(**kwargs)``, set up unless told not."""
    made = []

    def make(*, setup: bool = True, **kwargs: Any) -> Any:
        driver = build(**kwargs)
        if setup:
            driver.setup()
        made.append(driver)
        return driver
    try:
        yield make
    finally:
        for driver in made:
            driver.close()
