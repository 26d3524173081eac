"""Kaggle house prices (§3.16): reference, CSV loader and a synthetic stand-in.

§3.16 of 《动手学深度学习》 ends chapter 3 with the Kaggle competition "House Prices:
Advanced Regression Techniques": standardise the numeric features, one-hot encode the
categorical ones, fit a linear model with Adam on the raw prices, choose hyperparameters
by k-fold cross-validation on the log-RMSE and write ``submission.csv``.

The real CSVs come under Kaggle's competition terms, so the course does not ship them.
:func:`write_house_standin` writes a small, deterministic data set in the same format
(``Id`` first, ``SalePrice`` last in ``train.csv`` only, integer numeric columns, text
categories, ``NA`` for missing values) under ``<root>/kaggle_house/``; a student who has
the real files can drop them there instead and :func:`read_house_csv` reads them alike.

Two pandas 3 changes break the book's code and are pinned down here: text columns have
dtype ``str`` rather than ``object`` (so ``dtypes != 'object'`` calls them numeric) and
``get_dummies`` returns bool columns (so ``.values`` is an object array that
``torch.tensor`` refuses).  The reference selects ``include='number'`` and asks
``get_dummies`` for floats.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

__all__ = [
    "HOUSE_FOLDER",
    "house_folder",
    "read_house_csv",
    "write_house_standin",
    "standin_csv_texts",
    "preprocess_house",
    "log_rmse",
    "get_net",
    "train",
    "get_k_fold_data",
    "k_fold",
    "train_and_pred",
    "write_submission",
]

#: The folder under the data root that holds ``train.csv`` and ``test.csv``.
HOUSE_FOLDER = "kaggle_house"


# ---------------------------------------------------------------------------------------
# Reading the data
# ---------------------------------------------------------------------------------------

def house_folder(root: str | os.PathLike[str] | None = None) -> Path:
    """``<root>/kaggle_house``; ``root`` defaults to ``$D2L_DATA_DIR`` or ``~/.d2l/data``.

    The same default as the Fashion-MNIST loader, so one environment variable points
    every notebook (and the sandbox, which mounts the stand-in there) at its data.
    """
    if root is None:
        root = os.environ.get("D2L_DATA_DIR") or "~/.d2l/data"
    return Path(root).expanduser() / HOUSE_FOLDER


def read_house_csv(
    root: str | os.PathLike[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read ``train.csv`` and ``test.csv`` as DataFrames (§3.16).

    The layout is checked rather than trusted, because a wrong file (say the sample
    submission instead of the test set) otherwise fails much later with a confusing
    shape error: ``Id`` must be the first column of both, ``SalePrice`` the last column
    of the training set only, and the feature columns must agree in name and order.
    ``NA`` and empty fields read as missing values, as in the real data.
    """
    folder = house_folder(root)
    frames = []
    for name in ("train.csv", "test.csv"):
        path = folder / name
        if not path.is_file():
            raise FileNotFoundError(f"Kaggle house data not found: {path}")
        frames.append(pd.read_csv(path))
    train_data, test_data = frames
    for name, frame in (("train.csv", train_data), ("test.csv", test_data)):
        if len(frame.columns) == 0 or frame.columns[0] != "Id":
            raise ValueError(f"{folder / name}: the first column should be Id")
    if train_data.columns[-1] != "SalePrice":
        raise ValueError(f"{folder / 'train.csv'}: the last column should be SalePrice")
    if "SalePrice" in test_data.columns:
        raise ValueError(f"{folder / 'test.csv'}: the test set should have no SalePrice")
    if list(train_data.columns[:-1]) != list(test_data.columns):
        raise ValueError(f"{folder}: train.csv and test.csv have different feature columns")
    return train_data, test_data


# ---------------------------------------------------------------------------------------
# Synthetic stand-in
# ---------------------------------------------------------------------------------------

#: name -> (low, high, share missing): whole numbers, like the real numeric columns.
_NUMERIC: dict[str, tuple[int, int, float]] = {
    "LotFrontage": (30, 150, 0.17),
    "LotArea": (2000, 20000, 0.0),
    "OverallQual": (1, 10, 0.0),
    "YearBuilt": (1880, 2010, 0.0),
    "MasVnrArea": (0, 600, 0.05),
    "TotalBsmtSF": (0, 2500, 0.03),
    "GrLivArea": (500, 3500, 0.0),
    "FullBath": (0, 3, 0.0),
    "BedroomAbvGr": (1, 6, 0.0),
    "GarageArea": (0, 1000, 0.06),
}
#: name -> (categories, share missing).
_CATEGORICAL: dict[str, tuple[tuple[str, ...], float]] = {
    "MSZoning": (("RL", "RM", "FV", "RH", "C (all)"), 0.02),
    "Neighborhood": (("NAmes", "CollgCr", "OldTown", "Edwards", "Somerst", "Gilbert"), 0.0),
    "BldgType": (("1Fam", "2fmCon", "Duplex", "TwnhsE", "Twnhs"), 0.0),
    "KitchenQual": (("Ex", "Gd", "TA", "Fa"), 0.01),
    "GarageType": (("Attchd", "Detchd", "BuiltIn", "CarPort"), 0.06),
}
#: Effect on the log price per standard deviation of each numeric column.
_NUMERIC_EFFECT = (0.03, 0.06, 0.18, 0.08, 0.03, 0.07, 0.14, 0.04, -0.02, 0.06)
_LOG_PRICE_MEAN = 12.0  # exp(12) ≈ 163 000, the scale of the real prices
_LOG_PRICE_NOISE = 0.1


def _standin_tables(n_train: int, n_test: int, seed: int) -> tuple[list[list[Any]], ...]:
    """Rows of the training and test tables, header first, missing values as None.

    The log price is linear in the standardised numeric columns plus one effect per
    category, plus Gaussian noise, so a linear model on one-hot features can learn it
    and k-fold cross-validation has something to find.
    """
    rng = np.random.default_rng(seed)
    n = n_train + n_test
    columns: dict[str, list[Any]] = {"Id": list(range(1, n + 1))}
    log_price = np.full(n, _LOG_PRICE_MEAN)
    for (name, (low, high, missing)), effect in zip(_NUMERIC.items(), _NUMERIC_EFFECT,
                                                    strict=True):
        values = rng.integers(low, high + 1, size=n)
        z = (values - values.mean()) / values.std()
        log_price += effect * z
        hole = rng.random(n) < missing
        columns[name] = [None if h else int(v) for v, h in zip(values, hole, strict=True)]
    for name, (categories, missing) in _CATEGORICAL.items():
        effects = rng.normal(0.0, 0.08, size=len(categories))
        picks = rng.integers(0, len(categories), size=n)
        log_price += effects[picks]
        hole = rng.random(n) < missing
        columns[name] = [None if h else categories[p] for p, h in zip(picks, hole, strict=True)]
    log_price += rng.normal(0.0, _LOG_PRICE_NOISE, size=n)
    prices = [int(round(math.exp(v))) for v in log_price]
    names = list(columns)
    rows = [[columns[c][r] for c in names] for r in range(n)]
    train = [names + ["SalePrice"]] + [row + [prices[r]] for r, row in enumerate(rows[:n_train])]
    test = [names] + rows[n_train:]
    return train, test


def _csv_text(rows: list[list[Any]]) -> str:
    """Comma-separated text; ``NA`` for missing values and quotes where a comma needs
    them, as in Kaggle's files, with ``\\n`` line ends so the bytes are platform-free."""
    def field(value: Any) -> str:
        if value is None:
            return "NA"
        text = str(value)
        return f'"{text}"' if "," in text or '"' in text else text
    return "".join(",".join(field(v) for v in row) + "\n" for row in rows)


def standin_csv_texts(n_train: int = 300, n_test: int = 100, seed: int = 0) -> tuple[str, str]:
    """The stand-in's ``train.csv`` and ``test.csv`` as text (a pure function of the
    arguments), so tests can compare bytes without touching the disk."""
    if n_train < 2 or n_test < 1:
        raise ValueError("need at least two training rows and one test row")
    train, test = _standin_tables(n_train, n_test, seed)
    return _csv_text(train), _csv_text(test)


def write_house_standin(root: str | os.PathLike[str], n_train: int = 300, n_test: int = 100,
                        seed: int = 0) -> Path:
    """Write the stand-in ``train.csv`` and ``test.csv`` under ``root/kaggle_house``.

    Used as the notebook's ``prepare_data``: the grader calls it with its data folder,
    which the sandbox mounts read-only at ``$D2L_DATA_DIR``.  The bytes depend only on
    the arguments.  Returns the folder.
    """
    folder = house_folder(root)
    folder.mkdir(parents=True, exist_ok=True)
    train_text, test_text = standin_csv_texts(n_train, n_test, seed)
    (folder / "train.csv").write_bytes(train_text.encode())
    (folder / "test.csv").write_bytes(test_text.encode())
    return folder


# ---------------------------------------------------------------------------------------
# Reference solutions
# ---------------------------------------------------------------------------------------

Table = pd.DataFrame | Mapping[str, Sequence[Any]]


def preprocess_house(train_data: Table, test_data: Table,
                     ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, list[str]]:
    """Features and labels as float32 tensors, plus the feature names (§3.16).

    Tables may be DataFrames or dicts of columns (how grading cases travel: a DataFrame
    cannot cross the sandbox boundary).  As in the book, ``Id`` (first column) and
    ``SalePrice`` (last column of the training table) are dropped, the numeric columns
    are standardised with the mean and standard deviation of training and test rows
    together, their missing values become 0 (the mean after standardising), and every
    text column is one-hot encoded with an extra column for "missing".
    """
    train_data, test_data = pd.DataFrame(train_data), pd.DataFrame(test_data)
    all_features = pd.concat((train_data.iloc[:, 1:-1], test_data.iloc[:, 1:]))
    numeric = all_features.select_dtypes(include="number").columns
    all_features[numeric] = all_features[numeric].apply(lambda x: (x - x.mean()) / x.std())
    all_features[numeric] = all_features[numeric].fillna(0)
    all_features = pd.get_dummies(all_features, dummy_na=True, dtype=float)
    n_train = train_data.shape[0]
    train_features = torch.tensor(all_features[:n_train].values, dtype=torch.float32)
    test_features = torch.tensor(all_features[n_train:].values, dtype=torch.float32)
    train_labels = torch.tensor(train_data.iloc[:, -1].values,
                                dtype=torch.float32).reshape(-1, 1)
    return train_features, test_features, train_labels, [str(c) for c in all_features.columns]


def log_rmse(net: Callable[[torch.Tensor], torch.Tensor], features: torch.Tensor,
             labels: torch.Tensor) -> float:
    """√mean((log max(ŷ, 1) − log y)²), the competition's metric (§3.16).

    Predictions below 1 are raised to 1 first so the logarithm stays finite.  No factor
    2: the book's MXNet ``L2Loss`` halves the squared error and the book doubled it back;
    ``nn.MSELoss`` does not halve.
    """
    with torch.no_grad():
        clipped = torch.clamp(net(features), min=1.0)
        rmse = torch.sqrt(nn.functional.mse_loss(clipped.log(), labels.log()))
    return rmse.item()


def get_net(num_features: int) -> nn.Module:
    """The book's model: one linear layer, weights and bias drawn from N(0, 0.01²)."""
    net = nn.Linear(num_features, 1)
    for param in net.parameters():
        nn.init.normal_(param, mean=0, std=0.01)
    return net


def train(net: nn.Module, train_features: torch.Tensor, train_labels: torch.Tensor,
          test_features: torch.Tensor | None, test_labels: torch.Tensor | None,
          num_epochs: int, learning_rate: float, weight_decay: float, batch_size: int,
          ) -> tuple[list[float], list[float]]:
    """Adam on the mean squared error of the raw prices; log-RMSE after every epoch.

    The notebook gives students this exact function, so the graded ``k_fold`` and
    ``train_and_pred`` differ from the reference only in the students' own code.
    """
    train_ls, test_ls = [], []
    train_iter = DataLoader(TensorDataset(train_features, train_labels), batch_size,
                            shuffle=True)
    optimizer = torch.optim.Adam(net.parameters(), lr=learning_rate,
                                 weight_decay=weight_decay)
    loss = nn.MSELoss()
    for _ in range(num_epochs):
        for X, y in train_iter:
            optimizer.zero_grad()
            loss(net(X), y).backward()
            optimizer.step()
        train_ls.append(log_rmse(net, train_features, train_labels))
        if test_labels is not None:
            test_ls.append(log_rmse(net, test_features, test_labels))
    return train_ls, test_ls


def get_k_fold_data(k: int, i: int, X: torch.Tensor, y: torch.Tensor,
                    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Fold ``i`` of ``k`` as validation data, the other folds (in order) for training.

    Every fold has ``len(X) // k`` rows; the last ``len(X) % k`` rows belong to no fold,
    exactly as in the book, so that all folds are the same size.
    """
    assert k > 1
    fold_size = X.shape[0] // k
    X_train = y_train = X_valid = y_valid = None
    for j in range(k):
        idx = slice(j * fold_size, (j + 1) * fold_size)
        X_part, y_part = X[idx], y[idx]
        if j == i:
            X_valid, y_valid = X_part, y_part
        elif X_train is None:
            X_train, y_train = X_part, y_part
        else:
            X_train = torch.cat((X_train, X_part), dim=0)
            y_train = torch.cat((y_train, y_part), dim=0)
    return X_train, y_train, X_valid, y_valid


def k_fold(k: int, X_train: torch.Tensor, y_train: torch.Tensor, num_epochs: int,
           learning_rate: float, weight_decay: float, batch_size: int) -> tuple[float, float]:
    """Average final training and validation log-RMSE over the ``k`` folds, each fold
    with a fresh network, so the validation rows never influence their own model."""
    train_l_sum, valid_l_sum = 0.0, 0.0
    for i in range(k):
        data = get_k_fold_data(k, i, X_train, y_train)
        net = get_net(X_train.shape[1])
        train_ls, valid_ls = train(net, *data, num_epochs, learning_rate, weight_decay,
                                   batch_size)
        train_l_sum += train_ls[-1]
        valid_l_sum += valid_ls[-1]
    return train_l_sum / k, valid_l_sum / k


def train_and_pred(train_features: torch.Tensor, test_features: torch.Tensor,
                   train_labels: torch.Tensor, test_ids: Sequence[int], num_epochs: int,
                   learning_rate: float, weight_decay: float, batch_size: int,
                   ) -> list[list[Any]]:
    """Train on all training rows, predict the test rows, return the submission rows.

    Rows rather than a file, so the result can be graded (and written by
    :func:`write_submission`): the header ``["Id", "SalePrice"]``, then one
    ``[int Id, float price]`` per test row in the given order.
    """
    net = get_net(train_features.shape[1])
    train(net, train_features, train_labels, None, None, num_epochs, learning_rate,
          weight_decay, batch_size)
    with torch.no_grad():
        preds = net(test_features).reshape(-1).tolist()
    return [["Id", "SalePrice"]] + [[int(i), float(p)]
                                    for i, p in zip(test_ids, preds, strict=True)]


def write_submission(rows: Sequence[Sequence[Any]], path: str | os.PathLike[str]) -> Path:
    """Write submission rows as Kaggle's CSV (header ``Id,SalePrice``, no index)."""
    buffer = io.StringIO()
    pd.DataFrame(list(rows[1:]), columns=list(rows[0])).to_csv(buffer, index=False)
    path = Path(path)
    path.write_text(buffer.getvalue())
    return path
