"""What the CloudStack drivers of every API share: the client, zones, lookups, paging, jobs."""

from __future__ import annotations

import logging
from collections.abc import Callable

from oslo_config import cfg

from translator.drivers import base, models
from translator.drivers import exceptions as exc
from translator_drivers.cloudstack import conf as cs_conf
from translator_drivers.cloudstack import errors, mapping
from translator_drivers.cloudstack.client import CloudStackClient, FinishedJobs
from translator_drivers.cloudstack.errors import BACKEND, BackendMisconfigured, from_code

LOG = logging.getLogger(__name__)

Fetch = Callable[[bool], list[dict]]


class CloudStackDriverMixin(base.Driver):
    """Lifecycle, cached lookups and async-job polling over one CloudStackClient.

    A driver class lists ``base.XDriver`` after this mixin; ``_job_result``
    maps what a finished job reports to the model the operation ends with.
    """

    name = "cloudstack"

    @classmethod
    def register_opts(cls, conf: cfg.ConfigOpts) -> None:
        cs_conf.register_opts(conf)

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        super().__init__(conf)
        cs_conf.register_opts(conf)
        self.client: CloudStackClient | None = None
        self._finished = FinishedJobs()

    # -- lifecycle --------------------------------------------------------------

    @property
    def opts(self):
        return self.conf.cloudstack

    def setup(self) -> None:
        self.client = CloudStackClient(self.opts)

    def _api(self) -> CloudStackClient:
        if self.client is None:
            self.setup()
        return self.client

    def check_setup(self) -> None:
        """One real listZones: the endpoint answers, the keys work, a zone exists."""
        zones = self._zones(refresh=True)
        if not zones:
            raise BackendMisconfigured(
                "the backend has no available zone",
                operator_message=f"CloudStack at {self._api().endpoint} lists no available zone",
                backend=BACKEND)
        if self.opts.default_zone and self._match(zones, self.opts.default_zone) is None:
            raise BackendMisconfigured(
                "the configured default zone does not exist in the backend",
                operator_message=f"[cloudstack] default_zone {self.opts.default_zone!r} is not "
                                 f"one of {[z.get('name') for z in zones]}", backend=BACKEND)

    def close(self) -> None:
        if self.client is not None:
            self.client.close()

    # -- cached listings and lookups ----------------------------------------------

    def _zones(self, refresh: bool = False) -> list[dict]:
        return self._api().cached_list("listZones", "zone", refresh=refresh, available=True)

    @staticmethod
    def _match(items: list[dict], ref: str) -> dict | None:
        """The item whose id is ``ref``, else the one so named."""
        for key in ("id", "name"):
            for item in items:
                if mapping.text(item.get(key)) == ref:
                    return item
        return None

    def _lookup(self, fetch: Fetch, ref: str, what: str, *, by_name: bool = True) -> dict:
        """Find ``ref`` by id (or name) in a cached listing, refreshing it once on a miss."""
        for refresh in (False, True):
            items = fetch(refresh)
            found = (self._match(items, ref) if by_name else
                     next((i for i in items if mapping.text(i.get("id")) == ref), None))
            if found is not None:
                return found
            if self.opts.cache_ttl == 0:
                break
        raise exc.NotFound(f"{what} {ref!r} not found", backend=BACKEND)

    def _zone(self, ref: str) -> dict:
        ref = ref or self.opts.default_zone
        zones = self._zones()
        if not ref:
            if not zones:
                raise exc.BackendError("the backend has no available zone", backend=BACKEND)
            return zones[0]
        try:
            return self._lookup(self._zones, ref, "availability zone")
        except exc.NotFound as error:
            raise exc.InvalidInput(f"availability zone {ref!r} does not exist",
                                   field="availability_zone", backend=BACKEND) from error

    def _backend_list(self, command: str, key: str, convert: Callable, page_size: int,
                      page_token: str, **params) -> models.Page:
        """Real backend pages: the token carries the next page number and the page size."""
        page, size = mapping.backend_page(page_token, page_size)
        items, count = self._api().list_page(command, key, page, size, **params)
        more = bool(items) and page * size < count
        return models.Page(items=[convert(item) for item in items], total=count,
                           next_token=mapping.encode_token({"p": page + 1, "s": size}) if more
                           else "")

    def _tag(self, resource_id: str, resource_type: str, metadata: dict[str, str],
             what: str) -> str:
        """createTags for a new resource: its job id, or a failure handle if it was refused.

        The resource exists by now, so raising would lose its id. A refusal
        becomes a handle ``poll_jobs`` reports as the operation's error once
        the creation is over: the resource is then recorded, and deletable.
        """
        params = {"resourceids": resource_id, "resourcetype": resource_type}
        for i, (key, value) in enumerate(sorted(metadata.items())):
            params[f"tags[{i}].key"], params[f"tags[{i}].value"] = key, value
        try:
            return mapping.text(self._api().call("createTags", **params).get("jobid"))
        except exc.TranslatorError as error:
            LOG.warning("%s %s was created but createTags failed: %s", what, resource_id,
                        error.operator_message)
            return errors.failed_job(error, f"{what} {resource_id} was created, but its "
                                            f"metadata could not be stored: {error.user_message}")

    @staticmethod
    def _check_tag_values(metadata: dict[str, str]) -> None:
        for key, value in metadata.items():
            if not value:
                raise exc.InvalidInput(f"metadata {key!r} has no value; CloudStack tags need one",
                                       field=f"metadata[{key!r}]", backend=BACKEND)

    # -- jobs ----------------------------------------------------------------------------

    def _job_result(self, jobresult: dict) -> object | None:
        """The model a finished job's ``jobresult`` reports, or None."""
        return None

    def poll_jobs(self, jobs: list[str]) -> models.JobStatus:
        """queryAsyncJobResult for each job not yet seen finished.

        A failure handle (see ``errors.failed_job``) is reported once every
        real job is done.
        """
        pending, failed = [], [j for j in jobs if j.startswith(errors.FAILED_JOB)]
        outcome = None
        for job in jobs:
            if job in self._finished or job in failed:
                continue
            try:
                result = self._api().call("queryAsyncJobResult", jobid=job)
            except exc.InvalidInput as error:
                raise exc.BackendError(f"CloudStack does not know job {job}",
                                       operator_message=error.operator_message,
                                       backend=BACKEND, backend_code=error.backend_code) from error
            status = mapping.number(result.get("jobstatus"))
            command = mapping.text(result.get("cmd")).rsplit(".", 1)[-1] or f"job {job}"
            if status == 1:
                self._finished.add(job)
                outcome = result.get("jobresult") or {}
            elif status == 2:
                failure = result.get("jobresult") or {}
                return models.JobStatus(done=True, error=from_code(
                    failure.get("errorcode"), failure.get("errortext"), command))
            else:
                pending.append(command)
        if pending:
            return models.JobStatus(done=False, message=f"CloudStack job {pending[0]} pending")
        if failed:
            return models.JobStatus(done=True, error=errors.failure(failed[0]))
        # A lone job reports the resource as it left it; with more jobs (deploy
        # and createTags) that picture may be older than the last job's effect.
        if outcome and len(jobs) == 1:
            return models.JobStatus(done=True, result=self._job_result(outcome))
        return models.JobStatus(done=True)
