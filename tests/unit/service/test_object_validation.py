"""Checks of ObjectStorage requests before any backend call."""

from __future__ import annotations

import pytest

from translator.api.v1 import object_storage_pb2 as pb
from translator.drivers import exceptions as exc
from translator.service import object_validation as check
from translator.service.validation import Validator


def fields(error: exc.InvalidInput) -> list[str]:
    return [v.field for v in error.violations]


def header(**kwargs) -> pb.PutObjectHeader:
    values = {"container": "photos", "name": "a/b/c.jpg"}
    values.update(kwargs)
    return pb.PutObjectHeader(**values)


def test_a_good_header_becomes_a_spec_with_lower_case_metadata_keys():
    spec = check.object_spec(header(metadata={"Owner": "ann", "x-Kind": "raw"},
                                    size_bytes=0, md5="D41D8CD98F00B204E9800998ECF8427E"))
    assert spec.metadata == {"owner": "ann", "x-kind": "raw"}
    assert spec.size_bytes == 0  # set, even though zero
    assert spec.md5 == "d41d8cd98f00b204e9800998ecf8427e"
    assert spec.content_type == "application/octet-stream"


def test_size_is_none_when_not_given():
    assert check.object_spec(header()).size_bytes is None


@pytest.mark.parametrize("kwargs, field", [
    ({"container": ""}, "header.container"),
    ({"container": "a/b"}, "header.container"),
    ({"container": "x" * 257}, "header.container"),
    ({"name": ""}, "header.name"),
    ({"name": "é" * 513}, "header.name"),  # 1026 bytes
    ({"name": "a\nb"}, "header.name"),
    ({"md5": "xyz"}, "header.md5"),
    ({"size_bytes": -1}, "header.size_bytes"),
    ({"content_type": "text"}, "header.content_type"),
    ({"content_type": "text/plain\r\nX-Evil: 1"}, "header.content_type"),
])
def test_bad_header_fields_are_named(kwargs, field):
    with pytest.raises(exc.InvalidInput) as caught:
        check.object_spec(header(**kwargs))
    assert fields(caught.value) == [field]


@pytest.mark.parametrize("metadata, why", [
    ({"bad_key": "v"}, "letters, digits and '-'"),
    ({"-lead": "v"}, "letters, digits and '-'"),
    ({"k": "caf\u00e9"}, "printable ASCII"),
    ({"k": "a\r\nb"}, "printable ASCII"),
    ({"k": "v" * 257}, "printable ASCII"),
    ({"Key": "1", "KEY": "2"}, "case-insensitive"),
    ({"translator-md5": "x"}, "reserved"),
    ({"Translator-Segments": "x"}, "reserved"),  # swift's own key, any case
    ({f"k{i}": "v" * 200 for i in range(11)}, "2048 bytes"),
    ({f"k{i}": "" for i in range(65)}, "at most 64"),
])
def test_metadata_a_backend_would_mangle_is_refused(metadata, why):
    v = Validator()
    check.metadata(v, metadata)
    assert v.violations and why in v.violations[0].description


def test_delimiter_is_one_character():
    v = Validator()
    check.listing(v, "photos/", "//")
    assert [x.field for x in v.violations] == ["delimiter"]
    v = Validator()
    check.listing(v, "photos/", "/")
    assert not v.violations


def test_object_ref_names_both_fields():
    with pytest.raises(exc.InvalidInput) as caught:
        check.object_ref("", "", prefix="source_")
    assert fields(caught.value) == ["source_container", "source_name"]
