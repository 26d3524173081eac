# ruff: noqa: E501  (the notebook prose is markdown; its lines are kept as written)
"""Write the master notebook ``solutions/ch09_vision/detection.ipynb`` (§9.3–9.8).

    .venv/bin/python scripts/notebooks/ch09_detection.py

Cells come from :class:`scripts.notebooks.cells.MasterNotebook`; points come from
``solutions/ch09_vision/detection.py``.  Prose is our own, 简体中文 first and English
beneath.  The Pikachu data is the grader's stand-in under ``$D2L_DATA_DIR/pikachu``
(written by :func:`reference_impl.pikachu.write_standin`).
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT, NOTEBOOK = "ch09_vision", "detection"
sys.path.insert(0, str(ROOT))

from reference_impl import pikachu  # noqa: E402
from scripts.notebooks.cells import MasterNotebook  # noqa: E402

UNFINISHED = 'print("先完成上面的填空 / finish the blanks above first")'


def boxes_part(nb: MasterNotebook) -> None:
    """§9.3 boxes."""
    nb.md("sec-9-3", """
## 9.3 目标检测和边界框 / Object Detection and Bounding Boxes

目标检测不仅要说出图里有什么，还要用**边界框**框出它在哪里。常用两种写法：两角表示 (x左上, y左上, x右下, y右下)，
以及中心表示 (中心 x, 中心 y, 宽, 高)。书中的例子是一张 728×561 的图，狗的框是 [60, 45, 378, 516]，猫的框是 [400, 112, 655, 493]（像素，x 向右、y 向下）。
""", """
## 9.3 Object Detection and Bounding Boxes

Detection says not only what is in an image but also where, with a **bounding box**. Two notations are common: corners
(x upper-left, y upper-left, x lower-right, y lower-right) and centre form (centre x, centre y, width, height). The book's
example is a 728×561 photo with the dog at [60, 45, 378, 516] and the cat at [400, 112, 655, 493] (pixels, x to the right,
y downwards).
""")
    nb.question("bbox_to_rect_args", """
matplotlib 的 `plt.Rectangle` 要的是一个角和宽、高，而不是两个角。写 `bbox_to_rect_args(bbox)`：`bbox` 是四个数的列表
(xmin, ymin, xmax, ymax)，返回元组 `((xmin, ymin), width, height)`，其中都是 Python 浮点数。下面给出的 `bbox_to_rect` 用它画框（画图不计分）。
""", """
matplotlib's `plt.Rectangle` wants one corner plus a width and a height, not two corners. Write `bbox_to_rect_args(bbox)`:
`bbox` is a list of four numbers (xmin, ymin, xmax, ymax); return the tuple `((xmin, ymin), width, height)` of Python
floats. The `bbox_to_rect` given below draws with it (plots are not graded).
""", '''
def bbox_to_rect_args(bbox):
    """两角 -> (左上角, 宽, 高) / corners -> (upper-left corner, width, height)."""
    ### BEGIN SOLUTION
    xmin, ymin, xmax, ymax = (float(v) for v in bbox)
    return (xmin, ymin), xmax - xmin, ymax - ymin
    ### END SOLUTION
''')
    nb.given("bbox-to-rect", '''
def bbox_to_rect(bbox, color):
    """matplotlib 的矩形框 / A matplotlib rectangle outlining bbox."""
    import matplotlib.pyplot as plt
    xy, width, height = bbox_to_rect_args(bbox)
    return plt.Rectangle(xy=xy, width=width, height=height, fill=False, edgecolor=color, linewidth=2)
''')
    nb.question("box_corner_to_center", """
写 `box_corner_to_center(boxes)`：`boxes` 形状为 (n, 4)，每行是两角表示；返回同形状的中心表示 (cx, cy, w, h)。
""", """
Write `box_corner_to_center(boxes)`: `boxes` has shape (n, 4), one corner box per row; return the centre form
(cx, cy, w, h) with the same shape.
""", '''
def box_corner_to_center(boxes):
    """(xmin, ymin, xmax, ymax) -> (cx, cy, w, h)."""
    ### BEGIN SOLUTION
    x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    return torch.stack(((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1), dim=-1)
    ### END SOLUTION
''')
    nb.question("box_center_to_corner", """
写它的逆 `box_center_to_corner(boxes)`：(n, 4) 的中心表示 -> 两角表示。两个函数连用应回到原样。
""", """
Write the inverse `box_center_to_corner(boxes)`: centre form (n, 4) -> corners. Applying both should give the input back.
""", '''
def box_center_to_corner(boxes):
    """(cx, cy, w, h) -> (xmin, ymin, xmax, ymax)."""
    ### BEGIN SOLUTION
    cx, cy, w, h = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    return torch.stack((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), dim=-1)
    ### END SOLUTION
''')
    nb.demo("boxes-demo", """
狗和猫的框：换成中心表示再换回来，应与原来相等；`bbox_to_rect_args` 给出画框所需的参数。
""", """
The dog and cat boxes: to centre form and back should give them unchanged; `bbox_to_rect_args` gives what a drawn box
needs.
""", f"""
try:
    dog_cat = torch.tensor([[60.0, 45.0, 378.0, 516.0], [400.0, 112.0, 655.0, 493.0]])
    print(box_center_to_corner(box_corner_to_center(dog_cat)) == dog_cat)
    print(bbox_to_rect_args([60.0, 45.0, 378.0, 516.0]))
except NotImplementedError:
    {UNFINISHED}
""")


def anchors_part(nb: MasterNotebook) -> None:
    """§9.4 anchors, IoU, labelling, NMS."""
    nb.md("sec-9-4", """
## 9.4 锚框 / Anchor Boxes

很多检测模型先在图上铺出大量**锚框**，再判断每个锚框里有没有目标、目标的真实边界框相对它偏移了多少。
本节的坐标都**按图像宽、高归一化**到 [0, 1]。以每个像素为中心，设大小 s ∈ (0, 1]、宽高比 r > 0，锚框宽为 s·√r、高为 s/√r
（宽再乘 h/w，使 r = 1 的锚框在像素上是正方形，这是书中 MXNet 算子 `MultiBoxPrior` 的做法）。
大小 s₁…sₙ 和宽高比 r₁…rₘ 全部组合太多，书中只取含 s₁ 或 r₁ 的 n + m − 1 种。
""", """
## 9.4 Anchor Boxes

Many detectors first tile the image with many **anchor boxes**, then decide for each anchor whether it holds an object
and how far the object's true box is offset from it. In this section coordinates are **normalised by the image width and
height** to [0, 1]. Centred on each pixel, with a size s ∈ (0, 1] and an aspect ratio r > 0, an anchor is s·√r wide and
s/√r high (the width is multiplied by h/w as well, so that r = 1 gives a square in pixels, as the book's MXNet operator
`MultiBoxPrior` does). Every pair of sizes s₁…sₙ and ratios r₁…rₘ would be too many, so the book takes only the n + m − 1
pairs that contain s₁ or r₁.
""")
    nb.question("multibox_prior", """
写 `multibox_prior(data, sizes, ratios)`：`data` 的最后两维是高 h 和宽 w（其余维不用），返回形状为 (1, h·w·a, 4) 的锚框，a = len(sizes) + len(ratios) − 1。

- 像素 (i, j) 的中心是 ((j + 0.5)/w, (i + 0.5)/h)；像素按行优先排列（先 i 后 j）。
- 每个像素的 a 个锚框顺序为：(s₁, r₁), (s₂, r₁), …, (sₙ, r₁), (s₁, r₂), …, (s₁, rₘ)。
- 宽 = s·√r·h/w，高 = s/√r；每行为 (xmin, ymin, xmax, ymax)，不要截断到 [0, 1]。

书中的检验：形状 (1, 3, 561, 728)、sizes = [0.75, 0.5, 0.25]、ratios = [1, 2, 0.5] 时共 2042040 个锚框，把结果变形为 (561, 728, 5, 4) 后 `[250, 250, 0]` 约为 [0.0551, 0.0715, 0.6331, 0.8215]。
""", """
Write `multibox_prior(data, sizes, ratios)`: the last two dimensions of `data` are its height h and width w (nothing else
of it is used); return anchors of shape (1, h·w·a, 4), a = len(sizes) + len(ratios) − 1.

- Pixel (i, j) has centre ((j + 0.5)/w, (i + 0.5)/h); pixels are in row-major order (i, then j).
- The a anchors of a pixel come in the order (s₁, r₁), (s₂, r₁), …, (sₙ, r₁), (s₁, r₂), …, (s₁, rₘ).
- Width = s·√r·h/w, height = s/√r; rows are (xmin, ymin, xmax, ymax), not clipped to [0, 1].

The book's check: for shape (1, 3, 561, 728), sizes = [0.75, 0.5, 0.25] and ratios = [1, 2, 0.5] there are 2042040
anchors, and after reshaping to (561, 728, 5, 4) entry `[250, 250, 0]` is about [0.0551, 0.0715, 0.6331, 0.8215].
""", '''
def multibox_prior(data, sizes, ratios):
    """以每个像素为中心的锚框 / Anchors centred on every pixel: (1, h*w*a, 4)."""
    ### BEGIN SOLUTION
    h, w = data.shape[-2:]
    size_t = torch.tensor(sizes, dtype=torch.float32)
    ratio_t = torch.tensor(ratios, dtype=torch.float32)
    widths = torch.cat((size_t * math.sqrt(ratios[0]), sizes[0] * ratio_t[1:].sqrt())) * h / w
    heights = torch.cat((size_t / math.sqrt(ratios[0]), sizes[0] / ratio_t[1:].sqrt()))
    half = torch.stack((-widths, -heights, widths, heights), dim=1) / 2
    cy = (torch.arange(h, dtype=torch.float32) + 0.5) / h
    cx = (torch.arange(w, dtype=torch.float32) + 0.5) / w
    yy, xx = torch.meshgrid(cy, cx, indexing="ij")
    centres = torch.stack((xx, yy, xx, yy), dim=-1).reshape(-1, 1, 4)
    return (centres + half).reshape(1, -1, 4)
    ### END SOLUTION
''')
    nb.demo("prior-demo", """
书中的检验：锚框总数和像素 (250, 250) 的第一个锚框。
""", """
The book's check: the number of anchors and the first anchor of pixel (250, 250).
""", f"""
try:
    Y = multibox_prior(torch.zeros((1, 3, 561, 728)), sizes=[0.75, 0.5, 0.25], ratios=[1, 2, 0.5])
    print(Y.shape, Y.reshape(561, 728, 5, 4)[250, 250, 0])
except NotImplementedError:
    {UNFINISHED}
""")
    nb.question("box_iou", """
**交并比**（IoU，Jaccard 指数）= 交集面积 / 并集面积。写 `box_iou(boxes1, boxes2)`：两组两角表示的框，形状 (n, 4) 和 (m, 4)，返回 (n, m) 的矩阵，第 (i, j) 项是 boxes1[i] 与 boxes2[j] 的交并比。不相交时为 0。请用张量运算（广播），不要用 torchvision。
""", """
**Intersection over union** (IoU, the Jaccard index) = area of the intersection / area of the union. Write
`box_iou(boxes1, boxes2)`: two sets of corner boxes of shapes (n, 4) and (m, 4); return the (n, m) matrix whose (i, j)
entry is the IoU of boxes1[i] and boxes2[j], 0 when they do not meet. Use tensor operations (broadcasting), not
torchvision.
""", '''
def box_iou(boxes1, boxes2):
    """两两交并比 / Pairwise IoU: (n, 4), (m, 4) -> (n, m)."""
    ### BEGIN SOLUTION
    def area(b):
        return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])

    upper_left = torch.max(boxes1[:, None, :2], boxes2[None, :, :2])
    lower_right = torch.min(boxes1[:, None, 2:], boxes2[None, :, 2:])
    sides = (lower_right - upper_left).clamp(min=0)
    inter = sides[..., 0] * sides[..., 1]
    return inter / (area(boxes1)[:, None] + area(boxes2)[None, :] - inter)
    ### END SOLUTION
''')
    nb.md("label-anchors", """
训练时每个锚框要有标签：它负责哪个真实框（或者是背景），以及相对那个框的偏移量。书中的分配方法：
先在 IoU 矩阵（行 = 锚框，列 = 真实框）里找最大的一项 (i, j)，把锚框 i 分给真实框 j，再删掉第 i 行和第 j 列；重复到每个真实框都分到一个锚框。
其余锚框各自找 IoU 最大的真实框，IoU 不小于阈值才分给它，否则为背景。
""", """
For training, every anchor needs labels: which true box it is responsible for (or background), and its offset from that
box. The book's assignment: find the largest entry (i, j) of the IoU matrix (rows = anchors, columns = true boxes), give
anchor i to box j, and strike out row i and column j; repeat until every true box has an anchor. Every other anchor
takes the true box it overlaps most, provided that IoU reaches the threshold, and is background otherwise.
""")
    nb.question("assign_anchor_to_bbox", """
写 `assign_anchor_to_bbox(ground_truth, anchors, iou_threshold=0.5)`：`ground_truth` (m, 4)、`anchors` (n, 4)，返回长度为 n 的 int64 张量，第 i 项是分给锚框 i 的真实框下标，背景为 −1。调用你的 `box_iou(anchors, ground_truth)`。
（先按阈值分配、再做逐个取最大的那一步，让后者覆盖前者；书中的例子结果为 [−1, 0, 1, −1, 1]。）
""", """
Write `assign_anchor_to_bbox(ground_truth, anchors, iou_threshold=0.5)`: `ground_truth` (m, 4), `anchors` (n, 4);
return an int64 tensor of length n whose entry i is the index of the true box given to anchor i, −1 for background.
Call your `box_iou(anchors, ground_truth)`. (Do the threshold assignment first and the one-by-one maximum step after
it, so the latter overrides; the book's example gives [−1, 0, 1, −1, 1].)
""", '''
def assign_anchor_to_bbox(ground_truth, anchors, iou_threshold=0.5):
    """每个锚框负责的真实框下标，背景为 -1 / Index of each anchor's true box, -1 for none."""
    ### BEGIN SOLUTION
    n_anchors, n_gt = anchors.shape[0], ground_truth.shape[0]
    iou = box_iou(anchors, ground_truth)
    best_iou, best_gt = iou.max(dim=1)
    assigned = torch.where(best_iou >= iou_threshold, best_gt,
                           torch.full((n_anchors,), -1, dtype=torch.long))
    for _ in range(n_gt):
        flat = int(torch.argmax(iou))
        a, j = flat // n_gt, flat % n_gt
        assigned[a] = j
        iou[:, j] = -1
        iou[a, :] = -1
    return assigned
    ### END SOLUTION
''')
    nb.question("offset_boxes", """
锚框 A（中心表示 (x_a, y_a, w_a, h_a)）到分给它的框 B（(x_b, y_b, w_b, h_b)）的**偏移量**为
(10·(x_b − x_a)/w_a, 10·(y_b − y_a)/h_a, 5·log(ε + w_b/w_a), 5·log(ε + h_b/h_a))，ε = 1e-6
（书中取均值 0、标准差 0.1 和 0.2 的常数，于是乘 10 和 5）。写 `offset_boxes(anchors, assigned_bb, eps=1e-6)`：两者都是两角表示 (n, 4)，返回 (n, 4)。调用你的 `box_corner_to_center`。
""", """
The **offset** of the box B assigned to anchor A, in centre form (x_b, y_b, w_b, h_b) and (x_a, y_a, w_a, h_a), is
(10·(x_b − x_a)/w_a, 10·(y_b − y_a)/h_a, 5·log(ε + w_b/w_a), 5·log(ε + h_b/h_a)), ε = 1e-6 (the book's constants: means
0 and standard deviations 0.1 and 0.2, hence the factors 10 and 5). Write `offset_boxes(anchors, assigned_bb, eps=1e-6)`:
both are corner boxes (n, 4); return (n, 4). Call your `box_corner_to_center`.
""", '''
def offset_boxes(anchors, assigned_bb, eps=1e-6):
    """锚框到所分配框的偏移量 / Offsets of assigned boxes from their anchors."""
    ### BEGIN SOLUTION
    a = box_corner_to_center(anchors)
    b = box_corner_to_center(assigned_bb)
    xy = 10 * (b[:, :2] - a[:, :2]) / a[:, 2:]
    wh = 5 * torch.log(eps + b[:, 2:] / a[:, 2:])
    return torch.cat((xy, wh), dim=1)
    ### END SOLUTION
''')
    nb.question("multibox_target", """
写 `multibox_target(anchors, labels)`：`anchors` 形状 (1, n, 4)，`labels` 形状 (b, m, 5)，每行是 (类别, xmin, ymin, xmax, ymax)。对批量中每张图：

- 用 `assign_anchor_to_bbox(label[:, 1:], anchors[0])` 分配；
- 类别标签：分到第 j 个框的锚框为 `label[j, 0] + 1`（0 留给背景），其余为 0，int64；
- 掩码：分到框的锚框四个位置为 1，其余为 0（float32）；
- 偏移量：`offset_boxes` 的结果乘掩码（背景锚框的偏移量为 0）。

返回 `(bbox_offset, bbox_mask, class_labels)`，形状分别为 (b, 4n)、(b, 4n)、(b, n)。对图像和真实框写循环，锚框用张量运算一次算完：逐个锚框循环得到的值相同（评分只比较值），但在成千上万个锚框上会很慢。
""", """
Write `multibox_target(anchors, labels)`: `anchors` has shape (1, n, 4), `labels` shape (b, m, 5) with rows (class, xmin,
ymin, xmax, ymax). For each image of the batch:

- assign with `assign_anchor_to_bbox(label[:, 1:], anchors[0])`;
- class labels: an anchor given box j gets `label[j, 0] + 1` (0 is background), the others 0, as int64;
- mask: 1 in the four positions of an anchor that has a box, 0 otherwise (float32);
- offsets: those of `offset_boxes`, times the mask (background anchors get offset 0).

Return `(bbox_offset, bbox_mask, class_labels)` of shapes (b, 4n), (b, 4n) and (b, n). Loop over images and true boxes,
and handle the anchors with tensor operations: a loop over the anchors gives the same values (grading compares values only), but it is slow with thousands of anchors.
""", '''
def multibox_target(anchors, labels):
    """锚框的训练标签 / Training targets of the anchors: offsets, mask, classes."""
    ### BEGIN SOLUTION
    anchors = anchors[0]
    n = anchors.shape[0]
    offsets, masks, classes = [], [], []
    for label in labels:
        assigned = assign_anchor_to_bbox(label[:, 1:], anchors)
        positive = assigned >= 0
        idx = assigned.clamp(min=0)
        cls = torch.where(positive, label[idx, 0].long() + 1, torch.zeros(n, dtype=torch.long))
        mask = positive.float().unsqueeze(-1).repeat(1, 4)
        offsets.append((offset_boxes(anchors, label[idx, 1:] * mask) * mask).reshape(-1))
        masks.append(mask.reshape(-1))
        classes.append(cls)
    return torch.stack(offsets), torch.stack(masks), torch.stack(classes)
    ### END SOLUTION
''')
    nb.demo("target-demo", """
书中的例子：两个真实框（狗、猫）和五个锚框。类别应为 [[0, 1, 2, 0, 2]]。
""", """
The book's example: two true boxes (dog, cat) and five anchors. The classes should be [[0, 1, 2, 0, 2]].
""", f"""
try:
    ground_truth = torch.tensor([[0, 0.1, 0.08, 0.52, 0.92], [1, 0.55, 0.2, 0.9, 0.88]])
    anchors = torch.tensor([[0, 0.1, 0.2, 0.3], [0.15, 0.2, 0.4, 0.4], [0.63, 0.05, 0.88, 0.98],
                            [0.66, 0.45, 0.8, 0.8], [0.57, 0.3, 0.92, 0.9]])
    offset, mask, cls = multibox_target(anchors.unsqueeze(0), ground_truth.unsqueeze(0))
    print(cls, mask, offset, sep="\\n")
except NotImplementedError:
    {UNFINISHED}
""")
    nb.question("offset_inverse", """
预测时反过来：写 `offset_inverse(anchors, offset_preds)`，由锚框 (n, 4)（两角表示）和预测的偏移量 (n, 4) 算出预测框（两角表示）。它是 `offset_boxes` 的逆（忽略 ε）。
""", """
At prediction time we go back: write `offset_inverse(anchors, offset_preds)`, which turns anchors (n, 4, corners) and
predicted offsets (n, 4) into predicted corner boxes. It inverts `offset_boxes` (ignoring ε).
""", '''
def offset_inverse(anchors, offset_preds):
    """由偏移量还原预测框 / Predicted boxes from anchors and offsets."""
    ### BEGIN SOLUTION
    a = box_corner_to_center(anchors)
    xy = offset_preds[:, :2] * a[:, 2:] / 10 + a[:, :2]
    wh = torch.exp(offset_preds[:, 2:] / 5) * a[:, 2:]
    return box_center_to_corner(torch.cat((xy, wh), dim=1))
    ### END SOLUTION
''')
    nb.question("nms", """
**非极大值抑制**：把框按分数从高到低排，取出最高的保留，删去剩下的框中与它 IoU **大于**阈值的，再对剩下的重复。
写 `nms(boxes, scores, iou_threshold)`，返回保留框的下标（int64，按分数从高到低）。书中的例子保留 [0, 3]。
""", """
**Non-maximum suppression**: sort the boxes by descending score, keep the best, drop the remaining boxes whose IoU with it
is **greater than** the threshold, repeat on what is left. Write `nms(boxes, scores, iou_threshold)` returning the
indices of the kept boxes (int64, by descending score). The book's example keeps [0, 3].
""", '''
def nms(boxes, scores, iou_threshold):
    """非极大值抑制 / Non-maximum suppression: indices kept, best first."""
    ### BEGIN SOLUTION
    order = torch.argsort(scores, descending=True)
    keep = []
    while order.numel() > 0:
        best = order[0]
        keep.append(int(best))
        rest = order[1:]
        if rest.numel() == 0:
            break
        iou = box_iou(boxes[best].reshape(1, 4), boxes[rest]).reshape(-1)
        order = rest[iou <= iou_threshold]
    return torch.tensor(keep, dtype=torch.long)
    ### END SOLUTION
''')
    nb.question("multibox_detection", """
写 `multibox_detection(cls_probs, offset_preds, anchors, nms_threshold=0.5, pos_threshold=0.009999999)`：
`cls_probs` (b, 1 + q, n)，第 0 类是背景；`offset_preds` (b, 4n)；`anchors` (1, n, 4)。对每张图：

1. 每个锚框取概率最大的**非背景**类：置信度 conf 与类别号 c（0…q−1）；用 `offset_inverse` 得到预测框；
2. 对所有预测框（不分类别）按 conf 做 `nms`；没被保留的行类别设为 −1；
3. conf 小于 `pos_threshold` 的行也设为 −1，并把置信度改成 1 − conf；
4. 每行为 (类别, 置信度, xmin, ymin, xmax, ymax)，输出 (b, n, 6)。

行的顺序不评分（书中先放保留的行，按置信度从高到低，再放其余的行）。
""", """
Write `multibox_detection(cls_probs, offset_preds, anchors, nms_threshold=0.5, pos_threshold=0.009999999)`: `cls_probs`
is (b, 1 + q, n) with background as class 0; `offset_preds` (b, 4n); `anchors` (1, n, 4). For each image:

1. every anchor takes its most probable **non-background** class: confidence conf and class c (0…q−1); `offset_inverse`
   gives its predicted box;
2. run `nms` by conf over all predicted boxes (classes together); rows not kept get class −1;
3. rows with conf below `pos_threshold` get class −1 too, and confidence 1 − conf;
4. each row is (class, confidence, xmin, ymin, xmax, ymax); the output is (b, n, 6).

The order of rows is not graded (the book puts the kept rows first, by descending confidence, then the others).
""", '''
def multibox_detection(cls_probs, offset_preds, anchors, nms_threshold=0.5,
                       pos_threshold=0.009999999):
    """检测结果 / Detections: (b, n, 6) rows (class, confidence, box)."""
    ### BEGIN SOLUTION
    anchors = anchors[0]
    n = anchors.shape[0]
    out = []
    for probs, offsets in zip(cls_probs, offset_preds):
        conf, cls = probs[1:].max(dim=0)
        boxes = offset_inverse(anchors, offsets.reshape(-1, 4))
        keep = nms(boxes, conf, nms_threshold)
        dropped = torch.ones(n, dtype=torch.bool)
        dropped[keep] = False
        order = torch.cat((keep, torch.arange(n)[dropped]))
        cls = torch.where(dropped, -1, cls)[order].float()
        conf, boxes = conf[order].clone(), boxes[order]
        low = conf < pos_threshold
        cls[low] = -1
        conf[low] = 1 - conf[low]
        out.append(torch.cat((cls[:, None], conf[:, None], boxes), dim=1))
    return torch.stack(out)
    ### END SOLUTION
''')
    nb.demo("detection-demo", """
书中的例子：四个锚框、偏移量全为 0。应保留狗 (0.9) 和猫 (0.9)，另外两行类别为 −1。
""", """
The book's example: four anchors and all-zero offsets. The dog (0.9) and the cat (0.9) should be kept, the other two
rows get class −1.
""", f"""
try:
    anchors = torch.tensor([[0.1, 0.08, 0.52, 0.92], [0.08, 0.2, 0.56, 0.95],
                            [0.15, 0.3, 0.62, 0.91], [0.55, 0.2, 0.9, 0.88]])
    cls_probs = torch.tensor([[0.0] * 4, [0.9, 0.8, 0.7, 0.1], [0.1, 0.2, 0.3, 0.9]])
    print(multibox_detection(cls_probs.unsqueeze(0), torch.zeros(1, 16), anchors.unsqueeze(0)))
except NotImplementedError:
    {UNFINISHED}
""")


def multiscale_and_data(nb: MasterNotebook) -> None:
    """§9.5 multiscale anchors and §9.6 the Pikachu data."""
    nb.md("sec-9-5", """
## 9.5 多尺度目标检测 / Multiscale Object Detection

每个像素都铺锚框太多了。换个办法：在一张形状为 fmap_h × fmap_w 的**特征图**上，每个单元生成锚框，中心均匀分布在图上；
小特征图配大锚框检测大目标，大特征图配小锚框检测小目标。锚框中心只取决于特征图的高和宽。
""", """
## 9.5 Multiscale Object Detection

Anchors on every pixel are too many. Instead, on a **feature map** of shape fmap_h × fmap_w each cell generates anchors,
so their centres are spread evenly over the image; a small feature map with large anchors finds large objects, a large
one with small anchors small objects. Only the feature map's height and width decide the anchor centres.
""")
    nb.question("display_anchors", """
写 `display_anchors(fmap_w, fmap_h, s, img_w, img_h)`：对形状为 (1, 10, fmap_h, fmap_w) 的全零特征图调用 `multibox_prior`（sizes = s，ratios = [1, 2, 0.5]），
取第 0 个批量，再乘 (img_w, img_h, img_w, img_h) 换成像素坐标，返回 (fmap_h·fmap_w·a, 4) 的张量（书中接着把它们画出来，画图不计分）。
""", """
Write `display_anchors(fmap_w, fmap_h, s, img_w, img_h)`: call `multibox_prior` on an all-zero feature map of shape
(1, 10, fmap_h, fmap_w) with sizes = s and ratios = [1, 2, 0.5], take batch entry 0 and multiply by (img_w, img_h,
img_w, img_h) to get pixels; return the (fmap_h·fmap_w·a, 4) tensor (the book then draws them; plots are not graded).
""", '''
def display_anchors(fmap_w, fmap_h, s, img_w, img_h):
    """特征图上的锚框，像素坐标 / Anchors of a feature map, in image pixels."""
    ### BEGIN SOLUTION
    fmap = torch.zeros((1, 10, fmap_h, fmap_w))
    anchors = multibox_prior(fmap, sizes=s, ratios=[1, 2, 0.5])[0]
    return anchors * torch.tensor([img_w, img_h, img_w, img_h], dtype=torch.float32)
    ### END SOLUTION
''')
    nb.md("sec-9-6", """
## 9.6 目标检测数据集（皮卡丘） / The Object Detection Data Set (Pikachu)

书中的皮卡丘数据集不能随课程分发。评分环境在 `$D2L_DATA_DIR/pikachu`（默认 `~/.d2l/data/pikachu`）放了一份布局相同的**替身**：
`train/images/{k}.png` 和 `val/images/{k}.png`（k = 0, 1, …，64×64 RGB），以及 `train/label.json`、`val/label.json`，
内容形如 `{"0.png": {"class": 0, "loc": [xmin, ymin, xmax, ymax]}, ...}`，`loc` 已按图像宽高归一化。每张图恰好一个目标。
""", """
## 9.6 The Object Detection Data Set (Pikachu)

The book's Pikachu data cannot ship with the course. The grader puts a **stand-in with the same layout** at
`$D2L_DATA_DIR/pikachu` (by default `~/.d2l/data/pikachu`): `train/images/{k}.png` and `val/images/{k}.png` (k = 0, 1, …,
64×64 RGB), plus `train/label.json` and `val/label.json` holding `{"0.png": {"class": 0, "loc": [xmin, ymin, xmax, ymax]},
...}`, with `loc` normalised by the image size. Each image holds exactly one object.
""")
    nb.given("pikachu-dir", """
PIKACHU_DIR = Path(os.environ.get("D2L_DATA_DIR") or "~/.d2l/data").expanduser() / "pikachu"
""")
    nb.question("read_pikachu", """
写 `read_pikachu(data_dir, part)`（`data_dir` 是上面布局中的 `pikachu` 文件夹，`part` 为 `"train"` 或 `"val"`），从 `data_dir/part` 读出全部图像和标签，按 k 从小到大排列：

- 图像：用 PIL 打开并转成 RGB，得到 float32 张量 (n, 3, h, w)，数值除以 255 落在 [0, 1]；
- 标签：float32 张量 (n, 1, 5)，每行是 (class, xmin, ymin, xmax, ymax)，与 json 中的值相同。

注意：json 里键的顺序不一定是 0, 1, 2, …；文件名按字符串排序时 "10.png" 排在 "2.png" 前面。
评分时由下面给出的 `pikachu_probe` 把几张小图写进临时文件夹，再调用你的函数读回来。
""", """
Write `read_pikachu(data_dir, part)` (`data_dir` is the `pikachu` folder of the layout above, `part` is `"train"` or
`"val"`), reading every image and label under `data_dir/part` in increasing k:

- images: open with PIL, convert to RGB, and return a float32 tensor (n, 3, h, w), values divided by 255 into [0, 1];
- labels: a float32 tensor (n, 1, 5) whose rows are (class, xmin, ymin, xmax, ymax), equal to the json.

Careful: the json's keys need not come in the order 0, 1, 2, …, and sorted as strings "10.png" comes before "2.png".
Grading uses the `pikachu_probe` given below: it writes a few small pictures into a temporary folder and reads them back
with your function.
""", '''
def read_pikachu(data_dir, part):
    """读取一部分皮卡丘数据 / All images (n, 3, h, w) and labels (n, 1, 5) of one part."""
    ### BEGIN SOLUTION
    base = Path(data_dir) / part
    table = json.loads((base / "label.json").read_text())
    names = sorted(table, key=lambda name: int(name.split(".")[0]))
    images, labels = [], []
    for name in names:
        with Image.open(base / "images" / name) as im:
            pixels = np.asarray(im.convert("RGB"), dtype=np.float32) / 255
        images.append(torch.from_numpy(pixels).permute(2, 0, 1))
        entry = table[name]
        labels.append(torch.tensor([[float(entry["class"]), *entry["loc"]]]))
    return torch.stack(images), torch.stack(labels).float()
    ### END SOLUTION
''')
    nb.given("pikachu-probe", "import tempfile\n\n\n" + inspect.getsource(pikachu.write_part) + "\n\n"
             + inspect.getsource(pikachu.pikachu_probe))
    nb.given("pikachu-loader", '''
class PikachuDataset(torch.utils.data.Dataset):
    """一部分皮卡丘数据 / One part of the Pikachu data as a Dataset of (image, label)."""

    def __init__(self, part):
        self.images, self.labels = read_pikachu(PIKACHU_DIR, part)

    def __getitem__(self, idx):
        return self.images[idx], self.labels[idx]

    def __len__(self):
        return len(self.images)


def load_data_pikachu(batch_size):
    """训练集打乱，验证集不打乱 / Shuffled training loader, ordered validation loader."""
    train_iter = torch.utils.data.DataLoader(PikachuDataset("train"), batch_size, shuffle=True)
    val_iter = torch.utils.data.DataLoader(PikachuDataset("val"), batch_size)
    return train_iter, val_iter
''')
    nb.demo("pikachu-demo", """
一个批量的形状，以及第一张图的标签。
""", """
The shapes of one batch, and the label of its first image.
""", f"""
try:
    if PIKACHU_DIR.exists():
        _, val_iter = load_data_pikachu(4)
        X, Y = next(iter(val_iter))
        print(X.shape, X.dtype, Y.shape, Y[0])
    else:
        print("没有找到数据 / data not found:", PIKACHU_DIR)
except NotImplementedError:
    {UNFINISHED}
""")


def ssd_part(nb: MasterNotebook) -> None:
    """§9.7 SSD."""
    nb.md("sec-9-7", """
## 9.7 单发多框检测（SSD） / Single Shot Multibox Detection (SSD)

SSD 由一个基础网络和几个多尺度特征块组成；每个尺度的特征图上，每个单元有 a 个锚框，一个 3×3 卷积层（保持高宽）
为每个锚框预测 q + 1 个类别分数，另一个预测 4 个偏移量。书中的 TinySSD 在 256×256 的图上训练 20 轮，这里只用 64×64 的小图训练几步。
""", """
## 9.7 Single Shot Multibox Detection (SSD)

SSD is a base network followed by several multiscale feature blocks; on each scale's feature map every cell has a
anchors, and one 3×3 convolution (keeping height and width) predicts q + 1 class scores per anchor while another
predicts 4 offsets. The book trains its TinySSD for 20 epochs on 256×256 images; here we train a few steps on 64×64
images.
""")
    nb.question("cls_predictor", """
写 `cls_predictor(num_inputs, num_anchors, num_classes)`，返回 `nn.Conv2d`：输入通道 `num_inputs`，输出通道 `num_anchors * (num_classes + 1)`，核 3、填充 1。
评分程序会把自己的权重装进你返回的层。
""", """
Write `cls_predictor(num_inputs, num_anchors, num_classes)` returning an `nn.Conv2d` with `num_inputs` input channels,
`num_anchors * (num_classes + 1)` output channels, kernel 3 and padding 1. The grader loads its own weights into the layer
you return.
""", '''
def cls_predictor(num_inputs, num_anchors, num_classes):
    """类别预测层 / The class prediction layer."""
    ### BEGIN SOLUTION
    return nn.Conv2d(num_inputs, num_anchors * (num_classes + 1), kernel_size=3, padding=1)
    ### END SOLUTION
''')
    nb.question("bbox_predictor", """
写 `bbox_predictor(num_inputs, num_anchors)`：同样的 3×3 卷积（填充 1），输出通道 `num_anchors * 4`。
""", """
Write `bbox_predictor(num_inputs, num_anchors)`: the same 3×3 convolution (padding 1) with `num_anchors * 4` output
channels.
""", '''
def bbox_predictor(num_inputs, num_anchors):
    """边界框预测层 / The offset prediction layer."""
    ### BEGIN SOLUTION
    return nn.Conv2d(num_inputs, num_anchors * 4, kernel_size=3, padding=1)
    ### END SOLUTION
''')
    nb.question("flatten_pred", """
不同尺度的预测形状不同，要先展平才能连接。写 `flatten_pred(pred)`：(b, c, h, w) -> (b, h·w·c)，**通道放在最后**（先变成 (b, h, w, c) 再展平），
这样同一个单元的所有预测排在一起，和 `multibox_prior` 的锚框顺序对应。
""", """
Predictions of different scales have different shapes, so they are flattened before joining. Write `flatten_pred(pred)`:
(b, c, h, w) -> (b, h·w·c) with **channels last** (make it (b, h, w, c), then flatten), so that all predictions of one
cell sit together, matching the anchor order of `multibox_prior`.
""", '''
def flatten_pred(pred):
    """(b, c, h, w) -> (b, h*w*c)，通道在最后 / channels last."""
    ### BEGIN SOLUTION
    return pred.permute(0, 2, 3, 1).flatten(start_dim=1)
    ### END SOLUTION
''')
    nb.question("concat_preds", """
写 `concat_preds(preds)`：把列表中每个预测用 `flatten_pred` 展平，再沿维 1 连接。书中的例子：(2, 55, 20, 20) 和 (2, 33, 10, 10) 连接后形状为 (2, 25300)。
""", """
Write `concat_preds(preds)`: flatten each prediction in the list with `flatten_pred`, then join along dimension 1. The
book's example: (2, 55, 20, 20) and (2, 33, 10, 10) give (2, 25300).
""", '''
def concat_preds(preds):
    """展平并连接多尺度的预测 / Flatten and join the predictions of all scales."""
    ### BEGIN SOLUTION
    return torch.cat([flatten_pred(p) for p in preds], dim=1)
    ### END SOLUTION
''')
    nb.question("down_sample_blk", """
写 `down_sample_blk(in_channels, out_channels)`，返回 `nn.Sequential`，**依次**为：
Conv2d(in, out, 3, padding=1)、BatchNorm2d(out)、ReLU、Conv2d(out, out, 3, padding=1)、BatchNorm2d(out)、ReLU、MaxPool2d(2)（下标 0–6）。
它把高和宽减半：(2, 3, 20, 20) -> (2, 10, 10, 10)（取 out = 10）。评分程序按下标装入自己的权重。
""", """
Write `down_sample_blk(in_channels, out_channels)` returning an `nn.Sequential` of, **in this order**: Conv2d(in, out, 3,
padding=1), BatchNorm2d(out), ReLU, Conv2d(out, out, 3, padding=1), BatchNorm2d(out), ReLU, MaxPool2d(2) (indices 0–6).
It halves height and width: (2, 3, 20, 20) -> (2, 10, 10, 10) with out = 10. The grader loads its weights by index.
""", '''
def down_sample_blk(in_channels, out_channels):
    """高宽减半块 / The block that halves height and width."""
    ### BEGIN SOLUTION
    layers = []
    for _ in range(2):
        layers += [nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1),
                   nn.BatchNorm2d(out_channels), nn.ReLU()]
        in_channels = out_channels
    layers.append(nn.MaxPool2d(2))
    return nn.Sequential(*layers)
    ### END SOLUTION
''')
    nb.question("base_net", """
写 `base_net()`：三个 `down_sample_blk` 组成的 `nn.Sequential`，通道 3 -> 16 -> 32 -> 64。高宽缩小为 1/8：(2, 3, 256, 256) -> (2, 64, 32, 32)。
""", """
Write `base_net()`: an `nn.Sequential` of three `down_sample_blk`, channels 3 -> 16 -> 32 -> 64. It divides height and
width by 8: (2, 3, 256, 256) -> (2, 64, 32, 32).
""", '''
def base_net():
    """基础网络 / The base network."""
    ### BEGIN SOLUTION
    channels = [3, 16, 32, 64]
    return nn.Sequential(*[down_sample_blk(channels[i], channels[i + 1]) for i in range(3)])
    ### END SOLUTION
''')
    nb.question("get_blk", """
写 `get_blk(i)`，TinySSD 的第 i 个模块（i = 0…4）：0 是 `base_net()`，1 是 `down_sample_blk(64, 128)`，2 和 3 是 `down_sample_blk(128, 128)`，4 是 `nn.AdaptiveMaxPool2d((1, 1))`。
""", """
Write `get_blk(i)`, stage i of TinySSD (i = 0…4): 0 is `base_net()`, 1 is `down_sample_blk(64, 128)`, 2 and 3 are
`down_sample_blk(128, 128)`, and 4 is `nn.AdaptiveMaxPool2d((1, 1))`.
""", '''
def get_blk(i):
    """TinySSD 的第 i 个模块 / Stage i of TinySSD."""
    ### BEGIN SOLUTION
    if i == 0:
        return base_net()
    if i == 1:
        return down_sample_blk(64, 128)
    if i == 4:
        return nn.AdaptiveMaxPool2d((1, 1))
    return down_sample_blk(128, 128)
    ### END SOLUTION
''')
    nb.question("blk_forward", """
写 `blk_forward(X, blk, size, ratio, cls_predictor, bbox_predictor)`：`Y = blk(X)`，在 Y 上用 `multibox_prior(Y, size, ratio)` 生成锚框，
再用两个预测层作用于 Y。返回 `(Y, anchors, cls_preds, bbox_preds)`。（参数名 `cls_predictor`、`bbox_predictor` 在函数里指的是传进来的层。）
""", """
Write `blk_forward(X, blk, size, ratio, cls_predictor, bbox_predictor)`: `Y = blk(X)`, anchors on Y by
`multibox_prior(Y, size, ratio)`, and the two prediction layers applied to Y. Return `(Y, anchors, cls_preds,
bbox_preds)`. (Inside the function, `cls_predictor` and `bbox_predictor` are the layers passed in.)
""", '''
def blk_forward(X, blk, size, ratio, cls_predictor, bbox_predictor):
    """一个尺度的前向计算 / The forward pass of one scale."""
    ### BEGIN SOLUTION
    Y = blk(X)
    anchors = multibox_prior(Y, size, ratio)
    return Y, anchors, cls_predictor(Y), bbox_predictor(Y)
    ### END SOLUTION
''')
    nb.given("ssd-sizes", """
sizes = [[0.2, 0.272], [0.37, 0.447], [0.54, 0.619], [0.71, 0.79], [0.88, 0.961]]
ratios = [[1, 2, 0.5]] * 5
num_anchors = len(sizes[0]) + len(ratios[0]) - 1
""")
    nb.question("TinySSD", """
写 `TinySSD(num_classes)`（`nn.Module`）：

- `__init__` 先调用 `super().__init__()`，保存 `self.num_classes`，再对 i = 0…4 用 `setattr` 创建**名为** `blk_i`、`cls_i`、`bbox_i` 的属性：
  `get_blk(i)`、`cls_predictor(c_i, num_anchors, num_classes)`、`bbox_predictor(c_i, num_anchors)`，其中 c = [64, 128, 128, 128, 128]；
- `forward(X)` 依次对五个模块调用 `blk_forward`（用上面的 `sizes[i]`、`ratios[i]`），返回
  `(anchors, cls_preds, bbox_preds)`：锚框沿维 1 连接为 (1, n, 4)；类别预测用 `concat_preds` 连接后变形为 (b, n, num_classes + 1)；偏移量预测用 `concat_preds` 连接为 (b, 4n)。

输入 256×256 时 n = 5444，128×128 时 n = 1364。评分程序按属性名装入自己的权重。
""", """
Write `TinySSD(num_classes)` (an `nn.Module`):

- `__init__` calls `super().__init__()`, stores `self.num_classes`, then for i = 0…4 uses `setattr` to create attributes
  **named** `blk_i`, `cls_i` and `bbox_i`: `get_blk(i)`, `cls_predictor(c_i, num_anchors, num_classes)` and
  `bbox_predictor(c_i, num_anchors)` with c = [64, 128, 128, 128, 128];
- `forward(X)` calls `blk_forward` on the five stages in turn (with `sizes[i]` and `ratios[i]` above) and returns
  `(anchors, cls_preds, bbox_preds)`: anchors joined along dimension 1 into (1, n, 4); class predictions joined by
  `concat_preds` and reshaped to (b, n, num_classes + 1); offset predictions joined by `concat_preds` into (b, 4n).

For 256×256 inputs n = 5444, for 128×128 n = 1364. The grader loads its weights by attribute name.
""", '''
class TinySSD(nn.Module):
    """五个尺度的小型 SSD / A small five-scale SSD."""

    def __init__(self, num_classes):
        ### BEGIN SOLUTION
        super().__init__()
        self.num_classes = num_classes
        in_channels = [64, 128, 128, 128, 128]
        for i in range(5):
            setattr(self, f"blk_{i}", get_blk(i))
            setattr(self, f"cls_{i}", cls_predictor(in_channels[i], num_anchors, num_classes))
            setattr(self, f"bbox_{i}", bbox_predictor(in_channels[i], num_anchors))
        ### END SOLUTION

    def forward(self, X):
        ### BEGIN SOLUTION
        anchors, cls_preds, bbox_preds = [], [], []
        for i in range(5):
            X, a, c, b = blk_forward(X, getattr(self, f"blk_{i}"), sizes[i], ratios[i],
                                     getattr(self, f"cls_{i}"), getattr(self, f"bbox_{i}"))
            anchors.append(a)
            cls_preds.append(c)
            bbox_preds.append(b)
        cls = concat_preds(cls_preds)
        return (torch.cat(anchors, dim=1), cls.reshape(cls.shape[0], -1, self.num_classes + 1),
                concat_preds(bbox_preds))
        ### END SOLUTION
''')
    nb.demo("tinyssd-demo", """
书中的形状：256×256 的输入得到 5444 个锚框。
""", """
The book's shapes: a 256×256 input gives 5444 anchors.
""", f"""
try:
    anchors, cls_preds, bbox_preds = TinySSD(num_classes=1)(torch.zeros((1, 3, 256, 256)))
    print(anchors.shape, cls_preds.shape, bbox_preds.shape)
except NotImplementedError:
    {UNFINISHED}
""")
    nb.question("calc_loss", """
写 `calc_loss(cls_preds, cls_labels, bbox_preds, bbox_labels, bbox_masks)`，返回每张图的损失 (b,)：

- 类别损失：`cls_preds` (b, n, q+1) 与 `cls_labels` (b, n) 的交叉熵，对每张图的 n 个锚框取平均；
- 偏移量损失：`bbox_preds * bbox_masks` 与 `bbox_labels * bbox_masks` 的 L1 损失 |·|，对每张图的 4n 个位置取平均；
- 二者相加。
""", """
Write `calc_loss(cls_preds, cls_labels, bbox_preds, bbox_labels, bbox_masks)` returning the loss of each image (b,):

- class loss: cross-entropy of `cls_preds` (b, n, q+1) against `cls_labels` (b, n), averaged over each image's n anchors;
- offset loss: the L1 loss |·| of `bbox_preds * bbox_masks` against `bbox_labels * bbox_masks`, averaged over each
  image's 4n positions;
- their sum.
""", '''
def calc_loss(cls_preds, cls_labels, bbox_preds, bbox_labels, bbox_masks):
    """每张图的损失 / The loss of each image: class CE + masked L1 of offsets."""
    ### BEGIN SOLUTION
    b, c = cls_preds.shape[0], cls_preds.shape[2]
    cls = F.cross_entropy(cls_preds.reshape(-1, c), cls_labels.reshape(-1),
                          reduction="none").reshape(b, -1).mean(dim=1)
    bbox = F.l1_loss(bbox_preds * bbox_masks, bbox_labels * bbox_masks,
                     reduction="none").mean(dim=1)
    return cls + bbox
    ### END SOLUTION
''')
    nb.question("cls_eval", """
写 `cls_eval(cls_preds, cls_labels)`：预测类别（最后一维上的 argmax）等于标签的锚框个数，返回 Python 浮点数。
""", """
Write `cls_eval(cls_preds, cls_labels)`: the number of anchors whose predicted class (argmax over the last dimension)
equals the label, as a Python float.
""", '''
def cls_eval(cls_preds, cls_labels):
    """类别预测正确的锚框数 / Anchors with the right class."""
    ### BEGIN SOLUTION
    return float((cls_preds.argmax(dim=-1).type(cls_labels.dtype) == cls_labels).sum())
    ### END SOLUTION
''')
    nb.question("bbox_eval", """
写 `bbox_eval(bbox_preds, bbox_labels, bbox_masks)`：`|(bbox_labels − bbox_preds) · bbox_masks|` 的总和，返回 Python 浮点数。
""", """
Write `bbox_eval(bbox_preds, bbox_labels, bbox_masks)`: the sum of `|(bbox_labels − bbox_preds) · bbox_masks|`, as a
Python float.
""", '''
def bbox_eval(bbox_preds, bbox_labels, bbox_masks):
    """正类锚框偏移量的绝对误差之和 / Sum of absolute offset errors of positive anchors."""
    ### BEGIN SOLUTION
    return float(((bbox_labels - bbox_preds) * bbox_masks).abs().sum())
    ### END SOLUTION
''')
    nb.question("train_ssd", """
写 `train_ssd(images, labels, num_steps, batch_size, lr)`：

- 新建 `net = TinySSD(num_classes=1)` 和 `torch.optim.SGD(net.parameters(), lr=lr, weight_decay=5e-4)`，`net.train()`；
- 第 t 步（t = 0, 1, …）的批量是 `images[s:s + batch_size]`、`labels[s:s + batch_size]`，s = (t·batch_size) mod n，n 为图像数；
- 每步：前向得到锚框和预测，用 `multibox_target(anchors, Y)` 得到标签，损失为 `calc_loss(...)` 的平均值，清零梯度、反向传播、更新；
- 返回每步损失组成的列表（Python 浮点数）。

评分：损失要明显下降（最后三步的平均不超过第一步的 0.2 倍）。评分用 64×64 的图，几步就够。
""", """
Write `train_ssd(images, labels, num_steps, batch_size, lr)`:

- create `net = TinySSD(num_classes=1)` and `torch.optim.SGD(net.parameters(), lr=lr, weight_decay=5e-4)`, and call
  `net.train()`;
- step t (t = 0, 1, …) uses the batch `images[s:s + batch_size]`, `labels[s:s + batch_size]` with
  s = (t·batch_size) mod n, n the number of images;
- each step: the forward pass gives anchors and predictions, `multibox_target(anchors, Y)` gives the targets, the loss
  is the mean of `calc_loss(...)`; zero the gradients, backpropagate, update;
- return the list of the steps' losses (Python floats).

Graded: the loss must fall clearly (the last three steps average at most 0.2 times the first). Grading uses 64×64 images, and a
few steps suffice.
""", '''
def train_ssd(images, labels, num_steps, batch_size, lr):
    """训练一个新的 TinySSD / Train a fresh TinySSD; the loss of every step."""
    ### BEGIN SOLUTION
    net = TinySSD(num_classes=1)
    trainer = torch.optim.SGD(net.parameters(), lr=lr, weight_decay=5e-4)
    net.train()
    losses, n = [], images.shape[0]
    for step in range(num_steps):
        start = (step * batch_size) % n
        X, Y = images[start:start + batch_size], labels[start:start + batch_size]
        anchors, cls_preds, bbox_preds = net(X)
        bbox_labels, bbox_masks, cls_labels = multibox_target(anchors, Y)
        loss = calc_loss(cls_preds, cls_labels, bbox_preds, bbox_labels, bbox_masks).mean()
        trainer.zero_grad()
        loss.backward()
        trainer.step()
        losses.append(float(loss.detach()))
    return losses
    ### END SOLUTION
''')
    nb.question("predict", """
写 `predict(anchors, cls_preds, bbox_preds, threshold=0.3)`：参数是 `TinySSD` 的三个输出。先用 softmax（在类别维上）把 `cls_preds` 变成概率，
再换成 `multibox_detection` 要的布局 (b, 1 + q, n)，调用它，取第 0 张图的结果，只留下类别不是 −1 且置信度 ≥ `threshold` 的行，返回 (k, 6)。行的顺序不评分。
""", """
Write `predict(anchors, cls_preds, bbox_preds, threshold=0.3)`, taking the three outputs of `TinySSD`. Turn `cls_preds`
into probabilities with a softmax over the class dimension, lay them out (b, 1 + q, n) as `multibox_detection` wants,
call it, take image 0's result, and keep only the rows whose class is not −1 and whose confidence is ≥ `threshold`;
return (k, 6). The order of rows is not graded.
""", '''
def predict(anchors, cls_preds, bbox_preds, threshold=0.3):
    """第 0 张图中足够自信的检测结果 / Confident detections of image 0."""
    ### BEGIN SOLUTION
    cls_probs = F.softmax(cls_preds, dim=2).permute(0, 2, 1)
    output = multibox_detection(cls_probs, bbox_preds, anchors)[0]
    return output[(output[:, 0] != -1) & (output[:, 1] >= threshold)]
    ### END SOLUTION
''')


def rcnn_part(nb: MasterNotebook) -> None:
    """§9.8 RoI pooling."""
    nb.md("sec-9-8", """
## 9.8 区域卷积神经网络（R-CNN）系列 / Region-based CNNs (R-CNNs)

Fast R-CNN 对整张图只算一次特征，再用 **兴趣区域池化**（RoI pooling）把每个提议区域变成同样大小的输出：区域被划分成 P×Q 个子窗口，每个子窗口取最大值。
""", """
## 9.8 Region-based CNNs (R-CNNs)

Fast R-CNN computes features of the whole image once, then **RoI pooling** turns every proposed region into an output of
the same size: the region is split into P×Q sub-windows and each sub-window takes its maximum.
""")
    nb.question("roi_pool", """
写 `roi_pool(X, rois, output_size, spatial_scale)`：`X` (b, c, H, W)，`rois` (k, 5) 每行为 (图像下标, x1, y1, x2, y2)（输入图像的像素坐标），`output_size` = (P, Q)，返回 (k, c, P, Q)。规则与 `torchvision.ops.roi_pool` 相同：

- 四个坐标乘 `spatial_scale` 后四舍五入（0.5 远离 0 取整）得到 x1, y1, x2, y2，区域包含最后一行一列：h = max(y2 − y1 + 1, 1)，w = max(x2 − x1 + 1, 1)；
- 第 p 行子窗口覆盖 y1 + floor(p·h/P) 到 y1 + ceil((p+1)·h/P)（不含），截断到 [0, H]；列同理；
- 每个子窗口取各通道的最大值，空窗口为 0。

书中的例子：X = arange(16) 变形为 (1, 1, 4, 4)，rois = [[0, 0, 0, 20, 20], [0, 0, 10, 30, 30]]，(2, 2)，0.1 -> [[5, 6], [9, 10]] 和 [[9, 11], [13, 15]]。
""", """
Write `roi_pool(X, rois, output_size, spatial_scale)`: `X` (b, c, H, W), `rois` (k, 5) with rows (image index, x1, y1,
x2, y2) in input-image pixels, `output_size` = (P, Q); return (k, c, P, Q). The rules are those of
`torchvision.ops.roi_pool`:

- multiply the four coordinates by `spatial_scale` and round (halves away from zero) to get x1, y1, x2, y2; the region
  includes its last row and column: h = max(y2 − y1 + 1, 1), w = max(x2 − x1 + 1, 1);
- sub-window row p covers rows y1 + floor(p·h/P) up to y1 + ceil((p+1)·h/P) (exclusive), clipped to [0, H]; columns
  likewise;
- each sub-window takes the maximum of every channel; an empty window gives 0.

The book's example: X = arange(16) reshaped to (1, 1, 4, 4), rois = [[0, 0, 0, 20, 20], [0, 0, 10, 30, 30]], (2, 2), 0.1
-> [[5, 6], [9, 10]] and [[9, 11], [13, 15]].
""", '''
def roi_pool(X, rois, output_size, spatial_scale):
    """兴趣区域最大池化 / RoI max pooling: (k, c, P, Q)."""
    ### BEGIN SOLUTION
    def round_half_away(v):
        return math.floor(v + 0.5) if v >= 0 else -math.floor(-v + 0.5)

    P, Q = output_size
    H, W = X.shape[-2:]
    out = torch.zeros((rois.shape[0], X.shape[1], P, Q), dtype=X.dtype)
    for k, roi in enumerate(rois.tolist()):
        b = int(roi[0])
        x1, y1, x2, y2 = (round_half_away(v * spatial_scale) for v in roi[1:])
        h, w = max(y2 - y1 + 1, 1), max(x2 - x1 + 1, 1)
        for p in range(P):
            top = min(max(math.floor(p * h / P) + y1, 0), H)
            bottom = min(max(math.ceil((p + 1) * h / P) + y1, 0), H)
            for q in range(Q):
                left = min(max(math.floor(q * w / Q) + x1, 0), W)
                right = min(max(math.ceil((q + 1) * w / Q) + x1, 0), W)
                if bottom > top and right > left:
                    out[k, :, p, q] = X[b, :, top:bottom, left:right].amax(dim=(-2, -1))
    return out
    ### END SOLUTION
''')


def build() -> MasterNotebook:
    nb = MasterNotebook(ASSIGNMENT, NOTEBOOK)
    nb.md("intro", """
# 第 9 章 计算机视觉（二）：目标检测 / Chapter 9 Computer Vision (2): Object Detection

本作业对应《动手学深度学习》（第一版）第 9 章的 9.3–9.8 节，全部使用 PyTorch，不用 torchvision：边界框、锚框与交并比、
给锚框标注类别和偏移量、非极大值抑制、多尺度锚框、皮卡丘检测数据集、单发多框检测（SSD），以及 R-CNN 中的兴趣区域池化。

**作业规则**

- 每道题是一个代码单元格，把 `# YOUR CODE HERE` 和 `raise NotImplementedError()` 两行换成你的实现；其后的 `check("名字")` 用公开测试用例检查你的答案，仅供参考，最终成绩还包括隐藏用例。
- 不要改函数名、类名、参数名、参数顺序和默认值，**也不要改题目规定的属性名和 `nn.Sequential` 下标**：评分程序会把自己的权重装进你的网络。
- 书中的函数互相调用（例如 `multibox_target` 调用 `assign_anchor_to_bbox`），题目说“调用你的某函数”时请照做：前面的函数错了，后面用到它的题也会失分。
- 需要评分的代码不必设置随机种子：评分程序会为每个用例设好种子，随机的结果按对任何种子都成立的性质评判。答题单元格里最好只写定义：其中的其他代码在评分时会再运行一次，一旦出错，后面的定义就缺失了。评分在没有 GPU、没有网络的环境里进行，用的都是很小的输入。
- 标有“演示”的单元格不计分；上面的填空没完成时它们只打印一句提示。
""", """
This assignment covers sections 9.3–9.8 of chapter 9 of *Dive into Deep Learning* (first edition), in PyTorch and
without torchvision: bounding boxes, anchor boxes and IoU, labelling anchors with classes and offsets, non-maximum
suppression, multiscale anchors, the Pikachu detection data set, single shot multibox detection (SSD), and the RoI
pooling of the R-CNN family.

**Rules**

- Each question is a code cell: replace the lines `# YOUR CODE HERE` and `raise NotImplementedError()` by your
  implementation. The `check("name")` cell after it tests your answer on the public cases; it is advice only, the grade
  also uses hidden cases.
- Do not rename functions, classes or arguments, nor change their order or defaults, **and keep the attribute names and
  `nn.Sequential` indices a question gives**: the grader loads its own weights into your networks.
- The book's functions call each other (`multibox_target` calls `assign_anchor_to_bbox`, for instance); when a question
  says "call your …", do so: a mistake in an earlier function also costs the questions that use it.
- Graded code needs no seeding: the grader seeds each case itself, and random results are judged by properties that hold for any seed. Keep answer cells to definitions: other code in them runs again while grading, and if it fails, the definitions after it are missing. Grading runs without a GPU or
  network access, on small inputs.
- Cells marked "demo" are not graded; while a blank above is unfinished they only print a note.
""")
    nb.setup("""
import json
import math
import os
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn
""")
    boxes_part(nb)
    anchors_part(nb)
    multiscale_and_data(nb)
    ssd_part(nb)
    rcnn_part(nb)
    return nb


def main() -> int:
    build().write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
