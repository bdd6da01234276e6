from google.rpc import code_pb2, error_details_pb2

from translator.drivers import exceptions as exc
from translator.service import errors


def _details(status):
    found = {}
    for any_detail in status.details:
        for cls in (error_details_pb2.ErrorInfo, error_details_pb2.BadRequest,
                    error_details_pb2.RetryInfo):
            if any_detail.Is(cls.DESCRIPTOR):
                msg = cls()
                any_detail.Unpack(msg)
                found[cls.__name__] = msg
    return found


def test_every_error_class_maps_to_a_real_grpc_code():
    classes = [exc.TranslatorError, *exc.TranslatorError.__subclasses__()]
    for cls in classes:
        assert code_pb2.Code.Value(cls.code) >= 0, cls


def test_invalid_input_carries_field_violations():
    status = errors.to_status(exc.InvalidInput("user_data too large", field="user_data"))
    assert status.code == code_pb2.INVALID_ARGUMENT
    bad = _details(status)["BadRequest"]
    assert [(v.field, v.description) for v in bad.field_violations] == [
        ("user_data", "user_data too large")]


def test_backend_metadata_and_retry_info():
    error = exc.BackendUnavailable("CloudStack did not answer", backend="cloudstack",
                                   backend_code="534", retry_after=1.5)
    status = errors.to_status(error)
    details = _details(status)
    assert status.code == code_pb2.UNAVAILABLE
    assert details["ErrorInfo"].reason == "BACKEND_UNAVAILABLE"
    assert dict(details["ErrorInfo"].metadata) == {"backend": "cloudstack", "backend_code": "534"}
    delay = details["RetryInfo"].retry_delay
    assert (delay.seconds, delay.nanos) == (1, 500_000_000)


def test_non_retryable_has_no_retry_info_and_operator_text_stays_private():
    error = exc.QuotaExceeded("VM limit reached", "account 42 hit max.account.user.vms=20")
    status = errors.to_status(error)
    assert "RetryInfo" not in _details(status)
    assert "account 42" not in status.message


def test_unsupported_option_names_the_option():
    status = errors.to_status(exc.UnsupportedOption("no SGs here", option="security_groups"))
    assert status.code == code_pb2.UNIMPLEMENTED
    assert _details(status)["ErrorInfo"].metadata["option"] == "security_groups"


def test_internal_status_reveals_nothing():
    status = errors.internal_status()
    assert status.code == code_pb2.INTERNAL and not status.details
