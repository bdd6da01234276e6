"""CloudStack objects → neutral models, on the recorded responses shipped with libcloud."""

from __future__ import annotations

import datetime
import json
import pathlib

import libcloud
import pytest

from translator.drivers import exceptions as exc
from translator.drivers import models
from translator_drivers.cloudstack import mapping

FIXTURES = pathlib.Path(libcloud.__file__).parent / "test/compute/fixtures/cloudstack"


def fixture(name: str) -> dict:
    body = json.loads((FIXTURES / f"{name}.json").read_text())
    return next(iter(body.values()))


@pytest.mark.parametrize("state, status, task", [
    ("Starting", "BUILD", ""),
    ("Creating", "BUILD", ""),
    ("Running", "ACTIVE", ""),
    ("Stopping", "ACTIVE", "powering-off"),
    ("Stopped", "SHUTOFF", ""),
    ("Shutdowned", "SHUTOFF", ""),
    ("Migrating", "ACTIVE", "migrating"),
    ("Destroyed", "DELETED", ""),
    ("Expunging", "DELETED", ""),
    ("Error", "ERROR", ""),
    ("Unknown", "UNKNOWN", ""),
    ("SomethingNew", "UNKNOWN", ""),
    ("", "UNKNOWN", ""),
])
def test_server_status_map(state, status, task):
    assert mapping.server_status(state) == (status, task)


def test_recorded_virtual_machine():
    vm = fixture("listVirtualMachines_default")["virtualmachine"][0]
    server = mapping.server(vm)
    assert server.id == "2600" and server.name == "test"
    assert server.status == "ACTIVE"
    assert server.flavor_id == "105" and server.flavor_name == "Compute Micro PRD"
    assert server.image_id == "421"
    assert server.vcpus == 1 and server.ram_mb == 384
    assert server.availability_zone == "Sydney"
    assert server.metadata == {"testkey": "testvalue", "foo": "bar"}
    assert server.addresses == [models.Address(network="860", ip="1.1.1.116", version=4)]
    assert server.created_at == datetime.datetime(2011, 6, 23, 5, 6, 42,
                                                  tzinfo=datetime.UTC)
    assert server.extra["cloudstack_state"] == "Running"
    assert server.extra["hypervisor"] == "XenServer"
    assert server.extra["zone_id"] == "1"
    assert server.extra["ha_enabled"] == "false"
    assert all(isinstance(v, str) for v in server.extra.values())


def test_starting_vm_is_build():
    vm = fixture("listVirtualMachines_default")["virtualmachine"][1]
    assert mapping.server(vm).status == "BUILD"


def test_security_groups_from_job_result():
    vm = fixture("queryAsyncJobResult_11115")["jobresult"]["virtualmachine"]
    assert mapping.server(vm).security_groups == ["default", "mongodb"]


def test_display_name_is_the_server_name():
    server = mapping.server({"id": "x", "name": "web-1", "displayname": "Web #1",
                             "state": "Running"})
    assert server.name == "Web #1"
    assert server.extra["cloudstack_name"] == "web-1"


def test_addresses_default_nic_first_and_ipv6():
    nics = [
        {"networkid": "n2", "networkname": "backend", "ipaddress": "10.0.2.5",
         "isdefault": False},
        {"networkid": "n1", "networkname": "front", "ipaddress": "10.0.1.5",
         "ip6address": "fd00::5", "macaddress": "02:00:00:00:00:01", "isdefault": True},
    ]
    assert mapping.addresses(nics) == [
        models.Address("front", "10.0.1.5", 4, "02:00:00:00:00:01"),
        models.Address("front", "fd00::5", 6, "02:00:00:00:00:01"),
        models.Address("backend", "10.0.2.5", 4, ""),
    ]


def test_recorded_offering_is_a_flavor():
    offering = fixture("listServiceOfferings_default")["serviceoffering"][0]
    flavor = mapping.flavor(offering)
    assert flavor == models.Flavor(
        id="105", name="Compute Micro PRD", vcpus=1, ram_mb=384, customizable=False,
        extra=flavor.extra)
    assert flavor.extra["cpu_speed_mhz"] == "1200"
    assert flavor.extra["offer_ha"] == "false"


def test_customized_offering():
    flavor = mapping.flavor({"id": "c", "name": "Custom", "iscustomized": True})
    assert flavor.customizable and flavor.vcpus == 0 and flavor.ram_mb == 0
    assert mapping.flavor({"id": "c", "name": "C", "iscustomized": "true"}).customizable


def test_recorded_template_is_an_image():
    template = fixture("listTemplates_default")["template"][0]
    image = mapping.image(template)
    assert image.id == "576" and image.status == "ACTIVE"
    assert image.size_bytes == 702743552 and image.min_disk_gb == 1
    assert image.os_type == "Ubuntu 10.04 (64-bit)"
    assert image.extra["format"] == "OVA"


def test_template_states():
    assert mapping.image_status({"isready": False, "status": "Downloading 40%"}) == "SAVING"
    assert mapping.image_status({"isready": False, "status": "Download Error"}) == "ERROR"
    assert mapping.image_status({"isready": True}) == "ACTIVE"


def test_images_merge_templates_listed_per_zone():
    templates = [{"id": "t1", "name": "Debian", "zoneid": "z1", "zonename": "one"},
                 {"id": "t1", "name": "Debian", "zoneid": "z2", "zonename": "two"},
                 {"id": "t2", "name": "CentOS", "zoneid": "z1", "zonename": "one"}]
    images = mapping.images(templates)
    assert [i.id for i in images] == ["t1", "t2"]
    assert images[0].extra["zones"] == "one,two"


def test_keypairs():
    created = mapping.keypair(fixture("createSSHKeyPair_default")["keypair"])
    assert created.name == "test-keypair"
    assert created.private_key.startswith("-----BEGIN RSA PRIVATE KEY-----")
    listed = mapping.keypair(fixture("listSSHKeyPairs_default")["sshkeypair"][0])
    assert listed.name == "cs-keypair" and listed.private_key == ""
    imported = mapping.keypair(fixture("registerSSHKeyPair_default")["keypair"],
                               public_key="ssh-rsa AAAA x")
    assert imported.public_key == "ssh-rsa AAAA x"


@pytest.mark.parametrize("name, host", [
    ("web-1", "web-1"),
    ("My Web_Server #1", "my-web-server-1"),
    ("--9lives--", "lives"),
    ("x" * 80, "x" * 63),
    ("123", ""),
    ("日本語", ""),
])
def test_hostname(name, host):
    assert mapping.hostname(name) == host


def test_tokens_round_trip_and_reject_garbage():
    token = mapping.encode_token({"p": 3, "s": 50})
    assert mapping.decode_token(token, "p", "s") == {"p": 3, "s": 50}
    for bad in ("!!!", "bm90IGpzb24", mapping.encode_token({"p": "3", "s": 1}),
                mapping.encode_token({"o": -1}), mapping.encode_token([1])):
        with pytest.raises(exc.InvalidInput) as info:
            mapping.decode_token(bad, "p", "s")
        assert info.value.violations[0].field == "page_token"


def test_page_slice():
    items = list(range(7))
    first = mapping.page_slice(items, 3, "")
    assert first.items == [0, 1, 2] and first.total == 7
    second = mapping.page_slice(items, 3, first.next_token)
    third = mapping.page_slice(items, 3, second.next_token)
    assert second.items == [3, 4, 5] and third.items == [6] and third.next_token == ""
    assert len(mapping.page_slice(list(range(200)), 0, "").items) == 100


def test_smallest_fit_and_custom_details():
    offerings = [{"id": "l", "cpunumber": 2, "memory": 4096},
                 {"id": "s", "cpunumber": 1, "memory": 512},
                 {"id": "m", "cpunumber": 1, "memory": 1024},
                 {"id": "c", "iscustomized": True}]
    assert mapping.smallest_fit(offerings, 1, 600)["id"] == "m"
    assert mapping.smallest_fit(offerings, 2, 100)["id"] == "l"
    assert mapping.smallest_fit(offerings, 8, 100) is None
    assert mapping.custom_details(offerings[3], 8, 16384) == {
        "details[0].cpuNumber": "8", "details[0].memory": "16384",
        "details[0].cpuSpeed": str(mapping.DEFAULT_CPU_SPEED_MHZ)}
    bounded = {"name": "Custom", "serviceofferingdetails": {"maxcpunumber": "4"}}
    with pytest.raises(exc.InvalidInput):
        mapping.custom_details(bounded, 8, 1024)


def test_capabilities_cover_every_operation():
    caps = mapping.capabilities(32768, True)
    assert caps.api == "compute" and caps.driver == "cloudstack"
    names = {op.name for op in caps.operations}
    assert "create_server" in names and "resize_server" in names
    reboot = next(op for op in caps.operations if op.name == "reboot_server")
    assert reboot.options[0].name == "hard"
