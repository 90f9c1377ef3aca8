#!/usr/bin/env python3
"""System calls per answered query, dnsmasq and masqd side by side (a count, so unlike CPU
time it does not depend on how busy the machine is).

Usage: bench/dns_syscalls.py [--mode forward|hit] [--queries 5000] [--masqd build/release/masqd]

--mode forward (default): both servers run with --cache-size=0 and forward --queries distinct
names to one local dnsmasq upstream that answers every name (TTL 3600).
--mode hit: both run with --cache-size=10000; the names are asked once first (not counted),
so every counted query is a cache hit.

dnsperf sends the names at 2000 qps. `strace -c -f -p` is attached to the running server
after start-up (and the warm-up), so only the queries are counted; strace's own overhead does
not change the counts.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dns_bench import start, stop, wait_port  # noqa: E402


def count(cmd, port, datafile, queries, tmp, warm_up):
    out = os.path.join(tmp, "strace.txt")
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tracer = None
    try:
        wait_port(port, timeout=10)
        perf = ["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", datafile, "-n", "1",
                "-Q", "2000", "-t", "5"]
        if warm_up:
            subprocess.run(perf, capture_output=True, timeout=120)
        tracer = subprocess.Popen(["strace", "-c", "-f", "-o", out, "-p", str(server.pid)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        # strace prints "Process N attached" once it has seized every thread.
        deadline = time.monotonic() + 10
        seen = ""
        while "attached" not in seen and time.monotonic() < deadline:
            seen += tracer.stderr.readline()
        r = subprocess.run(perf, capture_output=True, text=True, timeout=120)
        m = re.search(r"Queries completed:\s+(\d+)", r.stdout)
        done = int(m.group(1)) if m else 0
    finally:
        # SIGINT detaches strace, which then writes the summary.
        if tracer is not None:
            tracer.send_signal(2)
            try:
                tracer.wait(timeout=10)
            except subprocess.TimeoutExpired:
                tracer.kill()
                tracer.wait(timeout=10)
        stop(server)
    calls = {}
    if os.environ.get("SYSCALLS_DEBUG"):
        print(open(out).read())
    for line in open(out):
        f = line.split()
        if len(f) >= 5 and f[3].isdigit() and f[-1] != "total":
            calls[f[-1]] = int(f[3])
    return done, calls


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=("forward", "hit"), default="forward")
    ap.add_argument("--queries", type=int, default=5000)
    ap.add_argument("--masqd", default="build/release/masqd")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp()
    datafile = os.path.join(tmp, "queries.txt")
    with open(datafile, "w") as f:
        for i in range(args.queries):
            f.write(f"s{i}.bench.test A\n")
    up_port, port = 5362, 5363
    common = ["-C", "/dev/null", "-k", "--pid-file=", "--user=", f"--port={port}",
              "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv",
              f"--server=127.0.0.1#{up_port}", "--log-facility=/dev/null",
              "--cache-size=0" if args.mode == "forward" else "--cache-size=10000"]
    upstream = start(["dnsmasq", "-C", "/dev/null", "-k", "--pid-file=", "--user=",
                      f"--port={up_port}", "--listen-address=127.0.0.1", "--bind-interfaces",
                      "--no-resolv", "--address=/#/192.0.2.1", "--cache-size=0",
                      "--local-ttl=3600", "--log-facility=/dev/null"], 1)
    rows = {}
    try:
        wait_port(up_port)
        for name, cmd in (("dnsmasq", ["dnsmasq", *common]),
                          ("masqd", [args.masqd, *common, "--masqd-workers=1"])):
            rows[name] = count(cmd, port, datafile, args.queries, tmp, args.mode == "hit")
    finally:
        stop(upstream)
        shutil.rmtree(tmp, ignore_errors=True)
    names = sorted(set(rows["dnsmasq"][1]) | set(rows["masqd"][1]),
                   key=lambda n: -(rows["dnsmasq"][1].get(n, 0) + rows["masqd"][1].get(n, 0)))
    what = "forwarded queries, no cache" if args.mode == "forward" else "cache hits"
    print(f"system calls per answered query ({args.queries} {what})")
    print(f"{'call':<16}{'dnsmasq':>10}{'masqd':>10}")
    tot = {}
    for n in names:
        vals = []
        for who in ("dnsmasq", "masqd"):
            done, calls = rows[who]
            v = calls.get(n, 0) / max(done, 1)
            tot[who] = tot.get(who, 0) + v
            vals.append(v)
        if max(vals) >= 0.01:
            print(f"{n:<16}{vals[0]:>10.2f}{vals[1]:>10.2f}")
    print(f"{'total':<16}{tot['dnsmasq']:>10.2f}{tot['masqd']:>10.2f}")
    print(f"answered: dnsmasq {rows['dnsmasq'][0]}, masqd {rows['masqd'][0]}")


if __name__ == "__main__":
    main()
