#!/usr/bin/python3
"""DHCPv4 side by side with dnsmasq: perfdhcp (Debian's kea-admin) as a relay agent drives
DISCOVER/OFFER/REQUEST/ACK exchanges at a fixed offered rate against masqd and dnsmasq in
turn (alternating runs, the machine is shared), each server pinned to CPU 0 and perfdhcp to
CPU 1. Reported per server: completed exchanges (ACKs) per second, server CPU per ACK (the
scheduler's run time of its threads over the run, see dns_bench.cpu_seconds), perfdhcp's
average REQUEST-to-ACK delay, drops (and the server's receive-buffer overflows among them); then
masqd/dnsmasq ratios of the medians. Both servers write their lease file for every ACK
(masqd also appends the change to its journal and fdatasyncs it before the ACK leaves; one
write covers the ACKs of up to 20 ms), in a fresh
directory under --dir for each run. perfdhcp waits 0.5 s (-W) after its last send, so a
reply still in flight when the run ends is not counted as a drop.

Network: two namespaces joined by a veth pair, 192.0.2.1 (server) and 192.0.2.3 (perfdhcp);
nothing else is touched, and both are removed at the end. Needs root, perfdhcp, taskset.

  /usr/bin/python3 bench/dhcp_bench.py --masqd build/release/masqd --rate 200 --seconds 10 --runs 3
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dns_bench import cpu_seconds  # noqa: E402  (exact CPU time when the kernel has it)

SERVER, RELAY = "192.0.2.1", "192.0.2.3"


def sh(*args: str, check: bool = True, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), capture_output=True, text=True, check=check, timeout=timeout)


class Net:
    def __init__(self) -> None:
        p = f"mqb{os.getpid() % 100000}"
        self.s, self.c = p + "s", p + "c"
        sh("ip", "netns", "add", self.s)
        sh("ip", "netns", "add", self.c)
        sh("ip", "link", "add", p + "s0", "netns", self.s, "type", "veth", "peer", "name", p + "c0",
           "netns", self.c)
        for ns, dev, addr in ((self.s, p + "s0", SERVER), (self.c, p + "c0", RELAY)):
            sh("ip", "-n", ns, "addr", "add", f"{addr}/24", "dev", dev)
            sh("ip", "-n", ns, "link", "set", dev, "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")

    def close(self) -> None:
        for ns in (self.s, self.c):
            sh("ip", "netns", "del", ns, check=False)


def perf_stats(text: str) -> dict[str, int]:
    """perfdhcp's counters of the REQUEST-ACK exchange (and the DISCOVER-OFFER drops)."""
    out = {"acks": 0, "requests": 0, "offer_drops": 0, "ack_drops": 0, "ack_delay_ms": 0.0}
    parts = text.split("***Statistics for: REQUEST-ACK***")
    if len(parts) == 2:
        m = re.search(r"sent packets: (\d+)", parts[1])
        out["requests"] = int(m.group(1)) if m else 0
        m = re.search(r"received packets: (\d+)", parts[1])
        out["acks"] = int(m.group(1)) if m else 0
        m = re.search(r"drops: (\d+)", parts[1])
        out["ack_drops"] = int(m.group(1)) if m else 0
        m = re.search(r"avg delay: ([\d.]+) ms", parts[1])  # REQUEST sent to ACK received
        out["ack_delay_ms"] = float(m.group(1)) if m else 0.0
        m = re.search(r"drops: (\d+)", parts[0])
        out["offer_drops"] = int(m.group(1)) if m else 0
    return out


def udp_rcvbuf_errors(ns: str) -> int:
    """The namespace's UDP RcvbufErrors: datagrams the kernel dropped because a socket's
    receive buffer was full (the server was not reading fast enough)."""
    r = sh("ip", "netns", "exec", ns, "cat", "/proc/net/snmp", check=False)
    rows = [ln.split() for ln in r.stdout.splitlines() if ln.startswith("Udp:")]
    if len(rows) < 2 or "RcvbufErrors" not in rows[0]:
        return 0
    return int(rows[1][rows[0].index("RcvbufErrors")])


def run_one(net: Net, name: str, binary: str, args, work: Path) -> dict:
    d = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=work))
    leases = d / "leases"
    if args.preload:
        lines = ["duid 00:01:00:01:2c:5a:1e:00:02:00:00:00:00:01"]
        lines += [f"1895482900 {1000 + i} 2001:db8::{i >> 16:x}:{i & 0xffff:x} v6host{i} "
                  f"00:01:00:01:2c:5a:1e:00:02:00:00:{i >> 16 & 0xff:02x}:{i >> 8 & 0xff:02x}:{i & 0xff:02x}"
                  for i in range(args.preload)]
        leases.write_text("\n".join(lines) + "\n")
    cmd = ["ip", "netns", "exec", net.s, "taskset", "-c", "0", binary, "-C", "/dev/null", "-d", "-p", "0",
           "--pid-file=", "--no-ping", "--quiet-dhcp", f"--dhcp-leasefile={leases}",
           "--dhcp-range=192.0.2.10,192.0.2.250,1h", "--dhcp-lease-max=10000", *os.environ.get("DHCP_BENCH_EXTRA", "").split()]
    log = open(d / "log", "w")
    srv = subprocess.Popen(cmd, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and "DHCP, IP range" not in (d / "log").read_text():
            if srv.poll() is not None:
                raise RuntimeError(f"{name} exited: {(d / 'log').read_text()}")
            time.sleep(0.05)
        before = cpu_seconds(srv.pid)
        overflows = udp_rcvbuf_errors(net.s)
        t0 = time.monotonic()
        r = sh("ip", "netns", "exec", net.c, "taskset", "-c", "1", "perfdhcp", "-4", "-l", RELAY,
               "-r", str(args.rate), "-R", str(args.clients), "-p", str(args.seconds),
               "-W", "500000", SERVER,
               check=False, timeout=args.seconds + 60)
        elapsed = time.monotonic() - t0
        cpu = cpu_seconds(srv.pid) - before
        overflows = udp_rcvbuf_errors(net.s) - overflows
        st = perf_stats(r.stdout)
        if st["acks"] == 0:
            raise RuntimeError(f"{name}: no ACKs\n{r.stdout}\n{r.stderr}")
        text = leases.read_text() if leases.exists() else ""
        lines = [ln for ln in text.splitlines() if ln and not ln.startswith("duid") and "2001:db8:" not in ln]
        v6 = sum(1 for ln in text.splitlines() if "2001:db8:" in ln)
        return {"server": name, "acks": st["acks"], "per_s": st["acks"] / args.seconds,
                "cpu_us_per_ack": cpu / st["acks"] * 1e6, "cpu_s": cpu, "elapsed": elapsed,
                "offer_drops": st["offer_drops"], "ack_drops": st["ack_drops"], "ack_delay_ms": st["ack_delay_ms"], "overflows": overflows, "leases": len(lines), "v6": v6}
    finally:
        srv.terminate()
        try:
            srv.wait(timeout=5)
        except subprocess.TimeoutExpired:
            srv.kill()
            srv.wait(timeout=5)
        log.close()
        shutil.rmtree(d, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--masqd", default="build/release/masqd")
    ap.add_argument("--dnsmasq", default="/usr/sbin/dnsmasq")
    ap.add_argument("--rate", type=int, default=200, help="offered exchanges per second")
    ap.add_argument("--clients", type=int, default=200, help="distinct clients (at most 241)")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--runs", type=int, default=3, help="runs of each server, alternating")
    ap.add_argument("--dir", default="/var/tmp", help="where the lease files are written")
    ap.add_argument("--preload", type=int, default=0,
                    help="IPv6 lease lines (2001:db8::/64) in the lease file before each run: a larger file "
                         "that both servers keep and rewrite on every write")
    args = ap.parse_args()
    for tool in ("perfdhcp", "taskset"):
        if not shutil.which(tool):
            print(f"{tool} is needed", file=sys.stderr)
            return 2
    if os.geteuid() != 0:
        print("needs root (network namespaces)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="dhcp-bench-", dir=args.dir))
    net = Net()
    results: list[dict] = []
    try:
        for i in range(args.runs):
            order = [("masqd", args.masqd), ("dnsmasq", args.dnsmasq)]
            if i % 2:
                order.reverse()
            for name, binary in order:
                res = run_one(net, name, str(Path(binary).resolve()) if name == "masqd" else binary, args, work)
                results.append(res)
                print(f"{name:8} {res['acks']:6} ACKs  {res['per_s']:8.1f}/s  {res['cpu_us_per_ack']:7.1f} µs CPU/ACK"
                      f"  ACK delay {res['ack_delay_ms']:.2f} ms  drops offer {res['offer_drops']} ack {res['ack_drops']} (server buffer {res['overflows']})  leases on file {res['leases']}"
                      + (f" (+{res['v6']} IPv6 kept)" if args.preload else ""),
                      flush=True)
    finally:
        net.close()
        shutil.rmtree(work, ignore_errors=True)

    def med(server, key):
        return statistics.median(r[key] for r in results if r["server"] == server)

    print()
    print("| server | ACKs/s (median) | CPU µs per ACK (median) | ACK delay ms (median) | drops (offer/ack, median) |")
    print("|---|---|---|---|---|")
    for s in ("dnsmasq", "masqd"):
        print(f"| {s} | {med(s, 'per_s'):.1f} | {med(s, 'cpu_us_per_ack'):.1f} | {med(s, 'ack_delay_ms'):.2f} | "
              f"{med(s, 'offer_drops'):.0f} / {med(s, 'ack_drops'):.0f} |")
    print(f"| masqd / dnsmasq | {med('masqd', 'per_s') / med('dnsmasq', 'per_s'):.2f}x | "
          f"{med('masqd', 'cpu_us_per_ack') / med('dnsmasq', 'cpu_us_per_ack'):.2f}x | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
