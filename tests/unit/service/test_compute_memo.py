from translator.drivers import models
from translator.service.compute import ResponseMemo


def test_same_models_reuse_the_built_response():
    memo = ResponseMemo()
    flavors = [models.Flavor("1", "small"), models.Flavor("2", "large")]
    builds = []

    def build():
        builds.append(1)
        return object()

    first = memo.get(("flavors", 100, ""), flavors[:], build)
    again = memo.get(("flavors", 100, ""), flavors[:], build)
    assert first is again and len(builds) == 1


def test_new_model_objects_rebuild_even_when_equal():
    memo = ResponseMemo()
    first = memo.get(("k",), [models.Flavor("1", "small")], object)
    # The driver's cache refreshed: equal content, new objects → a fresh response,
    # so a changed offering can never be served from a stale build.
    second = memo.get(("k",), [models.Flavor("1", "small")], object)
    assert first is not second


def test_memo_is_bounded():
    memo = ResponseMemo()
    flavor = [models.Flavor("1", "small")]
    for i in range(ResponseMemo.MAX_ENTRIES + 10):
        memo.get(("k", i), flavor, object)
    assert len(memo._entries) <= ResponseMemo.MAX_ENTRIES
