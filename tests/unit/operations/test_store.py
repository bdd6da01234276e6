import threading
import time

import pytest

from translator.operations import store as st


@pytest.fixture
def store(tmp_path):
    s = st.OperationStore(f"sqlite:///{tmp_path}/state.db")
    yield s
    s.close()


def _create(store, request_id="r1", **kw):
    return store.create(api="compute", verb="CreateServer", backend="cloudstack",
                        request_id=request_id, fingerprint="fp", request=b"req", **kw)


def test_create_then_duplicate_request_id_returns_the_first(store):
    first = _create(store)
    with pytest.raises(st.DuplicateRequest) as info:
        _create(store)
    assert info.value.existing.id == first.id
    assert first.state == st.SUBMITTING and first.name == f"operations/{first.id}"


def test_many_ops_without_request_id(store):
    ids = {_create(store, request_id=None).id for _ in range(3)}
    assert len(ids) == 3


def test_concurrent_duplicates_make_one_operation(store):
    results = []

    def worker():
        try:
            results.append(_create(store, request_id="same").id)
        except st.DuplicateRequest as dup:
            results.append(dup.existing.id)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and len(results) == 8


def test_update_persists_jobs_and_done_sets_end_time(store, tmp_path):
    op = _create(store)
    store.update(op.id, state=st.RUNNING, target="vm-1", jobs=["j1", "j2"])
    reopened = st.OperationStore(f"sqlite:///{tmp_path}/state.db")
    got = reopened.get(op.id)
    assert (got.state, got.target, got.jobs) == (st.RUNNING, "vm-1", ["j1", "j2"])
    assert [o.id for o in reopened.unfinished()] == [op.id]
    done = reopened.update(op.id, state=st.DONE, response=b"x")
    assert done.ended_at is not None and reopened.unfinished() == []


def test_listing_filters_on_done(store):
    a = _create(store, request_id="a")
    store.update(a.id, state=st.RUNNING, target="vm-1")
    b = _create(store, request_id="b")
    store.update(b.id, state=st.DONE, target="vm-2")
    assert [o.id for o in store.list(offset=0, limit=10, done=True)] == [b.id]
    assert [o.id for o in store.list(offset=0, limit=10, done=False)] == [a.id]
    assert len(store.list(offset=1, limit=10)) == 1


def test_claim_complete_release_request(store):
    assert store.claim_request("k", "CreateKeypair", "fp") is None
    earlier = store.claim_request("k", "CreateKeypair", "fp")
    assert earlier.response is None
    store.complete_request("k", b"resp")
    assert store.claim_request("k", "CreateKeypair", "fp").response == b"resp"
    store.release_request("k")
    assert store.claim_request("k", "CreateKeypair", "fp") is None


def test_purge_forgets_only_old_finished_state(store):
    old = _create(store, request_id="old")
    store.update(old.id, state=st.DONE)
    running = _create(store, request_id="running")
    store.claim_request("k", "m", "f")
    assert store.purge(time.time() + 1) == 2
    assert store.get(old.id) is None and store.get(running.id) is not None
