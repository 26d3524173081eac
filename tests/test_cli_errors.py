"""Bad input gets one clear error line and a non-zero exit, never a traceback."""

from __future__ import annotations

import nbformat
import pytest
import typer
from typer.testing import CliRunner

from autograder.cli import app

from .conftest import MASTER, notebook_with, run_cli


def _one_error_line(proc) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_missing_path(tmp_path):
    line = _one_error_line(run_cli("grade", str(tmp_path / "nope.ipynb")))
    assert "no such file" in line


def test_empty_file(tmp_path):
    path = tmp_path / "empty.ipynb"
    path.write_text("")
    assert "empty" in _one_error_line(run_cli("grade", str(path)))


@pytest.mark.parametrize("content", ['{"cells": [', "not json at all", "\x00\x01\x02"])
def test_corrupt_notebook(tmp_path, content):
    path = tmp_path / "corrupt.ipynb"
    path.write_text(content)
    line = _one_error_line(run_cli("grade", str(path)))
    assert "not a valid notebook" in line or "not a notebook" in line


def test_notebook_of_another_chapter(tmp_path):
    path = tmp_path / "cnn.ipynb"
    nbformat.write(notebook_with(["x = 1"], assignment="ch99_unknown", name="lenet"), path)
    line = _one_error_line(run_cli("grade", str(path)))
    assert "'ch99_unknown'" in line and "does not have" in line


def test_notebook_not_for_the_requested_assignment():
    line = _one_error_line(run_cli("grade", str(MASTER), "--assignment", "ch05_cnn"))
    assert "belongs to assignment 'ch03_basics', not 'ch05_cnn'" in line


def test_plain_jupyter_notebook_without_course_metadata(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    path = tmp_path / "plain.ipynb"
    nbformat.write(nb, path)
    assert "not a d2l-autograder assignment notebook" in _one_error_line(
        run_cli("grade", str(path)))


def test_bad_input_does_not_stop_the_good_notebooks(tmp_path):
    empty = tmp_path / "empty.ipynb"
    empty.write_text("")
    proc = run_cli("grade", str(empty), str(MASTER), "--lang", "en")
    assert proc.returncode == 2
    assert "total" in proc.stdout  # the good notebook was still graded


def test_unknown_language_is_a_usage_error():
    proc = run_cli("grade", str(MASTER), "--lang", "fr")
    assert proc.returncode == 2 and "--lang" in proc.stderr


def _command_paths(group, prefix=()) -> list[tuple[str, ...]]:
    """Every command and sub-command of the CLI, as the words a user types."""
    paths = [prefix]
    for name, command in getattr(group, "commands", {}).items():
        paths += _command_paths(command, (*prefix, name))
    return paths


def test_every_command_has_help():
    # Once as a user types it (a process of its own), then every command and group of the
    # tree in this process: each ``d2l-grade`` process pays the imports again.
    proc = run_cli("--help")
    assert proc.returncode == 0 and "Usage" in proc.stdout
    paths = _command_paths(typer.main.get_command(app))
    assert {("grade",), ("autograde",), ("fixtures", "verify"), ("course", "init"),
            ("hub", "up")} <= set(paths)
    for path in paths:
        result = CliRunner().invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage" in result.output and len(result.output.splitlines()) > 4, path
