"""--dhcp-script through the real binary and udhcpc in private network namespaces
(tests/lib/dhcpnet.py: 192.0.2.0/24 only): a shell script appends its arguments and its
DNSMASQ_* environment to a file. What is compared was first seen with dnsmasq 2.90:
MASQD_DHCP_BIN=/usr/sbin/dnsmasq runs the same tests against it.
Needs root (network namespaces) and udhcpc."""
from __future__ import annotations

import os
import shutil
import signal
import time

import pytest


pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
    pytest.mark.skipif(not shutil.which("udhcpc"), reason="udhcpc is needed"),
]

RANGE = "--dhcp-range=192.0.2.100,192.0.2.150,1h"
MAC = "02:00:00:00:00:01"
CLIENT_MAC = MAC  # the net fixture (conftest.py) gives the client this MAC


def make_script(tmp_path, body: str = ""):
    out = tmp_path / "events"
    script = tmp_path / "script.sh"
    script.write_text("#!/bin/sh\n" + body +
                      f'{{ echo "ARGS $*"; env | grep ^DNSMASQ_ | sort; echo; }} >> {out}\n')
    script.chmod(0o755)
    return script, out


def events(out, count: int, timeout: float = 5.0) -> list[tuple[list[str], dict[str, str]]]:
    """The first `count` calls recorded (waits for them): (arguments, environment)."""
    deadline = time.monotonic() + timeout
    while True:
        text = out.read_text() if out.exists() else ""
        complete = text[:text.rfind("\n\n") + 2] if "\n\n" in text else ""  # a call still writing is left out
        blocks = [b for b in complete.split("\n\n") if b.strip()]
        if len(blocks) >= count or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    result = []
    for b in blocks:
        lines = b.strip().splitlines()
        args = lines[0].split()[1:]
        env = dict(line.split("=", 1) for line in lines[1:])
        result.append((args, env))
    assert len(result) >= count, result
    return result


def test_add_old_del_with_dnsmasq_arguments_and_environment(net, dhcp_bin, tmp_path):
    script, out = make_script(tmp_path)
    now = int(time.time())
    leases = tmp_path / "leases"
    leases.write_text(f"{now + 600} 02:00:00:00:00:09 192.0.2.109 oldone 01:02:00:00:00:00:09\n")
    s = net.server(dhcp_bin, RANGE, f"--dhcp-script={script}", "--domain=lan", lease_file=leases)
    # Start-up: "old" for the lease on file, with DNSMASQ_DATA_MISSING.
    (args, env), = events(out, 1)[:1]
    assert args == ["old", "02:00:00:00:00:09", "192.0.2.109", "oldone"]
    assert env["DNSMASQ_DATA_MISSING"] == "1"
    assert env["DNSMASQ_CLIENT_ID"] == "01:02:00:00:00:00:09"
    assert env["DNSMASQ_DOMAIN"] == "lan"
    assert int(env["DNSMASQ_LEASE_EXPIRES"]) == now + 600
    assert 590 <= int(env["DNSMASQ_TIME_REMAINING"]) <= 600
    # A new lease: "add" with the request's facts. (dnsmasq 2.90 sometimes repeats the
    # start-up "old" once more before it; events are found by action, not position.)
    env1 = net.udhcpc("-x", "hostname:beta")
    assert env1
    ip = env1["ip"]
    n0 = wait_for(out, "add")
    args, env = events(out, n0 + 1)[n0]
    assert args == ["add", MAC, ip, "beta"]
    assert env["DNSMASQ_CLIENT_ID"] == "01:" + MAC
    assert env["DNSMASQ_INTERFACE"] == net.server_if
    assert env["DNSMASQ_SUPPLIED_HOSTNAME"] == "beta"
    assert env["DNSMASQ_TAGS"] == net.server_if
    assert env["DNSMASQ_VENDOR_CLASS"].startswith("udhcp ")
    assert env["DNSMASQ_REQUESTED_OPTIONS"] == "1,3,6,12,15,28,42"
    assert env["DNSMASQ_TIME_REMAINING"] == "3600"
    assert "DNSMASQ_DATA_MISSING" not in env
    # The same client with another name: the lease without its old name, then with the new.
    assert net.udhcpc("-x", "hostname:gamma")
    got = events(out, n0 + 3)[n0 + 1:n0 + 3]
    assert got[0][0] == ["old", MAC, ip]
    assert got[0][1]["DNSMASQ_OLD_HOSTNAME"] == "beta"
    assert got[1][0] == ["old", MAC, ip, "gamma"]
    assert "DNSMASQ_OLD_HOSTNAME" not in got[1][1]
    # The client starting over (udhcpc: DISCOVER, REQUEST) is reported again as "old".
    assert net.udhcpc("-x", "hostname:gamma")
    got = events(out, n0 + 4)[n0 + 3]
    assert got[0] == ["old", MAC, ip, "gamma"] and got[1]["DNSMASQ_SUPPLIED_HOSTNAME"] == "gamma"
    n0 += 1
    # SIGHUP: "old" for every lease, newest first, DATA_MISSING.
    s.proc.send_signal(signal.SIGHUP)
    got = events(out, n0 + 5)[n0 + 3:n0 + 5]
    assert [a for a, _ in got] == [["old", MAC, ip, "gamma"], ["old", "02:00:00:00:00:09", "192.0.2.109", "oldone"]]
    assert all(e["DNSMASQ_DATA_MISSING"] == "1" for _, e in got)


def wait_for(out, action: str, timeout: float = 5.0) -> int:
    """Index of the first recorded call with this action."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for i, (args, _) in enumerate(events(out, 0)):
            if args and args[0] == action:
                return i
        time.sleep(0.05)
    raise AssertionError(f"no {action} call: {events(out, 0)}")


def test_release_runs_del(net, dhcp_bin, tmp_path):
    script, out = make_script(tmp_path)
    s = net.server(dhcp_bin, RANGE, f"--dhcp-script={script}")
    env = net.dhclient(release=True)
    assert env
    ip = env["new_ip_address"]
    s.wait_log(f"DHCPRELEASE({net.server_if}) {ip} {MAC}")
    got = events(out, 2)
    assert got[0][0][:3] == ["add", MAC, ip]
    assert got[1][0][:3] == ["del", MAC, ip]


def test_a_slow_script_does_not_hold_up_the_server(net, dhcp_bin, tmp_path):
    script, out = make_script(tmp_path, "sleep 3\n")
    net.server(dhcp_bin, RANGE, f"--dhcp-script={script}")
    start = time.monotonic()
    assert net.udhcpc()
    net.set_client_mac("02:00:00:00:00:02")
    assert net.udhcpc()
    assert time.monotonic() - start < 5  # two leases while the first script still sleeps
    got = events(out, 2, timeout=10)  # one at a time: both arrive, 3 s apart
    assert [a[0] for a, _ in got] == ["add", "add"]


def test_leasefile_ro_takes_the_leases_from_init(net, dhcp_bin, tmp_path):
    now = int(time.time())
    script, out = make_script(tmp_path, 'if [ "$1" = init ]; then\n'
                              f'  echo "{now + 900} 02:00:00:00:00:07 192.0.2.107 fromscript *"\n'
                              "  exit 0\nfi\n")
    s = net.server(dhcp_bin, RANGE, f"--dhcp-script={script}", "--leasefile-ro",
                   lease_file=tmp_path / "never-written")
    # The init lease is known: the same MAC is offered that address.
    net.set_client_mac("02:00:00:00:00:07")
    env = net.udhcpc()
    assert env and env["ip"] == "192.0.2.107"
    assert not (tmp_path / "never-written").exists()
    assert s.proc.poll() is None


def test_failing_init_stops_start_up_with_exit_10_plus_status(net, dhcp_bin, tmp_path):
    script, out = make_script(tmp_path, 'if [ "$1" = init ]; then exit 3; fi\n')
    s = net.server(dhcp_bin, RANGE, f"--dhcp-script={script}", "--leasefile-ro", wait_text="")
    assert s.proc.wait(timeout=10) == 13
