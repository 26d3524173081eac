"""The §7.3 airfoil loader reads the real file format; the stand-in is written in it."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from reference_impl.airfoil import (
    FILE_NAME,
    NUM_ROWS,
    load_airfoil,
    standardize_airfoil,
    standin_array,
    write_airfoil_standin,
)

#: Three lines in the real file's format (the first lines of NASA's file look like this).
REAL_LINES = ("800\t0\t0.3048\t71.3\t0.00266337\t126.201\n"
              "1000\t0\t0.3048\t71.3\t0.00266337\t125.201\n"
              "1250\t0\t0.3048\t71.3\t0.00266337\t125.951\n")


def test_standin_has_the_real_layout_and_reproducible_bytes(tmp_path):
    path = write_airfoil_standin(tmp_path / "a")
    again = write_airfoil_standin(tmp_path / "b")
    assert path.name == FILE_NAME and path.read_bytes() == again.read_bytes()
    lines = path.read_text().splitlines()
    assert len(lines) == NUM_ROWS == 1503
    assert all(len(line.split("\t")) == 6 for line in lines)
    # what is written is what the array holds (six significant digits, rounded up front)
    np.testing.assert_array_equal(np.loadtxt(path), standin_array())


def test_loader_standardises_with_the_population_std(tmp_path):
    features, labels = load_airfoil(write_airfoil_standin(tmp_path))
    assert features.shape == (1500, 5) and labels.shape == (1500,)
    assert features.dtype == labels.dtype == torch.float32
    full = torch.from_numpy(np.loadtxt(tmp_path / FILE_NAME))
    z = (full - full.mean(0)) / full.std(0, unbiased=False)
    torch.testing.assert_close(features, z[:1500, :5].float())
    torch.testing.assert_close(labels, z[:1500, 5].float())
    # over all 1503 rows (before the slice) every column has mean 0 and population std 1
    assert z.mean(0).abs().max() < 1e-12
    assert (z.std(0, unbiased=False) - 1).abs().max() < 1e-12
    # torch's default (sample) std would differ by sqrt(N/(N-1)) - 1 ≈ 3.3e-4
    assert (z.std(0) - 1).abs().min() > 3e-4


def test_loader_reads_real_format_lines(tmp_path):
    path = tmp_path / FILE_NAME
    path.write_text(REAL_LINES)
    features, labels = load_airfoil(path, n=2)
    assert features.shape == (2, 5) and labels.shape == (2,)
    # columns 2–5 are constant in these lines: 0/0 gives NaN, as NumPy would
    assert torch.isnan(features[:, 1:]).all()
    raw = torch.tensor([800.0, 1000.0, 1250.0], dtype=torch.float64)
    expected = ((raw - raw.mean()) / raw.std(unbiased=False))[:2].float()
    torch.testing.assert_close(features[:, 0], expected)


def test_standardise_first_then_slice():
    data = torch.arange(1.0, 61.0, dtype=torch.float64).reshape(10, 6) ** 2
    features, labels = standardize_airfoil(data, n=4)
    assert features.shape == (4, 5) and labels.shape == (4,)
    # the first rows of a column standardised over all ten rows are not centred themselves
    assert abs(float(features[:, 0].mean())) > 0.5


def test_loader_refuses_other_shapes(tmp_path):
    path = tmp_path / FILE_NAME
    path.write_text("1 2 3\n4 5 6\n")
    with pytest.raises(ValueError, match="6 numbers"):
        load_airfoil(path)


def test_standin_label_is_nearly_linear(tmp_path):
    """A linear model explains most of the stand-in's label (R² well above 0.8)."""
    features, labels = load_airfoil(write_airfoil_standin(tmp_path))
    X = torch.cat([features, torch.ones(len(features), 1)], 1).double()
    coef = torch.linalg.lstsq(X, labels.double().unsqueeze(1)).solution
    resid = labels.double() - (X @ coef).squeeze(1)
    r2 = 1 - resid.var() / labels.double().var()
    assert r2 > 0.8
