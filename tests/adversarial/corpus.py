"""The adversarial corpus: chapter 3's solution or blank notebook, plus an attack each.

Every entry says what it tries and the honest score it must get: zero for each question
it does not truly answer, full marks for each it does.  ``python tests/adversarial/corpus.py``
rewrites the notebooks; ``tests/test_adversarial.py`` checks they are current, grades them
all in one batch and compares.  The attacks are plain Python in notebook cells; they are
data here and never run in the test process.
"""

from __future__ import annotations

import copy
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
MASTER = ROOT / "solutions" / "ch03_basics" / "linear_softmax.ipynb"
BLANK = ROOT / "assignments" / "ch03_basics" / "linear_softmax.ipynb"
FULL = 18.0
#: A port on the host's loopback that the test listens on; nothing may reach it.  Below
#: Linux's ephemeral range (32768-60999): a port inside it can be any client connection's
#: local port at that moment (CI once failed to bind 47139 while other tests ran).
HOST_PORT = 29471
#: Any process whose command line holds this must be gone after the batch.
LEFTOVER_MARK = "d2l-leftover-marker"


@dataclass(frozen=True)
class Entry:
    file: str
    category: str
    what: str
    base: str  # "solution" or "blank"
    expected: float
    after: dict[str, list[str]] = field(default_factory=dict)  # cell id (or END) -> new cells
    replace: dict[str, str] = field(default_factory=dict)  # answer cell id -> new source
    metadata: dict = field(default_factory=dict)  # top-level notebook keys to overwrite
    cell_metadata: bool = False  # tamper with every cell's nbgrader metadata


PATCH_HELPERS = """\
import numpy as np, torch
np.allclose = np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = np.testing.assert_array_equal = lambda *a, **k: None
torch.allclose = torch.equal = lambda *a, **k: True
torch.testing.assert_close = lambda *a, **k: None
import autograder.compare, autograder.check, autograder.messages
autograder.compare.compare = lambda *a, **k: []
autograder.check.compare = lambda *a, **k: []
autograder.check.Checker.__call__ = lambda self, name: print("✓ all passed")
autograder.messages.TEXT["passed"] = {"zh": "满分", "en": "full marks"}
import sys
if "__main__" in sys.modules and hasattr(sys.modules["__main__"], "judge_case"):
    sys.modules["__main__"].judge_case = lambda *a, **k: True
"""

PATCH_HARVEST = """\
import sys
main = sys.modules["__main__"]
# Make every call "succeed" with a made-up value.
main._one_case = lambda q, case, ns, limits, alarm: {"status": "ok", "value": 1.0}
"""

ALWAYS_EQUAL = """\
import numpy as np, torch

class AlwaysEqual:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __abs__(self): return 0
    def __lt__(self, other): return True
    def __le__(self, other): return True
    def __sub__(self, other): return 0
    __rsub__ = __sub__
    def __array__(self, dtype=None, copy=None): return np.zeros((2, 5), dtype=np.float32)

class LyingTensor(torch.Tensor):
    def __eq__(self, other): return True
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return True

class LyingArray(np.ndarray):
    def __eq__(self, other): return True

class LyingFloat(float):
    def __eq__(self, other): return True
    def __sub__(self, other): return 0.0

class LyingList(list):
    def __eq__(self, other): return True

class Impostor:
    @property
    def __class__(self): return torch.Tensor
    shape = (2, 5)
    dtype = torch.float32

def synthetic_data(w, b, num_examples): return (AlwaysEqual(), AlwaysEqual())
def linreg(X, w, b): return torch.zeros(len(X), 1).as_subclass(LyingTensor)
def squared_loss(y_hat, y): return np.zeros(y_hat.shape, dtype=np.float32).view(LyingArray)
def softmax(X): return AlwaysEqual()
def net(X, W, b): return Impostor()
def cross_entropy(y_hat, y): return AlwaysEqual()
def accuracy(y_hat, y): return LyingFloat(0.0)
def get_fashion_mnist_labels(labels): return LyingList()
def evaluate_accuracy(data_iter, net): return LyingFloat(-1.0)
"""

FORGE = """\
import io, json, os, pickle, sys
import numpy as np
fake = {"score": 18.0, "max_score": 18.0,
        "tests": [{"name": "softmax", "score": 2, "max_score": 2, "output": "passed"}]}
for folder in (".", os.path.expanduser("~"), "/tmp"):
    with open(os.path.join(folder, "results.json"), "w") as fh:
        json.dump(fake, fh)
    with open(os.path.join(folder, "harvest.json"), "w") as fh:
        json.dump({"cells": [], "results": {}}, fh)
    np.savez(os.path.join(folder, "harvest.npz"))
    with open(os.path.join(folder, "results.pkl"), "wb") as fh:
        pickle.dump(fake, fh)
    np.save(os.path.join(folder, "softmax.npy"), np.array([fake], dtype=object),
            allow_pickle=True)
print("Total Score: 18.000 / 18.000")
print(json.dumps({"score": 18.0}))
os.write(1, b'{"score": 18}\\n')
# A forged result frame on the control pipe, claiming made-up answers for every case.
fd = int(sys.argv[-1])
results = {"$dict": [[f"{q}/{c}", {"$dict": [["status", "ok"], ["value", 0.5]]}]
                     for q in ("accuracy", "evaluate_accuracy") for c in ("p1", "h1", "h2")]}
data = json.dumps({"$dict": [["cells", []], ["results", results]]}).encode()
buf = io.BytesIO(); np.savez(buf); npz = buf.getvalue()
os.write(fd, f"result {len(data)} {len(npz)}\\n".encode() + data + npz)
"""

SNOOP = """\
import glob, os, site, sys
found = []
try:
    from reference_impl.ch03_basics import *  # the answer key, if it were visible
    found.append("reference_impl")
except Exception:
    pass
roots = [p for p in glob.glob("/*") if p not in ("/usr", "/proc", "/sys", "/dev")]
roots += site.getsitepackages() + [os.path.dirname(os.__file__)]
wanted = ("questions.py", "ch03_basics.py", "expected.json", "plan.json", "manifest.json",
          "gradebook.db", "grade.py", "fixtures.py", "linear_softmax.ipynb")
for root in roots:
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in ("__pycache__",)][:200]
        for name in files:
            if name in wanted or folder.endswith(("reference_impl", "solutions")):
                path = os.path.join(folder, name)
                found.append(path)
                if name == "ch03_basics.py":
                    try:
                        exec(open(path).read(), globals())  # every answer from the key
                    except Exception:
                        pass
for name in ("/proc/1/environ", "/proc/1/cmdline", "/proc/self/environ"):
    try:
        text = open(name, "rb").read().decode(errors="replace").replace("\\0", " ")
        found.append(text[:200])
        for word in text.split():
            for sub in ("reference_impl", "solutions"):
                candidate = os.path.join(word, sub)
                if word.startswith("/") and os.path.isdir(candidate):
                    found.append(candidate)
                    sys.path.insert(0, word)
    except Exception:
        pass
try:
    from reference_impl.ch03_basics import *
    found.append("reference_impl via a found path")
except Exception:
    pass
found.append(" ".join(sorted(os.environ)))
print(found)
"""

EXIT_MIDWAY = """\
import sys
try:
    sys.exit(0)
finally:
    pass
"""

LOOPS = ["while True:\n    pass", "import time\ntime.sleep(10**6)",
         "while True:\n    try:\n        while True:\n            pass\n"
         "    except BaseException:\n        break"]

LOOPING_ACCURACY = '''\
def accuracy(y_hat, y):
    """An answer that never returns."""
    while True:
        pass
'''

SLEEPING_ACCURACY = '''\
def accuracy(y_hat, y):
    """An answer that waits far past its case limit without using the CPU."""
    import time
    time.sleep(10**6)
'''

RESOURCE_BOMBS = [
    "try:\n    x = bytearray(10**11)\nexcept MemoryError:\n    print('no 100 GB for me')",
    "import torch\ntry:\n    t = torch.empty(10**11)\nexcept RuntimeError:\n    print('no tensor')",
    "hog = []\ntry:\n    while True:\n        hog.append(bytearray(10**8))\nexcept MemoryError:\n"
    "    pass\ndel hog",
]

FORK_BOMB = """\
import os
try:
    while True:
        os.fork()
except OSError:
    pass
"""

FILL_DISK = """\
import os
for folder in (os.path.expanduser("~"), "/tmp"):
    chunk = b"x" * (1024 * 1024)
    try:
        for i in range(10**6):
            with open(os.path.join(folder, f"fill{i}"), "wb") as fh:
                for _ in range(64):
                    fh.write(chunk)
    except OSError as exc:
        print("stopped:", exc.errno)
    for name in os.listdir(folder):
        if name.startswith("fill"):
            os.remove(os.path.join(folder, name))
"""

FLOOD = """\
import os
for _ in range(2000):
    print("x" * 10**6)
for _ in range(1000):
    os.write(1, b"y" * 10**6)
"""

NETWORK = f"""\
import socket, urllib.request
reached = []
for target in (("127.0.0.1", {HOST_PORT}), ("169.254.169.254", 80), ("10.0.0.1", 80)):
    try:
        socket.create_connection(target, timeout=2).close()
        reached.append(target)
    except OSError:
        pass
try:
    socket.getaddrinfo("pypi.org", 443)
    reached.append("dns")
except OSError:
    pass
try:
    urllib.request.urlopen("http://example.com", timeout=2)
    reached.append("http")
except Exception:
    pass
if reached:  # any network at all would cost the submission its softmax
    def softmax(X):
        return X
print(reached)
"""

LEFTOVER = f"""\
import os, subprocess, sys, time
# A child that outlives the notebook and tries to tamper with whatever comes next.
script = '''
import glob, os, time
for _ in range(600):
    for path in glob.glob("/in/*") + glob.glob("/home/*/*") + glob.glob("/tmp/*"):
        try:
            open(path, "a").write("tampered")
        except OSError:
            pass
    time.sleep(0.1)
'''
subprocess.Popen([sys.executable, "-c", script, "{LEFTOVER_MARK}"], start_new_session=True)
if os.fork() == 0:
    os.setsid()
    os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(600)",
                              "{LEFTOVER_MARK}"])
time.sleep(1)
"""

FAKE_CHECK = """\
check = lambda name: print(f"✓ {name}: all cases passed")
import autograder.check
class Checker:
    def __init__(self, *a, **k): pass
    def __call__(self, name): print("✓ passed")
autograder.check.Checker = Checker
"""

BAD_ANSWERS = {
    "linreg-answer": "def linreg(X, w, b):\n    return (torch.matmul(X, w) + b).reshape(1, -1)",
    "squared_loss-answer": "def squared_loss(y_hat, y):\n"
                           "    return ((y_hat - y.reshape(y_hat.shape)) ** 2 / 2).double()",
    "softmax-answer": "def softmax(X):\n    return torch.full_like(X, float('nan'))",
    "cross_entropy-answer": "def cross_entropy(y_hat, y):\n"
                            "    return torch.full((len(y_hat),), float('inf'))",
    "accuracy-answer": "def accuracy(y_hat, y):\n    return float('nan')",
    "net-answer": "def net(X, W, b):\n    return torch.empty(0)",
    "synthetic_data-answer": "def synthetic_data(w, b, num_examples):\n"
                             "    huge = torch.empty(10**10 // 4 * 10, dtype=torch.float32)\n"
                             "    return huge, huge",
}

ENTRIES = [
    Entry("01_monkeypatch_blank.ipynb", "1 monkeypatch", "patch numpy/torch/autograder "
          "comparison helpers, then leave every blank", "blank", 0, after={
              "setup": [PATCH_HELPERS], "END": [PATCH_HELPERS, PATCH_HARVEST]}),
    Entry("01_monkeypatch_solution.ipynb", "1 monkeypatch", "correct answers, with the "
          "comparison helpers patched before and after them", "solution", FULL, after={
              "setup": [PATCH_HELPERS], "END": [PATCH_HELPERS]}),
    Entry("02_always_equal.ipynb", "2 always-equal", "always-equal objects, lying "
          "Tensor/ndarray/float/list subclasses, an __array__ trick, a fake __class__",
          "blank", 0, after={"END": [ALWAYS_EQUAL]}),
    Entry("03_bad_values.ipynb", "3 bad values", "a broadcastable shape, float64, NaN, Inf, "
          "an empty tensor, a 40 GB tensor; the other answers are right", "solution",
          FULL - 9, replace=BAD_ANSWERS),
    Entry("04_forged_results.ipynb", "4 forged results", "results.json, a score line, "
          "harvest files, a pickle, an object .npy, a forged result frame", "blank", 0,
          after={"END": [FORGE]}),
    Entry("05_read_secrets.ipynb", "5 read secrets", "look for the answer key, fixtures, "
          "the master notebook, the grader's code, environment variables", "blank", 0,
          after={"setup": [SNOOP], "END": [SNOOP]}),
    Entry("06_sys_exit_midway.ipynb", "6 exits", "sys.exit, SystemExit and KeyboardInterrupt "
          "in cells between correct answers", "solution", FULL, after={
              "sgd-answer": [EXIT_MIDWAY], "softmax-answer": ["raise SystemExit(3)"],
              "net-answer": ["raise KeyboardInterrupt"]}),
    Entry("06_answers_raise_exits.ipynb", "6 exits", "answers that raise SystemExit or "
          "KeyboardInterrupt", "solution", FULL - 3, replace={
              "softmax-answer": "def softmax(X):\n    raise KeyboardInterrupt",
              "linreg-answer": "def linreg(X, w, b):\n    raise SystemExit(0)"}),
    Entry("06_os_exit.ipynb", "6 exits", "os._exit after correct answers: nothing can be "
          "harvested", "solution", 0, after={"END": ["import os\nos._exit(0)"]}),
    Entry("06_kill_self.ipynb", "6 exits", "the process kills itself (a dead kernel)",
          "solution", 0, after={"END": ["import os, signal\nos.kill(os.getpid(), "
                                        "signal.SIGKILL)"]}),
    Entry("06_kill_parent.ipynb", "6 exits", "kill the parent process (inside, that is the "
          "sandbox's init, which ignores it; the grader is out of reach)", "solution", FULL,
          after={"END": ["import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"
                         "import time\ntime.sleep(5)"]}),
    Entry("07_loops.ipynb", "7 loops", "endless cells, a long sleep, a loop that catches the "
          "interruption, and an answer that never returns", "solution", FULL - 1,
          after={"setup": LOOPS}, replace={"accuracy-answer": LOOPING_ACCURACY}),
    Entry("07_sleeping_answer.ipynb", "7 loops", "an answer that sleeps past its case limit "
          "(idle: a class's timing-out student without a core to burn)", "solution", FULL - 1,
          replace={"accuracy-answer": SLEEPING_ACCURACY}),
    Entry("08_memory_bombs.ipynb", "8 resources", "100 GB bytearray, a 400 GB tensor, "
          "allocating until memory runs out", "solution", FULL, after={"END": RESOURCE_BOMBS}),
    Entry("08_fork_bomb.ipynb", "8 resources", "fork until the process limit", "solution",
          FULL, after={"END": [FORK_BOMB]}),
    Entry("08_fill_disk_and_flood.ipynb", "8 resources", "fill home and /tmp, print 2 GB, "
          "write 1 GB to stdout directly", "solution", FULL, after={"END": [FILL_DISK, FLOOD]}),
    Entry("09_network.ipynb", "9 network", "connect to the host's loopback, the cloud "
          "metadata address, a private address; DNS; HTTP", "solution", FULL,
          after={"END": [NETWORK]}),
    Entry("10_leftover_process.ipynb", "10 leftovers", "leave processes behind that try to "
          "tamper with the next submission", "blank", 0, after={"END": [LEFTOVER]}),
    Entry("11_wrong_nbformat.ipynb", "11 tampered", "nbformat 3 in the notebook's JSON",
          "solution", 0, metadata={"nbformat": 3}),
    Entry("11_edited_metadata.ipynb", "11 tampered", "nbgrader cell metadata, checksums, "
          "points and the kernelspec edited", "solution", FULL, cell_metadata=True,
          metadata={"metadata.kernelspec": {"name": "evil", "display_name": "x",
                                            "language": "python"}}),
    Entry("11_renamed_functions.ipynb", "11 tampered", "softmax and sgd renamed", "solution",
          FULL - 4, replace={
              "softmax-answer": "def my_softmax(X):\n    e = X.exp()\n"
                                "    return e / e.sum(dim=1, keepdim=True)",
              "sgd-answer": "def SGD(params, lr, batch_size):\n    with torch.no_grad():\n"
                            "        for p in params:\n            p -= lr * p.grad / batch_size\n"
                            "            p.grad.zero_()"}),
    Entry("11_fake_check_helpers.ipynb", "11 tampered", "extra cells redefine check() and "
          "Checker to always pass", "blank", 0, after={"setup": [FAKE_CHECK]}),
]


def build(entry: Entry) -> nbformat.NotebookNode:
    """The entry's notebook: its base with the attack applied."""
    base = nbformat.read(MASTER if entry.base == "solution" else BLANK, as_version=4)
    nb = copy.deepcopy(base)
    ids = [c.get("id") for c in nb.cells]
    for cell_id, source in entry.replace.items():
        nb.cells[ids.index(cell_id)].source = source
    for anchor in sorted(entry.after, key=lambda a: -1 if a == "END" else ids.index(a)):
        at = len(nb.cells) if anchor == "END" else ids.index(anchor) + 1
        new = [nbformat.v4.new_code_cell(src) for src in entry.after[anchor]]
        for i, cell in enumerate(new):
            cell.id = f"attack-{anchor}-{i}".replace("_", "-")
        nb.cells[at:at] = new
    if entry.cell_metadata:
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader")
            if meta:
                meta.update(points=100, grade=not meta.get("grade"), locked=False,
                            checksum="0" * 32)
    for key, value in entry.metadata.items():
        target = nb
        *path, last = key.split(".")
        for part in path:
            target = target[part]
        target[last] = value
    return nb


def write_all() -> list[Path]:
    written = []
    for entry in ENTRIES:
        nb = build(entry)
        path = HERE / entry.file
        # nbformat.write would refuse nbformat 3 with v4 cells; the JSON is what we want.
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write_all():
        print(f"wrote {p.relative_to(ROOT)}")
    sys.exit(0)
