"""Deferred steps of a multi-step CloudStack operation, carried in its job list.

CloudStack has no volume clone: a copy is createSnapshot, then createVolume
from that snapshot, then deleteSnapshot. Each step needs the one before it
finished, so the later steps travel as job handles (``step:`` + base64 JSON)
persisted with the operation, and ``advance`` submits the next one when the
real jobs before it are done. The core persists the new job list before it
polls again (JobStatus.next_jobs), so a restart resumes at the right step.

Two kinds: ``then`` runs only after success; ``always`` runs when the
operation ends either way (cleanup), without waiting for its job.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable

from translator.drivers import exceptions as exc
from translator.drivers import models

LOG = logging.getLogger(__name__)

PREFIX = "step:"

Created = Callable[[dict, dict[str, str]], models.BackendTask]


def _encode(step: dict) -> str:
    raw = json.dumps(step, separators=(",", ":"), sort_keys=True).encode()
    return PREFIX + base64.urlsafe_b64encode(raw).decode()


def _decode(handle: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(handle[len(PREFIX):]))


class DeferredSteps:
    def __init__(self, api: Callable) -> None:
        self._api = api

    @staticmethod
    def is_step(handle: str) -> bool:
        return handle.startswith(PREFIX)

    @staticmethod
    def then(command: str, params: dict, tags: dict[str, str] | None = None) -> str:
        """A command sent once every job before it succeeded; its answer creates the resource."""
        return _encode({"kind": "then", "command": command,
                        "params": {k: v for k, v in params.items() if v is not None},
                        "tags": tags or {}})

    @staticmethod
    def always(command: str, params: dict) -> str:
        """A cleanup command sent when the operation ends, successfully or not."""
        return _encode({"kind": "always", "command": command, "params": params})

    def advance(self, jobs: list[str], status: models.JobStatus,
                created: Created) -> models.JobStatus:
        """Given how the real jobs stand, run the next step or the cleanups."""
        if not status.done:
            return status
        handles = [j for j in jobs if self.is_step(j)]
        steps = [(h, _decode(h)) for h in handles]
        pending = [(h, s) for h, s in steps if s["kind"] == "then"]
        if status.error is not None or not pending:
            self._cleanup(steps)
            return models.JobStatus(done=True, error=status.error, result=status.result)
        handle, step = pending[0]
        try:
            answer = self._api().call(step["command"], **step["params"])
            task = created(answer, step.get("tags") or {})
        except exc.TranslatorError as error:
            self._cleanup(steps)
            return models.JobStatus(done=True, error=error)
        rest = [h for h in handles if h != handle]
        return models.JobStatus(done=True, next_jobs=task.jobs + rest,
                                resource_id=task.resource_id,
                                message=f"CloudStack {step['command']} submitted")

    def _cleanup(self, steps: list[tuple[str, dict]]) -> None:
        for _, step in steps:
            if step["kind"] != "always":
                continue
            try:
                self._api().call(step["command"], **step["params"])
                LOG.info("CloudStack cleanup %s %s sent", step["command"], step["params"])
            except exc.TranslatorError as error:
                LOG.warning("CloudStack cleanup %s %s failed: %s; remove it by hand",
                            step["command"], step["params"], error.operator_message)
