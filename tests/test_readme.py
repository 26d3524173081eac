"""The README's two commands are the contract: the first one works on a fresh copy."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from .conftest import ROOT


def _commands() -> list[str]:
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(),
                                          re.S)]


def test_ci_runs_the_readme_test_command():
    assert _commands()[1] == "bash scripts/test.sh"
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


SETUP = "bash scripts/setup.sh"


def _fresh_copy(tmp_path) -> tuple[Path, str]:
    """Where the first command runs as it would after a clone, and what is left to run.

    Under ``scripts/test.sh`` on a fresh clone (CI, ``D2L_FRESH_CLONE``), test.sh has
    just run the command's first half, ``bash scripts/setup.sh``, in this checkout with no
    .venv (and stopped had it failed): what is left is the rest, here.  Running setup.sh
    again would reinstall this package under the feet of the tests running beside this
    one, and installing everything into a copy costs 4 minutes of the CI's 20.
    Anywhere else: the whole command in a copy of what a clone would hold.
    """
    command = _commands()[0]
    first, rest = (part.strip() for part in command.split("&&", 1))
    assert first == SETUP
    assert SETUP in (ROOT / "scripts" / "test.sh").read_text()
    if os.environ.get("D2L_FRESH_CLONE") == "1":
        return ROOT, rest
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    repo = tmp_path / "repo"
    for rel in filter(None, listed):
        if (ROOT / rel).is_file():
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, repo / rel)
    assert not (repo / ".venv").exists()
    return repo, command


def test_first_command_on_a_fresh_copy_ends_with_the_score_table(tmp_path):
    """The first command, run where it would be after a clone (see ``_fresh_copy``)."""
    repo, command = _fresh_copy(tmp_path)
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path / "home"), "LANG": "C.UTF-8"}
    proc = subprocess.run(["bash", "-c", command], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=1500)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    tables = re.findall(r"examples/ch03_basics/(\w+)\.ipynb.*?总分\s*│\s*([\d.]+)\s*│\s*18",
                        proc.stdout, re.S)
    assert dict(tables) == {"blank": "0", "correct": "18", "partly_wrong": "14"}
    assert proc.stdout.rstrip().splitlines()[-1].startswith("└")  # ends with the table
