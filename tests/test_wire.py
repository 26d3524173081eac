"""autograder.wire: plain data only, never a pickle, size caps, deterministic bytes."""

from __future__ import annotations

import io
import json
import pickle
import zipfile

import numpy as np
import pytest
import torch

from autograder import wire
from autograder.wire import Recipe, WireError


def roundtrip(value):
    return wire.decode(*wire.encode(value))


def test_roundtrip_keeps_types_dtypes_and_order():
    value = {
        "t": torch.arange(6, dtype=torch.int16).reshape(2, 3),
        "bf": torch.tensor([1.5, 2.0], dtype=torch.bfloat16),
        "f": [1.0, float("nan"), float("-inf"), 3, True, None, "文字"],
        "tup": (np.zeros((2, 0), dtype=np.float32), np.float64(2.5)),
        1: Recipe("ref", {"name": "softmax"}),
    }
    out = roundtrip(value)
    assert list(out) == ["t", "bf", "f", "tup", 1]
    assert out["t"].dtype == torch.int16 and torch.equal(out["t"], value["t"])
    assert out["bf"].dtype == torch.bfloat16
    assert out["f"][0] == 1.0 and np.isnan(out["f"][1]) and out["f"][2] == -np.inf
    assert type(out["f"][3]) is int and out["f"][4] is True and out["f"][5] is None
    assert type(out["tup"]) is tuple and out["tup"][0].shape == (2, 0)
    assert type(out["tup"][1]) is np.float64
    assert out[1] == Recipe("ref", {"name": "softmax"})


def test_requires_grad_tensors_are_stored_as_plain_values():
    w = torch.ones(2, requires_grad=True) * 2
    out = roundtrip(w)
    assert type(out) is torch.Tensor and not out.requires_grad


def test_encoding_snapshots_arrays():
    x = torch.zeros(3)
    tree, arrays = wire.encode(x)
    x += 1
    assert wire.decode(tree, arrays).sum() == 0


@pytest.mark.parametrize("bad", [object(), {1.5: 2}, np.array([object()]), lambda: 1,
                                 torch.zeros(2).to_sparse()])
def test_unstorable_values_are_refused(bad):
    with pytest.raises(WireError):
        wire.encode(bad)


def test_write_is_byte_deterministic(tmp_path):
    value = {"x": torch.randn(4, 5, generator=torch.Generator().manual_seed(0)), "n": 3}
    wire.write(tmp_path / "a", value)
    wire.write(tmp_path / "b", value)
    for ext in ("json", "npz"):
        assert (tmp_path / f"a.{ext}").read_bytes() == (tmp_path / f"b.{ext}").read_bytes()


def _write(tmp_path, tree, arrays_bytes=None):
    (tmp_path / "h.json").write_text(json.dumps(tree))
    if arrays_bytes is None:
        buf = io.BytesIO()
        np.savez(buf)
        arrays_bytes = buf.getvalue()
    (tmp_path / "h.npz").write_bytes(arrays_bytes)
    return tmp_path / "h"


def test_pickled_object_arrays_are_never_loaded(tmp_path):
    class Boom:
        def __reduce__(self):
            return (print, ("pickle ran",))

    buf = io.BytesIO()
    np.savez(buf, a0=np.array([Boom()], dtype=object))
    stem = _write(tmp_path, {"$ndarray": "a0"}, buf.getvalue())
    with pytest.raises(WireError):
        wire.read(stem)


def test_a_plain_pickle_file_is_not_an_archive(tmp_path):
    stem = _write(tmp_path, 1, pickle.dumps({"a": 1}))
    with pytest.raises(WireError, match="not a valid array archive"):
        wire.read(stem)


@pytest.mark.parametrize("tree", [
    {"$tensor": "a9", "dtype": "float32"},  # missing array
    {"$tensor": "a0", "dtype": "float64"},  # dtype lie
    {"$unknown": 1},
    {"$float": "1e309"},
    {"$dict": [["k"]]},
    {"$recipe": "ref", "params": [1]},
    {"a": 1},
])
def test_malformed_trees_are_refused(tmp_path, tree):
    buf = io.BytesIO()
    np.savez(buf, a0=np.zeros(2, dtype=np.float32))
    with pytest.raises(WireError):
        wire.read(_write(tmp_path, tree, buf.getvalue()))


def test_size_caps(tmp_path):
    stem = tmp_path / "big"
    wire.write(stem, {"x": torch.zeros(1000, 1000)})
    with pytest.raises(WireError, match="unpacks to more than"):
        wire.read(stem, max_npz_bytes=1_000_000)
    with pytest.raises(WireError, match="larger than"):
        wire.read(stem, max_json_bytes=3)


def test_zip_bomb_is_refused_before_unpacking(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a0.npy", b"\0" * 50_000_000)
    stem = _write(tmp_path, None, buf.getvalue())
    assert (tmp_path / "h.npz").stat().st_size < 100_000
    with pytest.raises(WireError, match="unpacks to more than"):
        wire.read(stem, max_npz_bytes=10_000_000)


def test_deep_nesting_is_refused():
    value = []
    for _ in range(wire.MAX_DEPTH + 5):
        value = [value]
    with pytest.raises(WireError):
        wire.encode(value)


def test_deeply_nested_json_is_refused_not_crashed(tmp_path):
    (tmp_path / "h.json").write_text("[" * 100_000 + "]" * 100_000)
    buf = io.BytesIO()
    np.savez(buf)
    (tmp_path / "h.npz").write_bytes(buf.getvalue())
    with pytest.raises(WireError):
        wire.read(tmp_path / "h")
