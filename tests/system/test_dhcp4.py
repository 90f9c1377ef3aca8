"""The DHCPv4 server through the real binary and real clients (busybox udhcpc, ISC dhclient, dhcpcd)
in private network namespaces (tests/lib/dhcpnet.py: 192.0.2.0/24 only, nothing on host
interfaces). Every expectation here was first seen with dnsmasq 2.90: run the file with
MASQD_DHCP_BIN=/usr/sbin/dnsmasq to check it against the reference again.
Needs root (network namespaces), udhcpc, dhclient and dhcpcd."""
from __future__ import annotations

import os
import shutil
import time

import pytest

from lib.dhcpnet import LEASE_LINE, SERVER_ADDR

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
    pytest.mark.skipif(not shutil.which("udhcpc") or not shutil.which("dhclient"),
                       reason="udhcpc and dhclient are needed (tools/install-deps.sh test)"),
]

RANGE = "--dhcp-range=192.0.2.100,192.0.2.150,1h"
MAC = "02:00:00:00:00:01"
CLIENT_MAC = MAC  # the net fixture (conftest.py) gives the client this MAC


def in_range(addr: str) -> bool:
    parts = addr.split(".")
    return parts[:3] == ["192", "0", "2"] and 100 <= int(parts[3]) <= 150


def test_udhcpc_gets_a_lease_written_in_dnsmasq_format(net, dhcp_bin):
    s = net.server(dhcp_bin, RANGE)
    before = int(time.time())
    env = net.udhcpc("-x", "hostname:alpha")
    assert env, "no lease"
    ip = env["ip"]
    assert in_range(ip)
    assert env["subnet"] == "255.255.255.0"
    assert env["router"] == SERVER_ADDR
    assert env["lease"] == "3600"
    assert env["serverid"] == SERVER_ADDR
    # The lease is in the file once the ACK is out (masqd writes it before sending).
    (line,) = [" ".join(f) for f in s.leases()]
    m = LEASE_LINE.match(line)
    assert m, line
    expiry, hw, addr, name, clid = m.groups()
    assert (hw, addr, name, clid) == (MAC, ip, "alpha", "01:" + MAC)
    assert before + 3600 <= int(expiry) <= int(time.time()) + 3600
    # dnsmasq's log lines for the exchange.
    lines = s.log_lines()
    iface = net.server_if
    assert f"DHCPDISCOVER({iface}) {MAC} " in lines
    assert f"DHCPOFFER({iface}) {ip} {MAC} " in lines
    assert f"DHCPREQUEST({iface}) {ip} {MAC} " in lines
    assert f"DHCPACK({iface}) {ip} {MAC} alpha" in lines
    assert "DHCP, IP range 192.0.2.100 -- 192.0.2.150, lease time 1h" in lines


def test_same_address_after_release_and_restart(net, dhcp_bin, tmp_path):
    s = net.server(dhcp_bin, RANGE)
    first = net.dhclient(release=True)  # then dhclient -r: DHCPRELEASE
    assert first
    ip = first["new_ip_address"]
    s.wait_log(f"DHCPRELEASE({net.server_if}) {ip} {MAC}")
    assert s.leases() == []
    again = net.udhcpc()
    assert again and again["ip"] == ip
    # Restart on the same lease file: the lease is still there and the client keeps it.
    s.stop()
    assert [f[2] for f in s.leases()] == [ip]
    s2 = net.server(dhcp_bin, RANGE, lease_file=s.lease_file)
    third = net.udhcpc()
    assert third and third["ip"] == ip
    # Even with the lease file gone, the hash of the MAC gives the same address.
    s2.stop()
    fresh = tmp_path / "fresh.leases"
    net.server(dhcp_bin, RANGE, lease_file=fresh)
    fourth = net.udhcpc()
    assert fourth and fourth["ip"] == ip


def test_dhcp_host_fixed_address_name_and_lease_time(net, dhcp_bin):
    s = net.server(dhcp_bin, RANGE, f"--dhcp-host={MAC},192.0.2.50,fixed,2h",
                   "--dhcp-host=02:00:00:00:00:66,ignore")
    env = net.udhcpc("-x", "hostname:clientname")
    assert env
    assert env["ip"] == "192.0.2.50"
    assert env["lease"] == "7200"
    assert env.get("hostname") == "fixed"
    assert [f[2:4] for f in s.leases()] == [["192.0.2.50", "fixed"]]
    assert f"DHCPACK({net.server_if}) 192.0.2.50 {MAC} fixed" in s.log_lines()
    # An ignored MAC gets nothing at all.
    net.set_client_mac("02:00:00:00:00:66")
    assert net.udhcpc() is None
    s.wait_log(f"DHCPDISCOVER({net.server_if}) 02:00:00:00:00:66 ignored")
    assert not any("DHCPOFFER" in line and "02:00:00:00:00:66" in line for line in s.log_lines())


def test_log_dhcp_with_dhclient(net, dhcp_bin):
    """--log-dhcp with a real client: the exchange's lines carry its transaction id, with the
    requested options and the tags (the range's set: tag and a --tag-if on it: the rule sees
    the range's tag and its option is sent)."""
    s = net.server(dhcp_bin, "--dhcp-range=set:lan,192.0.2.100,192.0.2.150,1h", "--log-dhcp", "--quiet-dhcp",
                   "--tag-if=set:fromlan,tag:lan", "--dhcp-option=tag:fromlan,option:domain-name,lan.example")
    env = net.dhclient()
    assert env, "dhclient got no lease"
    ip = env["new_ip_address"]
    assert env["new_domain_name"] == "lan.example"
    lines = s.log_lines()
    iface = net.server_if
    acks = [ln.split(" ", 1)[0] for ln in lines if f" DHCPACK({iface}) {ip} {MAC}" in ln]
    assert acks, lines
    xid = acks[-1]
    assert xid.isdigit(), acks
    mine = [ln.split(" ", 1)[1] for ln in lines if ln.startswith(xid + " ")]
    assert "available DHCP range: 192.0.2.100 -- 192.0.2.150" in mine
    assert any(ln.startswith("requested options: 1:netmask") for ln in mine), mine
    assert f"tags: fromlan, lan, {iface}" in mine
    assert "sent size: 11 option: 15 domain-name  lan.example" in mine
    assert f"sent size:  4 option: 54 server-identifier  {SERVER_ADDR}" in mine


def test_dhclient_receives_router_dns_and_domain(net, dhcp_bin):
    net.server(dhcp_bin, RANGE, "--dhcp-option=3,192.0.2.254",
               "--dhcp-option=option:dns-server,192.0.2.53,192.0.2.54",
               "--dhcp-option=option:domain-name,example.org",
               "--dhcp-option=option:ntp-server,0.0.0.0")
    env = net.dhclient()
    assert env, "dhclient got no lease"
    assert in_range(env["new_ip_address"])
    assert env["new_routers"] == "192.0.2.254"
    assert env["new_domain_name_servers"] == "192.0.2.53 192.0.2.54"
    assert env["new_domain_name"] == "example.org"
    assert env["new_subnet_mask"] == "255.255.255.0"
    assert env["new_broadcast_address"] == "192.0.2.255"
    assert env["new_dhcp_lease_time"] == "3600"
    assert env.get("new_ntp_servers") == SERVER_ADDR  # 0.0.0.0 means "this server"


def test_dhclient_default_router_and_no_dns_without_port_53(net, dhcp_bin):
    net.server(dhcp_bin, RANGE)
    env = net.dhclient()
    assert env
    assert env["new_routers"] == SERVER_ADDR
    assert "new_domain_name_servers" not in env  # DNS is off (-p 0)


needs_dhcpcd = pytest.mark.skipif(not shutil.which("dhcpcd"), reason="dhcpcd is needed (tools/install-deps.sh test)")


@needs_dhcpcd
def test_dhcpcd_gets_a_lease_with_requested_options_and_its_name(net, dhcp_bin):
    s = net.server(dhcp_bin, RANGE, "--dhcp-option=option:dns-server,192.0.2.53",
                   "--dhcp-option=option:domain-name,example.org")
    env = net.dhcpcd("-h", "gamma", "-o", "domain_name_servers", "-o", "domain_name")
    assert env, "dhcpcd got no lease"
    ip = env["new_ip_address"]
    assert in_range(ip)
    assert env["new_subnet_mask"] == "255.255.255.0"
    assert env["new_routers"] == SERVER_ADDR
    assert env["new_domain_name_servers"] == "192.0.2.53"
    assert env["new_domain_name"] == "example.org"
    assert env["new_dhcp_lease_time"] == "3600"
    assert env["new_dhcp_server_identifier"] == SERVER_ADDR
    assert [f[1:4] for f in s.leases()] == [[MAC, ip, "gamma"]]
    assert f"DHCPACK({net.server_if}) {ip} {MAC} gamma" in s.log_lines()


@needs_dhcpcd
def test_dhcpcd_gets_its_dhcp_host_address_name_and_lease_time(net, dhcp_bin):
    s = net.server(dhcp_bin, RANGE, f"--dhcp-host={MAC},192.0.2.60,fixed,2h")
    env = net.dhcpcd("-o", "host_name")
    assert env, "dhcpcd got no lease"
    assert env["new_ip_address"] == "192.0.2.60"
    assert env["new_dhcp_lease_time"] == "7200"
    assert env.get("new_host_name") == "fixed"
    assert [f[2:4] for f in s.leases()] == [["192.0.2.60", "fixed"]]


def test_authoritative_naks_a_wrong_address_and_client_recovers(net, dhcp_bin, tmp_path):
    s = net.server(dhcp_bin, RANGE, "--dhcp-authoritative")
    # dhclient remembers a lease from another network: it asks for it at INIT-REBOOT.
    db = tmp_path / "old.leases"
    db.write_text(
        "lease {\n"
        f"  interface \"{net.client_if}\";\n"
        "  fixed-address 198.51.100.5;\n"
        "  option subnet-mask 255.255.255.0;\n"
        "  option dhcp-lease-time 3600;\n"
        "  option dhcp-server-identifier 198.51.100.1;\n"
        "  renew 4 2037/01/01 00:00:00;\n"
        "  rebind 4 2037/01/01 00:00:00;\n"
        "  expire 4 2037/01/01 00:00:00;\n"
        "}\n")
    env = net.dhclient(lease_db=db)
    s.wait_log(f"DHCPNAK({net.server_if}) 198.51.100.5 {MAC} wrong network")
    assert env and in_range(env["new_ip_address"])


def test_lease_max_refuses_the_next_client(net, dhcp_bin):
    s = net.server(dhcp_bin, RANGE, "--dhcp-lease-max=1")
    assert net.udhcpc()
    net.set_client_mac("02:00:00:00:00:02")
    assert net.udhcpc() is None
    s.wait_log("no leases left")
    assert len(s.leases()) == 1


def test_malformed_packets_are_dropped_and_service_continues(net, dhcp_bin):
    s = net.server(dhcp_bin, RANGE)
    c = net.client_socket()
    try:
        junk = [b"", b"\x01", b"\x01" * 100, b"\x01\x01\x11" + b"\x00" * 300,  # hlen 17
                bytes([1, 1, 6, 0]) + b"\x00" * 232 + bytes([99, 130, 83, 99, 53, 5, 1]),  # option past end
                bytes([1, 1, 6, 0]) + b"\x00" * 232 + bytes([99, 130, 83, 99, 52, 1, 3, 255])]
        for j in junk:
            c.send(j)
    finally:
        c.close()
    env = net.udhcpc()
    assert env and in_range(env["ip"])
    assert s.proc.poll() is None


def test_static_range_serves_only_known_hosts(net, dhcp_bin):
    net.server(dhcp_bin, "--dhcp-range=192.0.2.0,static", "--dhcp-host=02:00:00:00:00:11,192.0.2.77")
    assert net.udhcpc() is None
    net.set_client_mac("02:00:00:00:00:11")
    env = net.udhcpc()
    assert env and env["ip"] == "192.0.2.77"


def test_daemon_mode_as_nobody_serves_and_writes_the_lease_file(net, dhcp_bin, tmp_path):
    """Without -d: fork into the background and switch to nobody (root's lease directory,
    as /var/lib/misc): the descriptor opened before the switch keeps the file written."""
    import subprocess
    lease_dir = tmp_path / "root-owned"
    lease_dir.mkdir(mode=0o755)
    os.chmod(tmp_path, 0o755)
    leases, pidf, log = lease_dir / "leases", tmp_path / "d.pid", tmp_path / "d.log"
    r = subprocess.run(["ip", "netns", "exec", net.server_ns, dhcp_bin, "-C", "/dev/null", "-p", "0",
                        "--no-ping", "--user=nobody", f"--pid-file={pidf}", f"--log-facility={log}",
                        RANGE, f"--dhcp-leasefile={leases}"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 0, r.stderr
    pid = int(pidf.read_text())
    try:
        env = net.udhcpc()
        assert env and in_range(env["ip"])
        assert [line.split()[2] for line in leases.read_text().splitlines()] == [env["ip"]]
        with open(f"/proc/{pid}/status") as f:
            uid = [line.split()[1] for line in f if line.startswith("Uid:")][0]
        assert uid == "65534"
    finally:
        os.kill(pid, 15)
        for _ in range(50):
            if not os.path.exists(f"/proc/{pid}"):
                break
            time.sleep(0.1)


def test_dhcp_hostsfile_is_read_again_on_sighup(net, dhcp_bin, tmp_path):
    import signal
    hosts = tmp_path / "hosts.d"
    hosts.mkdir()
    (hosts / "a.conf").write_text(f"# fixed addresses\n{MAC},192.0.2.60,fromfile\n\n02:00:00:00:00:09,192.0.2.69\n")
    single = tmp_path / "single.hosts"
    single.write_text("02:00:00:00:00:0b,192.0.2.70\n")
    s = net.server(dhcp_bin, RANGE, f"--dhcp-hostsfile={hosts}", f"--dhcp-hostsfile={single}")
    s.wait_log(f"read {hosts}/a.conf")
    # dnsmasq reads (and logs) the files newest option first.
    reads = [line for line in s.log_lines() if line.startswith("read ")]
    assert reads == [f"read {single}", f"read {hosts}/a.conf"]
    env = net.udhcpc()
    assert env and env["ip"] == "192.0.2.60" and env.get("hostname") == "fromfile"
    (hosts / "a.conf").write_text(f"{MAC},192.0.2.61,moved\n")
    s.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and sum(f"read {hosts}/a.conf" in line
                                              for line in s.log_lines()) < 2:
        time.sleep(0.05)
    env = net.udhcpc()
    assert env and env["ip"] == "192.0.2.61" and env.get("hostname") == "moved"
