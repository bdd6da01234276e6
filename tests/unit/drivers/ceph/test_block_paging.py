"""Paging through volumes and snapshots of two pools: no item skipped or repeated."""

from __future__ import annotations

import pytest
from unit.drivers.ceph.conftest import create, snapshot

from translator.drivers import exceptions as exc


@pytest.fixture(scope="module")
def paged(make_driver, make_pool):
    """A driver whose two types use two fresh pools: the listings hold only this module's."""
    first, second = make_pool("page-a"), make_pool("page-b")
    return make_driver(types=("a", "b"), default="a", ceph_opts={"rbd_pool": first},
                       type_opts={"a": {"rbd_pool": first}, "b": {"rbd_pool": second}})


@pytest.fixture(scope="module")
def made(paged):
    volumes = [create(paged, 1, volume_type="a" if i % 3 else "b") for i in range(7)]
    snapshots = [snapshot(paged, volumes[i], name=f"s{i}") for i in (0, 1, 1, 3, 5)]
    return volumes, snapshots


def collect(list_page, page_size: int) -> tuple[list, int]:
    items, token, pages = [], "", 0
    while True:
        page = list_page(page_size, token)
        pages += 1
        assert len(page.items) <= page_size
        items.extend(page.items)
        if not page.next_token:
            return items, pages
        token = page.next_token


@pytest.mark.parametrize("page_size", [1, 2, 3, 7, 8, 100])
def test_volumes_page_without_skip_or_repeat(paged, made, page_size):
    volumes, _ = made
    items, pages = collect(paged.list_volumes, page_size)
    ids = [v.id for v in items]
    assert sorted(ids) == sorted(volumes) and len(ids) == len(set(ids))
    assert pages == max(1, -(-len(volumes) // page_size))
    whole, _ = collect(paged.list_volumes, 100)
    assert ids == [v.id for v in whole]  # the same stable order at any page size
    assert {v.location.pool for v in items} == {paged._type_pool("a"), paged._type_pool("b")}


def test_volumes_made_between_pages_do_not_disturb_the_others(paged, made):
    volumes, _ = made
    first = paged.list_volumes(3, "")
    extra = create(paged, 1, volume_type="b")
    try:
        rest, token = [], first.next_token
        while token:
            page = paged.list_volumes(3, token)
            rest.extend(v.id for v in page.items)
            token = page.next_token
        seen = [v.id for v in first.items] + rest
        assert len(seen) == len(set(seen))
        assert set(volumes) <= set(seen)
    finally:
        paged.delete_volume(extra)


@pytest.mark.parametrize("page_size", [1, 2, 5, 6])
def test_snapshots_page_without_skip_or_repeat(paged, made, page_size):
    _, snapshots = made
    items, _ = collect(lambda size, token: paged.list_snapshots(size, token), page_size)
    assert sorted(s.id for s in items) == sorted(snapshots)
    assert len(items) == len({s.id for s in items})
    assert {s.name for s in items} == {"s0", "s1", "s3", "s5"}
    assert all(s.status == "available" and s.location.tier == "primary" for s in items)


def test_one_volumes_snapshots_page_too(paged, made):
    volumes, snapshots = made
    items, pages = collect(lambda size, token: paged.list_snapshots(size, token, volumes[1]), 1)
    assert sorted(s.id for s in items) == sorted(snapshots[1:3]) and pages == 2
    assert {s.volume_id for s in items} == {volumes[1]}
    assert paged.list_snapshots(10, "", volumes[2]).items == []
    with pytest.raises(exc.NotFound):
        paged.list_snapshots(10, "", "7e0b6a3c-0000-4000-8000-000000000000")


def test_foreign_or_malformed_tokens_are_invalid(paged, made):
    volumes, _ = made
    volume_token = paged.list_volumes(1, "").next_token
    snapshot_token = paged.list_snapshots(1, "").next_token
    one_volume_token = paged.list_snapshots(1, "", volumes[1]).next_token
    assert volume_token and snapshot_token and one_volume_token
    attempts = [
        (paged.list_volumes, "not a token!"), (paged.list_volumes, snapshot_token),
        (paged.list_snapshots, volume_token), (paged.list_snapshots, "AAAA"),
        (lambda size, token: paged.list_snapshots(size, token, volumes[0]), one_volume_token),
    ]
    for list_page, token in attempts:
        with pytest.raises(exc.InvalidInput) as refused:
            list_page(10, token)
        assert refused.value.violations[0].field == "page_token"
