import pytest

from translator.api.v1 import compute_pb2
from translator.drivers import exceptions as exc
from translator.service import validation
from translator.service.validation import Validator


def test_collects_every_violation_before_raising():
    v = Validator()
    v.text("", "name", required=True)
    v.text("x" * 300, "image")
    v.request_id("has space")
    with pytest.raises(exc.InvalidInput) as info:
        v.raise_if_invalid()
    assert [f.field for f in info.value.violations] == ["name", "image", "request_id"]


def test_control_characters_rejected():
    v = Validator()
    v.text("bad\nname", "name")
    assert [f.field for f in v.violations] == ["name"]


@pytest.mark.parametrize("size,expected", [(0, 100), (1, 1), (500, 500), (10_000, 500)])
def test_page_size_defaults_and_caps(size, expected):
    assert Validator().page(size, "") == expected


def test_negative_page_size_is_invalid():
    v = Validator()
    v.page(-1, "")
    assert v.violations[0].field == "page_size"


def test_metadata_limits():
    v = Validator()
    v.metadata({str(i): "v" for i in range(65)})
    assert v.violations and v.violations[0].field == "metadata"
    v = Validator()
    v.metadata({"k": "v" * 256, "": "x"})
    assert len(v.violations) == 2


def test_fingerprint_ignores_request_id_only():
    a = compute_pb2.CreateServerRequest(request_id="1", name="web", flavor="f", image="i")
    b = compute_pb2.CreateServerRequest(request_id="2", name="web", flavor="f", image="i")
    c = compute_pb2.CreateServerRequest(request_id="1", name="web2", flavor="f", image="i")
    assert validation.fingerprint(a) == validation.fingerprint(b)
    assert validation.fingerprint(a) != validation.fingerprint(c)
    assert a.request_id == "1"  # the request itself is untouched


def test_tokens_round_trip_and_garbage_is_invalid_input():
    token = validation.encode_token({"offset": 5})
    assert validation.decode_token(token) == {"offset": 5}
    with pytest.raises(exc.InvalidInput) as info:
        validation.decode_token("not-a-token!")
    assert info.value.violations[0].field == "page_token"
