"""Loads the config-compatibility corpus (tests/compat/corpus) and runs one case with a binary.

Shared by test_config_compat.py and record_expected.py; see README.md for the corpus format.
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
EXPECTED_FILE = HERE / "expected.tsv"
TIMEOUT = 20
# The masqd extension flag that only skips the "option X is not supported yet" refusal.
SYNTAX_ONLY_FLAG = "--masqd-syntax-only"
UNSUPPORTED_TEXT = "is not supported yet"
OK_TEXT = "syntax check OK."

_AT_LINE = re.compile(r"at line (\d+) of (.+?)\s*$")


@dataclass
class Expect:
    """What a case is meant to do under dnsmasq (the author's intent, checked when recording)."""

    exit: int
    file: str | None = None  # path as printed, or a suffix of it after a '/'
    line: int | None = None
    reason: str | None = None  # substring of dnsmasq's stderr

    @staticmethod
    def parse(text: str) -> "Expect":
        words = text.strip().split(None, 2)
        if not words:
            raise ValueError("empty expectation")
        if words[0] == "ok" and len(words) == 1:
            return Expect(0)
        if words[0] == "error" and len(words) >= 2:
            where, _, line = words[1].rpartition(":")
            if not where or not line.isdigit():
                raise ValueError(f"'error' needs FILE:LINE, got {words[1]!r}")
            return Expect(1, where, int(line), words[2] if len(words) > 2 else None)
        if words[0] == "bad":  # table rows only: exit 1, location filled in by the loader
            return Expect(1, reason=text.strip()[3:].strip() or None)
        if words[0] == "exit" and len(words) >= 2 and words[1].isdigit():
            return Expect(int(words[1]), reason=words[2] if len(words) > 2 else None)
        raise ValueError(f"bad expectation {text!r}: use 'ok', 'error FILE:LINE [reason]' "
                         "'exit N [reason]' or (tables) 'bad [reason]'")


@dataclass
class Case:
    id: str
    args: list[str]  # after "--test"; may contain {dir}
    expect: Expect
    files: dict[str, bytes] = field(default_factory=dict)  # relative path -> content
    dirs: list[str] = field(default_factory=list)  # empty directories to create
    stdin: str | None = None  # relative path of a file fed to stdin
    unsupported: bool = False  # masqd (without the syntax-only flag) must refuse it
    requires_no_default_conf: bool = False
    source: str = ""


@dataclass
class Outcome:
    exit: int
    file: str | None  # normalised: the case dir is written {dir}
    line: int | None
    message: str  # last non-empty stderr line, normalised
    stderr: str

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line is not None else "-"


# ---------------------------------------------------------------- loading

def _strip_comment(line: str) -> str | None:
    """Table lines: '#' at line start is a comment; blank lines are skipped."""
    if not line.strip() or line.lstrip().startswith("#"):
        return None
    return line.rstrip("\n")


def _option_name(line: str) -> str:
    return re.split(r"[=\s]", line.strip(), 1)[0]


def _uniq(seen: dict[str, int], name: str) -> str:
    seen[name] = seen.get(name, 0) + 1
    return name if seen[name] == 1 else f"{name}.{seen[name]}"


def _table_cases(path: Path, kind: str, default_expect: str | None) -> list[Case]:
    """options_good.conf / options_values.conf: each row -> a file case and a CLI case."""
    cases: list[Case] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(path.read_text().splitlines(), 1):
        line = _strip_comment(raw)
        if line is None:
            continue
        file_only = line.startswith("@file ")
        if file_only:
            line = line[len("@file "):]
        body, sep, exp_text = line.partition(" => ")
        if not sep:
            if default_expect is None:
                raise ValueError(f"{path.name}:{n}: row needs ' => expectation'")
            exp_text = default_expect
        parts = [p.strip() for p in body.split(" && ")]
        name = _uniq(seen, _option_name(parts[-1]))
        expect = Expect.parse(exp_text)
        src = f"{path.name}:{n}"
        if kind == "opt-good":
            content = "".join(p + "\n" for p in parts)
            file_expect = expect
        else:
            # The row is line 3, so line counting past a comment and a blank line is checked too.
            content = f"# {kind} row from {path.name}\n\n" + "".join(p + "\n" for p in parts)
            file_expect = expect
            if expect.exit == 1 and expect.line is None:
                file_expect = Expect(1, "main.conf", 2 + len(parts), expect.reason)
        cases.append(Case(f"{kind}/{name}/file", ["-C", "{dir}/main.conf"], file_expect,
                          {"main.conf": content.encode()}, ["empty.d"], source=src))
        if '"' not in body and not file_only:
            cli_expect = expect
            if expect.exit == 1:
                cli_expect = Expect(1, reason=None)
            cases.append(Case(f"{kind}/{name}/cli", ["-C", "/dev/null"] + ["--" + p for p in parts],
                              cli_expect, {}, ["empty.d"], source=src))
    return cases


def _cli_cases(path: Path) -> list[Case]:
    """cli.txt rows: 'name: ARGS => expectation' (ARGS split like a shell)."""
    cases: list[Case] = []
    for n, raw in enumerate(path.read_text().splitlines(), 1):
        line = _strip_comment(raw)
        if line is None:
            continue
        name, sep, rest = line.partition(": ")
        args, sep2, exp_text = rest.partition(" => ")
        if not sep or not sep2:
            raise ValueError(f"{path.name}:{n}: want 'name: ARGS => expectation'")
        cases.append(Case(f"cli/{name.strip()}", shlex.split(args), Expect.parse(exp_text),
                          {}, ["empty.d"], source=f"{path.name}:{n}"))
    return cases


def _generate(expr: str) -> bytes:
    value = eval(expr, {"__builtins__": {}}, {"bytes": bytes, "range": range, "len": len})  # noqa: S307
    return value if isinstance(value, bytes) else str(value).encode()


def _folder_case(folder: Path) -> Case:
    meta = folder / "CASE"
    args: list[str] | None = None
    expect: Expect | None = None
    case = Case(f"case/{folder.name}", [], Expect(0), source=f"cases/{folder.name}/CASE")
    for n, raw in enumerate(meta.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition(":")
        value = value.strip()
        if not sep:
            raise ValueError(f"{meta}:{n}: want 'key: value'")
        if key == "args":
            args = shlex.split(value)
        elif key == "expect":
            expect = Expect.parse(value)
        elif key == "mkdir":
            case.dirs.append(value)
        elif key == "stdin":
            case.stdin = value
        elif key == "generate":
            target, _, expr = value.partition("=")
            case.files[target.strip()] = _generate(expr.strip())
        elif key == "masqd" and value == "unsupported":
            case.unsupported = True
        elif key == "requires" and value == "no-default-conf":
            case.requires_no_default_conf = True
        else:
            raise ValueError(f"{meta}:{n}: unknown key {key!r}")
    if args is None or expect is None:
        raise ValueError(f"{meta}: needs 'args:' and 'expect:'")
    case.args, case.expect = args, expect
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p != meta:
            case.files[str(p.relative_to(folder))] = p.read_bytes()
    if case.unsupported and expect.exit != 0:
        raise ValueError(f"{meta}: an unsupported-feature case must be good for dnsmasq")
    return case


def load_cases() -> list[Case]:
    cases = _table_cases(CORPUS / "options_good.conf", "opt-good", "ok")
    cases += _table_cases(CORPUS / "options_values.conf", "opt-value", None)
    cases += _cli_cases(CORPUS / "cli.txt")
    cases += [_folder_case(d) for d in sorted((CORPUS / "cases").iterdir()) if d.is_dir()]
    ids = [c.id for c in cases]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise ValueError(f"duplicate case ids: {sorted(dup)}")
    return cases


# ---------------------------------------------------------------- running

def _subst(data: bytes, case_dir: Path) -> bytes:
    return data.replace(b"{dir}", str(case_dir).encode())


def materialise(case: Case, case_dir: Path) -> None:
    """Create the case's files and directories inside case_dir (which must exist)."""
    for d in case.dirs:
        (case_dir / d).mkdir(parents=True, exist_ok=True)
    for rel, data in case.files.items():
        target = case_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_subst(data, case_dir))


def run_binary(binary: str, extra: list[str], case: Case, case_dir: Path) -> Outcome:
    """Materialise the case in case_dir and run `binary --test EXTRA ARGS` there."""
    case_dir.mkdir(parents=True, exist_ok=True)
    materialise(case, case_dir)
    binary = os.path.abspath(binary) if os.sep in binary else binary  # we chdir to case_dir
    argv = [binary, "--test", *extra] + [a.replace("{dir}", str(case_dir)) for a in case.args]
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C", "LANG": "C"}
    stdin = open(case_dir / case.stdin, "rb") if case.stdin else subprocess.DEVNULL
    try:
        r = subprocess.run(argv, cwd=case_dir, stdin=stdin, capture_output=True,
                           timeout=TIMEOUT, env=env)
    finally:
        if case.stdin:
            stdin.close()
    return parse_outcome(r.returncode, r.stderr.decode("utf-8", "replace"), case_dir)


def parse_outcome(code: int, stderr: str, case_dir: Path) -> Outcome:
    text = stderr.replace(str(case_dir), "{dir}")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    file = line = None
    for ln in lines:
        m = _AT_LINE.search(ln)
        if m:
            line, file = int(m.group(1)), m.group(2)
            break
    message = lines[-1] if lines else "-"
    message = re.sub(r"^(dnsmasq|masqd): ", "", message).replace("\t", " ")
    return Outcome(code, file, line, message, text)


def intent_problems(case: Case, out: Outcome) -> list[str]:
    """Why dnsmasq's outcome does not match what the case's author meant (empty if it does)."""
    e, probs = case.expect, []
    if out.exit != e.exit:
        probs.append(f"exit {out.exit}, meant {e.exit}")
    if e.exit == 0 and OK_TEXT not in out.stderr and "--help" not in case.args \
            and "--version" not in case.args and not any(a in ("-w", "-v") for a in case.args):
        probs.append("no 'syntax check OK.'")
    if e.line is not None:
        if out.line != e.line:
            probs.append(f"line {out.line}, meant {e.line}")
        if out.file is None or not (out.file == e.file or out.file.endswith("/" + e.file)):
            probs.append(f"file {out.file}, meant {e.file}")
    elif e.exit != 0 and out.line is not None:
        probs.append(f"unexpected location {out.location}")
    if e.reason and e.reason not in out.stderr:
        probs.append(f"reason {e.reason!r} not in {out.message!r}")
    return probs


# ---------------------------------------------------------------- recorded results

def read_expected() -> dict[str, tuple[int, str, str]]:
    """expected.tsv: id, exit code, location (FILE:LINE or -), dnsmasq's last stderr line."""
    rows: dict[str, tuple[int, str, str]] = {}
    if not EXPECTED_FILE.exists():
        return rows
    for raw in EXPECTED_FILE.read_text().splitlines():
        if raw.startswith("#") or not raw.strip():
            continue
        cid, code, loc, msg = raw.split("\t", 3)
        rows[cid] = (int(code), loc, msg)
    return rows


def expected_row(out: Outcome) -> tuple[int, str, str]:
    return (out.exit, out.location, out.message)


def default_conf_exists() -> bool:
    return os.path.exists("/etc/dnsmasq.conf")
