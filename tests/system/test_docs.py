"""docs/options.md is generated from the option table and must match the binary's table."""
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_options_doc_is_current(masqd_bin):
    out = subprocess.run([masqd_bin, "--masqd-options-markdown"], capture_output=True, text=True,
                         timeout=20)
    assert out.returncode == 0
    committed = (ROOT / "docs" / "options.md").read_text()
    assert out.stdout == committed, "docs/options.md is stale: run `make options-doc`"
    # Every option row carries one of the three statuses.
    rows = [l for l in committed.splitlines() if l.startswith("| `--")]
    assert len(rows) >= 190
    for row in rows:
        assert any(s in row for s in ("built", "not supported yet", "accepted, no effect")), row
