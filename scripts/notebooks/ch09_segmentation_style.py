# ruff: noqa: E501  (the notebook prose is markdown; its lines are kept as written)
"""Write the master notebook ``solutions/ch09_vision/segmentation_style.ipynb`` (§9.9–9.11).

    .venv/bin/python scripts/notebooks/ch09_segmentation_style.py

Built with :class:`scripts.notebooks.cells.MasterNotebook`; prose is our own, 简体中文 first
and English beneath.  Given code that also lives in ``reference_impl`` (the VOC reader, the
colour table, the torchvision-layout backbones) is copied from there with
:func:`inspect.getsource`, so notebook and answer key cannot drift apart.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reference_impl import backbones, voc  # noqa: E402
from reference_impl import ch09_segmentation_style as ref  # noqa: E402
from scripts.notebooks.cells import MasterNotebook  # noqa: E402

ASSIGNMENT, NOTEBOOK = "ch09_vision", "segmentation_style"

NOT_YET = """except NotImplementedError:
    print("先完成上面的填空 / finish the blanks above first")"""


def _backbones_source() -> str:
    """``reference_impl/backbones.py`` without its module docstring, imports and ``__all__``."""
    source = inspect.getsource(backbones)
    start = source.index("class BasicBlock")
    return source[start:].strip()


def _colormap_source() -> str:
    colours = ",\n    ".join(
        ", ".join(f"[{r}, {g}, {b}]" for r, g, b in voc.VOC_COLORMAP[i:i + 6])
        for i in range(0, len(voc.VOC_COLORMAP), 6))
    classes = ",\n    ".join(", ".join(repr(c) for c in voc.VOC_CLASSES[i:i + 6])
                             for i in range(0, len(voc.VOC_CLASSES), 6))
    return f"VOC_COLORMAP = [\n    {colours}]\n\nVOC_CLASSES = [\n    {classes}]"


def intro(nb: MasterNotebook) -> None:
    nb.md("intro", """
# 第 9 章 计算机视觉（下）：语义分割、转置卷积与全卷积网络、样式迁移

本作业对应《动手学深度学习》（第一版）第 9 章的 9.9–9.11 节，全部使用 PyTorch。我们先准备语义分割的数据（Pascal VOC2012 的标签是“用颜色画出来的”类别），
再学习能把特征图放大的转置卷积，用它在 ResNet-18 上搭出全卷积网络（FCN），最后用卷积网络的特征做样式迁移：让一张照片带上另一张图的风格。

**作业规则**

- 每道题是一个代码单元格，`# YOUR CODE HERE` 和 `raise NotImplementedError()` 标出你要填写的地方。删掉这两行，换成你的实现。
- 每道题后面的 `check("名字")` 单元格用公开测试用例检查你的答案，仅供参考；最终成绩还包括你看不到的隐藏用例。
- 不要改函数名、类名、参数名和参数顺序，也不要改题目规定的属性名和模块名（如 `final_conv`、`transpose_conv`、`weight`）：评分程序会按这些名字装入自己的权重。
- 需要评分的代码不必设置随机种子：随机裁剪由评分程序设定种子，并检查结果是否满足随机裁剪应有的性质。
- 答题单元格里最好只写定义：其中的其他代码在评分时会再运行一次，一旦出错，后面的定义就缺失了。需要的模块已在设置单元格中导入。评分在没有 GPU、没有网络的环境里进行。
- **没有预训练权重，也没有 torchvision。** 书中的 ResNet-18 和 VGG-19 来自 torchvision 的预训练模型；这里用下面给出的、层次和编号与 torchvision 完全相同的实现，参数是随机初始化的。所以本作业检查的是形状、结构和计算过程，训练只检查损失是否下降，不追求书中的分割效果和迁移效果。
""", """
# Chapter 9 Computer Vision (part 3): Semantic Segmentation, Transposed Convolution and FCN, Style Transfer

This assignment covers sections 9.9–9.11 of chapter 9 of *Dive into Deep Learning* (first edition), entirely in PyTorch. We first prepare
semantic-segmentation data (Pascal VOC2012 labels are classes "painted in colours"), then learn the transposed convolution, which enlarges
feature maps, and use it to build a fully convolutional network (FCN) on ResNet-18; last, we use a convolutional network's features for
style transfer: giving one photograph the style of another picture.

**Rules**

- Each question is a code cell in which `# YOUR CODE HERE` and `raise NotImplementedError()` mark what you write. Delete those two lines and put your code there.
- The `check("name")` cell after each question tests your answer on the public cases. It is advice only: the grade also uses hidden cases.
- Do not rename functions, classes or arguments or change their order, and keep the attribute and module names a question gives (such as `final_conv`, `transpose_conv`, `weight`): the grader loads its own weights by those names.
- Graded code needs no seeding: the grader seeds random crops and checks that the result has the properties every random crop has.
- Keep answer cells to definitions: other code in them runs again while grading, and if it fails, the definitions after it are missing. The modules you need are imported in the setup cell. Grading runs without a GPU and without network access.
- **No pretrained weights and no torchvision.** The book's ResNet-18 and VGG-19 are torchvision's pretrained models; here we use the implementations given below, with exactly torchvision's layers and indices and randomly initialised parameters. So this assignment checks shapes, structure and computations, and training is only checked to lower the loss; the book's segmentations and stylised pictures are out of reach.
""")
    nb.setup("""
import os
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

# 本作业的张量都很小：单线程更快，结果也更可复现 / small tensors: one thread is faster and more reproducible
torch.set_num_threads(1)

# 数据目录：评分环境把替身数据放在 $D2L_DATA_DIR 下 / the data folder: grading puts the stand-ins under $D2L_DATA_DIR
DATA_DIR = Path(os.environ.get("D2L_DATA_DIR") or "~/.d2l/data").expanduser()
""")


def sec_9_9(nb: MasterNotebook) -> None:
    nb.md("sec-9-9", """
## 9.9 语义分割和数据集

语义分割给图像的**每个像素**分类。Pascal VOC2012 的目录结构是：

```
VOCdevkit/VOC2012/ImageSets/Segmentation/{train,val}.txt   每行一个图像名
VOCdevkit/VOC2012/JPEGImages/<名字>.jpg                     照片
VOCdevkit/VOC2012/SegmentationClass/<名字>.png              标签：调色板（palette）模式的 PNG
```

标签 PNG 的每个像素存一个调色板编号：编号 k（0–20）表示第 k 类，显示为 `VOC_COLORMAP[k]` 这种颜色；物体边缘一圈“void”像素的编号是 255，颜色是 (224, 224, 192)。
书中把标签转成 RGB 图像，再用颜色查出类别；void 的颜色不属于任何类，于是被当作 0（背景）。**实际工作中通常不这样做**：而是保留编号 255，在损失函数里用 `ignore_index=255` 跳过这些像素。本作业按书中的做法。

原始数据集约 2 GB，需要下载。评分环境在 `$D2L_DATA_DIR/VOCdevkit/VOC2012/`（默认 `~/.d2l/data/`）放了一份**目录和文件格式完全相同的小替身**：14 张带彩色形状的小图，其中有几张比后面的裁剪尺寸还小。
有原始数据的话放到同一个位置即可。下面给出读取函数 `read_voc_images`：它返回两个列表，照片和 RGB 标签都是 `(3, H, W)` 的 uint8 张量。
""", """
## 9.9 Semantic Segmentation and the Dataset

Semantic segmentation classifies **every pixel** of an image. Pascal VOC2012 is laid out as:

```
VOCdevkit/VOC2012/ImageSets/Segmentation/{train,val}.txt   one image name per line
VOCdevkit/VOC2012/JPEGImages/<name>.jpg                     the photograph
VOCdevkit/VOC2012/SegmentationClass/<name>.png              the label: a PNG in palette mode
```

Each pixel of a label PNG holds a palette index: index k (0–20) means class k and is shown in the colour `VOC_COLORMAP[k]`; the "void" pixels
around object borders have index 255 and the colour (224, 224, 192). The book converts labels to RGB images and looks the classes up by colour;
the void colour belongs to no class, so it becomes 0 (background). **Usual practice differs**: keep index 255 and skip those pixels in the loss
with `ignore_index=255`. This assignment follows the book.

The original dataset is about 2 GB and needs a download. The grading environment keeps a **small stand-in with the same folders and file
formats** in `$D2L_DATA_DIR/VOCdevkit/VOC2012/` (by default under `~/.d2l/data/`): 14 small images of coloured shapes, a few of them smaller than
the crop used later. If you have the original data, put it there instead. The reader `read_voc_images` is given below: it returns two lists,
photographs and RGB labels, both as `(3, H, W)` uint8 tensors.
""")
    nb.given("voc-reader", f'''
{_colormap_source()}

VOC_DIR = DATA_DIR / "VOCdevkit" / "VOC2012"


{inspect.getsource(voc.read_voc_images)}

if (VOC_DIR / "ImageSets" / "Segmentation" / "train.txt").exists():
    train_features, train_labels = read_voc_images(VOC_DIR, True)
    print("训练图像 / training images:", len(train_features), " 第一张 / first:",
          tuple(train_features[0].shape), tuple(train_labels[0].shape), train_labels[0].dtype)
else:
    train_features = train_labels = None
    print("没有找到 VOC 数据，需要数据的演示会跳过 / no VOC data: demos that need it will skip")
''')
    nb.md("colormap2label", """
给出的 `build_colormap2label()` 建一张有 256³ 项的查找表：颜色 (r, g, b) 对应的位置是 `(r * 256 + g) * 256 + b`，那里存着类别编号；其他位置都是 0，所以 void 颜色查出来是背景。
""", """
The given `build_colormap2label()` builds a lookup table of 256³ entries: colour (r, g, b) sits at position `(r * 256 + g) * 256 + b`, which
holds its class index; every other entry is 0, so the void colour reads as background.
""")
    nb.given("build-colormap2label", inspect.getsource(ref.build_colormap2label).replace(
        " -> torch.Tensor:", ":").replace('"""A lookup table from ``(r·256 + g)·256 + b`` to the class index (§9.9).\n\n    256³ entries, all 0 except the 21 class colours, so any other colour (the void border)\n    reads as background.\n    """', '"""颜色 → 类别的查找表 / colour → class lookup table (256³ entries)."""'))
    nb.question("voc_label_indices", """
写 `voc_label_indices(colormap, colormap2label)`：`colormap` 是一张 RGB 标签，形状 `(3, H, W)`、类型 uint8；返回形状 `(H, W)` 的 int64 类别编号。

- 先转成 int64 再计算 `(r * 256 + g) * 256 + b`：uint8 相乘会溢出。
- 用这个编号张量去索引 `colormap2label`（一次索引整张图，不要逐像素循环）。
""", """
Write `voc_label_indices(colormap, colormap2label)`: `colormap` is an RGB label of shape `(3, H, W)` and dtype uint8; return the class
indices, shape `(H, W)`, int64.

- Convert to int64 before computing `(r * 256 + g) * 256 + b`: uint8 arithmetic overflows.
- Index `colormap2label` with that tensor of positions (the whole image at once, no loop over pixels).
""", '''
def voc_label_indices(colormap, colormap2label):
    """RGB 标签 → 类别编号 / RGB label (3, H, W) -> class indices (H, W)."""
    ### BEGIN SOLUTION
    c = colormap.to(torch.int64)
    return colormap2label[(c[0] * 256 + c[1]) * 256 + c[2]]
    ### END SOLUTION
''')
    nb.demo("label-demo", """
看第一张训练标签里有哪些类别，以及每类有多少像素（void 已经算进背景里了）。
""", """
See which classes the first training label holds and how many pixels each has (void pixels already count as background).
""", f"""
try:
    if train_labels is not None:
        colormap2label = build_colormap2label()
        y = voc_label_indices(train_labels[0], colormap2label)
        classes, counts = torch.unique(y, return_counts=True)
        for k, n in zip(classes.tolist(), counts.tolist()):
            print(f"{{VOC_CLASSES[k]:>12}}: {{n}}")
{NOT_YET}
""")
    nb.md("crop", """
分割的标签不能像照片那样缩放（插值出来的“中间颜色”不代表任何类别），所以书中把照片**裁剪**成固定大小，而标签必须在**同一个位置**裁剪，否则像素和类别就对不上了。
""", """
A segmentation label cannot be resized like a photograph (interpolated "in-between colours" mean no class), so the book **crops** images to a
fixed size, and the label must be cropped at **the same place**, or pixels and classes no longer match.
""")
    nb.question("voc_rand_crop", """
写 `voc_rand_crop(feature, label, height, width)`：在 `feature`（形状 `(..., H, W)`）里随机选一个 `height × width` 的窗口，返回 `(feature 的裁剪, label 的裁剪)`，两者用**同一个**左上角。

- 左上角 `(i, j)` 在所有合法位置里均匀随机：`0 ≤ i ≤ H - height`，`0 ≤ j ≤ W - width`（可以用 `torch.randint` 或 `random.randint`，注意两者上界的含义不同）。
- `label` 可能是 `(3, H, W)` 的 RGB 标签，也可能是 `(H, W)` 的编号图：只切最后两个维度（`x[..., i:i + height, j:j + width]`），不要改变数据类型。
""", """
Write `voc_rand_crop(feature, label, height, width)`: choose a random `height × width` window in `feature` (shape `(..., H, W)`) and return
`(the crop of feature, the crop of label)`, both with **the same** top-left corner.

- The corner `(i, j)` is uniform over all legal positions: `0 ≤ i ≤ H - height`, `0 ≤ j ≤ W - width` (use `torch.randint` or `random.randint`;
  mind that their upper bounds mean different things).
- `label` may be a `(3, H, W)` RGB label or an `(H, W)` index map: slice only the last two dimensions (`x[..., i:i + height, j:j + width]`)
  and keep the dtype.
""", '''
def voc_rand_crop(feature, label, height, width):
    """在同一位置随机裁剪图像和标签 / Crop image and label at the same random place."""
    ### BEGIN SOLUTION
    i = int(torch.randint(0, feature.shape[-2] - height + 1, (1,)))
    j = int(torch.randint(0, feature.shape[-1] - width + 1, (1,)))
    return feature[..., i:i + height, j:j + width], label[..., i:i + height, j:j + width]
    ### END SOLUTION
''')
    nb.md("dataset", """
接下来把这些写成一个 `torch.utils.data.Dataset`。书中的 `VOCSegDataset` 自己读文件；这里为了让评分不依赖文件，改成接收 `read_voc_images` 返回的两个列表（后面给出的 `load_data_voc` 负责读文件再交给它）。
下面给出的 `voc_dataset_items` 只是把数据集的每一项按顺序取出来，评分时用它来查看你的数据集。
""", """
Next we wrap this in a `torch.utils.data.Dataset`. The book's `VOCSegDataset` reads the files itself; so that grading does not depend on
files, ours receives the two lists `read_voc_images` returns (the `load_data_voc` given later reads the files and hands them over).
The given `voc_dataset_items` just takes the dataset's items out in order; grading uses it to look at your dataset.
""")
    nb.given("voc-dataset-items", '''
RGB_MEAN = torch.tensor([0.485, 0.456, 0.406])
RGB_STD = torch.tensor([0.229, 0.224, 0.225])


def voc_dataset_items(features, labels, crop_size, colormap2label):
    """数据集的全部项 / Every item of a VOCSegDataset, in index order."""
    dataset = VOCSegDataset(features, labels, crop_size, colormap2label)
    return [dataset[i] for i in range(len(dataset))]
''')
    nb.question("VOCSegDataset", """
写类 `VOCSegDataset(features, labels, crop_size, colormap2label)`（`torch.utils.data.Dataset` 的子类）：

- `__init__`：保存 `crop_size`（元组 `(高, 宽)`）和 `colormap2label`；用 `filter` 去掉高或宽小于裁剪尺寸的图像（照片和标签都要过滤）；把留下的照片用 `normalize_image` 标准化后保存。
- `normalize_image(img)`：uint8 `(3, H, W)` → float32：先除以 255，再减去 `RGB_MEAN`、除以 `RGB_STD`（按通道）。
- `__getitem__(idx)`：用 `voc_rand_crop` 把第 `idx` 张照片和它的 RGB 标签裁成 `crop_size`，再用 `voc_label_indices` 把标签变成类别编号；返回 `(feature, label)`：float32 `(3, h, w)` 和 int64 `(h, w)`。
- `__len__`：留下的图像数。

评分时 `voc_rand_crop` 和 `voc_label_indices` 会换成标准实现，所以这道题只看数据集本身。
""", """
Write the class `VOCSegDataset(features, labels, crop_size, colormap2label)` (a subclass of `torch.utils.data.Dataset`):

- `__init__`: keep `crop_size` (a tuple `(height, width)`) and `colormap2label`; drop with `filter` the images whose height or width is smaller
  than the crop (filter the photographs and the labels alike); normalise the remaining photographs with `normalize_image` and keep them.
- `normalize_image(img)`: uint8 `(3, H, W)` → float32: divide by 255, then subtract `RGB_MEAN` and divide by `RGB_STD` (per channel).
- `__getitem__(idx)`: crop photograph `idx` and its RGB label to `crop_size` with `voc_rand_crop`, then turn the label into class indices with
  `voc_label_indices`; return `(feature, label)`: float32 `(3, h, w)` and int64 `(h, w)`.
- `__len__`: the number of images kept.

During grading `voc_rand_crop` and `voc_label_indices` are replaced by reference versions, so this question looks at the dataset alone.
""", '''
class VOCSegDataset(torch.utils.data.Dataset):
    """随机裁剪的 VOC 分割数据集 / A VOC segmentation dataset with random crops."""

    def __init__(self, features, labels, crop_size, colormap2label):
        ### BEGIN SOLUTION
        self.crop_size = tuple(crop_size)
        self.colormap2label = colormap2label
        self.features = [self.normalize_image(f) for f in self.filter(features)]
        self.labels = self.filter(labels)
        ### END SOLUTION

    def normalize_image(self, img):
        ### BEGIN SOLUTION
        return (img.float() / 255 - RGB_MEAN.reshape(3, 1, 1)) / RGB_STD.reshape(3, 1, 1)
        ### END SOLUTION

    def filter(self, imgs):
        ### BEGIN SOLUTION
        return [img for img in imgs
                if img.shape[1] >= self.crop_size[0] and img.shape[2] >= self.crop_size[1]]
        ### END SOLUTION

    def __getitem__(self, idx):
        ### BEGIN SOLUTION
        feature, label = voc_rand_crop(self.features[idx], self.labels[idx], *self.crop_size)
        return feature, voc_label_indices(label, self.colormap2label)
        ### END SOLUTION

    def __len__(self):
        ### BEGIN SOLUTION
        return len(self.features)
        ### END SOLUTION
''')
    nb.given("load-data-voc", f'''
def load_data_voc(batch_size, crop_size, voc_dir=VOC_DIR):
    """读取训练集和验证集，返回两个数据迭代器 / Read both splits; return two data iterators."""
    colormap2label = build_colormap2label()
    iters = []
    for is_train in (True, False):
        features, labels = read_voc_images(voc_dir, is_train)
        dataset = VOCSegDataset(features, labels, crop_size, colormap2label)
        iters.append(torch.utils.data.DataLoader(dataset, batch_size, shuffle=is_train,
                                                 drop_last=is_train, num_workers=0))
    return tuple(iters)


try:
    if train_features is not None:
        voc_train_iter, voc_test_iter = load_data_voc(4, (64, 96))
        print("训练样本 / training examples:", len(voc_train_iter.dataset),
              " 验证样本 / validation examples:", len(voc_test_iter.dataset))
        X, Y = next(iter(voc_train_iter))
        print("一个小批量 / a minibatch:", tuple(X.shape), X.dtype, tuple(Y.shape), Y.dtype)
{NOT_YET}
''')


def sec_9_10(nb: MasterNotebook) -> None:
    nb.md("sec-9-10", """
## 9.10 转置卷积与全卷积网络

卷积通常让特征图变小；**转置卷积**反过来：输入的每个元素 `X[i, j]` 把整个卷积核乘上自己，“盖”到输出中以 `(i, j)` 为左上角的位置，重叠的部分相加。
输入 `n_h × n_w`、核 `k_h × k_w`（步幅 1、无填充）时，输出是 `(n_h + k_h - 1) × (n_w + k_w - 1)`。
""", """
## 9.10 Transposed Convolution and Fully Convolutional Networks

A convolution usually shrinks feature maps; a **transposed convolution** goes the other way: every input element `X[i, j]` multiplies the whole
kernel and "stamps" it onto the output with its top-left corner at `(i, j)`; overlapping stamps add up. With an `n_h × n_w` input and a
`k_h × k_w` kernel (stride 1, no padding) the output is `(n_h + k_h - 1) × (n_w + k_w - 1)`.
""")
    nb.question("trans_conv", """
按上面的定义写 `trans_conv(X, K)`：`X`、`K` 都是二维张量，返回二维的转置卷积结果（与 `X` 同一数据类型）。用两层循环遍历 `X` 的元素即可。
""", """
Write `trans_conv(X, K)` by the definition above: `X` and `K` are 2-D tensors; return the 2-D transposed convolution (in `X`'s dtype). Two
loops over the elements of `X` will do.
""", '''
def trans_conv(X, K):
    """二维转置卷积（步幅 1，无填充）/ 2-D transposed convolution, stride 1, no padding."""
    ### BEGIN SOLUTION
    h, w = K.shape
    Y = torch.zeros((X.shape[0] + h - 1, X.shape[1] + w - 1), dtype=X.dtype)
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            Y[i:i + h, j:j + w] += X[i, j] * K
    return Y
    ### END SOLUTION
''')
    nb.demo("trans-conv-demo", """
和 PyTorch 的 `F.conv_transpose2d`（输入、核都要加上批量和通道两个维度）比较。书中的例子：`X = K = [[0, 1], [2, 3]]` 给出 `[[0, 0, 1], [0, 4, 6], [4, 12, 9]]`。
""", """
Compare with PyTorch's `F.conv_transpose2d` (input and kernel need batch and channel dimensions). The book's example: `X = K = [[0, 1], [2, 3]]`
gives `[[0, 0, 1], [0, 4, 6], [4, 12, 9]]`.
""", f"""
try:
    X = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    print(trans_conv(X, K))
    print(F.conv_transpose2d(X.reshape(1, 1, 2, 2), K.reshape(1, 1, 2, 2)).reshape(3, 3))
{NOT_YET}
""")
    nb.md("matrix", """
卷积可以写成矩阵乘法：把输入展平成向量 `x`，存在一个矩阵 `W`，使得 `W @ x` 就是展平的卷积输出。转置卷积这个名字正是来自它：**转置卷积就是乘以 `Wᵀ`**，它把卷积输出那么大的向量变回输入那么大。
""", """
A convolution can be written as a matrix product: flatten the input into a vector `x`; there is a matrix `W` such that `W @ x` is the
flattened convolution output. The transposed convolution owes its name to this: **it multiplies by `Wᵀ`**, turning a vector the size of the
convolution's output back into one the size of its input.
""")
    nb.question("kernel2matrix", """
写 `kernel2matrix(K, n_h, n_w)`：返回矩阵 `W`，使得对任意 `n_h × n_w` 的输入 `X`，`W @ X.reshape(-1)` 等于 `X` 与 `K` 的（步幅 1、无填充的）互相关按行展平的结果。

- 输出是 `o_h × o_w`（`o_h = n_h - k_h + 1`，`o_w = n_w - k_w + 1`），所以 `W` 的形状是 `(o_h·o_w, n_h·n_w)`，数据类型与 `K` 相同。
- 第 `i·o_w + j` 行对应输出位置 `(i, j)`：它在输入位置 `(i + a, j + b)`（展平后是 `(i + a)·n_w + (j + b)`）上放 `K[a, b]`，其余为 0。
""", """
Write `kernel2matrix(K, n_h, n_w)`: return the matrix `W` such that for every `n_h × n_w` input `X`, `W @ X.reshape(-1)` equals the
row-major flattened cross-correlation of `X` with `K` (stride 1, no padding).

- The output is `o_h × o_w` (`o_h = n_h - k_h + 1`, `o_w = n_w - k_w + 1`), so `W` has shape `(o_h·o_w, n_h·n_w)` and `K`'s dtype.
- Row `i·o_w + j` stands for output position `(i, j)`: it holds `K[a, b]` at input position `(i + a, j + b)` (flattened:
  `(i + a)·n_w + (j + b)`) and 0 elsewhere.
""", '''
def kernel2matrix(K, n_h, n_w):
    """卷积对应的矩阵 / The matrix of the convolution with K on an n_h x n_w input."""
    ### BEGIN SOLUTION
    k_h, k_w = K.shape
    out_h, out_w = n_h - k_h + 1, n_w - k_w + 1
    W = torch.zeros((out_h * out_w, n_h * n_w), dtype=K.dtype)
    for i in range(out_h):
        for j in range(out_w):
            for a in range(k_h):
                for b in range(k_w):
                    W[i * out_w + j, (i + a) * n_w + (j + b)] = K[a, b]
    return W
    ### END SOLUTION
''')
    nb.demo("matrix-demo", """
`X` 是 1 到 16 排成 4×4，`K` 是 1 到 9 排成 3×3：卷积的结果是 `[348, 393, 528, 573]`。再把这个结果当作转置卷积的输入：`Wᵀ` 乘它，和 `trans_conv` 的结果相同。
""", """
`X` holds 1 to 16 as 4×4 and `K` holds 1 to 9 as 3×3: the convolution gives `[348, 393, 528, 573]`. Then take that result as the input of a
transposed convolution: multiplying it by `Wᵀ` gives what `trans_conv` gives.
""", f"""
try:
    X = torch.arange(1.0, 17.0).reshape(4, 4)
    K = torch.arange(1.0, 10.0).reshape(3, 3)
    W = kernel2matrix(K, 4, 4)
    Y = W @ X.reshape(-1)
    print("W @ x:", Y.tolist())
    print("Wᵀ @ y == trans_conv(y, K):", torch.allclose((W.T @ Y).reshape(4, 4), trans_conv(Y.reshape(2, 2), K)))
{NOT_YET}
""")
    nb.md("fcn-net", """
**全卷积网络（FCN）**：用卷积网络抽取特征，用 1×1 卷积把通道数变成类别数，再用转置卷积把特征图放大回输入的大小，于是输出的每个像素都有一个类别预测。
书中用 ImageNet 上预训练的 ResNet-18 去掉最后的全局池化层和全连接层作为特征提取部分；这里没有预训练权重，下面给出与 torchvision 层次、命名完全相同的 `resnet18`（参数随机初始化）。
""", """
**Fully convolutional network (FCN)**: a convolutional network extracts features, a 1×1 convolution turns the channels into one per class,
and a transposed convolution enlarges the feature map back to the input's size, so every output pixel gets a class prediction. The book uses
ResNet-18 pretrained on ImageNet, without its final global pooling and fully connected layers, as the feature extractor; there are no
pretrained weights here, so below is a `resnet18` with exactly torchvision's layers and names (randomly initialised).
""")
    nb.given("backbones", _backbones_source())
    nb.md("bilinear", """
转置卷积的初值用**双线性插值**：把核设成“三角形”函数 `1 - |x - 中心| / factor` 与自身的外积，转置卷积就把图像放大 `factor` 倍。核大小 `k` 时，`factor = (k + 1) // 2`，奇数 `k` 的中心是 `factor - 1`，偶数 `k` 的中心是 `factor - 0.5`。
例如 `k = 4`：`factor = 2`，中心 1.5，一维的三角形是 `[0.25, 0.75, 0.75, 0.25]`。
""", """
The transposed convolution is initialised to **bilinear interpolation**: set the kernel to the outer product of the "triangle"
`1 - |x - centre| / factor` with itself, and the transposed convolution enlarges an image `factor` times. For kernel size `k`,
`factor = (k + 1) // 2`; the centre is `factor - 1` for odd `k` and `factor - 0.5` for even `k`. For example `k = 4`: `factor = 2`, centre 1.5,
and the 1-D triangle is `[0.25, 0.75, 0.75, 0.25]`.
""")
    nb.question("bilinear_kernel", """
写 `bilinear_kernel(in_channels, out_channels, kernel_size)`：返回形状 `(in_channels, out_channels, kernel_size, kernel_size)` 的 float32 张量（`nn.ConvTranspose2d` 权重的形状）。

- 对每个通道 `c`，`weight[c, c]` 是上面的二维双线性核；其他位置都是 0（通道之间不混合）。
- 和书中一样，只考虑 `in_channels == out_channels` 的情形。
""", """
Write `bilinear_kernel(in_channels, out_channels, kernel_size)`: return a float32 tensor of shape
`(in_channels, out_channels, kernel_size, kernel_size)` (the shape of an `nn.ConvTranspose2d` weight).

- For every channel `c`, `weight[c, c]` is the 2-D bilinear kernel above; every other entry is 0 (channels do not mix).
- As in the book, only `in_channels == out_channels` needs to work.
""", '''
def bilinear_kernel(in_channels, out_channels, kernel_size):
    """双线性插值的转置卷积核 / A transposed-convolution weight that upsamples bilinearly."""
    ### BEGIN SOLUTION
    factor = (kernel_size + 1) // 2
    center = factor - 1 if kernel_size % 2 == 1 else factor - 0.5
    og = torch.arange(kernel_size, dtype=torch.float32)
    tri = 1 - torch.abs(og - center) / factor
    filt = tri.reshape(-1, 1) * tri.reshape(1, -1)
    weight = torch.zeros((in_channels, out_channels, kernel_size, kernel_size))
    weight[range(in_channels), range(out_channels), :, :] = filt
    return weight
    ### END SOLUTION
''')
    nb.demo("upsample-demo", """
用 `nn.ConvTranspose2d(3, 3, kernel_size=4, padding=1, stride=2)` 加上双线性核，把一张图放大 2 倍，与 `F.interpolate(mode="bilinear", align_corners=False)` 比较：除了最外一圈像素，两者相同。
""", """
With `nn.ConvTranspose2d(3, 3, kernel_size=4, padding=1, stride=2)` and the bilinear kernel, enlarge an image twice and compare with
`F.interpolate(mode="bilinear", align_corners=False)`: apart from the outermost ring of pixels they agree.
""", f"""
try:
    conv_trans = nn.ConvTranspose2d(3, 3, kernel_size=4, padding=1, stride=2, bias=False)
    with torch.no_grad():
        conv_trans.weight.copy_(bilinear_kernel(3, 3, 4))
        img = torch.rand(1, 3, 6, 8)
        up = conv_trans(img)
        ref_up = F.interpolate(img, scale_factor=2, mode="bilinear", align_corners=False)
    print(tuple(img.shape), "->", tuple(up.shape),
          " 内部最大差 / interior max difference:", float((up - ref_up)[..., 1:-1, 1:-1].abs().max()))
{NOT_YET}
""")
    nb.question("fcn", """
写 `fcn(num_classes=21)`，返回一个 `nn.Sequential`：

1. `resnet18()` 的子模块去掉最后两个（`avgpool` 和 `fc`），即 `list(resnet18().children())[:-2]`，按原顺序作为第 0–7 个子模块；
2. `net.add_module("final_conv", nn.Conv2d(512, num_classes, kernel_size=1))`；
3. `net.add_module("transpose_conv", nn.ConvTranspose2d(num_classes, num_classes, kernel_size=64, padding=16, stride=32))`，并把它的权重设为 `bilinear_kernel(num_classes, num_classes, 64)`（在 `torch.no_grad()` 里 `copy_`）。

骨干把高和宽各缩小 32 倍，转置卷积再放大 32 倍：输入 `(1, 3, 64, 96)` 时骨干输出 `(1, 512, 2, 3)`，网络输出 `(1, num_classes, 64, 96)`。
评分时按名字装入评分程序自己的参数，逐层比较输出形状和最终输出。
""", """
Write `fcn(num_classes=21)`, returning an `nn.Sequential`:

1. the children of `resnet18()` without the last two (`avgpool` and `fc`), that is `list(resnet18().children())[:-2]`, in order as children 0–7;
2. `net.add_module("final_conv", nn.Conv2d(512, num_classes, kernel_size=1))`;
3. `net.add_module("transpose_conv", nn.ConvTranspose2d(num_classes, num_classes, kernel_size=64, padding=16, stride=32))`, with its weight set to
   `bilinear_kernel(num_classes, num_classes, 64)` (`copy_` inside `torch.no_grad()`).

The backbone shrinks height and width 32 times and the transposed convolution enlarges them 32 times: for an input `(1, 3, 64, 96)` the backbone
gives `(1, 512, 2, 3)` and the network `(1, num_classes, 64, 96)`. Grading loads the grader's own parameters by name and compares every layer's
output shape and the final output.
""", '''
def fcn(num_classes=21):
    """ResNet-18 上的全卷积网络 / A fully convolutional network on ResNet-18."""
    ### BEGIN SOLUTION
    net = nn.Sequential(*list(resnet18().children())[:-2])
    net.add_module("final_conv", nn.Conv2d(512, num_classes, kernel_size=1))
    net.add_module("transpose_conv", nn.ConvTranspose2d(num_classes, num_classes, kernel_size=64,
                                                        padding=16, stride=32))
    with torch.no_grad():
        net.transpose_conv.weight.copy_(bilinear_kernel(num_classes, num_classes, 64))
    return net
    ### END SOLUTION
''')
    nb.demo("fcn-demo", """
看一个小输入在 FCN 里每层之后的形状。
""", """
Follow a small input through the FCN, layer by layer.
""", f"""
try:
    fcn_net = fcn(21).eval()
    X = torch.rand(1, 3, 64, 96)
    with torch.no_grad():
        for name, layer in fcn_net.named_children():
            X = layer(X)
            print(f"{{name:>15}}: {{tuple(X.shape)}}")
{NOT_YET}
""")
    nb.md("seg-train", """
训练时，每个像素都是一个分类问题。书中的损失先对每个像素算交叉熵，再在高和宽上求平均，得到**每张图一个损失**；训练时把一个小批量的损失**求和**再反向传播，优化器是带权重衰减的小批量随机梯度下降。
""", """
In training every pixel is a classification problem. The book's loss takes each pixel's cross-entropy and averages it over height and width,
giving **one loss per image**; a training step **sums** the minibatch's losses before back-propagating, and the optimiser is minibatch SGD with
weight decay.
""")
    nb.question("seg_loss", """
写 `seg_loss(inputs, targets)`：`inputs` 是网络输出 `(B, C, H, W)`，`targets` 是类别编号 `(B, H, W)`（int64）；返回形状 `(B,)` 的张量：每张图所有像素交叉熵的平均。
提示：`F.cross_entropy(..., reduction="none")` 给出 `(B, H, W)`。
""", """
Write `seg_loss(inputs, targets)`: `inputs` is the network's output `(B, C, H, W)`, `targets` the class indices `(B, H, W)` (int64); return a
tensor of shape `(B,)`: every image's mean cross-entropy over its pixels. Hint: `F.cross_entropy(..., reduction="none")` gives `(B, H, W)`.
""", '''
def seg_loss(inputs, targets):
    """每张图的平均像素交叉熵 / Every image's mean per-pixel cross-entropy."""
    ### BEGIN SOLUTION
    return F.cross_entropy(inputs, targets, reduction="none").mean(1).mean(1)
    ### END SOLUTION
''')
    nb.question("train_seg", """
写 `train_seg(net, batches, num_epochs, lr, wd=1e-3)`：用 `torch.optim.SGD(net.parameters(), lr=lr, weight_decay=wd)` 训练分割网络 `net`，返回训练后的 `net`。

- 先 `net.train()`；每个周期按顺序遍历 `batches`（`(X, Y)` 的列表：X 是 `(B, 3, h, w)`，Y 是 `(B, h, w)`）；
- 每一步：清零梯度，`seg_loss(net(X), Y).sum()` 反向传播，更新参数。

评分时 `net` 是一个小的卷积网络，数据来自 VOC 替身（为了快），`seg_loss` 换成标准实现；评分程序自己计算训练前后 `net` 在这些小批量上的平均损失，训练后应降到训练前的 0.6 倍以下。
""", """
Write `train_seg(net, batches, num_epochs, lr, wd=1e-3)`: train the segmentation network `net` with
`torch.optim.SGD(net.parameters(), lr=lr, weight_decay=wd)` and return the trained `net`.

- Call `net.train()` first; every epoch goes through `batches` in order (a list of `(X, Y)`: X is `(B, 3, h, w)`, Y is `(B, h, w)`);
- every step: zero the gradients, back-propagate `seg_loss(net(X), Y).sum()`, update the parameters.

During grading `net` is a small convolutional network and the data come from the VOC stand-in (for speed); `seg_loss` is replaced by a
reference version. The grader itself measures `net`'s mean loss on those minibatches before and after training: afterwards it must be below
0.6 times what it was.
""", '''
def train_seg(net, batches, num_epochs, lr, wd=1e-3):
    """用 SGD 训练分割网络 / Train a segmentation network with SGD."""
    ### BEGIN SOLUTION
    trainer = torch.optim.SGD(net.parameters(), lr=lr, weight_decay=wd)
    net.train()
    for _ in range(num_epochs):
        for X, Y in batches:
            trainer.zero_grad()
            seg_loss(net(X), Y).sum().backward()
            trainer.step()
    return net
    ### END SOLUTION
''')
    nb.question("label2image", """
预测时，每个像素取得分最高的类别，得到 `(H, W)` 的编号图。写 `label2image(pred)`：把编号图变成彩色图 `(H, W, 3)`，每个像素是它的类别在 `VOC_COLORMAP` 里的颜色。
用 `torch.tensor(VOC_COLORMAP)`（int64）按 `pred.long()` 索引，结果保持 int64。
""", """
To predict, every pixel takes its highest-scoring class, giving an `(H, W)` index map. Write `label2image(pred)`: turn the index map into a
colour image `(H, W, 3)` whose pixels are their classes' colours in `VOC_COLORMAP`. Index `torch.tensor(VOC_COLORMAP)` (int64) with
`pred.long()`; the result stays int64.
""", '''
def label2image(pred):
    """类别编号 → 颜色 / Class indices (H, W) -> VOC colours (H, W, 3)."""
    ### BEGIN SOLUTION
    colormap = torch.tensor(VOC_COLORMAP)
    return colormap[pred.long(), :]
    ### END SOLUTION
''')
    nb.demo("seg-demo", """
在替身数据上训练一个很小的分割网络几个周期（完整的 FCN 在 CPU 上训练太慢），再把一张图的预测画成颜色，统计预测出的颜色。
""", """
Train a very small segmentation network on the stand-in for a few epochs (the full FCN is too slow to train on a CPU), then colour one image's
prediction and count the colours predicted.
""", f"""
try:
    if train_features is not None:
        demo_set = VOCSegDataset(train_features, train_labels, (32, 48), build_colormap2label())
        demo_batches = [tuple(torch.stack(t) for t in zip(*[demo_set[i] for i in range(k, k + 4)]))
                        for k in range(0, len(demo_set) - 3, 4)]
        small_net = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 21, 1))
        train_seg(small_net, demo_batches, 5, 0.3)
        with torch.no_grad():
            pred = small_net(demo_batches[0][0][:1]).argmax(1)[0]
        colours, counts = torch.unique(label2image(pred).reshape(-1, 3), dim=0, return_counts=True)
        print({{tuple(c): n for c, n in zip(colours.tolist(), counts.tolist())}})
{NOT_YET}
""")


def sec_9_11(nb: MasterNotebook) -> None:
    nb.md("sec-9-11", """
## 9.11 样式迁移

样式迁移合成一张新图：它的**内容**接近内容图像，**样式**接近样式图像。做法是把合成图像本身当作模型参数：用一个固定的卷积网络抽取特征，内容损失比较较深一层的特征，
样式损失比较若干层特征的 Gram 矩阵，再加上让图像平滑的总变差损失，对合成图像做梯度下降。

书中用一张雪山照片作内容、一幅秋天的油画作样式；这里用 scikit-image 自带的两张照片（一只猫、一杯咖啡），评分环境把它们存成 `$D2L_DATA_DIR/style_transfer/content.jpg` 和 `style.jpg`。
图像用 PIL 读入后是 `(H, W, 3)` 的 uint8 数组；我们用 `torch.from_numpy(np.array(img))` 把它变成张量。
""", """
## 9.11 Style Transfer

Style transfer synthesises a new image whose **content** is close to a content image and whose **style** is close to a style image. The
synthesised image itself is the model's parameter: a fixed convolutional network extracts features, the content loss compares a deeper layer's
features, the style loss compares the Gram matrices of several layers' features, a total-variation loss keeps the image smooth, and gradient
descent runs on the image.

The book uses a photo of a snowy mountain as content and an autumn painting as style; here we use two photographs that ship with scikit-image
(a cat and a cup of coffee), which the grading environment stores as `$D2L_DATA_DIR/style_transfer/content.jpg` and `style.jpg`. Read with PIL,
an image is an `(H, W, 3)` uint8 array; `torch.from_numpy(np.array(img))` makes it a tensor.
""")
    nb.given("photos", '''
STYLE_DIR = DATA_DIR / "style_transfer"
if (STYLE_DIR / "content.jpg").exists():
    content_img = torch.from_numpy(np.array(Image.open(STYLE_DIR / "content.jpg").convert("RGB")))
    style_img = torch.from_numpy(np.array(Image.open(STYLE_DIR / "style.jpg").convert("RGB")))
    print("内容图像 / content:", tuple(content_img.shape), " 样式图像 / style:", tuple(style_img.shape))
else:
    content_img = style_img = None
    print("没有找到照片，需要它们的演示会跳过 / no photographs: demos that need them will skip")
''')
    nb.question("preprocess", """
写 `preprocess(img, image_shape)`：`img` 是 `(H, W, 3)` 的 uint8 张量，`image_shape` 是 `(h, w)`；返回 `(1, 3, h, w)` 的 float32 张量：

1. 调整维度为 `(1, 3, H, W)`，转成 float 并除以 255；
2. 用 `F.interpolate(X, size=image_shape, mode="bilinear", align_corners=False)` 缩放到 `(h, w)`；
3. 按通道减去 `RGB_MEAN`、除以 `RGB_STD`。
""", """
Write `preprocess(img, image_shape)`: `img` is an `(H, W, 3)` uint8 tensor and `image_shape` is `(h, w)`; return a `(1, 3, h, w)` float32
tensor:

1. rearrange to `(1, 3, H, W)`, convert to float and divide by 255;
2. resize to `(h, w)` with `F.interpolate(X, size=image_shape, mode="bilinear", align_corners=False)`;
3. subtract `RGB_MEAN` and divide by `RGB_STD`, per channel.
""", '''
def preprocess(img, image_shape):
    """照片 → 标准化的 (1, 3, h, w) 张量 / Photo -> normalised (1, 3, h, w) batch."""
    ### BEGIN SOLUTION
    X = img.permute(2, 0, 1).unsqueeze(0).float() / 255
    X = F.interpolate(X, size=tuple(image_shape), mode="bilinear", align_corners=False)
    return (X - RGB_MEAN.reshape(1, 3, 1, 1)) / RGB_STD.reshape(1, 3, 1, 1)
    ### END SOLUTION
''')
    nb.question("postprocess", """
写 `postprocess(X)`：`preprocess` 的反向：`X` 是 `(1, 3, h, w)`；返回 `(h, w, 3)` 的 float32 张量：按通道乘 `RGB_STD`、加 `RGB_MEAN`，再把值截断到 `[0, 1]`（`torch.clamp`）。
（书中最后转成 PIL 图像；这里返回张量，要显示时乘 255 转成 uint8 即可。）
""", """
Write `postprocess(X)`, the inverse of `preprocess`: `X` is `(1, 3, h, w)`; return an `(h, w, 3)` float32 tensor: multiply by `RGB_STD` and add
`RGB_MEAN` per channel, then clip the values to `[0, 1]` (`torch.clamp`). (The book ends with a PIL image; we return the tensor: multiply by 255
and convert to uint8 to show it.)
""", '''
def postprocess(X):
    """(1, 3, h, w) → (h, w, 3)，值在 [0, 1] / Undo the normalisation; values in [0, 1]."""
    ### BEGIN SOLUTION
    img = X[0].detach().permute(1, 2, 0) * RGB_STD + RGB_MEAN
    return torch.clamp(img, 0, 1)
    ### END SOLUTION
''')
    nb.demo("roundtrip-demo", """
不缩放时，`postprocess(preprocess(img))` 与 `img / 255` 相差不到 1/255。
""", """
Without resizing, `postprocess(preprocess(img))` is within 1/255 of `img / 255`.
""", f"""
try:
    if content_img is not None:
        back = postprocess(preprocess(content_img, content_img.shape[:2]))
        print("最大差 / max difference:", float((back - content_img.float() / 255).abs().max()), "< 1/255 =", 1 / 255)
{NOT_YET}
""")
    nb.md("vgg", """
书中用 ImageNet 上预训练的 VGG-19 抽取特征：内容层是第 25 层（第四块的最后一个卷积层 conv4_4），样式层是第 0、5、10、19、28 层（每一块的第一个卷积层 conv1_1 … conv5_1）。
只需要前 29 层，所以 `net` 是 `vgg19_features()` 的前 29 个模块。这里的 VGG-19 没有预训练权重（9.10 节给出的 `vgg19_features` 与 torchvision 的编号相同）。
注意：这些 VGG 的 ReLU 是 `inplace=True`：保存下来的卷积层输出会被下一层的 ReLU 原地改写，所以实际得到的是 ReLU 之后的值，书中的代码也是如此。
""", """
The book extracts features with VGG-19 pretrained on ImageNet: the content layer is layer 25 (conv4_4, the last convolution of the fourth block), the style layers are 0, 5, 10, 19 and 28
(the first convolution of every block, conv1_1 … conv5_1). Only the first 29 layers are needed, so `net` is the first 29 modules of
`vgg19_features()`. This VGG-19 has no pretrained weights (the `vgg19_features` given in §9.10 numbers its layers as torchvision does). Note that its
ReLUs are `inplace=True`: a saved convolution output is overwritten in place by the next layer's ReLU, so what is kept are the values after the
ReLU; the book's code behaves the same way.
""")
    nb.given("vgg19", '''
# vgg19_features 在 9.10 节给出的骨干代码里 / vgg19_features is in the backbone code given in §9.10
content_layers, style_layers = [25], [0, 5, 10, 19, 28]
pretrained_net = vgg19_features()
net = nn.Sequential(*[pretrained_net[i] for i in range(max(content_layers + style_layers) + 1)])
''')
    nb.question("extract_features", """
写 `extract_features(X, content_layers, style_layers)`：把 `X` 依次送进全局变量 `net` 的每一层（`for i in range(len(net)): X = net[i](X)`），
第 `i` 层的输出若 `i` 在 `style_layers` 里就加入样式特征列表，在 `content_layers` 里就加入内容特征列表（两者可以都加）。返回 `(contents, styles)` 两个列表，按层的顺序。

评分时 `net` 会换成一个小的卷积网络，`content_layers`、`style_layers` 也会变化。
""", """
Write `extract_features(X, content_layers, style_layers)`: feed `X` through every layer of the global `net` in turn
(`for i in range(len(net)): X = net[i](X)`); if `i` is in `style_layers`, append layer `i`'s output to the style features, if it is in
`content_layers` to the content features (both may hold). Return the two lists `(contents, styles)`, in layer order.

During grading `net` is replaced by a small convolutional network, and `content_layers` and `style_layers` vary.
""", '''
def extract_features(X, content_layers, style_layers):
    """逐层前向，取出指定层的输出 / Run net layer by layer, keep the chosen layers' outputs."""
    ### BEGIN SOLUTION
    contents, styles = [], []
    for i in range(len(net)):
        X = net[i](X)
        if i in style_layers:
            styles.append(X)
        if i in content_layers:
            contents.append(X)
    return contents, styles
    ### END SOLUTION
''')
    nb.given("get-contents-styles", '''
def get_contents(image_shape):
    """内容图像及其内容特征 / The content image and its content features."""
    content_X = preprocess(content_img, image_shape)
    contents_Y, _ = extract_features(content_X, content_layers, style_layers)
    return content_X, contents_Y


def get_styles(image_shape):
    """样式图像及其样式特征 / The style image and its style features."""
    style_X = preprocess(style_img, image_shape)
    _, styles_Y = extract_features(style_X, content_layers, style_layers)
    return style_X, styles_Y
''')
    nb.md("losses", """
三种损失：

- **内容损失**：合成图像与内容图像在内容层上特征的均方误差。
- **样式损失**：先把 `(1, c, h, w)` 的特征变成 `c × hw` 的矩阵 `X`，它的 **Gram 矩阵** `X Xᵀ / (c·hw)` 描述各通道之间的相关，与位置无关；样式损失是两张图 Gram 矩阵的均方误差。
- **总变差损失**：相邻像素（上下、左右）差的绝对值的平均，让合成图像少一些高频噪点。

目标（内容特征、样式的 Gram 矩阵）是常数，计算损失时要 `detach()`，梯度只流向合成图像。
""", """
Three losses:

- **Content loss**: the mean squared error between the synthesised and the content image's features at the content layers.
- **Style loss**: reshape a `(1, c, h, w)` feature map into the `c × hw` matrix `X`; its **Gram matrix** `X Xᵀ / (c·hw)` describes how the
  channels correlate, wherever they are; the style loss is the mean squared error between the two images' Gram matrices.
- **Total-variation loss**: the mean absolute difference of neighbouring pixels (vertical and horizontal), which removes high-frequency noise
  from the synthesised image.

The targets (content features, style Gram matrices) are constants: `detach()` them in the losses, so gradients reach only the synthesised image.
""")
    nb.question("gram", """
写 `gram(X)`：`X` 的形状是 `(1, c, h, w)`；变形为 `(c, h·w)` 后返回 `X Xᵀ / (c·h·w)`，形状 `(c, c)`。
""", """
Write `gram(X)`: `X` has shape `(1, c, h, w)`; reshape it to `(c, h·w)` and return `X Xᵀ / (c·h·w)`, shape `(c, c)`.
""", '''
def gram(X):
    """Gram 矩阵 / The Gram matrix X Xᵀ / (c·hw)."""
    ### BEGIN SOLUTION
    num_channels, n = X.shape[1], X.numel() // X.shape[1]
    X = X.reshape(num_channels, n)
    return X @ X.T / (num_channels * n)
    ### END SOLUTION
''')
    nb.question("content_loss", """
写 `content_loss(Y_hat, Y)`：返回 `Y_hat` 与 `Y.detach()` 之差的平方的平均（标量张量）。
""", """
Write `content_loss(Y_hat, Y)`: return the mean of the squared difference between `Y_hat` and `Y.detach()` (a scalar tensor).
""", '''
def content_loss(Y_hat, Y):
    """内容损失 / Content loss."""
    ### BEGIN SOLUTION
    return torch.square(Y_hat - Y.detach()).mean()
    ### END SOLUTION
''')
    nb.question("style_loss", """
写 `style_loss(Y_hat, gram_Y)`：`gram_Y` 是样式图像特征的 Gram 矩阵（已经算好）；返回 `gram(Y_hat)` 与 `gram_Y.detach()` 之差的平方的平均。评分时 `gram` 会换成标准实现。
""", """
Write `style_loss(Y_hat, gram_Y)`: `gram_Y` is the style image's Gram matrix (already computed); return the mean of the squared difference
between `gram(Y_hat)` and `gram_Y.detach()`. During grading `gram` is replaced by a reference version.
""", '''
def style_loss(Y_hat, gram_Y):
    """样式损失 / Style loss."""
    ### BEGIN SOLUTION
    return torch.square(gram(Y_hat) - gram_Y.detach()).mean()
    ### END SOLUTION
''')
    nb.question("tv_loss", """
写 `tv_loss(Y_hat)`：`Y_hat` 是 `(1, 3, h, w)`；返回 `0.5 × (上下相邻像素差的绝对值的平均 + 左右相邻像素差的绝对值的平均)`。
""", """
Write `tv_loss(Y_hat)`: `Y_hat` is `(1, 3, h, w)`; return `0.5 × (mean absolute difference of vertical neighbours + mean absolute difference of
horizontal neighbours)`.
""", '''
def tv_loss(Y_hat):
    """总变差损失 / Total-variation loss."""
    ### BEGIN SOLUTION
    return 0.5 * (torch.abs(Y_hat[:, :, 1:, :] - Y_hat[:, :, :-1, :]).mean()
                  + torch.abs(Y_hat[:, :, :, 1:] - Y_hat[:, :, :, :-1]).mean())
    ### END SOLUTION
''')
    nb.given("loss-weights", '''
content_weight, style_weight, tv_weight = 1, 1e3, 10
''')
    nb.question("compute_loss", """
写 `compute_loss(X, contents_Y_hat, styles_Y_hat, contents_Y, styles_Y_gram)`，返回元组 `(contents_l, styles_l, tv_l, l)`：

- `contents_l`：列表，第 k 项是 `content_loss(contents_Y_hat[k], contents_Y[k]) * content_weight`；
- `styles_l`：列表，第 k 项是 `style_loss(styles_Y_hat[k], styles_Y_gram[k]) * style_weight`；
- `tv_l = tv_loss(X) * tv_weight`；
- `l`：以上所有损失之和（`sum(styles_l + contents_l + [tv_l])`）。

评分时三个损失函数会换成标准实现。
""", """
Write `compute_loss(X, contents_Y_hat, styles_Y_hat, contents_Y, styles_Y_gram)`, returning the tuple `(contents_l, styles_l, tv_l, l)`:

- `contents_l`: a list whose item k is `content_loss(contents_Y_hat[k], contents_Y[k]) * content_weight`;
- `styles_l`: a list whose item k is `style_loss(styles_Y_hat[k], styles_Y_gram[k]) * style_weight`;
- `tv_l = tv_loss(X) * tv_weight`;
- `l`: the sum of all these losses (`sum(styles_l + contents_l + [tv_l])`).

During grading the three loss functions are replaced by reference versions.
""", '''
def compute_loss(X, contents_Y_hat, styles_Y_hat, contents_Y, styles_Y_gram):
    """加权的各项损失与总损失 / The weighted losses and their sum."""
    ### BEGIN SOLUTION
    contents_l = [content_loss(Y_hat, Y) * content_weight
                  for Y_hat, Y in zip(contents_Y_hat, contents_Y)]
    styles_l = [style_loss(Y_hat, Y) * style_weight
                for Y_hat, Y in zip(styles_Y_hat, styles_Y_gram)]
    tv_l = tv_loss(X) * tv_weight
    l = sum(styles_l + contents_l + [tv_l])
    return contents_l, styles_l, tv_l, l
    ### END SOLUTION
''')
    nb.question("SynthesizedImage", """
合成图像是模型唯一的参数。写类 `SynthesizedImage(img_shape)`（`nn.Module` 的子类）：在 `__init__` 里创建参数 `self.weight = nn.Parameter(torch.rand(*img_shape))`；`forward()` 不接受输入，返回 `self.weight`。
""", """
The synthesised image is the model's only parameter. Write the class `SynthesizedImage(img_shape)` (a subclass of `nn.Module`): `__init__` creates
the parameter `self.weight = nn.Parameter(torch.rand(*img_shape))`; `forward()` takes no input and returns `self.weight`.
""", '''
class SynthesizedImage(nn.Module):
    """把合成图像作为参数 / The synthesised image as the module's parameter."""

    def __init__(self, img_shape):
        ### BEGIN SOLUTION
        super().__init__()
        self.weight = nn.Parameter(torch.rand(*img_shape))
        ### END SOLUTION

    def forward(self):
        ### BEGIN SOLUTION
        return self.weight
        ### END SOLUTION
''')
    nb.given("get-inits", '''
def get_inits(X, lr, styles_Y):
    """合成图像（从 X 开始）、样式的 Gram 矩阵和优化器 / Image (starting at X), style Grams, Adam."""
    gen_img = SynthesizedImage(X.shape)
    with torch.no_grad():
        gen_img.weight.copy_(X)
    trainer = torch.optim.Adam(gen_img.parameters(), lr=lr)
    styles_Y_gram = [gram(Y) for Y in styles_Y]
    return gen_img(), styles_Y_gram, trainer
''')
    nb.md("lr-decay", """
书中每过 `lr_decay_epoch` 个周期把学习率乘以 0.1。PyTorch 里用学习率调度器 `torch.optim.lr_scheduler.StepLR(trainer, step_size=lr_decay_epoch, gamma=0.1)`：每个周期结束时调用一次 `scheduler.step()`。
""", """
The book multiplies the learning rate by 0.1 every `lr_decay_epoch` epochs. In PyTorch that is the scheduler
`torch.optim.lr_scheduler.StepLR(trainer, step_size=lr_decay_epoch, gamma=0.1)`, with one `scheduler.step()` at the end of every epoch.
""")
    nb.question("step_lr_schedule", """
写 `step_lr_schedule(lr, lr_decay_epoch, num_epochs)`：为一个参数（例如 `nn.Parameter(torch.zeros(1))`）建 `torch.optim.Adam(..., lr=lr)` 和上面的 `StepLR`，
模拟 `num_epochs` 个周期：每个周期先记下当前的学习率 `trainer.param_groups[0]["lr"]`（Python float），再 `trainer.step()`、`scheduler.step()`。返回这 `num_epochs` 个学习率组成的列表。
例如 `step_lr_schedule(0.3, 2, 5)` 约为 `[0.3, 0.3, 0.03, 0.03, 0.003]`。
""", """
Write `step_lr_schedule(lr, lr_decay_epoch, num_epochs)`: for one parameter (say `nn.Parameter(torch.zeros(1))`) build `torch.optim.Adam(..., lr=lr)`
and the `StepLR` above, and simulate `num_epochs` epochs: each first records the current learning rate `trainer.param_groups[0]["lr"]` (a
Python float), then calls `trainer.step()` and `scheduler.step()`. Return the list of those `num_epochs` learning rates. For example
`step_lr_schedule(0.3, 2, 5)` is about `[0.3, 0.3, 0.03, 0.03, 0.003]`.
""", '''
def step_lr_schedule(lr, lr_decay_epoch, num_epochs):
    """每个周期的学习率 / The learning rate of every epoch under StepLR."""
    ### BEGIN SOLUTION
    trainer = torch.optim.Adam([nn.Parameter(torch.zeros(1))], lr=lr)
    scheduler = torch.optim.lr_scheduler.StepLR(trainer, lr_decay_epoch, 0.1)
    lrs = []
    for _ in range(num_epochs):
        lrs.append(float(trainer.param_groups[0]["lr"]))
        trainer.step()
        scheduler.step()
    return lrs
    ### END SOLUTION
''')
    nb.question("train", """
写 `train(X, contents_Y, styles_Y, lr, num_epochs, lr_decay_epoch)`：

1. `X, styles_Y_gram, trainer = get_inits(X, lr, styles_Y)`；建 `StepLR(trainer, lr_decay_epoch, 0.1)`；
2. 每个周期：清零梯度；`extract_features(X, content_layers, style_layers)` 得到合成图像的内容和样式特征；`compute_loss` 算出总损失 `l`；`l.backward()`；`trainer.step()`；`scheduler.step()`；
3. 返回合成图像 `X`。

评分时 `extract_features` 换成一个固定的小网络，`compute_loss` 和 `gram` 换成标准实现；评分程序自己计算返回的图像的总损失，应降到起点（内容图像）的 0.6 倍以下。
""", """
Write `train(X, contents_Y, styles_Y, lr, num_epochs, lr_decay_epoch)`:

1. `X, styles_Y_gram, trainer = get_inits(X, lr, styles_Y)`; build `StepLR(trainer, lr_decay_epoch, 0.1)`;
2. every epoch: zero the gradients; get the synthesised image's content and style features with `extract_features(X, content_layers, style_layers)`;
   compute the total loss `l` with `compute_loss`; `l.backward()`; `trainer.step()`; `scheduler.step()`;
3. return the synthesised image `X`.

During grading `extract_features` is replaced by a small fixed network and `compute_loss` and `gram` by reference versions; the grader itself
computes the total loss of the image returned, which must be below 0.6 times that of the starting point (the content image).
""", '''
def train(X, contents_Y, styles_Y, lr, num_epochs, lr_decay_epoch):
    """优化合成图像 / Optimise the synthesised image."""
    ### BEGIN SOLUTION
    X, styles_Y_gram, trainer = get_inits(X, lr, styles_Y)
    scheduler = torch.optim.lr_scheduler.StepLR(trainer, lr_decay_epoch, 0.1)
    for _ in range(num_epochs):
        trainer.zero_grad()
        contents_Y_hat, styles_Y_hat = extract_features(X, content_layers, style_layers)
        contents_l, styles_l, tv_l, l = compute_loss(X, contents_Y_hat, styles_Y_hat,
                                                     contents_Y, styles_Y_gram)
        l.backward()
        trainer.step()
        scheduler.step()
    return X
    ### END SOLUTION
''')
    nb.demo("style-demo", """
在很小的尺寸上跑几步（VGG-19 是随机初始化的，所以得不到书中的效果，只看总损失在下降）。在自己的机器上可以换成更大的 `image_shape` 和更多周期。
""", """
Run a few steps at a very small size (VGG-19 is randomly initialised, so the book's result is out of reach; watch the total loss fall). On
your own machine try a larger `image_shape` and more epochs.
""", f"""
try:
    if content_img is not None:
        image_shape = (32, 48)
        content_X, contents_Y = get_contents(image_shape)
        _, styles_Y = get_styles(image_shape)
        styles_Y = [Y.detach() for Y in styles_Y]
        contents_Y = [Y.detach() for Y in contents_Y]

        def total_loss(img):
            c_hat, s_hat = extract_features(img, content_layers, style_layers)
            return float(compute_loss(img, c_hat, s_hat, contents_Y, [gram(Y) for Y in styles_Y])[3])

        with torch.no_grad():
            before = total_loss(content_X)
        output = train(content_X, contents_Y, styles_Y, 0.3, 4, 2)
        with torch.no_grad():
            after = total_loss(output.detach())
        print(f"总损失 / total loss: {{before:.4g}} -> {{after:.4g}};", "图像 / image:", tuple(postprocess(output).shape))
{NOT_YET}
""")


def main() -> int:
    nb = MasterNotebook(ASSIGNMENT, NOTEBOOK)
    intro(nb)
    sec_9_9(nb)
    sec_9_10(nb)
    sec_9_11(nb)
    nb.write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
