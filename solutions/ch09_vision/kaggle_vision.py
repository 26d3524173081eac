"""Chapter 9, notebook ``kaggle_vision``: §9.12 CIFAR-10 and §9.13 dog breeds on Kaggle
(reference: reference_impl/ch09_kaggle_vision.py; data: reference_impl/kaggle_vision_data.py).

Grading never reads ``$D2L_DATA_DIR`` (otter runs have none).  The functions that read
and write competition folders are called through *probes*, given code in the notebook
(and the same functions in the reference module): a probe writes a tiny tree in the
layout of the competition into a temporary folder from the case's plain data (ids and
labels), calls the student's function, and returns ``{folder: sorted file names}`` of
what it wrote, plus the number the function returns (``n_train_per_label`` /
``n_valid_per_label``).  Listings compare exactly.  Ids arrive in a shuffled order and
numeric ids go past 9, so a split that follows ``os.listdir`` or sorts ``"10.png"``
before ``"2.png"`` puts different files in ``valid``.

The training transform takes a ``torch.Generator`` and the notebook states the order of
its four draws, so it compares elementwise with the reference.  Networks are built with
the ``construct`` kind and ``fill=True`` (every state entry drawn from the case's seed);
``freeze_features`` is judged on small networks with ``get_net``'s layout by a probe that
lists each parameter's ``requires_grad``.

Cascades the specs cannot cut (nothing in ``torch`` has these signatures): a
``transform_train`` that normalises by calling ``transform_test`` loses both with a
wrong normalisation.
"""

from __future__ import annotations

from typing import Any

import torch

from autograder.compare import Tolerance
from autograder.kinds import Construct, new, partial
from autograder.spec import Args, NotebookSpec, Question, args, hidden, public
from reference_impl import ch09_kaggle_vision as ref
from reference_impl.kaggle_vision_data import write_kaggle_standins

WITH_WEIGHTS = Tolerance(rtol=1e-4, atol=1e-5)  # conv nets with filled weights
NET = Construct(harvest=("output", "names", "layers"))
#: ``get_net`` calls the student's ``freeze_features``; while it is graded that name is a
#: stand-in that returns the network with nothing frozen (``Module.requires_grad_(True)``
#: returns the module), so a missing ``freeze_features`` costs one question.
FREEZE_NOTHING = partial("torch.nn.Module.requires_grad_", requires_grad=True)

CIFAR_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
               "ship", "truck"]
DOG_NAMES = ["affenpinscher", "beagle", "boxer", "chow", "dingo", "husky", "komondor",
             "papillon", "pug"]


def _gen(seed: int) -> Any:
    """A recipe for a ``torch.Generator`` seeded with ``seed``."""
    return new("torch.Generator.manual_seed", new("torch.Generator"), int(seed))


def _seed(g: torch.Generator) -> int:
    return int(torch.randint(0, 2**31 - 1, (1,), generator=g))


def _perm(g: torch.Generator, items: list[Any]) -> list[Any]:
    return [items[k] for k in torch.randperm(len(items), generator=g).tolist()]


def _hex_ids(g: torch.Generator, n: int, digits: int = 12) -> list[str]:
    """``n`` distinct hexadecimal ids (Kaggle's dog ids have 32 digits; 12 keep fixtures small)."""
    ids: list[str] = []
    while len(ids) < n:
        idx = "".join("0123456789abcdef"[int(d)]
                      for d in torch.randint(0, 16, (digits,), generator=g))
        if idx not in ids:
            ids.append(idx)
    return ids


def _labels(g: torch.Generator, counts: list[int], names: list[str], hex_ids: bool
            ) -> dict[str, str]:
    """``{id: label}`` with ``counts[k]`` ids of ``names[k]``, in a shuffled order."""
    n = sum(counts)
    ids = _hex_ids(g, n) if hex_ids else [str(k) for k in range(1, n + 1)]
    classes = _perm(g, [names[k] for k, c in enumerate(counts) for _ in range(c)])
    return dict(_perm(g, list(zip(ids, classes, strict=True))))


# ---- §9.12 ---------------------------------------------------------------------------------

def _csv_case(counts: list[int], names: list[str], hex_ids: bool, header: str,
              newline: str = "\n", final_newline: bool = True, padded: bool = False):
    """A labels CSV; ``padded``: spaces around the fields and blank lines between rows
    (and after the last), which the question says to strip and skip."""
    def make(g: torch.Generator) -> Args:
        labels = _labels(g, counts, names, hex_ids)
        rows = [f" {i} , {lab}  " if padded else f"{i},{lab}" for i, lab in labels.items()]
        if padded:
            rows = [row for k, row in enumerate(rows) for row in ([row, "  "] if k % 3 == 1
                                                                   else [row])] + [""]
        text = newline.join([header, *rows])
        return args(text + (newline if final_newline else ""))
    return make


def _reorg_case(counts: list[int], names: list[str], ratio: float, hex_ids: bool = False):
    def make(g: torch.Generator) -> Args:
        return args(_labels(g, counts, names, hex_ids), ratio)
    return make


def _test_ids_case(n: int, hex_ids: bool, ext: str):
    def make(g: torch.Generator) -> Args:
        ids = _hex_ids(g, n) if hex_ids else [str(k) for k in range(1, n + 1)]
        return args(_perm(g, ids), ext)
    return make


def _image_case(*shape: int):
    def make(g: torch.Generator) -> Args:
        return args(torch.randint(0, 256, shape, generator=g, dtype=torch.uint8))
    return make


def _train_transform_case(shape: tuple[int, ...], gen_seed: int, **kwargs: Any):
    """``gen_seed`` picks the draws.  With the defaults seed 4 crops 37 pixels at (2, 3) and
    flips, 6 crops 37 at (1, 3) without flipping, 13 crops 33 at (0, 2) and flips, 5 crops
    39 at (0, 1) without flipping; seed 2 with (30, 24, (0.5, 0.9)) crops 26 at (2, 1) and
    flips, seed 5 with (20, 12, (0.3, 1)) crops 19 at (0, 1) without flipping.  In every
    case √s·resize_to has a fraction of at least 0.5, so truncating the side instead of
    rounding it changes every case."""
    def make(g: torch.Generator) -> Args:
        img = torch.randint(0, 256, shape, generator=g, dtype=torch.uint8)
        return args(img, _gen(gen_seed), **kwargs)
    return make


def _net_case(x_shape: tuple[int, ...], num_classes: int):
    def make(g: torch.Generator) -> Args:
        return args(torch.randn(*x_shape, generator=g), init=(num_classes,), fill=True)
    return make


def _submission_case(m: int, classes: list[str], folder_order: bool):
    """``folder_order``: files listed as an image folder does (names sorted as strings)."""
    def make(g: torch.Generator) -> Args:
        files = [f"{k}.png" for k in range(1, m + 1)]
        files = sorted(files) if folder_order else _perm(g, files)
        preds = torch.randint(0, len(classes), (m,), generator=g)
        return args(files, preds, classes)
    return make


# ---- §9.13 ---------------------------------------------------------------------------------

def _lighting_case(shape: tuple[int, ...], alphastd: float):
    def make(g: torch.Generator) -> Args:
        return args(torch.rand(*shape, generator=g), alphastd, _gen(_seed(g)))
    return make


def _named(*pairs: tuple[str, Any]) -> Any:
    """Recipe: ``nn.Sequential`` over an ``OrderedDict`` of the named layers."""
    return new("torch.nn.Sequential", new("torch.nn.modules.container.OrderedDict",
                                          [[name, layer] for name, layer in pairs]))


def _freeze_case(c_in: int, c: int, hidden_size: int, k: int, nested: bool):
    """A small net with ``features`` and ``output_new``, the layout of ``get_net``'s."""
    def make(g: torch.Generator) -> Args:
        features = [("conv1", new("torch.nn.Conv2d", c_in, c, 3)),
                    ("bn1", new("torch.nn.BatchNorm2d", c)), ("relu", new("torch.nn.ReLU")),
                    ("pool", new("torch.nn.AdaptiveAvgPool2d", 1)),
                    ("flatten", new("torch.nn.Flatten"))]
        if nested:
            features.insert(2, ("layer1", _named(("conv", new("torch.nn.Conv2d", c, c, 1)),
                                                 ("bn", new("torch.nn.BatchNorm2d", c)))))
        head = new("torch.nn.Sequential", new("torch.nn.Linear", c, hidden_size),
                   new("torch.nn.ReLU"), new("torch.nn.Linear", hidden_size, k))
        return args(_named(("features", _named(*features)), ("output_new", head)))
    return make


def _loss_case(sizes: list[int], d: int, k: int, scale: float):
    def make(g: torch.Generator) -> Args:
        state = {"weight": torch.randn(k, d, generator=g) * scale,
                 "bias": torch.randn(k, generator=g) * scale}
        batches = [(torch.randn(b, d, generator=g), torch.randint(0, k, (b,), generator=g))
                   for b in sizes]
        return args(batches, new("torch.nn.Linear", d, k, state=state))
    return make


QUESTIONS = [
    # §9.12
    Question("read_csv_labels", 1, ref.read_csv_probe, object="read_csv_probe", cpu_only=True,
             cases=[public(_csv_case([2, 2, 2], CIFAR_NAMES[:3], False, "id,label")),
                    hidden(_csv_case([4, 3, 5, 2], DOG_NAMES[:4], True, "id,breed", "\r\n",
                                     final_newline=False)),
                    hidden(_csv_case([3, 1, 4, 1, 5, 2], CIFAR_NAMES[4:], False,
                                     "id,label")),
                    hidden(_csv_case([2, 3, 2], DOG_NAMES[4:7], True, "id,breed",
                                     padded=True))]),
    Question("reorg_train_valid", 3, ref.reorg_cifar_probe, object="reorg_cifar_probe",
             cpu_only=True,
             cases=[public(_reorg_case([5, 4, 3], ["cat", "dog", "frog"], 0.25)),
                    hidden(_reorg_case([12, 10, 9, 8, 8, 7, 6, 6, 5, 4], CIFAR_NAMES, 0.1)),
                    hidden(_reorg_case([7, 13, 2, 9], CIFAR_NAMES[3:7], 0.5)),
                    hidden(_reorg_case([6, 6, 6, 6, 6], CIFAR_NAMES[5:], 0.2))]),
    Question("reorg_test", 1, ref.reorg_test_probe, object="reorg_test_probe", cpu_only=True,
             cases=[public(_test_ids_case(3, False, "png")),
                    hidden(_test_ids_case(15, False, "png")),
                    hidden(_test_ids_case(6, True, "jpg"))]),
    Question("transform_test", 1, ref.transform_test,
             cases=[public(_image_case(3, 32, 32)), hidden(_image_case(3, 20, 28)),
                    hidden(_image_case(3, 5, 7))]),
    Question("transform_train", 2, ref.transform_train,
             cases=[public(_train_transform_case((3, 32, 32), 4)),
                    hidden(_train_transform_case((3, 32, 32), 6)),
                    hidden(_train_transform_case((3, 32, 32), 13)),
                    hidden(_train_transform_case((3, 32, 32), 5)),
                    hidden(_train_transform_case((3, 24, 30), 2, resize_to=30, size=24,
                                                 scale=(0.5, 0.9))),
                    hidden(_train_transform_case((3, 16, 16), 5, resize_to=20, size=12,
                                                 scale=(0.3, 1.0)))]),
    Question("resnet18", 2, ref.resnet18, kind=NET, tolerance=WITH_WEIGHTS,
             cases=[public(_net_case((2, 3, 32, 32), 10)),
                    hidden(_net_case((1, 3, 16, 16), 4))]),
    Question("write_submission", 2, ref.submission_probe, object="submission_probe",
             cpu_only=True,
             cases=[public(_submission_case(12, CIFAR_NAMES, True)),
                    hidden(_submission_case(25, CIFAR_NAMES, True)),
                    hidden(_submission_case(14, ["cat", "dog"], False))]),
    # §9.13
    Question("reorg_dog_data", 2, ref.reorg_dog_probe, object="reorg_dog_probe", cpu_only=True,
             cases=[public(_reorg_case([4, 5, 6], DOG_NAMES[:3], 0.4, hex_ids=True)),
                    hidden(_reorg_case([8, 7, 9, 6, 8], DOG_NAMES[2:7], 0.25, hex_ids=True)),
                    hidden(_reorg_case([10, 3, 12], DOG_NAMES[5:8], 0.9, hex_ids=True)),
                    hidden(_reorg_case([5, 5], DOG_NAMES[:2], 0.15, hex_ids=True))]),
    Question("random_lighting", 1, ref.random_lighting,
             cases=[public(_lighting_case((3, 4, 5), 0.1)),
                    hidden(_lighting_case((3, 8, 8), 0.5)),
                    hidden(_lighting_case((3, 6, 3), 2.0))]),
    Question("freeze_features", 1, ref.freeze_probe, object="freeze_probe",
             cases=[public(_freeze_case(3, 8, 16, 5, nested=False)),
                    hidden(_freeze_case(4, 6, 12, 3, nested=True)),
                    hidden(_freeze_case(1, 4, 7, 2, nested=False))]),
    Question("get_net", 2, ref.get_net, kind=Construct(harvest=("output", "names")),
             tolerance=WITH_WEIGHTS,
             isolate={"freeze_features": FREEZE_NOTHING},
             cases=[public(_net_case((1, 3, 32, 32), 120)),
                    hidden(_net_case((2, 3, 40, 40), 5))]),
    Question("evaluate_loss", 1, ref.evaluate_loss,
             cases=[public(_loss_case([4, 4, 2], 6, 3, 0.5)),
                    hidden(_loss_case([5, 1], 8, 4, 1.0)),
                    hidden(_loss_case([3, 3, 3, 7], 5, 10, 2.0))]),
]

NOTEBOOK = NotebookSpec("kaggle_vision", QUESTIONS, prepare_data=write_kaggle_standins)
