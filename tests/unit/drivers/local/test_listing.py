"""Listings of the local driver: bytewise order, prefix, delimiter, pages and tokens."""

from __future__ import annotations

import pytest
from unit.drivers.local.conftest import put

from translator.drivers import exceptions
from translator_drivers.local import listing
from translator_drivers.local.index import prefix_end

NAMES = ["a", "a/1", "a/2", "a/b/3", "ab", "b/1", "b/2", "c", "z/", "é", "\U0001F600"]


@pytest.fixture
def filled(driver, bucket) -> str:
    for name in reversed(NAMES):
        put(driver, bucket, name, name.encode())
    return bucket


def every_page(driver, container, page_size, prefix="", delimiter=""):
    """(names, prefixes) of each page, following tokens."""
    pages, token, seen = [], "", set()
    while True:
        page = driver.list_objects(container, prefix, delimiter, page_size, token)
        assert len(page.objects) + len(page.common_prefixes) <= page_size
        pages.append(([o.name for o in page.objects], page.common_prefixes))
        if not page.next_token:
            return pages
        assert page.next_token not in seen
        seen.add(page.next_token)
        token = page.next_token


def flat(pages):
    return [n for names, _ in pages for n in names], [p for _, ps in pages for p in ps]


def test_objects_list_in_bytewise_order(driver, filled):
    assert NAMES == sorted(NAMES, key=lambda n: n.encode())
    assert [o.name for o in driver.list_objects(filled, "", "", 100, "").objects] == NAMES
    for size in (1, 2, 3, 5):
        assert flat(every_page(driver, filled, size)) == (NAMES, [])


def test_prefix(driver, filled):
    assert flat(every_page(driver, filled, 2, prefix="a/")) == (["a/1", "a/2", "a/b/3"], [])
    assert flat(every_page(driver, filled, 2, prefix="a")) == (
        ["a", "a/1", "a/2", "a/b/3", "ab"], [])
    assert flat(every_page(driver, filled, 2, prefix="nothing")) == ([], [])
    assert flat(every_page(driver, filled, 2, prefix="\U0001F600")) == (["\U0001F600"], [])


def test_delimiter_rolls_up_common_prefixes(driver, filled):
    page = driver.list_objects(filled, "", "/", 100, "")
    assert [o.name for o in page.objects] == ["a", "ab", "c", "é", "\U0001F600"]
    assert page.common_prefixes == ["a/", "b/", "z/"]
    assert not page.next_token
    inner = driver.list_objects(filled, "a/", "/", 100, "")
    assert ([o.name for o in inner.objects], inner.common_prefixes) == (["a/1", "a/2"], ["a/b/"])


def test_a_page_counts_objects_and_prefixes_together(driver, filled):
    pages = every_page(driver, filled, 2, delimiter="/")
    assert pages == [(["a"], ["a/"]), (["ab"], ["b/"]), (["c"], ["z/"]),
                     (["é", "\U0001F600"], [])]
    for size in (1, 3, 4, 7, 8, 9):
        assert flat(every_page(driver, filled, size, delimiter="/")) == (
            ["a", "ab", "c", "é", "\U0001F600"], ["a/", "b/", "z/"])


def test_a_multi_character_delimiter(driver, bucket):
    for name in ("x--1", "x--2--3", "y"):
        put(driver, bucket, name, b"")
    page = driver.list_objects(bucket, "", "--", 10, "")
    assert ([o.name for o in page.objects], page.common_prefixes) == (["y"], ["x--"])
    page = driver.list_objects(bucket, "x--", "--", 10, "")
    assert ([o.name for o in page.objects], page.common_prefixes) == (["x--1"], ["x--2--"])


def test_a_full_last_page_has_no_token(driver, bucket):
    put(driver, bucket, "one", b"")
    put(driver, bucket, "two", b"")
    assert driver.list_objects(bucket, "", "", 2, "").next_token == ""
    assert driver.list_objects(bucket, "", "", 1, "").next_token


def test_listing_reads_on_past_many_rows(driver, bucket, monkeypatch):
    monkeypatch.setattr(listing, "BATCH", 3)
    names = [f"k{i:03}" for i in range(20)] + [f"p/{i}" for i in range(10)]
    for name in names:
        put(driver, bucket, name, b"")
    assert flat(every_page(driver, bucket, 7)) == (names, [])
    assert flat(every_page(driver, bucket, 7, delimiter="/")) == (names[:20], ["p/"])


def test_tokens_are_checked(driver, filled):
    token = driver.list_objects(filled, "", "/", 1, "").next_token
    for bad in ("not a token!", "bm90IGpzb24", "W10=", token[:-4]):
        with pytest.raises(exceptions.InvalidInput) as caught:
            driver.list_objects(filled, "", "/", 1, bad)
        assert caught.value.violations[0].field == "page_token"
    with pytest.raises(exceptions.InvalidInput, match="delimiter"):
        driver.list_objects(filled, "", "", 1, token)
    with pytest.raises(exceptions.InvalidInput, match="prefix"):
        driver.list_objects(filled, "a", "/", 1, token)


def test_containers_list_sorted_with_prefix_and_pages(driver):
    names = ["alpha", "beta", "beta-2", "gamma", "zeta"]
    for name in reversed(names):
        driver.create_container(name, {"n": name})
    put(driver, "beta", "o", b"1234")

    def pages(size, prefix=""):
        found, token = [], ""
        while True:
            page = driver.list_containers(size, token, prefix)
            assert len(page.items) <= size
            found.extend(page.items)
            if not page.next_token:
                return found
            token = page.next_token

    for size in (1, 2, 5, 100):
        assert [c.name for c in pages(size)] == names
    beta = [c for c in pages(2, "beta")]
    assert [c.name for c in beta] == ["beta", "beta-2"]
    assert (beta[0].object_count, beta[0].bytes_used, beta[0].metadata) == (1, 4, {"n": "beta"})
    assert (beta[1].object_count, beta[1].bytes_used) == (0, 0)
    token = driver.list_containers(1, "", "").next_token
    with pytest.raises(exceptions.InvalidInput, match="prefix"):
        driver.list_containers(1, token, "beta")
    with pytest.raises(exceptions.InvalidInput):
        driver.list_containers(1, "garbage", "")


@pytest.mark.parametrize(("prefix", "end"), [
    ("", ""), ("a", "b"), ("a/", "a0"), ("\ud7ff", "\ue000"),
    ("x\U0010FFFF", "y"), ("\U0010FFFF", ""),
])
def test_prefix_end(prefix, end):
    assert prefix_end(prefix) == end
