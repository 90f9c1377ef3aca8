#!/usr/bin/python3
"""Runs the reference dnsmasq over the compat corpus and (re)writes expected.tsv.

  record_expected.py            check every case does what its author meant, then rewrite
                                expected.tsv (refuses to write if any case misses its intent)
  record_expected.py --show     print dnsmasq's verdict for every case, write nothing
  record_expected.py --check    compare live dnsmasq with expected.tsv, write nothing
  record_expected.py -k TEXT    only cases whose id contains TEXT (with --show/--check)
  record_expected.py --binary B use B instead of dnsmasq (e.g. masqd with --extra)
"""
import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compat_cases as cc  # noqa: E402

HEADER = """\
# dnsmasq 2.90 (Debian dnsmasq-base) verdicts for every compat case, written by
# record_expected.py -- do not edit by hand. Columns (tab separated):
# case id, exit code, location "FILE:LINE" from "at line N of FILE" ({dir} = the case's temp
# dir; "-" = none), dnsmasq's last stderr line without the "dnsmasq: " prefix.
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", action="store_true")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("-k", default="")
    ap.add_argument("--binary", default=shutil.which("dnsmasq") or "/usr/sbin/dnsmasq")
    ap.add_argument("--extra", action="append", default=[],
                    help="extra argument after --test (repeatable)")
    opts = ap.parse_args()
    if opts.k and not (opts.show or opts.check):
        ap.error("-k needs --show or --check (recording always covers the whole corpus)")

    cases = [c for c in cc.load_cases() if opts.k in c.id]
    recorded = cc.read_expected()
    rows, bad_intent, drift = [], [], []
    with tempfile.TemporaryDirectory(prefix="masqd-compat-") as tmp:
        for i, case in enumerate(cases):
            if case.requires_no_default_conf and cc.default_conf_exists():
                print(f"SKIP {case.id}: /etc/dnsmasq.conf exists", file=sys.stderr)
                continue
            out = cc.run_binary(opts.binary, opts.extra, case, Path(tmp) / str(i))
            row = cc.expected_row(out)
            rows.append((case.id, row))
            probs = cc.intent_problems(case, out)
            if probs:
                bad_intent.append(f"{case.id} ({case.source}): {'; '.join(probs)}\n"
                                  f"    stderr: {out.stderr.strip()[:300]!r}")
            if opts.check and recorded.get(case.id) != row:
                drift.append(f"{case.id}: recorded {recorded.get(case.id)}, live {row}")
            if opts.show:
                mark = "INTENT-MISS " if probs else ""
                print(f"{mark}{case.id}\t{row[0]}\t{row[1]}\t{row[2]}")

    for line in bad_intent:
        print("INTENT MISMATCH:", line, file=sys.stderr)
    for line in drift:
        print("DRIFT:", line, file=sys.stderr)
    print(f"{len(rows)} cases run, {len(bad_intent)} intent mismatches"
          + (f", {len(drift)} differ from expected.tsv" if opts.check else ""), file=sys.stderr)
    if opts.show or opts.check:
        return 1 if (bad_intent or drift) else 0
    if bad_intent:
        print("not writing expected.tsv: fix the corpus first", file=sys.stderr)
        return 1
    with open(cc.EXPECTED_FILE, "w") as f:
        f.write(HEADER)
        for cid, (code, loc, msg) in rows:
            f.write(f"{cid}\t{code}\t{loc}\t{msg}\n")
    print(f"wrote {cc.EXPECTED_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
