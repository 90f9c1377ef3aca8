"""DHCP lease names in DNS, through the real binary, real clients (udhcpc) and dig, in
private network namespaces (tests/lib/dhcpnet.py: 192.0.2.0/24 only). Every expectation was
first seen with dnsmasq 2.90: MASQD_DHCP_BIN=/usr/sbin/dnsmasq runs the same tests against it.
Needs root (network namespaces), udhcpc and dig."""
from __future__ import annotations

import os
import shutil
import time

import pytest

from lib.dhcpnet import SERVER_ADDR, DhcpNet

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
    pytest.mark.skipif(not shutil.which("udhcpc") or not shutil.which("dig"),
                       reason="udhcpc and dig are needed (tools/install-deps.sh test)"),
]

RANGE = "--dhcp-range=192.0.2.100,192.0.2.150,1h"
MAC = "02:00:00:00:00:01"
CLIENT_MAC = MAC  # the net fixture (conftest.py) gives the client this MAC
DNS = ["--no-resolv", "--no-hosts", "--domain=lan", "--log-queries"]


def dig(net: DhcpNet, *q: str) -> tuple[str, list[tuple[int, str]]]:
    """(status, [(ttl, rdata)]) of one query from the client namespace."""
    r = net.cx("dig", "+tries=2", "+time=2", "+norecurse", f"@{SERVER_ADDR}", *q, timeout=15, check=False)
    status = ""
    answers = []
    section = ""
    for line in r.stdout.splitlines():
        if "status:" in line:
            status = line.split("status:")[1].split(",")[0].strip()
        if line.startswith(";; ") and line.endswith("SECTION:"):
            section = line
        f = line.split()
        if "ANSWER" in section and not line.startswith(";") and len(f) >= 5 and f[2] == "IN":
            answers.append((int(f[1]), f[4]))
    return status, answers


def test_lease_name_answers_a_and_ptr(net, dhcp_bin):
    s = net.server(dhcp_bin, RANGE, *DNS, "--dhcp-ttl=120", dns_port=53)
    env = net.udhcpc("-x", "hostname:alpha")
    assert env, "no lease"
    ip = env["ip"]
    assert dig(net, "alpha", "A") == ("NOERROR", [(120, ip)])
    assert dig(net, "alpha.lan", "A") == ("NOERROR", [(120, ip)])
    assert dig(net, "ALPHA.lan", "A")[1] == [(120, ip)]
    status, answers = dig(net, "-x", ip)
    assert (status, answers) == ("NOERROR", [(120, "alpha.lan.")])
    assert dig(net, "alpha.example", "A")[0] == "REFUSED"  # not ours, and no upstream
    lines = s.log_lines()
    assert f"DHCP alpha is {ip}" in lines
    assert f"DHCP alpha.lan is {ip}" in lines
    assert f"DHCP {ip} is alpha.lan" in lines


def test_local_ttl_applies_without_dhcp_ttl(net, dhcp_bin):
    net.server(dhcp_bin, RANGE, *DNS, "--local-ttl=45", dns_port=53)
    env = net.udhcpc("-x", "hostname:alpha")
    assert env
    assert dig(net, "alpha", "A") == ("NOERROR", [(45, env["ip"])])


def test_second_client_takes_the_name_and_release_removes_it(net, dhcp_bin):
    s = net.server(dhcp_bin, RANGE, *DNS, dns_port=53)
    first = net.udhcpc("-x", "hostname:alpha")
    assert first
    net.set_client_mac("02:00:00:00:00:02")
    second = net.udhcpc("-x", "hostname:alpha")
    assert second and second["ip"] != first["ip"]
    assert dig(net, "alpha", "A") == ("NOERROR", [(0, second["ip"])])
    # The older lease lost its name (lease file and PTR).
    names = {f[2]: f[3] for f in s.leases()}
    assert names == {first["ip"]: "*", second["ip"]: "alpha"}
    assert dig(net, "-x", first["ip"])[1] == []
    assert dig(net, "-x", second["ip"])[1] == [(0, "alpha.lan.")]


def test_dhcp_host_name_and_hosts_file_clashes(net, dhcp_bin, tmp_path):
    hosts = tmp_path / "hosts"
    hosts.write_text("192.0.2.200 clash\n")
    s = net.server(dhcp_bin, RANGE, *DNS, f"--addn-hosts={hosts}",
                   f"--dhcp-host={MAC},192.0.2.120,fixed", "--dhcp-host=02:00:00:00:00:03,192.0.2.121,clash",
                   dns_port=53)
    env = net.udhcpc("-x", "hostname:ignored")
    assert env and env["ip"] == "192.0.2.120"
    assert dig(net, "fixed", "A") == ("NOERROR", [(0, "192.0.2.120")])
    assert dig(net, "ignored", "A")[0] == "REFUSED"
    # A name the hosts file gives another address stays the hosts file's; the FQDN is the lease's.
    net.set_client_mac("02:00:00:00:00:03")
    env = net.udhcpc()
    assert env and env["ip"] == "192.0.2.121"
    s.wait_log("not giving name clash to the DHCP lease of 192.0.2.121 because the name exists in "
               f"{hosts} with address 192.0.2.200")
    assert dig(net, "clash", "A") == ("NOERROR", [(0, "192.0.2.200")])
    assert dig(net, "clash.lan", "A") == ("NOERROR", [(0, "192.0.2.121")])


def test_names_from_the_lease_file_at_start_up_and_expiry(net, dhcp_bin, tmp_path):
    leases = tmp_path / "leases"
    now = int(time.time())
    leases.write_text(f"{now + 3} 02:00:00:00:00:09 192.0.2.109 shortlived *\n"
                      f"0 02:00:00:00:00:0a 192.0.2.110 forever *\n")
    net.server(dhcp_bin, RANGE, *DNS, "--dhcp-ttl=600", dns_port=53, lease_file=leases)
    net.cx("ip", "addr", "add", "192.0.2.99/24", "dev", net.client_if)  # no DHCP client here
    status, answers = dig(net, "shortlived", "A")
    assert status == "NOERROR" and len(answers) == 1 and answers[0][1] == "192.0.2.109"
    assert answers[0][0] <= 3
    assert dig(net, "forever", "A") == ("NOERROR", [(600, "192.0.2.110")])
    time.sleep(4.5)
    assert dig(net, "shortlived", "A")[1] == []
    assert dig(net, "-x", "192.0.2.109")[1] == []


def test_a_client_cannot_take_a_dhcp_host_name(net, dhcp_bin):
    s = net.server(dhcp_bin, RANGE, *DNS, f"--dhcp-host={MAC},owner", dns_port=53)
    first = net.udhcpc()
    assert first
    net.set_client_mac("02:00:00:00:00:02")
    second = net.udhcpc("-x", "hostname:owner")
    assert second and second["ip"] != first["ip"]
    assert dig(net, "owner", "A") == ("NOERROR", [(0, first["ip"])])
    names = {f[2]: f[3] for f in s.leases()}
    assert names == {first["ip"]: "owner", second["ip"]: "*"}
