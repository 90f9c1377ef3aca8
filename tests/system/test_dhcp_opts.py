"""The P1 DHCPv4 options of issue 5 through the real binary and a real client (busybox
udhcpc) in private network namespaces (tests/lib/dhcpnet.py, 192.0.2.0/24 only):
--dhcp-optsfile, --read-ethers, --dhcp-ignore-names, --dhcp-broadcast, --dhcp-fqdn,
--dhcp-generate-names. Every expectation was first seen with dnsmasq 2.90:
MASQD_DHCP_BIN=/usr/sbin/dnsmasq runs the same tests against it. /etc/ethers is the test's
own file, seen by the server alone through an overlay in a private mount namespace
(tests/lib/etcns.py); the host's /etc is never written. Needs root, udhcpc and dig."""
from __future__ import annotations

import os
import select
import shutil
import signal
import time

import pytest

from lib.dhcpnet import SERVER_ADDR, DhcpNet
from lib.etcns import etc_overlay_wrapper

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
    pytest.mark.skipif(not shutil.which("udhcpc") or not shutil.which("dig") or not shutil.which("unshare"),
                       reason="udhcpc, dig and unshare are needed (tools/install-deps.sh test)"),
]

RANGE = "--dhcp-range=192.0.2.100,192.0.2.150,1h"
MAC = "02:00:00:00:00:01"
CLIENT_MAC = MAC  # the net fixture (conftest.py) gives the client this MAC
DNS = ["--no-resolv", "--no-hosts", "--domain=lan", "--log-queries"]


def dig(net: DhcpNet, *q: str) -> tuple[str, list[str]]:
    """(status, [rdata]) of one query from the client namespace."""
    r = net.cx("dig", "+tries=2", "+time=2", "+norecurse", f"@{SERVER_ADDR}", *q, timeout=15, check=False)
    status, answers, section = "", [], ""
    for line in r.stdout.splitlines():
        if "status:" in line:
            status = line.split("status:")[1].split(",")[0].strip()
        if line.startswith(";; ") and line.endswith("SECTION:"):
            section = line
        f = line.split()
        if "ANSWER" in section and not line.startswith(";") and len(f) >= 5 and f[2] == "IN":
            answers.append(f[4])
    return status, answers


def hup_and_wait(server, text: str) -> None:
    """SIGHUP, then wait for a log line with `text` that was not there before."""
    before = sum(text in l for l in server.log_lines())
    server.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if sum(text in l for l in server.log_lines()) > before:
            return
        time.sleep(0.05)
    raise AssertionError(f"no new {text!r} after SIGHUP:\n" + "\n".join(server.log_lines()))


# ---- --dhcp-optsfile ----

def test_opts_file_gives_options_and_is_reread_on_sighup(net, dhcp_bin, tmp_path):
    opts = tmp_path / "opts"
    opts.write_text("# time servers\n42,192.0.2.5\n  option:dns-server,192.0.2.53 \n45,notanaddress\n")
    s = net.server(dhcp_bin, RANGE, f"--dhcp-optsfile={opts}")
    assert f"bad IP address at line 4 of {opts}" in s.log_lines()
    assert f"read {opts}" in s.log_lines()
    env = net.udhcpc("-O", "ntpsrv")
    assert env, "no lease"
    assert env["ntpsrv"].split() == ["192.0.2.5"]
    assert env["dns"].split() == ["192.0.2.53"]
    # A changed file after SIGHUP: the new values, a bad line only logged, the server stays up.
    opts.write_text("42,192.0.2.6\nnot an option at all\n")
    hup_and_wait(s, f"read {opts}")
    assert any(f"at line 2 of {opts}" in l for l in s.log_lines())
    env = net.udhcpc("-O", "ntpsrv")
    assert env and env["ntpsrv"].split() == ["192.0.2.6"]
    assert "dns" not in env
    assert s.proc.poll() is None


def test_opts_dir_and_file_options_beat_configured_ones(net, dhcp_bin, tmp_path):
    d = tmp_path / "optsdir"
    d.mkdir()
    (d / "b").write_text("option:ntp-server,192.0.2.8\n")
    (d / "a").write_text("42,192.0.2.9\n")
    (d / ".hidden").write_text("42,192.0.2.99\n")
    s = net.server(dhcp_bin, RANGE, "--dhcp-option=42,192.0.2.7", f"--dhcp-optsfile={d}")
    assert [l for l in s.log_lines() if l.startswith("read ")] == [f"read {d}/a", f"read {d}/b"]
    env = net.udhcpc("-O", "ntpsrv")
    assert env and env["ntpsrv"].split() == ["192.0.2.8"]  # the last line read is the newest


# ---- --read-ethers ----

def ethers_server(net, dhcp_bin, tmp_path, ethers_text, *extra, **kw):
    ethers = tmp_path / "ethers"
    ethers.write_text(ethers_text)
    wrapper = etc_overlay_wrapper(tmp_path, dhcp_bin, {"ethers": ethers})
    return net.server(wrapper, RANGE, "-Z", *extra, **kw), ethers


def test_ethers_address_and_reread_on_sighup(net, dhcp_bin, tmp_path):
    host_has_ethers = os.path.exists("/etc/ethers")
    s, ethers = ethers_server(net, dhcp_bin, tmp_path,
                              "# ethers\n+nis\n02:00:00:00:00:01 192.0.2.140\nzz:00:00:00:00:02 192.0.2.141\n")
    assert "bad line at /etc/ethers line 4" in s.log_lines()
    assert "read /etc/ethers - 1 addresses" in s.log_lines()
    env = net.udhcpc()
    assert env and env["ip"] == "192.0.2.140"
    ethers.write_text("02:00:00:00:00:01 192.0.2.142\n")
    hup_and_wait(s, "read /etc/ethers - 1 addresses")
    # The old lease is refused (NAK) and the client starts again, getting the new address.
    env = net.udhcpc()
    assert env and env["ip"] == "192.0.2.142"
    assert os.path.exists("/etc/ethers") == host_has_ethers  # the host's /etc was never written


def test_ethers_name_takes_the_hosts_address_when_dns_is_on(net, dhcp_bin, tmp_path):
    hosts = tmp_path / "hosts"
    hosts.write_text("192.0.2.141 printer\n")
    s, _ = ethers_server(net, dhcp_bin, tmp_path, "02:00:00:00:00:01 printer\n", *DNS, f"--addn-hosts={hosts}",
                         dns_port=53)
    env = net.udhcpc()
    assert env and env["ip"] == "192.0.2.141"
    assert env.get("hostname") == "printer"
    assert s.leases()[0][3] == "printer"


def test_ethers_name_without_hosts_entry_is_only_a_name(net, dhcp_bin, tmp_path):
    s, _ = ethers_server(net, dhcp_bin, tmp_path, "02:00:00:00:00:01 scanner\n")
    env = net.udhcpc("-x", "hostname:other")
    assert env and env.get("hostname") == "scanner"
    assert s.leases()[0][2] == env["ip"] and s.leases()[0][3] == "scanner"


def test_missing_ethers_file_is_logged(net, dhcp_bin, tmp_path):
    wrapper = etc_overlay_wrapper(tmp_path, dhcp_bin, {})
    s = net.server(wrapper, RANGE, "-Z")
    s.wait_log("failed to read /etc/ethers: No such file or directory")
    assert net.udhcpc(), "still serves"


# ---- --dhcp-ignore-names, --dhcp-generate-names ----

def test_ignore_names_keeps_client_names_out_of_leases_and_dns(net, dhcp_bin):
    s = net.server(dhcp_bin, RANGE, *DNS, "--dhcp-ignore-names", dns_port=53)
    env = net.udhcpc("-x", "hostname:alpha")
    assert env
    assert s.leases()[0][2:4] == [env["ip"], "*"]
    assert "hostname" not in env
    assert dig(net, "alpha.lan", "A")[1] == []
    s.wait_log(f"DHCPACK({net.server_if}) {env['ip']} {MAC}")


def test_ignore_names_by_tag(net, dhcp_bin):
    s = net.server(dhcp_bin, RANGE, "--dhcp-ignore-names=tag:known", f"--dhcp-host={MAC},192.0.2.130")
    env = net.udhcpc("-x", "hostname:alpha")
    assert env and env["ip"] == "192.0.2.130"
    assert s.leases()[0][3] == "*"
    net.set_client_mac("02:00:00:00:00:02")
    env = net.udhcpc("-x", "hostname:beta")
    assert env
    assert [l[3] for l in s.leases() if l[2] == env["ip"]] == ["beta"]


def test_generate_names_from_the_mac(net, dhcp_bin):
    s = net.server(dhcp_bin, RANGE, *DNS, "--dhcp-generate-names", dns_port=53)
    env = net.udhcpc()
    assert env and env.get("hostname") == "02-00-00-00-00-01"
    assert s.leases()[0][3] == "02-00-00-00-00-01"
    assert dig(net, "02-00-00-00-00-01.lan", "A") == ("NOERROR", [env["ip"]])
    net.set_client_mac("02:00:00:00:00:02")
    env = net.udhcpc("-x", "hostname:named")
    assert env and [l[3] for l in s.leases() if l[2] == env["ip"]] == ["named"]


# ---- --dhcp-broadcast ----

def replies_seen_by_plain_socket(net: DhcpNet, run_client) -> list[bytes]:
    """BOOTREPLYs a plain UDP socket on port 68 in the client namespace sees while
    `run_client` runs: broadcast replies reach it, unicast ones to an address the interface
    does not have yet do not."""
    sock = net.client_socket(68)
    try:
        run_client()
        seen = []
        deadline = time.monotonic() + 0.5
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([sock.sock], [], [], left)[0]:
                break
            data, _ = sock.sock.recvfrom(4096)
            if data and data[0] == 2:
                seen.append(data)
        return seen
    finally:
        sock.close()


def test_broadcast_replies_to_a_client_that_did_not_ask(net, dhcp_bin):
    net.server(dhcp_bin, RANGE, "--dhcp-broadcast")
    envs = []
    seen = replies_seen_by_plain_socket(net, lambda: envs.append(net.udhcpc()))
    assert envs[0], "no lease"
    assert len(seen) >= 2  # OFFER and ACK
    assert all(int.from_bytes(p[10:12], "big") & 0x8000 for p in seen)


def test_without_broadcast_option_replies_are_unicast(net, dhcp_bin):
    net.server(dhcp_bin, RANGE, "--dhcp-broadcast=tag:nomatch")
    envs = []
    seen = replies_seen_by_plain_socket(net, lambda: envs.append(net.udhcpc()))
    assert envs[0], "no lease"
    assert seen == []


# ---- --dhcp-fqdn ----

def test_fqdn_only_puts_the_qualified_name_in_dns(net, dhcp_bin):
    net.server(dhcp_bin, RANGE, *DNS, "--dhcp-fqdn", dns_port=53)
    env = net.udhcpc("-x", "hostname:alpha")
    assert env
    assert dig(net, "alpha.lan", "A") == ("NOERROR", [env["ip"]])
    assert dig(net, "alpha", "A")[1] == []
    assert dig(net, "-x", env["ip"]) == ("NOERROR", ["alpha.lan."])


def test_fqdn_needs_an_unconditional_domain(net, dhcp_bin):
    s = net.server(dhcp_bin, RANGE, "--dhcp-fqdn", "--domain=lan,192.0.2.0/24", wait_text="")
    assert s.proc.wait(timeout=10) == 1
    s.wait_log("there must be a default domain when --dhcp-fqdn is set")
