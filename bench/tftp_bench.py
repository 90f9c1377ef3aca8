#!/usr/bin/python3
"""TFTP benchmark: dnsmasq and masqd side by side in one run, same files, same clients.

Three network namespaces: one client namespace joined by a veth pair to each of two server
namespaces (dnsmasq on 192.0.2.1, masqd on 198.51.100.1; the client is 192.0.2.2 and
198.51.100.2). Both servers run the whole time (pinned to CPU 0, clients to CPU 1), and
the measured transfers alternate between them, round after round, so machine noise falls
on both alike.

Measured per server:
  * a 100 MiB file fetched with curl tftp:// at each --blksize (lock-step, RFC 1350);
  * the same with the test suite's Python client asking for windowsize (RFC 7440; dnsmasq
    2.90 ignores the option and answers lock-step, so that row compares masqd's windows
    with dnsmasq's only mode);
  * --parallel curl clients fetching a --parallel-mib file at once: all must complete with
    the right checksum; wall time until the last one finishes.
Reported: MiB/s (median of --rounds), server CPU seconds per transfer, and masqd/dnsmasq
ratios. Every file is checked (SHA-256) on the first round.

Usage: bench/tftp_bench.py [--masqd build/release/masqd] [--rounds 3] [--blksize 512,1468]
                           [--window 16] [--parallel 20] [--parallel-mib 20]
                           [--rows curl,window,parallel]
Needs root, curl, /usr/sbin/dnsmasq. Only the documentation addresses above, inside
namespaces this script creates and removes; every process it starts is stopped.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from lib import tftpclient  # noqa: E402

CLK = os.sysconf("SC_CLK_TCK")
TAG = f"tfb{os.getpid() % 100000}"


def sh(*args, check=True, timeout=30):
    return subprocess.run(list(args), capture_output=True, text=True, check=check, timeout=timeout)


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Lab:
    def __init__(self):
        self.client = f"{TAG}c"
        self.servers = {"dnsmasq": (f"{TAG}a", "192.0.2"), "masqd": (f"{TAG}b", "198.51.100")}
        self.made = []
        sh("ip", "netns", "add", self.client)
        self.made.append(self.client)
        sh("ip", "-n", self.client, "link", "set", "lo", "up")
        for i, (ns, net) in enumerate(self.servers.values()):
            sh("ip", "netns", "add", ns)
            self.made.append(ns)
            s_if, c_if = f"{TAG}s{i}", f"{TAG}c{i}"
            sh("ip", "link", "add", s_if, "netns", ns, "type", "veth", "peer", "name", c_if,
               "netns", self.client)
            sh("ip", "-n", ns, "addr", "add", f"{net}.1/24", "dev", s_if)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            sh("ip", "-n", ns, "link", "set", s_if, "up")
            sh("ip", "-n", self.client, "addr", "add", f"{net}.2/24", "dev", c_if)
            sh("ip", "-n", self.client, "link", "set", c_if, "up")
        for _, net in self.servers.values():
            sh("ip", "netns", "exec", self.client, "ping", "-c", "1", "-W", "2", f"{net}.1", check=False)

    def close(self):
        for ns in reversed(self.made):
            sh("ip", "netns", "del", ns, check=False)


def start_server(lab, name, binary, root, log):
    ns, _ = lab.servers[name]
    args = ["ip", "netns", "exec", ns, "taskset", "-c", "0", binary, "-C", "/dev/null", "-d",
            "-p", "0", "--pid-file=", "--enable-tftp", f"--tftp-root={root}", "--tftp-max=64",
            "--log-facility=-"]
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=open(log, "w"))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if "TFTP " in Path(log).read_text():
            return p
        if p.poll() is not None:
            raise RuntimeError(f"{name} exited: {Path(log).read_text()}")
        time.sleep(0.05)
    raise RuntimeError(f"{name} did not start")


def curl(lab, addr, name, dest, blksize):
    return ["ip", "netns", "exec", lab.client, "taskset", "-c", "1", "curl", "-sS", "--max-time",
            "300", "--tftp-blksize", str(blksize), "-o", str(dest), f"tftp://{addr}/{name}"]


def stop(p):
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)


def measure_curl(ctx, name, addr, pid, rnd):
    """A --mib file fetched with curl tftp:// at each --blksize (lock-step)."""
    a, lab, tmp, big = ctx["a"], ctx["lab"], ctx["tmp"], ctx["big"]
    for bs in [int(x) for x in a.blksize.split(",")]:
        dest = tmp / f"out-{name}.bin"
        c0, t0 = cpu_seconds(pid), time.monotonic()
        r = subprocess.run(curl(lab, addr, big.name, dest, bs), capture_output=True, text=True, timeout=320)
        secs, cpu = time.monotonic() - t0, cpu_seconds(pid) - c0
        if r.returncode != 0 or (rnd == 0 and sha(dest) != ctx["want"][big.name]):
            raise RuntimeError(f"{name} curl blksize {bs}: {r.stderr}")
        dest.unlink()
        ctx["results"].setdefault((f"curl blksize {bs}", name), []).append((secs, cpu))


def measure_window(ctx, name, addr, pid, rnd):
    """The same file with the Python client asking for --window blocks per ACK (RFC 7440)."""
    a, big, results = ctx["a"], ctx["big"], ctx["results"]
    bs = int(a.blksize.split(",")[-1])
    c0, t0 = cpu_seconds(pid), time.monotonic()
    res = tftpclient.get(addr, big.name, netns=ctx["lab"].client, timeout=300,
                         options={"blksize": str(bs), "windowsize": str(a.window)})
    secs, cpu = time.monotonic() - t0, cpu_seconds(pid) - c0
    if res.error or (rnd == 0 and hashlib.sha256(res.data).hexdigest() != ctx["want"][big.name]):
        raise RuntimeError(f"{name} windowed: {res.error}")
    results.setdefault((f"python blksize {bs} windowsize {a.window}", name), []).append((secs, cpu))
    results.setdefault(("granted windowsize", name), []).append((float(res.oack.get("windowsize", "1")), 0))


def measure_parallel(ctx, name, addr, pid, rnd):
    """--parallel curl clients fetching a --parallel-mib file at once; all must complete."""
    a, tmp, par = ctx["a"], ctx["tmp"], ctx["par"]
    bs = int(a.blksize.split(",")[-1])
    c0, t0 = cpu_seconds(pid), time.monotonic()
    running = []
    for i in range(a.parallel):
        dest = tmp / f"par-{name}-{i}.bin"
        running.append((subprocess.Popen(curl(ctx["lab"], addr, par.name, dest, bs), stdout=subprocess.DEVNULL,
                                         stderr=subprocess.PIPE), dest))
    ok = 0
    for p, dest in running:
        p.wait(timeout=600)
        if p.returncode == 0 and (rnd > 0 or sha(dest) == ctx["want"][par.name]):
            ok += 1
        dest.unlink(missing_ok=True)
    secs, cpu = time.monotonic() - t0, cpu_seconds(pid) - c0
    if ok != a.parallel:
        raise RuntimeError(f"{name}: only {ok} of {a.parallel} parallel clients completed")
    ctx["results"].setdefault((f"{a.parallel} parallel x {a.parallel_mib} MiB, blksize {bs}", name),
                              []).append((secs, cpu))


MEASURES = {"curl": measure_curl, "window": measure_window, "parallel": measure_parallel}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--masqd", default=str(ROOT / "build" / "release" / "masqd"))
    ap.add_argument("--dnsmasq", default="/usr/sbin/dnsmasq")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--blksize", default="512,1468")
    ap.add_argument("--window", type=int, default=16)
    ap.add_argument("--parallel", type=int, default=20)
    ap.add_argument("--parallel-mib", type=int, default=20)
    ap.add_argument("--mib", type=int, default=100)
    ap.add_argument("--rows", default="curl,window,parallel",
                    help="comma-separated transfers to measure: curl, window, parallel")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("needs root (network namespaces)")
    wanted = a.rows.split(",")
    if not wanted or any(r not in MEASURES for r in wanted):
        sys.exit(f"--rows: choose from {', '.join(MEASURES)}")
    tmp = Path(tempfile.mkdtemp(prefix="tftp-bench-"))
    os.chmod(tmp, 0o755)
    root = tmp / "root"
    root.mkdir(mode=0o755)
    big, par = root / "big.bin", root / "par.bin"
    with open(big, "wb") as f:
        for _ in range(a.mib if "curl" in wanted or "window" in wanted else 0):
            f.write(os.urandom(1 << 20))
    with open(par, "wb") as f:
        for _ in range(a.parallel_mib):
            f.write(os.urandom(1 << 20))
    ctx = {"a": a, "tmp": tmp, "big": big, "par": par, "results": {},  # (row, server) -> [(secs, cpu)]
           "want": {big.name: sha(big), par.name: sha(par)}}
    procs = {}
    ctx["lab"] = lab = Lab()
    try:
        procs["dnsmasq"] = start_server(lab, "dnsmasq", a.dnsmasq, root, tmp / "dnsmasq.log")
        procs["masqd"] = start_server(lab, "masqd", a.masqd, root, tmp / "masqd.log")
        order = ["dnsmasq", "masqd"]
        for rnd in range(a.rounds):
            for name in (order if rnd % 2 == 0 else order[::-1]):
                addr = f"{lab.servers[name][1]}.1"
                for row in wanted:
                    MEASURES[row](ctx, name, addr, procs[name].pid, rnd)
    finally:
        for p in procs.values():
            stop(p)
        lab.close()
        shutil.rmtree(tmp, ignore_errors=True)
    report(a, ctx["results"])


def report(a, results):
    print(f"TFTP, {a.mib} MiB file over a veth pair, {a.rounds} alternating rounds, medians")
    print()
    print("| transfer | dnsmasq MiB/s | masqd MiB/s | throughput masqd/dnsmasq | dnsmasq CPU s | masqd CPU s |")
    print("|---|---|---|---|---|---|")
    rows = []
    for (row, _server) in results:
        if row not in rows and row != "granted windowsize":
            rows.append(row)
    mib_of = {row: (a.parallel * a.parallel_mib if "parallel" in row else a.mib) for row in rows}
    for row in rows:
        med = {}
        for s in ("dnsmasq", "masqd"):
            v = results[(row, s)]
            med[s] = (mib_of[row] / statistics.median(x[0] for x in v), statistics.median(x[1] for x in v))
        print(f"| {row} | {med['dnsmasq'][0]:.1f} | {med['masqd'][0]:.1f} | "
              f"{med['masqd'][0] / med['dnsmasq'][0]:.2f} | {med['dnsmasq'][1]:.2f} | {med['masqd'][1]:.2f} |")
    print()
    print("Per round, MiB/s (round order; each round alternates which server goes first):")
    for row in rows:
        for s in ("dnsmasq", "masqd"):
            print(f"  {row}, {s}: " + " ".join(f"{mib_of[row] / x[0]:.1f}" for x in results[(row, s)]))
    if ("granted windowsize", "masqd") in results:
        print()
        print("windowsize granted: dnsmasq", int(results[("granted windowsize", "dnsmasq")][0][0]),
              "masqd", int(results[("granted windowsize", "masqd")][0][0]))


if __name__ == "__main__":
    main()
