"""The NetScaler simulator's configuration objects and bindings over plain HTTP: CRUD,
NITRO typing, GET options, referential rules and the errors the appliance answers."""

from __future__ import annotations

import pytest

VS = {"name": "vs1", "servicetype": "http", "ipv46": "10.0.0.10", "port": 80}
SG = {"servicegroupname": "sg1", "servicetype": "HTTP"}
MEMBERS = "servicegroup_servicegroupmember_binding"
VS_SG = "lbvserver_servicegroup_binding"
SG_MON = "servicegroup_lbmonitor_binding"


def _error(answer, status, code, message=None):
    assert (answer.status, answer.errorcode) == (status, code), answer
    assert answer.body["severity"] == "ERROR"
    if message is not None:
        assert answer.body["message"] == message


# --- lbvserver -------------------------------------------------------------------------------

def test_lbvserver_crud_with_nitro_typing(nitro):
    answer = nitro.add("lbvserver", {**VS, "lbmethod": "roundrobin", "comment": "web"})
    assert answer.raw == b""  # adds answer 201 with no payload
    [vs] = nitro.get("lbvserver/vs1")
    assert (vs["name"], vs["servicetype"], vs["lbmethod"]) == ("vs1", "HTTP", "ROUNDROBIN")
    assert vs["port"] == 80 and vs["timeout"] == "2"        # <Integer> and <Double>
    assert (vs["persistencetype"], vs["comment"], vs["ipv46"]) == ("NONE", "web", "10.0.0.10")
    assert (vs["curstate"], vs["health"], vs["totalservices"]) == ("DOWN", "0", "0")
    answer = nitro.call("PUT", "lbvserver/vs1", {"lbvserver": {"lbmethod": "SOURCEIPHASH",
                                                               "timeout": "5"}})
    assert (answer.status, answer.raw) == (200, b"")
    answer = nitro.call("PUT", "lbvserver", {"lbvserver": {"name": "vs1", "comment": "x"}})
    assert answer.status == 200
    [vs] = nitro.get("lbvserver")
    assert (vs["lbmethod"], vs["timeout"], vs["comment"]) == ("SOURCEIPHASH", "5", "x")
    assert (nitro.call("DELETE", "lbvserver/vs1").status, nitro.get("lbvserver")) == (200, [])
    _error(nitro.call("GET", "lbvserver/vs1"), 404, 258, "No such resource [name, vs1]")
    _error(nitro.call("DELETE", "lbvserver/vs1"), 404, 258)
    _error(nitro.call("PUT", "lbvserver/vs1", {"lbvserver": {"comment": "x"}}), 404, 258)


def test_lbvserver_defaults_least_connection(nitro):
    nitro.add("lbvserver", {"name": "plain", "servicetype": "TCP"})
    [vs] = nitro.get("lbvserver/plain")
    assert (vs["lbmethod"], vs["ipv46"], vs["port"]) == ("LEASTCONNECTION", "0.0.0.0", 0)


@pytest.mark.parametrize("obj, status, code, message", [
    (VS, 409, 273, "Resource already exists [name, vs1]"),
    ({"name": "v", "servicetype": "HTTPX"}, 400, 1097, "Invalid argument value [servicetype, "
                                                        "HTTPX]"),
    ({"name": "v", "servicetype": "HTTP", "lbmethod": "FASTEST"}, 400, 1097, None),
    ({"name": "v"}, 400, 1095, "Required argument missing [servicetype]"),
    ({"name": "v", "servicetype": "HTTP", "colour": "red"}, 599, 278,
     "Invalid argument [colour]"),
    ({"name": "v", "servicetype": "HTTP", "curstate": "UP"}, 599, 278, None),
    ({"name": "v", "servicetype": "HTTP", "ipv46": "10.0.0.300", "port": 80}, 400, 1097, None),
    ({"name": "v", "servicetype": "HTTP", "ipv46": "10.0.0.3"}, 400, 1093, None),
    ({"name": "v", "servicetype": "HTTP", "port": 70000}, 400, 1097, None),
    ({"name": "bad/name", "servicetype": "HTTP"}, 400, 1097, None),
    ({"name": "v", "servicetype": "TCP", "persistencetype": "COOKIEINSERT"}, 400, 1092,
     "Arguments cannot both be specified [persistenceType, serviceType==TCP]"),
    ({"name": "v", "servicetype": "HTTP", "persistencetype": "SOURCEIP", "cookiename": "c"},
     400, 1093, "Argument pre-requisite missing [cookieName, persistenceType==COOKIEINSERT]"),
])
def test_lbvserver_add_errors(nitro, obj, status, code, message):
    nitro.add("lbvserver", VS)
    _error(nitro.call("POST", "lbvserver", {"lbvserver": obj}), status, code, message)


def test_lbvserver_cookie_insert_and_immutable_port(nitro):
    nitro.add("lbvserver", {**VS, "persistencetype": "COOKIEINSERT", "cookiename": "SRV",
                            "timeout": 0})
    [vs] = nitro.get("lbvserver/vs1")
    assert (vs["persistencetype"], vs["cookiename"], vs["timeout"]) == \
        ("COOKIEINSERT", "SRV", "0")
    _error(nitro.call("PUT", "lbvserver", {"lbvserver": {"name": "vs1", "port": 81}}),
           599, 278, "Invalid argument [port]")
    _error(nitro.call("PUT", "lbvserver", {"lbvserver": {"name": "vs1",
                                                         "persistencetype": "NONE"}}),
           400, 1093)  # the cookie name would be left without COOKIEINSERT


def test_idempotent_add_updates_an_existing_object(nitro):
    nitro.add("lbvserver", VS)
    answer = nitro.call("POST", "lbvserver?idempotent=yes",
                        {"lbvserver": {**VS, "comment": "again"}})
    assert answer.status == 201
    assert nitro.get("lbvserver/vs1")[0]["comment"] == "again"


def test_names_may_be_url_encoded_twice(nitro):
    nitro.add("lbvserver", {**VS, "name": "my vs:1"})
    assert nitro.get("lbvserver/my%20vs%3A1")[0]["name"] == "my vs:1"
    assert nitro.get("lbvserver/my%2520vs%253A1")[0]["name"] == "my vs:1"


# --- GET options ---------------------------------------------------------------------------------

def test_filter_attrs_count_and_pages(nitro):
    for i in range(5):
        nitro.add("lbvserver", {"name": f"v{i}", "servicetype": "TCP" if i % 2 else "HTTP",
                                "lbmethod": "ROUNDROBIN" if i < 2 else "LEASTCONNECTION"})
    assert [v["name"] for v in nitro.get("lbvserver", "filter=servicetype:TCP")] == \
        ["v1", "v3"]
    assert [v["name"] for v in nitro.get("lbvserver",
                                         "filter=servicetype:HTTP,lbmethod:ROUNDROBIN")] == ["v0"]
    assert nitro.get("lbvserver", "filter=servicetype:UDP") == []
    assert nitro.get("lbvserver", "attrs=name,lbmethod")[0] == {"name": "v0",
                                                                "lbmethod": "ROUNDROBIN"}
    assert nitro.get("lbvserver", "count=yes") == [{"__count": 5}]
    assert [v["name"] for v in nitro.get("lbvserver", "pagesize=2&pageno=2")] == ["v2", "v3"]


# --- servicegroup, server, lbmonitor --------------------------------------------------------------

def test_servicegroup_crud(nitro):
    nitro.add("servicegroup", {**SG, "comment": "pool"})
    [sg] = nitro.get("servicegroup/sg1")
    assert (sg["servicetype"], sg["state"], sg["comment"]) == ("HTTP", "ENABLED", "pool")
    assert sg["servicegroupeffectivestate"] == "DOWN"  # no members
    nitro.call("PUT", "servicegroup", {"servicegroup": {"servicegroupname": "sg1",
                                                        "comment": "new"}})
    assert nitro.get("servicegroup/sg1")[0]["comment"] == "new"
    _error(nitro.call("POST", "servicegroup", {"servicegroup": SG}), 409, 273,
           "Resource already exists [servicegroupname, sg1]")
    _error(nitro.call("PUT", "servicegroup", {"servicegroup": {**SG}}), 599, 278)
    assert nitro.call("DELETE", "servicegroup/sg1").status == 200


def test_lbmonitor_defaults_and_http_fields(nitro):
    nitro.add("lbmonitor", {"monitorname": "m1", "type": "http", "httprequest": "GET /healthz",
                            "respcode": ["200-204"], "interval": 10, "resptimeout": 3})
    nitro.add("lbmonitor", {"monitorname": "m2", "type": "TCP"})
    nitro.add("lbmonitor", {"monitorname": "m3", "type": "HTTP", "respcode": "200"})
    m1, m2, m3 = (nitro.get(f"lbmonitor/{n}")[0] for n in ("m1", "m2", "m3"))
    assert (m1["type"], m1["httprequest"], m1["respcode"]) == ("HTTP", "GET /healthz",
                                                               ["200-204"])
    assert (m1["interval"], m1["resptimeout"], m1["retries"], m1["downtime"]) == (10, 3, 3, 30)
    assert (m2["interval"], m2["resptimeout"], m2["units3"]) == (5, 2, "SEC")
    assert "httprequest" not in m2
    assert (m3["httprequest"], m3["respcode"]) == ("HEAD /", ["200"])
    _error(nitro.call("POST", "lbmonitor", {"lbmonitor": {"monitorname": "m4", "type": "TCP",
                                                          "interval": 2, "resptimeout": 2}}),
           400, 1097)
    _error(nitro.call("PUT", "lbmonitor", {"lbmonitor": {"monitorname": "m2",
                                                         "retries": 5}}), 400, 1095)
    nitro.call("PUT", "lbmonitor", {"lbmonitor": {"monitorname": "m2", "type": "TCP",
                                                  "retries": 5}})
    assert nitro.get("lbmonitor/m2")[0]["retries"] == 5
    _error(nitro.delete("lbmonitor/m2", type="HTTP"), 404, 258)
    assert nitro.delete("lbmonitor/m2", type="TCP").status == 200
    assert nitro.call("DELETE", "lbmonitor/m1").status == 200


def test_builtin_monitors_exist_and_cannot_be_deleted(ns_sim, nitro):
    names = {m["monitorname"] for m in nitro.get("lbmonitor")}
    assert {"ping-default", "tcp-default", "http"} <= names
    _error(nitro.call("DELETE", "lbmonitor/tcp-default"), 599, 2132)
    _error(nitro.call("POST", "lbmonitor", {"lbmonitor": {"monitorname": "http",
                                                          "type": "HTTP"}}), 409, 273)
    assert ns_sim.objects("lbmonitor") == []


def test_server_objects(nitro):
    nitro.add("server", {"name": "web1", "ipaddress": "10.1.0.1", "comment": "c"})
    assert nitro.get("server/web1")[0]["ipaddress"] == "10.1.0.1"
    _error(nitro.call("POST", "server", {"server": {"name": "web1", "ipaddress": "10.1.0.9"}}),
           409, 273, "Resource already exists [name, web1]")
    _error(nitro.call("POST", "server", {"server": {"name": "web2"}}), 400, 1095)
    assert nitro.get("server", "args=ipaddress:10.1.0.1")[0]["name"] == "web1"


# --- bindings -------------------------------------------------------------------------------

def test_members_bind_get_and_unbind_with_args(ns_sim, nitro):
    nitro.add("servicegroup", SG)
    assert nitro.call("GET", f"{MEMBERS}/sg1").body == {"errorcode": 0, "message": "Done",
                                                         "severity": "NONE"}
    nitro.add(MEMBERS, {"servicegroupname": "sg1", "ip": "10.1.0.1", "port": 80, "weight": 5})
    answer = nitro.call("PUT", MEMBERS, {MEMBERS: {"servicegroupname": "sg1",
                                                   "ip": "fd00::1", "port": "8080"}})
    assert answer.status == 200
    one, two = nitro.get(f"{MEMBERS}/sg1")
    assert (one["ip"], one["port"], one["weight"], one["svrstate"]) == ("10.1.0.1", 80, "5",
                                                                        "DOWN")  # unprobed
    assert (one["servername"], one["state"]) == ("10.1.0.1", "ENABLED")
    assert (two["ip"], two["port"], two["weight"]) == ("fd00::1", 8080, "1")
    assert {s["name"] for s in nitro.get("server")} == {"10.1.0.1", "fd00::1"}
    _error(nitro.call("POST", MEMBERS, {MEMBERS: {"servicegroupname": "sg1", "ip": "10.1.0.1",
                                                  "port": 80}}), 409, 273)
    _error(nitro.delete(f"{MEMBERS}/sg1", ip="10.1.0.1"), 400, 1095,
           "Required argument missing [port]")
    _error(nitro.delete(f"{MEMBERS}/sg1", ip="10.1.0.2", port=80), 404, 258)
    assert nitro.delete(f"{MEMBERS}/sg1", ip="fd00::1", port=8080).status == 200
    assert nitro.delete(f"{MEMBERS}/sg1", servername="10.1.0.1", port=80).status == 200
    assert nitro.get(f"{MEMBERS}/sg1") == []
    # the servers NetScaler created stay behind, as on the appliance
    assert {s["name"] for s in ns_sim.objects("server")} == {"10.1.0.1", "fd00::1"}


def test_member_errors(nitro):
    nitro.add("servicegroup", SG)
    nitro.add("server", {"name": "web1", "ipaddress": "10.1.0.1"})
    cases = [
        ({"servicegroupname": "nope", "ip": "10.1.0.1", "port": 80}, 404, 258,
         "No such resource [servicegroupname, nope]"),
        ({"servicegroupname": "sg1", "ip": "10.1.0.1", "servername": "web1", "port": 80},
         400, 1092, "Arguments cannot both be specified [serverName, IP]"),
        ({"servicegroupname": "sg1", "servername": "web9", "port": 80}, 404, 258,
         "No such resource [serverName, web9]"),
        ({"servicegroupname": "sg1", "ip": "10.1.0.1"}, 400, 1095, None),
        ({"servicegroupname": "sg1", "ip": "10.1.0.1", "port": 80, "weight": 101}, 400, 1097,
         None),
    ]
    for obj, status, code, message in cases:
        _error(nitro.call("POST", MEMBERS, {MEMBERS: obj}), status, code, message)
    nitro.add(MEMBERS, {"servicegroupname": "sg1", "ip": "10.1.0.1", "port": 80})
    [member] = nitro.get(f"{MEMBERS}/sg1")
    assert member["servername"] == "web1"  # an existing server with that IP is reused
    _error(nitro.call("GET", f"{MEMBERS}/nope"), 404, 258)


def test_vserver_and_monitor_bindings(ns_sim, nitro):
    nitro.add("lbvserver", VS)
    nitro.add("servicegroup", SG)
    nitro.add("lbmonitor", {"monitorname": "m1", "type": "TCP"})
    nitro.add(VS_SG, {"name": "vs1", "servicegroupname": "sg1"})
    nitro.add(SG_MON, {"servicegroupname": "sg1", "monitor_name": "m1"})
    assert nitro.get(f"{VS_SG}/vs1") == [{"name": "vs1", "servicegroupname": "sg1"}]
    [bound] = nitro.get(f"{SG_MON}/sg1")
    assert (bound["monitor_name"], bound["monstate"], bound["weight"]) == ("m1", "ENABLED", "1")
    _error(nitro.call("POST", VS_SG, {VS_SG: {"name": "vs1", "servicegroupname": "sg1"}}),
           409, 273)
    _error(nitro.call("POST", VS_SG, {VS_SG: {"name": "vs9", "servicegroupname": "sg1"}}),
           404, 258, "No such resource [name, vs9]")
    _error(nitro.call("POST", VS_SG, {VS_SG: {"name": "vs1", "servicegroupname": "sg9"}}),
           404, 258, "No such resource [servicegroupname, sg9]")
    _error(nitro.call("POST", SG_MON, {SG_MON: {"servicegroupname": "sg1",
                                                "monitor_name": "m1"}}), 599, 2133)
    _error(nitro.call("POST", SG_MON, {SG_MON: {"servicegroupname": "sg1",
                                                "monitor_name": "m9"}}),
           404, 258, "No such resource [monitor_name, m9]")
    _error(nitro.call("DELETE", "lbmonitor/m1"), 599, 2131,
           "Monitor must be unbound before it can be deleted")
    _error(nitro.delete(f"{SG_MON}/sg1"), 400, 1095)
    assert nitro.delete(f"{SG_MON}/sg1", monitor_name="m1").status == 200
    assert nitro.call("DELETE", "lbmonitor/m1").status == 200
    assert len(ns_sim.objects(VS_SG)) == 1
    assert nitro.delete(f"{VS_SG}/vs1", servicegroupname="sg1").status == 200
    _error(nitro.delete(f"{VS_SG}/vs1", servicegroupname="sg1"), 404, 258)


def test_deleting_a_group_unbinds_it_everywhere(ns_sim, nitro):
    nitro.add("lbvserver", VS)
    nitro.add("servicegroup", SG)
    nitro.add("lbmonitor", {"monitorname": "m1", "type": "TCP"})
    nitro.add(VS_SG, {"name": "vs1", "servicegroupname": "sg1"})
    nitro.add(SG_MON, {"servicegroupname": "sg1", "monitor_name": "m1"})
    nitro.add(MEMBERS, {"servicegroupname": "sg1", "ip": "10.1.0.1", "port": 80})
    assert nitro.call("DELETE", "servicegroup/sg1").status == 200
    assert nitro.call("GET", f"{VS_SG}/vs1").body.get(VS_SG) is None
    assert ns_sim.objects(MEMBERS) == [] and ns_sim.objects(SG_MON) == []
    assert nitro.call("DELETE", "lbmonitor/m1").status == 200  # no longer bound
    assert nitro.call("DELETE", "lbvserver/vs1").status == 200
    assert ns_sim.objects("lbvserver") == [] and ns_sim.objects("servicegroup") == []
    with pytest.raises(ValueError):
        ns_sim.objects("csvserver")


def test_deleting_a_server_removes_its_members(ns_sim, nitro):
    nitro.add("servicegroup", SG)
    nitro.add(MEMBERS, {"servicegroupname": "sg1", "ip": "10.1.0.1", "port": 80})
    nitro.add(MEMBERS, {"servicegroupname": "sg1", "ip": "10.1.0.2", "port": 80})
    assert nitro.call("DELETE", "server/10.1.0.1").status == 200
    assert [m["ip"] for m in ns_sim.objects(MEMBERS)] == ["10.1.0.2"]


def test_member_weight_set_through_the_service_group(nitro):
    """``set serviceGroup sg1 10.1.0.1 80 -weight 7``: a PUT of servicegroup."""
    nitro.add("servicegroup", SG)
    nitro.add(MEMBERS, {"servicegroupname": "sg1", "ip": "10.1.0.1", "port": 80})
    update = {"servicegroupname": "sg1", "servername": "10.1.0.1", "port": 80, "weight": 7}
    assert nitro.call("PUT", "servicegroup", {"servicegroup": update}).status == 200
    assert nitro.get(f"{MEMBERS}/sg1")[0]["weight"] == "7"
    _error(nitro.call("PUT", "servicegroup", {"servicegroup": {**update, "port": 81}}),
           404, 258)
    _error(nitro.call("PUT", "servicegroup", {"servicegroup": {"servicegroupname": "sg1",
                                                               "weight": 2}}), 400, 1093)
    _error(nitro.call("POST", "servicegroup", {"servicegroup": {**SG, "weight": 2}}), 599, 278)
