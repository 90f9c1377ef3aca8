"""masqd --test must agree with dnsmasq 2.90 --test on every case of the compat corpus.

For each case: exit codes are equal; when dnsmasq names "at line N of FILE", masqd names the
same N and FILE; when dnsmasq says "syntax check OK." so does masqd. dnsmasq's verdicts are
recorded in expected.tsv (see record_expected.py) and re-checked live when dnsmasq is present.
"""
import re
import subprocess

import pytest

import compat_cases as cc

CASES = cc.load_cases()
RECORDED = cc.read_expected()
# Hidden aliases dnsmasq accepts but does not list in --help.
HIDDEN_ALIASES = ("dhcp-lease", "domain-suffix")


def _skip_if_host_dependent(case):
    if case.requires_no_default_conf and cc.default_conf_exists():
        pytest.skip("/etc/dnsmasq.conf exists on this host")


def _recorded(case):
    if case.id not in RECORDED:
        pytest.fail(f"{case.id} has no row in expected.tsv: run record_expected.py")
    return RECORDED[case.id]


@pytest.fixture(scope="session")
def live_dnsmasq(request):
    """The reference binary if installed, else None (the recorded verdicts are used)."""
    try:
        return request.getfixturevalue("dnsmasq_bin")
    except RuntimeError:
        return None


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_dnsmasq_matches_recording(case, live_dnsmasq, tmp_path):
    """The corpus is honest: live dnsmasq still gives the recorded verdict and the intent."""
    if live_dnsmasq is None:
        pytest.skip("dnsmasq not installed; using expected.tsv as recorded")
    _skip_if_host_dependent(case)
    out = cc.run_binary(live_dnsmasq, [], case, tmp_path / "dnsmasq")
    assert cc.intent_problems(case, out) == [], out.stderr
    assert cc.expected_row(out) == _recorded(case), out.stderr


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_masqd_matches_dnsmasq(case, masqd_bin, tmp_path):
    _skip_if_host_dependent(case)
    want_exit, want_loc, want_msg = _recorded(case)
    if case.unsupported:
        # Without the syntax-only flag masqd refuses features it has not built yet.
        out = cc.run_binary(masqd_bin, [], case, tmp_path / "masqd")
        assert want_exit == 0
        assert out.exit == 1, f"masqd should refuse an unbuilt feature:\n{out.stderr}"
        assert cc.UNSUPPORTED_TEXT in out.stderr, out.stderr
        return
    out = cc.run_binary(masqd_bin, [cc.SYNTAX_ONLY_FLAG], case, tmp_path / "masqd")
    detail = f"dnsmasq: exit {want_exit}, {want_msg!r}\nmasqd stderr:\n{out.stderr}"
    assert out.exit == want_exit, detail
    if want_loc != "-":
        assert out.location == want_loc, detail
    if want_msg == cc.OK_TEXT:
        assert cc.OK_TEXT in out.stderr, detail


def test_corpus_is_complete():
    """At least 80 cases, every case recorded, every recorded row still a case."""
    ids = {c.id for c in CASES}
    assert len(CASES) >= 80
    assert sorted(ids - set(RECORDED)) == [], "run record_expected.py"
    assert sorted(set(RECORDED) - ids) == [], "run record_expected.py"
    assert any(c.unsupported for c in CASES)


def _dnsmasq_long_options(dnsmasq_bin):
    r = subprocess.run([dnsmasq_bin, "--help"], capture_output=True, text=True, timeout=20)
    assert r.returncode == 0
    names = re.findall(r"^\s*(?:-\S, )?--([A-Za-z0-9][A-Za-z0-9-]*)", r.stdout, re.M)
    assert len(names) > 150, r.stdout[:500]
    return names


def _first_option_row(case_kind):
    """option name -> its first options-table case of the given form ('cli' or 'file');
    opt-good rows first, opt-value rows for options dnsmasq never accepts (dhcp-luascript)."""
    rows = {}
    for table in ("opt-good", "opt-value"):
        for c in CASES:
            parts = c.id.split("/")
            if parts[0] == table and parts[2] == case_kind:
                rows.setdefault(parts[1].split(".")[0], c)
    return rows


def test_option_inventory(dnsmasq_bin, masqd_bin, tmp_path):
    """Every dnsmasq long option (and hidden alias) is in the corpus, in masqd --help, and
    accepted by masqd on the command line with a sample value."""
    names = _dnsmasq_long_options(dnsmasq_bin)
    everything = names + list(HIDDEN_ALIASES)
    file_rows, cli_rows = _first_option_row("file"), _first_option_row("cli")
    not_in_corpus = [n for n in everything if n not in file_rows]
    assert not_in_corpus == [], "add these to corpus/options_good.conf"
    # The options dnsmasq --help lists as long options need a GOOD row; only options this
    # dnsmasq build refuses (dhcp-luascript: no Lua) may live in options_values.conf alone.
    not_good = [n for n in everything if not any(c.id.startswith(f"opt-good/{n}/")
                                                  or c.id.startswith(f"opt-good/{n}.")
                                                  for c in CASES)]
    assert not_good == ["dhcp-luascript"]

    r = subprocess.run([masqd_bin, "--help"], capture_output=True, text=True, timeout=20)
    listing = r.stdout + r.stderr
    not_in_help = [n for n in names if not re.search(rf"--{re.escape(n)}(?![A-Za-z0-9-])",
                                                        listing)]

    refused = []
    for n in everything:
        case = cli_rows.get(n) or file_rows[n]
        want_exit = RECORDED[case.id][0]
        out = cc.run_binary(masqd_bin, [cc.SYNTAX_ONLY_FLAG], case, tmp_path / n)
        if out.exit != want_exit:
            refused.append(f"{' '.join(case.args)} -> exit {out.exit}: {out.message}")
    assert not_in_help == [] and refused == [], (
        f"{len(not_in_help)} options missing from masqd --help: {not_in_help}\n"
        f"{len(refused)} options not accepted like dnsmasq does:\n  " + "\n  ".join(refused))
