"""Write the master notebook ``solutions/ch03_basics/kaggle_house.ipynb`` (§3.16).

Generated so that it is reproducible and reviewable as Python, with the same cell layout
as the other notebooks of the assignment: per question ``<q>-intro`` (简体中文, then
English), ``<q>-answer`` (the solution between ``### BEGIN SOLUTION`` / ``### END
SOLUTION``) and the locked ``<q>-check``.  Points come from
``solutions/ch03_basics/questions.py``.  The given ``get_net`` and ``train`` are the
reference's (``reference_impl/house_prices.py``), so the graded ``k_fold`` and
``train_and_pred`` differ from the reference only in the students' own code.  Run it
after editing, then rebuild fixtures, release and regenerate the mistake notebooks:

    .venv/bin/python scripts/notebooks/ch03_kaggle_house.py
"""

# ruff: noqa: E501

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_notebook

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT, NOTEBOOK = "ch03_basics", "kaggle_house"
TARGET = ROOT / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
sys.path.insert(0, str(ROOT))

from scripts.notebooks.ch03_cells import LOCKED, Numbering, code, given, md, points  # noqa: E402,F401


def build() -> nbformat.NotebookNode:
    q = Numbering(points(NOTEBOOK))
    cells: list[nbformat.NotebookNode] = []
    add = cells.extend

    cells.append(md("intro", """
# 第 3 章 深度学习基础：实战 Kaggle 比赛——房价预测 / Chapter 3 Deep Learning Basics: Kaggle House Price Prediction

本作业是第 3 章的第三个笔记本，对应《动手学深度学习》（第一版）3.16 节，全部使用 PyTorch。
你会把一张有缺失值、有文本列的表格整理成张量，实现比赛的评价指标（对数均方根误差），用 $k$ 折交叉验证挑选超参数，最后生成提交文件。

**作业规则**（与前两个笔记本相同）

- 每道题是一个代码单元格，把 `# YOUR CODE HERE` 和 `raise NotImplementedError()` 两行换成你的实现；其后的 `check("函数名")` 用公开测试用例检查你的函数，最终成绩还包括隐藏测试用例。
- 不要改函数名、参数名、参数顺序或默认值；需要评分的函数不必设置随机种子：评分程序会为每个用例设好种子。
- 评分用的是小而合成的数据，作为参数直接传给你的函数，不读 CSV 文件；所以函数只能用它的参数，不要用笔记本里的全局数据。
- 标有“演示”的单元格不计分；上面的填空没完成或者找不到数据时，它们只打印一句提示。

---

This assignment is the third notebook of chapter 3 and covers section 3.16 of *Dive into Deep Learning* (first edition), entirely in PyTorch.
You will turn a table with missing values and text columns into tensors, implement the competition's metric (the root mean squared
error of the logarithms), choose hyperparameters by $k$-fold cross-validation, and finally produce a submission file.

**Rules** (as in the first two notebooks)

- Each question is a code cell: replace the lines `# YOUR CODE HERE` and `raise NotImplementedError()` by your implementation. The `check("function_name")` cell after it tests your function on the public cases; the grade also uses hidden cases.
- Do not rename functions or change parameter names, order or defaults; graded functions need no seeding: the grader seeds each case itself.
- Grading uses small synthetic data passed straight to your functions as arguments, never the CSV files: a function may only use its arguments, not the notebook's global data.
- Cells marked "demo" are not graded; while a blank above is unfinished, or the data is missing, they only print a note.
"""))

    cells.append(code("setup", """
import csv
import os
from pathlib import Path

import pandas as pd
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from autograder.check import Checker

check = Checker("ch03_basics", "kaggle_house")
""", {**LOCKED, "grade_id": "setup"}))

    cells.append(md("data-intro", """
## 3.16 实战 Kaggle 比赛：房价预测 / Kaggle House Price Prediction

### 获取和读取数据集

Kaggle 的比赛“House Prices: Advanced Regression Techniques”给出两个文件：`train.csv` 有 1460 栋房子，`test.csv` 有 1459 栋。
每一行的第一列是编号 `Id`，训练集的最后一列是要预测的售价 `SalePrice`，中间是 79 个特征：有数值（面积、建造年份……），也有文本类别（街区、房屋类型……），
缺失值写作 `NA`。

比赛数据受 Kaggle 的条款约束，课程不附带它。下面的单元格从 `$D2L_DATA_DIR/kaggle_house/`（默认 `~/.d2l/data/kaggle_house/`）读取 `train.csv` 和 `test.csv`：
评分环境里放的是一份格式相同的合成替身（300 个训练样本、100 个测试样本、10 个数值特征和 5 个类别特征，售价是特征的线性函数加噪声再取指数）；
如果你有比赛的原始文件，放到同一个目录就会读到它们。找不到文件时 `train_data`、`test_data` 为 `None`，演示会跳过。
""", """
## 3.16 Kaggle House Price Prediction

### Getting and reading the data

Kaggle's competition "House Prices: Advanced Regression Techniques" provides two files: `train.csv` with 1460 houses and `test.csv` with 1459.
Each row starts with an `Id`; the last column of the training set is the price to predict, `SalePrice`; in between are 79 features, some
numeric (areas, year built, …) and some textual categories (neighbourhood, type of building, …), with missing values written as `NA`.

The competition data comes under Kaggle's terms, so the course does not ship it. The cell below reads `train.csv` and `test.csv` from
`$D2L_DATA_DIR/kaggle_house/` (by default `~/.d2l/data/kaggle_house/`). The grading environment holds a synthetic stand-in in the same
format there (300 training and 100 test rows, 10 numeric and 5 categorical features, the price being the exponential of a linear function of
the features plus noise); if you have the competition's files, put them in that folder and they are read instead. When the files are
missing, `train_data` and `test_data` are `None` and the demos skip.
"""))
    cells.append(given("data", '''
HOUSE_DIR = Path(os.environ.get("D2L_DATA_DIR") or "~/.d2l/data").expanduser() / "kaggle_house"


def read_house_csv(folder=HOUSE_DIR):
    """(train_data, test_data) DataFrames from folder/train.csv and folder/test.csv."""
    train_data = pd.read_csv(Path(folder) / "train.csv")
    test_data = pd.read_csv(Path(folder) / "test.csv")
    if train_data.columns[-1] != "SalePrice" or "SalePrice" in test_data.columns:
        raise ValueError("SalePrice should be the last column of train.csv only")
    return train_data, test_data


try:
    train_data, test_data = read_house_csv()
    print("train_data:", train_data.shape, " test_data:", test_data.shape)
    print(train_data.iloc[0:4, [0, 1, 2, 3, -3, -2, -1]])
except FileNotFoundError:
    train_data = test_data = None
    print(f"没有找到房价数据（查找目录：{HOUSE_DIR}），需要数据的演示会跳过。")
    print(f"House price data not found (looked in {HOUSE_DIR}); demos that need it will skip.")
'''))

    # ---- preprocessing ---------------------------------------------------------------------
    add(q.question("preprocess_house", """
### 预处理数据集

第一列 `Id` 只是编号，不带任何信息，不作为特征。数值特征的尺度相差很大（面积上万，浴室数只有几个），所以先**标准化**：
$x \\leftarrow (x - \\mu)/\\sigma$，其中均值 $\\mu$ 和标准差 $\\sigma$ 用训练集和测试集的全部行来算（测试集的特征也是已知的）。
标准化之后每列的均值为 0，所以缺失值直接填 0 就等于填均值。文本列用**独热编码**变成多个 0/1 列，缺失值也算一个类别。

{TITLE}

`train_data` 和 `test_data` 可以是 DataFrame，也可以是“列名 → 值列表”的字典（评分时传的是字典），开头两行已把它们转成 DataFrame。
训练表的第一列是 `Id`、最后一列是 `SalePrice`；测试表的第一列是 `Id`，没有 `SalePrice`。

1. 拼起全部特征：`all_features = pd.concat((train_data.iloc[:, 1:-1], test_data.iloc[:, 1:]))`。
2. 找出数值列：`all_features.select_dtypes(include="number").columns`。**注意 pandas 3 的变化**：文本列的 dtype 是 `str` 而不是 `object`，
   书中的 `all_features.dtypes[all_features.dtypes != 'object']` 会把文本列也当成数值列，接下来的 `.mean()` 会报 `TypeError`。
3. 对数值列做标准化（pandas 的 `x.mean()` 和 `x.std()` 会跳过缺失值，`std` 除以 $n-1$），再 `fillna(0)`；顺序不能反过来：先填 0 会改变均值和标准差。
4. 独热编码：`pd.get_dummies(all_features, dummy_na=True, dtype=float)`。`dummy_na=True` 为每个文本列加一个“缺失”列（名字以 `_nan` 结尾）。
   **又一个 pandas 3 的变化**：不写 `dtype=float` 时得到 bool 列，`.values` 变成 object 数组，`torch.tensor` 会拒收。
5. 前 `n_train` 行是训练特征，其余是测试特征，都转成 `torch.float32`；训练标签是 `SalePrice`，形状 `(n_train, 1)`，`torch.float32`。
6. 返回 `(train_features, test_features, train_labels, columns)`，`columns` 是编码后全部列名组成的 Python 列表（`list(all_features.columns)`）。
""", """
### Preprocessing the data

The first column, `Id`, is only a number and carries no information, so it is not a feature. Numeric features live on very different
scales (areas in the tens of thousands, bathrooms in single digits), so we first **standardize** them: $x \\leftarrow (x - \\mu)/\\sigma$,
with the mean $\\mu$ and standard deviation $\\sigma$ taken over all training and test rows together (the test features are known too).
After standardizing, every column has mean 0, so filling missing values with 0 fills them with the mean. Text columns become several 0/1
columns by **one-hot encoding**, "missing" counting as a category of its own.

{TITLE}

`train_data` and `test_data` may be DataFrames or dicts "column name → list of values" (grading passes dicts); the first two lines turn them
into DataFrames. The training table has `Id` first and `SalePrice` last; the test table has `Id` first and no `SalePrice`.

1. Put all features together: `all_features = pd.concat((train_data.iloc[:, 1:-1], test_data.iloc[:, 1:]))`.
2. Find the numeric columns: `all_features.select_dtypes(include="number").columns`. **Note the pandas 3 change**: text columns have dtype
   `str`, not `object`, so the book's `all_features.dtypes[all_features.dtypes != 'object']` counts text columns as numeric, and the
   `.mean()` that follows raises `TypeError`.
3. Standardize the numeric columns (pandas' `x.mean()` and `x.std()` skip missing values; `std` divides by $n-1$), then `fillna(0)`; not the
   other way round: filling zeros first changes the mean and standard deviation.
4. One-hot encode: `pd.get_dummies(all_features, dummy_na=True, dtype=float)`. `dummy_na=True` adds a "missing" column (its name ends in
   `_nan`) for every text column. **Another pandas 3 change**: without `dtype=float` the new columns are bool, `.values` becomes an object
   array, and `torch.tensor` refuses it.
5. The first `n_train` rows are the training features, the rest the test features, both as `torch.float32`; the training labels are
   `SalePrice` with shape `(n_train, 1)`, `torch.float32`.
6. Return `(train_features, test_features, train_labels, columns)`, where `columns` is the Python list of all column names after encoding
   (`list(all_features.columns)`).
""", '''
def preprocess_house(train_data, test_data):
    """标准化、填充、独热编码 / Standardized, zero-filled, one-hot features and the labels as tensors."""
    train_data, test_data = pd.DataFrame(train_data), pd.DataFrame(test_data)
    n_train = train_data.shape[0]
@@
    all_features = pd.concat((train_data.iloc[:, 1:-1], test_data.iloc[:, 1:]))
    numeric_features = all_features.select_dtypes(include="number").columns
    all_features[numeric_features] = all_features[numeric_features].apply(
        lambda x: (x - x.mean()) / x.std())
    all_features[numeric_features] = all_features[numeric_features].fillna(0)
    all_features = pd.get_dummies(all_features, dummy_na=True, dtype=float)
    train_features = torch.tensor(all_features[:n_train].values, dtype=torch.float32)
    test_features = torch.tensor(all_features[n_train:].values, dtype=torch.float32)
    train_labels = torch.tensor(train_data.iloc[:, -1].values, dtype=torch.float32).reshape(-1, 1)
    return train_features, test_features, train_labels, list(all_features.columns)
@@
'''))
    cells.append(given("preprocess-demo", """
# 演示 / demo: 预处理读到的数据 / preprocess the data read above
train_features = None
if train_data is None:
    print("没有数据，跳过演示 / no data, demo skipped")
else:
    try:
        train_features, test_features, train_labels, feature_names = preprocess_house(train_data, test_data)
        print("train_features:", tuple(train_features.shape), " test_features:", tuple(test_features.shape))
        print("前几列 / first columns:", feature_names[:4], "…", feature_names[-3:])
    except NotImplementedError:
        print("先完成上面的填空 / finish the blanks above first")
    except Exception as exc:
        print(f"预处理出错 / preprocessing failed: {type(exc).__name__}: {exc}")
"""))

    # ---- log_rmse ------------------------------------------------------------------------
    add(q.question("log_rmse", """
### 训练模型与评价指标

我们用最简单的模型：一个线性层，以平方损失在原始售价上训练。但比赛关心的是**相对**误差：把 12 万的房子估成 11 万，
与把 1 万 2 的房子估成 1 万 1 一样糟。所以评价指标是对数的均方根误差
$$\\sqrt{\\frac{1}{n}\\sum_{i=1}^n\\left(\\log \\hat y_i - \\log y_i\\right)^2}.$$

{TITLE}

- 在 `torch.no_grad()` 下算出预测 `net(features)`，先把小于 1 的预测裁到 1：`torch.clamp(net(features), min=1)`（否则对数是负无穷或 NaN）。
- 对裁剪后的预测和 `labels` 取对数，求平方误差的平均（例如 `nn.functional.mse_loss`），再开方。
- 返回 Python float（`.item()`）。注意：书中的 MXNet 代码写成 `sqrt(2 * loss(...))`，因为它的 `L2Loss` 带 1/2；PyTorch 的均方误差不带 1/2，所以**不要**乘 2。
""", """
### Training and the metric

We use the simplest model: one linear layer trained with the squared loss on the raw prices. The competition, however, cares about
**relative** errors: pricing a 120,000 house at 110,000 is as bad as pricing a 12,000 one at 11,000. So the metric is the root mean squared
error of the logarithms
$$\\sqrt{\\frac{1}{n}\\sum_{i=1}^n\\left(\\log \\hat y_i - \\log y_i\\right)^2}.$$

{TITLE}

- Under `torch.no_grad()`, compute the predictions `net(features)` and first raise those below 1 to 1: `torch.clamp(net(features), min=1)`
  (otherwise the logarithm is minus infinity or NaN).
- Take the logarithms of the clamped predictions and of `labels`, average the squared differences (e.g. with `nn.functional.mse_loss`),
  and take the square root.
- Return a Python float (`.item()`). Note: the book's MXNet code reads `sqrt(2 * loss(...))` because its `L2Loss` has a factor 1/2;
  PyTorch's mean squared error has none, so do **not** multiply by 2.
""", '''
def log_rmse(net, features, labels):
    """对数均方根误差 / Root mean squared error of log(max(prediction, 1)) against log(labels)."""
@@
    with torch.no_grad():
        clipped_preds = torch.clamp(net(features), min=1)
        rmse = torch.sqrt(nn.functional.mse_loss(clipped_preds.log(), labels.log()))
    return rmse.item()
@@
'''))
    cells.append(md("train-intro", """
### 给定的模型和训练函数（不是填空）

`get_net` 返回一个线性层，参数从 $N(0, 0.01^2)$ 初始化；`train` 用 Adam 优化器（对学习率不太敏感）在小批量上最小化均方误差，
`weight_decay` 直接交给优化器，每个周期结束时用你的 `log_rmse` 记下训练集（和给定时的测试集）上的误差，返回两个列表。
""", """
### The given model and training function (not blanks)

`get_net` returns one linear layer with parameters drawn from $N(0, 0.01^2)$; `train` minimizes the mean squared error on minibatches with
the Adam optimizer (fairly insensitive to the learning rate), passes `weight_decay` to the optimizer, and after every epoch records your
`log_rmse` on the training set (and the test set when given); it returns both lists.
"""))
    cells.append(given("train-tools", '''
def get_net(num_features):
    """One linear layer with weights and bias drawn from N(0, 0.01^2)."""
    net = nn.Linear(num_features, 1)
    for param in net.parameters():
        nn.init.normal_(param, mean=0, std=0.01)
    return net


def train(net, train_features, train_labels, test_features, test_labels,
          num_epochs, learning_rate, weight_decay, batch_size):
    """Adam on the mean squared error; (train_ls, test_ls) log-RMSE after each epoch."""
    train_ls, test_ls = [], []
    train_iter = DataLoader(TensorDataset(train_features, train_labels), batch_size,
                            shuffle=True)
    optimizer = torch.optim.Adam(net.parameters(), lr=learning_rate,
                                 weight_decay=weight_decay)
    loss = nn.MSELoss()
    for epoch in range(num_epochs):
        for X, y in train_iter:
            optimizer.zero_grad()
            loss(net(X), y).backward()
            optimizer.step()
        train_ls.append(log_rmse(net, train_features, train_labels))
        if test_labels is not None:
            test_ls.append(log_rmse(net, test_features, test_labels))
    return train_ls, test_ls
'''))

    # ---- k-fold --------------------------------------------------------------------------
    add(q.question("get_k_fold_data", """
### $k$ 折交叉验证

把训练数据分成 $k$ 个大小相同的**折**，轮流拿其中一折做验证、其余 $k-1$ 折做训练，再把 $k$ 次的误差平均：
每个样本都恰好被验证一次，比只留一份验证集的估计更稳。

{TITLE}

- `fold_size = X.shape[0] // k`；第 `j` 折是第 `j * fold_size` 到 `(j + 1) * fold_size - 1` 行（用切片 `slice(j * fold_size, (j + 1) * fold_size)`）。
- 第 `i` 折是验证数据 `(X_valid, y_valid)`；其余各折**按原来的顺序**用 `torch.cat(..., dim=0)` 接成训练数据 `(X_train, y_train)`。
- 与书中一样，行数除以 $k$ 的余数那几行（最后几行）不属于任何一折，直接丢掉，这样每折一样大。
- 返回 `(X_train, y_train, X_valid, y_valid)`。评分逐元素比较（只允许 float32 的舍入误差）。
""", """
### $k$-fold cross-validation

Split the training data into $k$ **folds** of equal size, use each fold in turn for validation and the other $k-1$ for training, and
average the $k$ errors: every example is validated exactly once, a steadier estimate than a single held-out set.

{TITLE}

- `fold_size = X.shape[0] // k`; fold `j` holds rows `j * fold_size` to `(j + 1) * fold_size - 1` (the slice `slice(j * fold_size, (j + 1) * fold_size)`).
- Fold `i` is the validation data `(X_valid, y_valid)`; the other folds, **in their original order**, are joined with `torch.cat(..., dim=0)`
  into the training data `(X_train, y_train)`.
- As in the book, the last rows left over when the row count is divided by $k$ belong to no fold and are dropped, so all folds are the
  same size.
- Return `(X_train, y_train, X_valid, y_valid)`. Grading compares every element (up to float32 rounding).
""", '''
def get_k_fold_data(k, i, X, y):
    """第 i 折做验证、其余做训练 / Fold i for validation, the other folds (in order) for training."""
    assert k > 1
@@
    fold_size = X.shape[0] // k
    X_train, y_train = None, None
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
@@
'''))
    add(q.question("k_fold", """
{TITLE}

对 `i = 0, 1, …, k-1`：用 `get_k_fold_data(k, i, X_train, y_train)` 取出这一折的数据，用 `get_net(X_train.shape[1])` 建一个**新**网络
（每折都从头训练，否则验证数据早被模型见过），调用
`train(net, *data, num_epochs, learning_rate, weight_decay, batch_size)`，把返回的两个列表的**最后一个值**分别累加。
返回 `(训练误差之和 / k, 验证误差之和 / k)`，两个 Python float。

训练带有随机性（初始化和打乱），所以评分不比较具体数值，而是在合成数据上检查两个平均误差都低于一个留足余量的阈值。
""", """
{TITLE}

For `i = 0, 1, …, k-1`: get the fold's data with `get_k_fold_data(k, i, X_train, y_train)`, build a **new** network with
`get_net(X_train.shape[1])` (every fold trains from scratch; otherwise the model has already seen the validation data), call
`train(net, *data, num_epochs, learning_rate, weight_decay, batch_size)`, and add up the **last value** of each of the two lists it returns.
Return `(sum of training errors / k, sum of validation errors / k)`, two Python floats.

Training is random (initialization and shuffling), so grading does not compare exact numbers: on synthetic data it checks that both
averages stay below a threshold with a wide margin.
""", '''
def k_fold(k, X_train, y_train, num_epochs, learning_rate, weight_decay, batch_size):
    """k 折的平均训练、验证误差 / Mean final training and validation log-RMSE over k folds."""
@@
    train_l_sum, valid_l_sum = 0.0, 0.0
    for i in range(k):
        data = get_k_fold_data(k, i, X_train, y_train)
        net = get_net(X_train.shape[1])
        train_ls, valid_ls = train(net, *data, num_epochs, learning_rate, weight_decay,
                                   batch_size)
        train_l_sum += train_ls[-1]
        valid_l_sum += valid_ls[-1]
    return train_l_sum / k, valid_l_sum / k
@@
'''))
    cells.append(md("k-fold-demo-intro", """
### 演示：模型选择（不计分）

书中在比赛数据上用 $k=5$、100 个周期、学习率 5、权重衰减 0、批量大小 64，平均验证误差约 0.17。线性模型要靠各参数的和“走到”十几万的售价，
而 Adam 每步每个参数大约只移动一个学习率：比赛数据独热编码后有 300 多个特征，合成替身只有 39 个，所以在替身上把学习率放大到 200。
试着改改这些超参数，看验证误差怎么变；训练误差远低于验证误差时就是过拟合了。
""", """
### Demo: model selection (not graded)

On the competition data the book uses $k=5$, 100 epochs, learning rate 5, weight decay 0 and batch size 64, for a mean validation error of
about 0.17. A linear model must "walk" to prices of a few hundred thousand through the sum of its parameters, while Adam moves each parameter
by about one learning rate per step: the competition data has over 300 features after one-hot encoding, the synthetic stand-in only 39, so
on the stand-in the learning rate is raised to 200. Try other hyperparameters and watch the validation error; a training error far below
the validation error means overfitting.
"""))
    cells.append(given("k-fold-demo", """
# 演示 / demo: 5 折交叉验证 / 5-fold cross-validation
k, num_epochs, weight_decay, batch_size = 5, 100, 0, 64
if train_features is None:
    print("没有预处理好的数据，跳过演示 / no preprocessed data, demo skipped")
else:
    lr = 5 if train_features.shape[1] > 300 else 200
    try:
        train_l, valid_l = k_fold(k, train_features, train_labels, num_epochs, lr, weight_decay, batch_size)
        print(f"{k}-fold: lr {lr}, avg train log rmse {train_l:.4f}, avg valid log rmse {valid_l:.4f}")
    except NotImplementedError:
        print("先完成上面的填空 / finish the blanks above first")
"""))

    # ---- prediction ----------------------------------------------------------------------
    add(q.question("train_and_pred", """
### 预测并提交

选好超参数后，用**全部**训练数据重新训练一次，再预测测试集，按比赛要求的格式提交：表头 `Id,SalePrice`，每个测试样本一行。

{TITLE}

- `net = get_net(train_features.shape[1])`，调用 `train(net, train_features, train_labels, None, None, num_epochs, learning_rate, weight_decay, batch_size)`。
- 在 `torch.no_grad()` 下预测 `net(test_features)`，展平成 Python 列表（`.reshape(-1).tolist()`）。
- 返回提交文件的各行：第一行是表头 `["Id", "SalePrice"]`，之后每个测试样本一行 `[Id, 预测价格]`，按 `test_ids` 的顺序；`Id` 是 Python `int`，价格是 Python `float`。
  （小心：把两列放进一个 DataFrame 再用 `.values.tolist()` 会让 `Id` 变成 `1461.0` 这样的浮点数。）

下面的演示把这些行写成 `submission.csv`。评分在合成数据上检查格式，并检查预测的对数价格与真实值足够接近。
""", """
### Predicting and submitting

Once the hyperparameters are chosen, train again on **all** training data, predict the test set, and submit in the competition's format:
the header `Id,SalePrice`, then one row per test example.

{TITLE}

- `net = get_net(train_features.shape[1])`, then call `train(net, train_features, train_labels, None, None, num_epochs, learning_rate, weight_decay, batch_size)`.
- Under `torch.no_grad()` predict `net(test_features)` and flatten it into a Python list (`.reshape(-1).tolist()`).
- Return the submission's rows: first the header `["Id", "SalePrice"]`, then one row `[Id, predicted price]` per test example in the order of
  `test_ids`; `Id` is a Python `int` and the price a Python `float`. (Careful: putting both columns in one DataFrame and calling
  `.values.tolist()` turns each `Id` into a float such as `1461.0`.)

The demo below writes these rows to `submission.csv`. Grading checks the format on synthetic data, and that the predicted log prices are
close enough to the truth.
""", '''
def train_and_pred(train_features, test_features, train_labels, test_ids,
                   num_epochs, learning_rate, weight_decay, batch_size):
    """在全部训练数据上训练并预测 / Train on all training rows; the submission rows, header first."""
@@
    net = get_net(train_features.shape[1])
    train(net, train_features, train_labels, None, None, num_epochs, learning_rate,
          weight_decay, batch_size)
    with torch.no_grad():
        preds = net(test_features).reshape(-1).tolist()
    return [["Id", "SalePrice"]] + [[int(i), float(p)] for i, p in zip(test_ids, preds)]
@@
'''))
    cells.append(given("submission-demo", """
# 演示 / demo: 写出 submission.csv / write submission.csv
if train_features is None:
    print("没有预处理好的数据，跳过演示 / no preprocessed data, demo skipped")
else:
    try:
        rows = train_and_pred(train_features, test_features, train_labels, test_data["Id"],
                              num_epochs, lr, weight_decay, batch_size)
        with open("submission.csv", "w", newline="") as f:
            csv.writer(f).writerows(rows)
        print("submission.csv:", len(rows) - 1, "rows; first rows:", rows[:3])
    except NotImplementedError:
        print("先完成上面的填空 / finish the blanks above first")
    except OSError as exc:
        print(f"无法写入 submission.csv / cannot write submission.csv: {exc}")
"""))

    nb = new_notebook(cells=cells)
    nb.metadata = {
        "d2l": {"assignment": ASSIGNMENT, "notebook": NOTEBOOK},
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return nb


def main() -> int:
    nb = build()
    nbformat.validate(nb)
    nbformat.write(nb, TARGET)
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
