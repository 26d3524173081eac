"""The README's two commands are the contract: the first one works on a fresh copy."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

from .conftest import ROOT


def _commands() -> list[str]:
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(),
                                          re.S)]


def test_ci_runs_the_readme_test_command():
    assert _commands()[1] == "bash scripts/test.sh"
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


def test_first_command_on_a_fresh_copy_ends_with_the_score_table(tmp_path):
    """Copy what a clone would hold (no .venv, no caches) and run the first command."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    repo = tmp_path / "repo"
    for rel in filter(None, listed):
        if (ROOT / rel).is_file():
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, repo / rel)
    assert not (repo / ".venv").exists()
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path / "home"), "LANG": "C.UTF-8"}
    proc = subprocess.run(["bash", "-c", _commands()[0]], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=1500)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    tables = re.findall(r"examples/ch03_basics/(\w+)\.ipynb.*?总分\s*│\s*([\d.]+)\s*│\s*18",
                        proc.stdout, re.S)
    assert dict(tables) == {"blank": "0", "correct": "18", "partly_wrong": "14"}
    assert proc.stdout.rstrip().splitlines()[-1].startswith("└")  # ends with the table
