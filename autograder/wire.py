"""The one data format that crosses the sandbox boundary, written and read here only.

A value is split into a JSON tree (structure, scalars, strings) and a ``.npz`` archive
(arrays).  Nothing is ever pickled: the archive is read with ``allow_pickle=False`` and
only numeric and boolean dtypes are accepted.  Both files are size-capped before they
are parsed, and the tree is validated node by node, so a hostile sandbox can at worst
make a case fail; it can never run code in the grader.

The same format stores fixtures (case inputs and expected outputs), so the grader has one
reader for everything.  Archives are written byte-deterministically (fixed zip
timestamps, stored in key order) so fixture manifests are stable.
"""

from __future__ import annotations

import collections
import io
import json
import math
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

#: Default caps for anything read back from a sandbox (bytes).
DEFAULT_MAX_JSON_BYTES = 8 * 1024 * 1024
DEFAULT_MAX_NPZ_BYTES = 256 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 200_000

_ALLOWED_KINDS = frozenset("biufc")  # bool, int, uint, float, complex; never object or void
_TORCH_ONLY_DTYPES = {torch.bfloat16: "bfloat16"}


class WireError(ValueError):
    """Data that cannot be written to or read from the wire format."""


@dataclass(frozen=True)
class Recipe:
    """A description of an object the harness builds inside the sandbox.

    Recipes let a case pass things that are not plain data (a torch module with given
    weights, a torch optimizer, a student function) while the case itself stays data.
    ``op`` names the operation; ``params`` holds plain data (and nested recipes).
    They are evaluated by :mod:`autograder.recipes`.
    """

    op: str
    params: dict[str, Any] = field(default_factory=dict)


def _torch_dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


class Encoder:
    """Turns values into JSON nodes, collecting arrays; copies every array it stores, so
    later changes to the original tensor cannot alter what was recorded."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def _store(self, arr: np.ndarray) -> str:
        if arr.dtype.kind not in _ALLOWED_KINDS:
            raise WireError(f"arrays of dtype {arr.dtype} cannot be stored")
        key = f"a{len(self.arrays)}"
        self.arrays[key] = np.array(arr, copy=True, order="C")
        return key

    def node(self, obj: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise WireError("value nested too deeply")
        t = type(obj)
        if obj is None or t is bool or t is str:
            return obj
        if t is int:
            return obj
        if t is float:
            return obj if math.isfinite(obj) else {"$float": repr(obj)}
        if t is list:
            return [self.node(x, depth + 1) for x in obj]
        if t is tuple:
            return {"$tuple": [self.node(x, depth + 1) for x in obj]}
        if t is dict or t is collections.OrderedDict:
            items = []
            for k, v in obj.items():
                if type(k) not in (str, int):
                    raise WireError(f"dict keys must be str or int, not {type(k).__name__}")
                items.append([k, self.node(v, depth + 1)])
            return {"$dict": items}
        if isinstance(obj, torch.Tensor):
            tensor = obj.detach()
            if tensor.is_sparse or tensor.layout != torch.strided:
                raise WireError("only dense tensors can be stored")
            if tensor.device.type == "meta":
                raise WireError("a meta tensor holds no values")
            tensor = tensor.cpu()
            name = _torch_dtype_name(tensor.dtype)
            if tensor.dtype in _TORCH_ONLY_DTYPES:
                tensor = tensor.float()
            return {"$tensor": self._store(tensor.numpy()), "dtype": name}
        if t is np.ndarray:
            return {"$ndarray": self._store(obj)}
        if isinstance(obj, np.generic) and type(obj).__module__ == "numpy":
            return {"$npscalar": self._store(np.asarray(obj))}
        if isinstance(obj, Recipe):
            return {"$recipe": obj.op, "params": self.node(obj.params, depth + 1)}
        raise WireError(f"values of type {t.__module__}.{t.__qualname__} cannot be stored")


def encode(obj: Any) -> tuple[Any, dict[str, np.ndarray]]:
    """Split ``obj`` into a JSON-ready tree and a dict of arrays."""
    enc = Encoder()
    tree = enc.node(obj)
    return tree, enc.arrays


class _Decoder:
    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays
        self.count = 0

    def _array(self, key: Any) -> np.ndarray:
        if type(key) is not str or key not in self.arrays:
            raise WireError(f"reference to a missing array {key!r}")
        return self.arrays[key]

    def node(self, n: Any, depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise WireError("too many values")
        if depth > MAX_DEPTH:
            raise WireError("value nested too deeply")
        t = type(n)
        if n is None or t in (bool, int, float, str):
            return n
        if t is list:
            return [self.node(x, depth + 1) for x in n]
        if t is not dict or len(n) == 0:
            raise WireError(f"unexpected JSON value of type {t.__name__}")
        if "$tuple" in n and len(n) == 1 and type(n["$tuple"]) is list:
            return tuple(self.node(x, depth + 1) for x in n["$tuple"])
        if "$dict" in n and len(n) == 1 and type(n["$dict"]) is list:
            out: dict[Any, Any] = {}
            for item in n["$dict"]:
                if type(item) is not list or len(item) != 2 or type(item[0]) not in (str, int):
                    raise WireError("malformed dict entry")
                out[item[0]] = self.node(item[1], depth + 1)
            return out
        if "$float" in n and len(n) == 1:
            text = n["$float"]
            if text not in ("nan", "inf", "-inf"):
                raise WireError(f"malformed float {text!r}")
            return float(text)
        if "$tensor" in n and set(n) == {"$tensor", "dtype"}:
            arr = self._array(n["$tensor"])
            tensor = torch.from_numpy(arr.copy())
            name = n["dtype"]
            if name == "bfloat16":
                tensor = tensor.to(torch.bfloat16)
            elif type(name) is not str or name != _torch_dtype_name(tensor.dtype):
                raise WireError(f"tensor dtype {name!r} does not match its data")
            return tensor
        if "$ndarray" in n and len(n) == 1:
            return self._array(n["$ndarray"]).copy()
        if "$npscalar" in n and len(n) == 1:
            arr = self._array(n["$npscalar"])
            if arr.shape != ():
                raise WireError("numpy scalar with a shape")
            return arr[()]
        if "$recipe" in n and set(n) == {"$recipe", "params"} and type(n["$recipe"]) is str:
            params = self.node(n["params"], depth + 1)
            if type(params) is not dict:
                raise WireError("recipe parameters must be a dict")
            return Recipe(n["$recipe"], params)
        raise WireError(f"unknown JSON object with keys {sorted(n)[:4]}")


def decode(tree: Any, arrays: dict[str, np.ndarray]) -> Any:
    """Rebuild a value from :func:`encode`'s output, validating every node."""
    for key, arr in arrays.items():
        if type(arr) is not np.ndarray or arr.dtype.kind not in _ALLOWED_KINDS:
            raise WireError(f"array {key!r} has a forbidden dtype")
    return _Decoder(arrays).node(tree)


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for key in sorted(arrays, key=lambda k: (len(k), k)):
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            body = io.BytesIO()
            np.lib.format.write_array(body, arrays[key], allow_pickle=False)
            zf.writestr(info, body.getvalue())
    return buf.getvalue()


def dumps(obj: Any) -> tuple[bytes, bytes]:
    """``obj`` as (JSON bytes, npz bytes), for sending through a pipe."""
    tree, arrays = encode(obj)
    return _json_bytes(tree), _npz_bytes(arrays)


def loads(
    json_bytes: bytes,
    npz_bytes: bytes,
    max_json_bytes: int = DEFAULT_MAX_JSON_BYTES,
    max_npz_bytes: int = DEFAULT_MAX_NPZ_BYTES,
) -> Any:
    """Read a value from :func:`dumps`'s bytes, as data only, within the size caps."""
    if len(json_bytes) > max_json_bytes:
        raise WireError(f"the JSON part is larger than {max_json_bytes} bytes")
    if len(npz_bytes) > max_npz_bytes:
        raise WireError(f"the array part is larger than {max_npz_bytes} bytes")
    return decode(_parse_json(json_bytes, "the JSON part"),
                  _npz_arrays(io.BytesIO(npz_bytes), "the array part", max_npz_bytes))


def _json_bytes(tree: Any) -> bytes:
    return (json.dumps(tree, separators=(",", ":"), allow_nan=False) + "\n").encode()


def _parse_json(data: bytes, name: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise WireError(f"{name} is not valid JSON") from exc


def write(stem: Path, obj: Any) -> tuple[Path, Path]:
    """Write ``obj`` as ``stem.json`` + ``stem.npz``; returns both paths."""
    tree, arrays = encode(obj)
    return write_encoded(stem, tree, arrays)


def write_encoded(stem: Path, tree: Any, arrays: dict[str, np.ndarray]) -> tuple[Path, Path]:
    """Write a tree and arrays already produced by an :class:`Encoder`."""
    stem = Path(stem)
    json_path, npz_path = stem.with_suffix(".json"), stem.with_suffix(".npz")
    json_path.write_bytes(_json_bytes(tree))
    npz_path.write_bytes(_npz_bytes(arrays))
    return json_path, npz_path


def _read_npz(path: Path, max_bytes: int) -> dict[str, np.ndarray]:
    if not path.exists():
        raise WireError(f"{path.name} is missing")
    if path.stat().st_size > max_bytes:
        raise WireError(f"{path.name} is larger than {max_bytes} bytes")
    with open(path, "rb") as fh:
        return _npz_arrays(fh, path.name, max_bytes)


def _npz_arrays(fh: Any, name: str, max_bytes: int) -> dict[str, np.ndarray]:
    try:
        with zipfile.ZipFile(fh) as zf:
            total = sum(info.file_size for info in zf.infolist())
            if total > max_bytes:
                raise WireError(f"{name} unpacks to more than {max_bytes} bytes")
        fh.seek(0)
        arrays: dict[str, np.ndarray] = {}
        with np.load(fh, allow_pickle=False) as data:
            for key in data.files:
                arrays[key] = data[key]
    except WireError:
        raise
    except Exception as exc:  # zipfile/np.load raise many kinds on hostile input
        raise WireError(f"{name} is not a valid array archive ({type(exc).__name__})") from exc
    return arrays


def read(
    stem: Path,
    max_json_bytes: int = DEFAULT_MAX_JSON_BYTES,
    max_npz_bytes: int = DEFAULT_MAX_NPZ_BYTES,
) -> Any:
    """Read a value written by :func:`write`, as data only, within the size caps."""
    return decode(*read_raw(stem, max_json_bytes, max_npz_bytes))


def read_raw(
    stem: Path,
    max_json_bytes: int = DEFAULT_MAX_JSON_BYTES,
    max_npz_bytes: int = DEFAULT_MAX_NPZ_BYTES,
) -> tuple[Any, dict[str, np.ndarray]]:
    """The JSON tree and the arrays, size-capped but not yet validated as a value."""
    stem = Path(stem)
    json_path = stem.with_suffix(".json")
    if not json_path.exists():
        raise WireError(f"{json_path.name} is missing")
    if json_path.stat().st_size > max_json_bytes:
        raise WireError(f"{json_path.name} is larger than {max_json_bytes} bytes")
    tree = _parse_json(json_path.read_bytes(), json_path.name)
    return tree, _read_npz(stem.with_suffix(".npz"), max_npz_bytes)
