"""A private DHCP test network: two network namespaces joined by a veth pair, a DHCP server
(masqd or dnsmasq) in one, real clients (udhcpc, dhclient, dhcpcd) or crafted packets in the other.

Only addresses from 192.0.2.0/24 are used (the server is 192.0.2.1/24), nothing touches a
host interface, every wait is bounded, and close() removes every process, namespace and file
this object made (call it from a fixture's teardown so it runs on failure too).
"""
from __future__ import annotations

import ctypes
import itertools
import os
import re
import select
import socket
import subprocess
import time
from pathlib import Path

SERVER_ADDR = "192.0.2.1"
_counter = itertools.count()


def _run(*args: str, timeout: float = 10.0, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=timeout, check=check)


def stop_process(proc: subprocess.Popen, timeout: float = 5.0) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)


class DhcpServer:
    """One DHCP server process (-d, DNS off unless `dns_port`) in the server namespace."""

    def __init__(self, net: "DhcpNet", binary: str, *extra: str, lease_file: Path,
                 wait_text: str = "DHCP, ", dns_port: int = 0, ping: bool = False):
        self.net = net
        self.binary = binary
        self.lease_file = lease_file
        n = next(_counter)
        self.stderr_path = net.tmp / f"server-{n}.log"
        self._stderr = open(self.stderr_path, "w")
        self.args = ["ip", "netns", "exec", net.server_ns, binary, "-C", "/dev/null", "-d",
                     "-p", str(dns_port), "--pid-file=", *([] if ping else ["--no-ping"]),
                     f"--dhcp-leasefile={lease_file}", *extra]
        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=self._stderr)
        if wait_text:
            self.wait_log(wait_text, timeout=5.0, what="start-up")

    def log_lines(self) -> list[str]:
        """Log lines without the "<name>[-dhcp]: " prefix, so masqd and dnsmasq compare."""
        if not self.stderr_path.exists():
            return []
        return [line.split(": ", 1)[1] if ": " in line else line
                for line in self.stderr_path.read_text(errors="replace").splitlines()]

    def wait_log(self, text: str, timeout: float = 5.0, what: str = "") -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.log_lines():
                if text in line:
                    return line
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited ({self.proc.returncode}) waiting for {what or text!r}:\n"
                                     + "\n".join(self.log_lines()))
            time.sleep(0.05)
        raise AssertionError(f"no log line with {text!r} within {timeout}s:\n" + "\n".join(self.log_lines()))

    def leases(self) -> list[list[str]]:
        if not self.lease_file.exists():
            return []
        return [line.split() for line in self.lease_file.read_text().splitlines()
                if line.strip() and not line.startswith("duid")]

    def stop(self) -> None:
        stop_process(self.proc)
        self._stderr.close()


def discover_packet(xid: int, mac: str) -> bytes:
    """A minimal DHCPDISCOVER from `mac` asking for a broadcast reply (the client has no
    address yet): header, magic cookie, message type, end."""
    b = bytearray(240)
    b[0:4] = bytes([1, 1, 6, 0])
    b[4:8] = xid.to_bytes(4, "big")
    b[10:12] = (0x8000).to_bytes(2, "big")
    b[28:34] = bytes.fromhex(mac.replace(":", ""))
    b[236:240] = bytes([99, 130, 83, 99])
    b += bytes([53, 1, 1, 255])
    return bytes(b)


def _read_env(path: Path) -> dict[str, str] | None:
    """The NAME=value lines a client's script saved with `env`, or None without the file."""
    if not path.exists():
        return None
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


class DhcpNet:
    """Namespaces <p>s (server, veth <p>s0 = 192.0.2.1/24) and <p>c (client, veth <p>c0)."""

    def __init__(self, tmp: Path, client_mac: str = "02:00:00:00:00:01"):
        self.tmp = tmp
        prefix = f"mq{os.getpid() % 100000}x{next(_counter)}"
        self.server_ns, self.client_ns = prefix + "s", prefix + "c"
        self.server_if, self.client_if = prefix + "s0", prefix + "c0"
        self.servers: list[DhcpServer] = []
        self.procs: list[subprocess.Popen] = []
        self.created: list[str] = []
        try:
            for ns in (self.server_ns, self.client_ns):
                _run("ip", "netns", "add", ns)
                self.created.append(ns)
            _run("ip", "link", "add", self.server_if, "netns", self.server_ns, "type", "veth",
                 "peer", "name", self.client_if, "netns", self.client_ns)
            self.sx("ip", "addr", "add", f"{SERVER_ADDR}/24", "dev", self.server_if)
            self.sx("ip", "link", "set", "lo", "up")
            self.sx("ip", "link", "set", self.server_if, "up")
            self.cx("ip", "link", "set", self.client_if, "address", client_mac)
            self.cx("ip", "link", "set", "lo", "up")
            self.cx("ip", "link", "set", self.client_if, "up")
        except Exception:
            self.close()
            raise

    # Commands in either namespace.
    def sx(self, *args: str, timeout: float = 10.0, check: bool = True):
        return _run("ip", "netns", "exec", self.server_ns, *args, timeout=timeout, check=check)

    def cx(self, *args: str, timeout: float = 10.0, check: bool = True):
        return _run("ip", "netns", "exec", self.client_ns, *args, timeout=timeout, check=check)

    def set_client_mac(self, mac: str) -> None:
        self.cx("ip", "link", "set", self.client_if, "down")
        self.cx("ip", "addr", "flush", "dev", self.client_if)
        self.cx("ip", "link", "set", self.client_if, "address", mac)
        self.cx("ip", "link", "set", self.client_if, "up")

    def server(self, binary: str, *extra: str, lease_file: Path | None = None, **kw) -> DhcpServer:
        s = DhcpServer(self, binary, *extra, lease_file=lease_file or (self.tmp / "leases"), **kw)
        self.servers.append(s)
        return s

    # ---- clients ----
    def udhcpc(self, *extra: str, timeout: float = 15.0) -> dict[str, str] | None:
        """busybox udhcpc in the client namespace: -q (exit once bound), -n (exit if no lease),
        3 tries 1 s apart. Returns the bound environment (ip, router, dns, domain, lease, ...)
        or None when no lease was obtained."""
        out = self.tmp / f"udhcpc-{next(_counter)}.env"
        script = self.tmp / "udhcpc.sh"
        # Configure the address like a real client would (a RELEASE leaves from it).
        script.write_text(
            "#!/bin/sh\n"
            'case "$1" in\n'
            '  deconfig) ip addr flush dev "$interface" ;;\n'
            '  bound|renew) ip addr flush dev "$interface"; ip addr add "$ip/$subnet" dev "$interface"\n'
            f'    env > {out}.tmp && mv {out}.tmp {out} ;;\n'
            "esac\nexit 0\n")
        script.chmod(0o755)
        args = ["ip", "netns", "exec", self.client_ns, "udhcpc", "-i", self.client_if, "-f", "-q",
                "-n", "-t", "3", "-T", "1", "-A", "1", "-s", str(script), *extra]
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(proc)
        try:
            proc.wait(timeout=timeout)  # a client NAKed again and again never gives up
        except subprocess.TimeoutExpired:
            pass
        finally:
            stop_process(proc)
        return _read_env(out)

    def dhclient(self, *extra: str, lease_db: Path | None = None, timeout: float = 20.0,
                 release: bool = False) -> dict[str, str] | None:
        """ISC dhclient in the foreground (-d) until its script reports BOUND/REBOOT (or
        `timeout`), then stopped. Returns the script environment or None."""
        n = next(_counter)
        out = self.tmp / f"dhclient-{n}.env"
        script = self.tmp / "dhclient.sh"
        script.write_text(
            "#!/bin/sh\n"
            'case "$reason" in\n'
            '  PREINIT|EXPIRE|FAIL|RELEASE|STOP) ip addr flush dev "$interface" ;;\n'
            '  BOUND|REBOOT|RENEW|REBIND) ip addr flush dev "$interface"\n'
            '    ip addr add "$new_ip_address/$new_subnet_mask" dev "$interface"\n'
            f'    env > {out}.tmp && mv {out}.tmp {out} ;;\n'
            "esac\nexit 0\n")
        script.chmod(0o755)
        lease_db = lease_db or (self.tmp / f"dhclient-{n}.leases")
        pidf = self.tmp / f"dhclient-{n}.pid"
        args = ["ip", "netns", "exec", self.client_ns, "dhclient", "-d", "-1", "-sf", str(script),
                "-lf", str(lease_db), "-pf", str(pidf), *extra, self.client_if]
        log = open(self.tmp / f"dhclient-{n}.log", "w")
        proc = subprocess.Popen(args, stdout=log, stderr=log)
        self.procs.append(proc)
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and not out.exists() and proc.poll() is None:
                time.sleep(0.1)
        finally:
            stop_process(proc)
            log.close()
        env = _read_env(out)
        if env is None:
            return None
        if release:
            self.cx("dhclient", "-r", "-sf", str(script), "-lf", str(lease_db), "-pf", str(pidf),
                    self.client_if, timeout=15, check=False)
        return env

    def dhcpcd(self, *extra: str, timeout: float = 20.0) -> dict[str, str] | None:
        """dhcpcd 9 (Debian's dhcpcd-base) once in the foreground: IPv4 only (-4), no config
        file, no hooks but ours (so nothing outside the namespace is touched: no
        resolv.conf), no link-local or ARP probing (-L -A), no carrier wait (-K). Returns
        the environment its script saw at BOUND, or None. dhcpcd keeps its lease in
        /var/lib/dhcpcd/<interface>.lease; that file is removed afterwards."""
        out = self.tmp / f"dhcpcd-{next(_counter)}.env"
        script = self.tmp / "dhcpcd.sh"
        script.write_text(
            "#!/bin/sh\n"
            'case "$reason" in\n'
            f'  BOUND|REBOOT|RENEW) env > {out}.tmp && mv {out}.tmp {out} ;;\n'
            "esac\nexit 0\n")
        script.chmod(0o755)
        args = ["ip", "netns", "exec", self.client_ns, "dhcpcd", "-1", "-4", "-B", "-f", "/dev/null",
                "-c", str(script), "-L", "-A", "-K", "--noipv6rs", "-t", str(int(timeout) - 5),
                *extra, self.client_if]
        log = open(self.tmp / f"dhcpcd-{next(_counter)}.log", "w")
        proc = subprocess.Popen(args, stdout=log, stderr=log)
        self.procs.append(proc)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        finally:
            stop_process(proc)
            log.close()
            for leftover in Path("/var/lib/dhcpcd").glob(f"{self.client_if}*.lease"):
                leftover.unlink(missing_ok=True)
        return _read_env(out)

    def client_socket(self, port: int = 68) -> "ClientSocket":
        return ClientSocket(self, port)

    def close(self) -> None:
        for s in self.servers:
            s.stop()
        for p in self.procs:
            stop_process(p)
        for ns in reversed(self.created):
            _run("ip", "netns", "del", ns, check=False)
        self.created.clear()


_libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000


def _setns(fd: int) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns failed")


class ClientSocket:
    """A UDP socket on 0.0.0.0:68 (or :67, to play a relay agent) inside the client
    namespace (entered with setns for the socket call only), bound to the client veth, for
    crafted DHCP packets."""

    def __init__(self, net: DhcpNet, port: int = 68):
        self.net = net
        own = os.open("/proc/self/ns/net", os.O_RDONLY)
        target = os.open(f"/run/netns/{net.client_ns}", os.O_RDONLY)
        try:
            _setns(target)
            try:
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, net.client_if.encode())
                s.bind(("0.0.0.0", port))
            finally:
                _setns(own)
        finally:
            os.close(own)
            os.close(target)
        self.sock = s

    def send(self, payload: bytes, dst: str = "255.255.255.255", port: int = 67) -> None:
        self.sock.sendto(payload, (dst, port))

    def recv_xid(self, xid: int, timeout: float = 2.0) -> bytes | None:
        """The first reply (op 2) with this xid within `timeout`, else None."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return None
            data, _ = self.sock.recvfrom(4096)
            if len(data) >= 8 and data[0] == 2 and int.from_bytes(data[4:8], "big") == xid:
                return data

    def close(self) -> None:
        self.sock.close()


LEASE_LINE = re.compile(r"^(\d+) ([0-9a-f]{2}(?::[0-9a-f]{2})*) (\d+\.\d+\.\d+\.\d+) (\S+) (\S+)$")
