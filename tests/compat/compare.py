#!/usr/bin/python3
"""Summarises how masqd --test differs from the recorded dnsmasq verdicts (expected.tsv).

  compare.py [--masqd PATH] [-k TEXT] [-v]

Applies the same rules as test_config_compat.py and groups the failures by kind, so parser
work can be prioritised. -v lists every failing case with both messages.
"""
import argparse
import collections
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compat_cases as cc  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def classify(case, want, out):
    want_exit, want_loc, want_msg = want
    if case.unsupported:
        if out.exit == 1 and cc.UNSUPPORTED_TEXT in out.stderr:
            return None
        return "unbuilt option not refused with 'is not supported yet'"
    if out.exit != want_exit:
        return f"exit {out.exit}, dnsmasq {want_exit}"
    if want_loc != "-" and out.location != want_loc:
        return "same exit, other file/line" if out.line is not None else "same exit, no location"
    if want_msg == cc.OK_TEXT and cc.OK_TEXT not in out.stderr:
        return "exit 0 without 'syntax check OK.'"
    return None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--masqd", default=os.environ.get("MASQD_BIN",
                                                      str(ROOT / "build/release/masqd")))
    ap.add_argument("-k", default="")
    ap.add_argument("-v", action="store_true")
    opts = ap.parse_args()
    recorded = cc.read_expected()
    kinds = collections.Counter()
    by_group = collections.Counter()
    failures = []
    total = 0
    with tempfile.TemporaryDirectory(prefix="masqd-compare-") as tmp:
        for i, case in enumerate(cc.load_cases()):
            if opts.k not in case.id or case.id not in recorded:
                continue
            if case.requires_no_default_conf and cc.default_conf_exists():
                continue
            total += 1
            extra = [] if case.unsupported else [cc.SYNTAX_ONLY_FLAG]
            out = cc.run_binary(opts.masqd, extra, case, Path(tmp) / str(i))
            kind = classify(case, recorded[case.id], out)
            if kind:
                kinds[kind] += 1
                by_group[case.id.split("/")[0] + "/" + case.id.split("/")[-1]
                         if case.id.startswith("opt-") else case.id.split("/")[0]] += 1
                failures.append((case.id, kind, recorded[case.id], out))
    if opts.v:
        for cid, kind, want, out in failures:
            print(f"{cid}: {kind}\n    dnsmasq: {want[0]} {want[1]} {want[2]}\n"
                  f"    masqd:   {out.exit} {out.location} {out.message}")
    print(f"{total - len(failures)} of {total} cases agree, {len(failures)} differ")
    for kind, n in kinds.most_common():
        print(f"  {n:4d}  {kind}")
    print("by group:")
    for g, n in sorted(by_group.items()):
        print(f"  {n:4d}  {g}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
