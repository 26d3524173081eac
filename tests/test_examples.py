"""The bundled examples and mistake notebooks are the master plus their named edits."""

from __future__ import annotations

import importlib.util
import json

import nbformat

from .conftest import ROOT


def _generate():
    spec = importlib.util.spec_from_file_location("make_examples",
                                                  ROOT / "scripts" / "make_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate()


def test_generated_notebooks_are_committed_and_up_to_date():
    for rel, nb in _generate().items():
        committed = nbformat.read(ROOT / rel, as_version=4)
        assert json.loads(nbformat.writes(nb)) == json.loads(nbformat.writes(committed)), rel
