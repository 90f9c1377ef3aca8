#!/usr/bin/python3
"""Blocklist benchmark: dnsmasq and masqd side by side in one run with the same N-name
blocklist (`address=/name/` lines in a conf file, the names of bench/blocklist_dnsmasq.py).

Per server: start-up to the first answer for a listed name (wall clock, polled every 5 ms),
peak RSS (VmHWM) and RSS once serving; then dnsperf at a fixed rate (server pinned to CPU 0,
dnsperf and the upstream on CPU 1) on listed names (answered NXDOMAIN from the list) and on
unlisted names (cache hits after one warm-up pass), reporting server CPU time per answered
query. The same two query sets are also run against each server with an empty list, for
"no worse than without a list". Then a reload under load: masqd gets SIGHUP (re-reads its
hosts files, rebuilds local data) every 200 ms while dnsperf runs; lost queries reported.

Usage: bench/blocklist_bench.py [--names 1000000] [--seconds 5] [--qps 20000]
                                [--masqd build/release/masqd] [--startup-runs N]
--startup-runs N: only start-up, N runs of each server in turn (dnsmasq, masqd, dnsmasq, ...),
reporting min/median/max of start-up time and peak RSS and the median of the pairwise ratios.
--cpu-pairs N: only masqd's CPU per query with the list against with an empty list: both
servers run side by side (pinned to the same CPU), and N rounds alternate which one dnsperf
loads first; reports each pair's ratio and their median, for listed and unlisted names.
Loopback only; every process is stopped at the end.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from blocklist_dnsmasq import names  # noqa: E402
from dns_bench import cpu_seconds, rss_kib, run_dnsperf, start, stop, wait_port  # noqa: E402


def hwm_kib(pid):
    m = re.search(r"VmHWM:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())
    return int(m.group(1)) if m else 0


def udp_query(name):
    q = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0)
    for part in name.split("."):
        q += bytes([len(part)]) + part.encode()
    return q + b"\x00\x00\x01\x00\x01"


def time_to_first_answer(proc, port, name, limit=120.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.005)
    t0 = time.monotonic()
    try:
        while time.monotonic() - t0 < limit:
            if proc.poll() is not None:
                raise RuntimeError("server exited during start-up")
            s.sendto(udp_query(name), ("127.0.0.1", port))
            try:
                data = s.recv(512)
                if data[:2] == b"\x42\x42" and data[3] & 0x0f == 3:  # NXDOMAIN from the list
                    return time.monotonic() - t0
            except socket.timeout:
                pass
        raise RuntimeError("no answer from the list in time")
    finally:
        s.close()


def measure(binary, conf, port, up_port, listed, unlisted, probe, seconds, qps, t0_start):
    cmd = [binary, "-C", conf, "-k", "--pid-file=", "--user=", f"--port={port}",
           "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
           f"--server=127.0.0.1#{up_port}", "--log-facility=/dev/null", "--cache-size=10000"]
    p = start(cmd, 0)
    try:
        out = {}
        if t0_start:
            out["startup_s"] = time_to_first_answer(p, port, probe)
        else:
            wait_port(port)
        out["rss_peak_kib"] = hwm_kib(p.pid)
        out["rss_kib"] = rss_kib(p.pid)
        subprocess.run(["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", unlisted, "-n", "1",
                        "-t", "2"], capture_output=True, timeout=60)
        for label, data in (("listed", listed), ("unlisted", unlisted)):
            c0 = cpu_seconds(p.pid)
            r = run_dnsperf(port, data, seconds, qps)
            out[f"{label}_cpu_us"] = (cpu_seconds(p.pid) - c0) / max(r["completed"], 1) * 1e6
            out[f"{label}_lost"] = r["lost"]
        return out
    finally:
        stop(p)


def reload_under_load(binary, conf, port, up_port, data, seconds, qps):
    cmd = [binary, "-C", conf, "-k", "--pid-file=", "--user=", f"--port={port}",
           "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
           f"--server=127.0.0.1#{up_port}", "--log-facility=/dev/null", "--cache-size=10000"]
    p = start(cmd, 0)
    stop_flag = threading.Event()
    hups = [0]

    def hupper():
        while not stop_flag.wait(0.2):
            p.send_signal(signal.SIGHUP)
            hups[0] += 1
    try:
        wait_port(port, timeout=120)
        t = threading.Thread(target=hupper)
        t.start()
        try:
            r = run_dnsperf(port, data, seconds, qps)
        finally:
            stop_flag.set()
            t.join()
        return r, hups[0]
    finally:
        stop(p)


def cpu_pairs(binary, conf, empty, up_port, listed, unlisted, seconds, qps, n):
    """Per query set, a list of (with list, without) CPU µs per query, n alternating rounds."""
    servers = {}
    try:
        for key, c, port in (("list", conf, 5372), ("empty", empty, 5373)):
            servers[key] = (start([binary, "-C", c, "-k", "--pid-file=", "--user=", f"--port={port}",
                                   "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv",
                                   "--no-hosts", f"--server=127.0.0.1#{up_port}",
                                   "--log-facility=/dev/null", "--cache-size=10000"], 0), port)
        for key, (p, port) in servers.items():
            wait_port(port, timeout=120)
            for data in (listed, unlisted):  # warm-up: the empty-list server caches every name
                run_dnsperf(port, data, 1, qps)
        out = {"listed": [], "unlisted": []}
        for i in range(n):
            order = ("list", "empty") if i % 2 == 0 else ("empty", "list")
            for label, data in (("listed", listed), ("unlisted", unlisted)):
                got = {}
                for key in order:
                    p, port = servers[key]
                    c0 = cpu_seconds(p.pid)
                    r = run_dnsperf(port, data, seconds, qps)
                    got[key] = (cpu_seconds(p.pid) - c0) / max(r["completed"], 1) * 1e6
                out[label].append((got["list"], got["empty"]))
        return out
    finally:
        for p, _ in servers.values():
            stop(p)


def startup_runs(binaries, conf, probe, port, n):
    """Alternating start-ups; per binary a list of (seconds to first answer, VmHWM KiB)."""
    out = {name: [] for name in binaries}
    for _ in range(n):
        for name, binary in binaries.items():
            p = start([binary, "-C", conf, "-k", "--pid-file=", "--user=", f"--port={port}",
                       "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv",
                       "--no-hosts", "--log-facility=/dev/null"], 0)
            try:
                t = time_to_first_answer(p, port, probe)
                out[name].append((t, hwm_kib(p.pid)))
            finally:
                stop(p)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--names", type=int, default=1000000)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--qps", type=int, default=20000)
    ap.add_argument("--masqd", default=str(ROOT / "build" / "release" / "masqd"))
    ap.add_argument("--startup-runs", type=int, default=0)
    ap.add_argument("--cpu-pairs", type=int, default=0)
    args = ap.parse_args()
    for tool in ("dnsperf", "dnsmasq", "taskset", "dig"):
        if not shutil.which(tool):
            sys.exit(f"needs {tool} (tools/install-deps.sh bench)")
    tmp = tempfile.mkdtemp(prefix="masqd-blockbench-")
    os.chmod(tmp, 0o755)
    conf, empty = os.path.join(tmp, "block.conf"), os.path.join(tmp, "empty.conf")
    listed, unlisted = os.path.join(tmp, "listed.txt"), os.path.join(tmp, "unlisted.txt")
    sample = []
    with open(conf, "w") as f:
        for i, n in enumerate(names(args.names)):
            f.write(f"address=/{n}/\n")
            if i % max(args.names // 1000, 1) == 0:
                sample.append(n)
    Path(empty).write_text("")
    Path(listed).write_text("".join(f"www.{n} A\n" for n in sample))
    Path(unlisted).write_text("".join(f"u{i}.unlisted.test A\n" for i in range(1000)))
    up_port, port = 5370, 5371
    if args.startup_runs:
        try:
            runs = startup_runs({"dnsmasq": "dnsmasq", "masqd": args.masqd}, conf, "www." + sample[0],
                                port, args.startup_runs)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        print(f"start-up with {args.names} address=/name/ lines, {args.startup_runs} runs each "
              "(min / median / max)")
        for name, rs in runs.items():
            ts = sorted(r[0] for r in rs)
            hs = sorted(r[1] for r in rs)
            print(f"{name:<8} first answer {ts[0]:.3f} / {ts[len(ts) // 2]:.3f} / {ts[-1]:.3f} s   "
                  f"peak RSS {hs[0]} / {hs[len(hs) // 2]} / {hs[-1]} KiB")
        ratios = sorted(m[0] / d[0] for m, d in zip(runs["masqd"], runs["dnsmasq"]))
        mem = sorted(m[1] / d[1] for m, d in zip(runs["masqd"], runs["dnsmasq"]))
        print(f"masqd/dnsmasq, median of pairs: start-up {ratios[len(ratios) // 2]:.2f}, "
              f"peak RSS {mem[len(mem) // 2]:.2f}")
        return
    if args.cpu_pairs:
        upstream = start(["dnsmasq", "-C", "/dev/null", "-k", "--pid-file=", "--user=",
                          f"--port={up_port}", "--listen-address=127.0.0.1", "--bind-interfaces",
                          "--no-resolv", "--address=/#/192.0.2.1", "--cache-size=0",
                          "--local-ttl=3600", "--log-facility=/dev/null"], 1)
        try:
            wait_port(up_port)
            pairs = cpu_pairs(args.masqd, conf, empty, up_port, listed, unlisted, args.seconds,
                              args.qps, args.cpu_pairs)
        finally:
            stop(upstream)
            shutil.rmtree(tmp, ignore_errors=True)
        print(f"masqd CPU per query, {args.names}-name list vs empty list, {args.cpu_pairs} "
              f"alternating rounds of {args.seconds} s at {args.qps} qps")
        for label, ps in pairs.items():
            ratios = sorted(a / b for a, b in ps)
            print(f"{label:<9} with list " + " ".join(f"{a:.1f}" for a, _ in ps) + " µs; empty "
                  + " ".join(f"{b:.1f}" for _, b in ps) + " µs; ratio median "
                  f"{ratios[len(ratios) // 2]:.3f} (min {ratios[0]:.3f}, max {ratios[-1]:.3f})")
        return
    upstream = start(["dnsmasq", "-C", "/dev/null", "-k", "--pid-file=", "--user=",
                      f"--port={up_port}", "--listen-address=127.0.0.1", "--bind-interfaces",
                      "--no-resolv", "--address=/#/192.0.2.1", "--cache-size=0",
                      "--local-ttl=3600", "--log-facility=/dev/null"], 1)
    res = {}
    try:
        wait_port(up_port)
        for name, binary in (("dnsmasq", "dnsmasq"), ("masqd", args.masqd)):
            res[name] = measure(binary, conf, port, up_port, listed, unlisted, "www." + sample[0],
                                args.seconds, args.qps, True)
            res[name + "_empty"] = measure(binary, empty, port, up_port, listed, unlisted, None,
                                           args.seconds, args.qps, False)
        reload_r, hups = reload_under_load(args.masqd, conf, port, up_port, unlisted, args.seconds,
                                           args.qps)
    finally:
        stop(upstream)
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"blocklist of {args.names} address=/name/ lines; dnsperf {args.qps} qps x {args.seconds} s")
    print(f"{'metric':<22}{'dnsmasq':>12}{'masqd':>12}{'masqd/dnsmasq':>15}")
    for k in ("startup_s", "rss_peak_kib", "rss_kib", "listed_cpu_us", "unlisted_cpu_us",
              "listed_lost", "unlisted_lost"):
        a, b = res["dnsmasq"][k], res["masqd"][k]
        print(f"{k:<22}{a:>12.3f}{b:>12.3f}{(f'{b / a:.2f}' if a else '-'):>15}")
    print("with an empty list (same queries):")
    for k in ("listed_cpu_us", "unlisted_cpu_us"):
        a, b = res["dnsmasq_empty"][k], res["masqd_empty"][k]
        print(f"{k:<22}{a:>12.3f}{b:>12.3f}{(f'{b / a:.2f}' if a else '-'):>15}")
    print(f"masqd reload under load: {hups} SIGHUPs during {args.seconds} s, "
          f"{reload_r['completed']:.0f} answered, {reload_r['lost']:.0f} lost")


if __name__ == "__main__":
    main()
