import datetime

from translator.api.v1 import compute_pb2
from translator.drivers import models
from translator.service import convert


def _server(status="ACTIVE"):
    return models.Server(id="s1", name="web", status=status,
                         addresses=[models.Address("net", "10.0.0.5")],
                         created_at=datetime.datetime(2026, 1, 2, 3, 4, 5))


def test_server_fields_and_naive_times_are_utc():
    msg = convert.server(_server())
    assert msg.status == compute_pb2.Server.ACTIVE
    assert msg.addresses[0].ip == "10.0.0.5"
    assert msg.create_time.ToDatetime() == datetime.datetime(2026, 1, 2, 3, 4, 5)


def test_unknown_status_becomes_unknown():
    assert convert.server(_server("WEIRD")).status == compute_pb2.Server.UNKNOWN


def test_pending_operations_overlay_reboot_and_resize():
    assert convert.server(_server(), "RebootServer").status == compute_pb2.Server.REBOOT
    assert convert.server(_server("SHUTOFF"), "ResizeServer").status == compute_pb2.Server.RESIZE
    # A reboot of a stopped server does not pretend it is rebooting.
    assert convert.server(_server("SHUTOFF"), "RebootServer").status == compute_pb2.Server.SHUTOFF


def test_capabilities_use_rpc_names():
    caps = models.ApiCapabilities("compute", "x", operations=[
        models.OperationSupport("create_server", True,
                                options=[models.OptionSupport("user_data", True, "limit")])])
    msg = convert.capabilities(caps)
    assert msg.operations[0].name == "CreateServer"
    assert msg.operations[0].options[0].note == "limit"
