# ruff: noqa: E501  (the notebook prose is markdown; its lines are kept as written)
"""Write the master notebook ``solutions/ch01_intro/reading_quiz.ipynb``.

    .venv/bin/python scripts/notebooks/ch01_intro.py

Chapter 1 has no code, so it is a reading quiz: choice and short-answer questions graded
exactly (after normalisation) and one free response graded by hand in nbgrader's
formgrader.  The questions are ours, written from the chapter's facts; 简体中文 first,
English beneath.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from scripts.notebooks.cells import MasterNotebook  # noqa: E402

CHOICE_HINT = '填选项字母，多选题写出全部字母，如 "AC" / option letter(s), e.g. "AC" when several are right'
SHORT_HINT = "填一个词或数 / a word or a number"


def build() -> MasterNotebook:
    nb = MasterNotebook("ch01_intro", "reading_quiz")
    nb.md("intro", """
# 第 1 章 深度学习简介：阅读测验 / Chapter 1 Introduction to Deep Learning: a reading quiz

本章没有代码，所以用一份阅读测验来检查你是否读懂了它的四个小节：起源、发展、成功案例和特点。

**作答方式**

- 每道题的代码单元格里有一行 `名字 = None`，把你的答案赋给这个变量，例如 `origins_hebb = "B"`。删掉 `# YOUR CODE HERE` 和 `raise NotImplementedError()` 两行。
- 选择题写选项字母；有的题不止一个正确选项（题目会说明），这时写出全部正确字母，如 `"AC"`，顺序、大小写、空格和逗号都无所谓，但多选或少选都不得分。
- 简答题写一个词或一个数。全角/半角、大小写、繁体/简体、首尾的标点都不影响评分。
- `check("名字")` 只告诉你答案被读成了什么，不告诉你对不对：答案在评分时才核对。
- 最后一题是开放题，由助教在 nbgrader 中人工评分；自动评分的总分里不含这一题。
""", """
This chapter has no code, so a reading quiz checks that you followed its four sections: origins, development, successes and
characteristics.

**How to answer**

- Each question's code cell has a line `name = None`; assign your answer to that variable, e.g. `origins_hebb = "B"`, and delete the `# YOUR CODE HERE` and `raise NotImplementedError()` lines.
- Choice questions take option letters. Some have more than one right option (the question says so): then write all the right letters, e.g. `"AC"`. Order, case, spaces and commas do not matter, but a missing or an extra letter scores zero.
- Short answers take a word or a number. Full-width or half-width characters, case, traditional or simplified characters and surrounding punctuation do not affect the grade.
- `check("name")` only tells you how your answer was read, not whether it is right: answers are checked when graded.
- The last question is a free response that a TA grades by hand in nbgrader; the automatic total does not include it.
""")
    nb.setup("# 本测验不需要导入任何模块 / this quiz needs no imports")

    nb.md("sec-1-1", "## 1.1 起源", "## 1.1 Origins")
    nb.answer_question("origins_principles", """
（多选）早期神经网络研究留下的哪两个想法，至今仍是深度网络的核心？

- A. 交替堆叠线性处理单元和非线性处理单元，也就是"层"
- B. 为每个任务手工设计特征提取器
- C. 用链式法则（反向传播）一次性调整网络中所有参数
- D. 把所有可能的输入和对应的输出存进一张查找表
""", """
(Several answers.) Which two ideas from early neural-network research are still at the core of deep networks today?

- A. Stacking linear and non-linear processing units in alternation, i.e. "layers"
- B. Designing a feature extractor by hand for each task
- C. Using the chain rule (backpropagation) to adjust all of the network's parameters at once
- D. Storing every possible input with its output in a lookup table
""", "AC", CHOICE_HINT)
    nb.answer_question("origins_hebb", """
赫布（Hebb）提出的学习规则描述的是什么？

- A. 随机丢弃一部分神经元以防止过拟合
- B. 同时被激活的神经元之间的连接会被加强，这是一种正向强化
- C. 如何为梯度下降选择学习率
- D. 一种纠错编码
""", """
What does Hebb's learning rule describe?

- A. Dropping some neurons at random to prevent overfitting
- B. Connections between neurons that are active together get stronger: a form of positive reinforcement
- C. How to choose the learning rate of gradient descent
- D. An error-correcting code
""", "B", CHOICE_HINT)

    nb.md("sec-1-2", "## 1.2 发展", "## 1.2 Development")
    nb.answer_question("development_winter", """
大约从 20 世纪 90 年代中期到 21 世纪初，神经网络让位于核方法、决策树和图模型等方法。本章给出的主要原因是什么？

- A. 有人证明了神经网络无法学习任何非线性函数
- B. 那时反向传播还没有被发明
- C. 神经网络只能在 GPU 上运行，而那时还没有 GPU
- D. 当时的数据量和算力不足以训练大型网络，在小数据上其他方法表现得一样好甚至更好
""", """
From about the mid-1990s to the early 2000s, neural networks gave way to kernel methods, decision trees and graphical models.
What main reason does the chapter give?

- A. Someone proved that neural networks cannot learn any non-linear function
- B. Backpropagation had not been invented yet
- C. Neural networks only run on GPUs, and there were no GPUs yet
- D. The data and computing power of the time were too small to train large networks, and on small data other methods did as well or better
""", "D", CHOICE_HINT)
    nb.answer_question("development_decade", """
本章有一张表，按年代列出典型数据集的规模、内存大小和每秒浮点运算次数。内存约 1 GB、算力约 1 TFLOPS（每秒万亿次浮点运算）
是哪个年代？用四位数字写出年代的开头一年，如 `"1990"`。
""", """
The chapter has a table that lists, decade by decade, a typical data set's size, the memory and the floating-point operations
per second. Which decade has about 1 GB of memory and about 1 TFLOPS? Write the decade's first year in four digits, e.g. `"1990"`.
""", "2010", SHORT_HINT)
    nb.answer_question("development_progress", """
（多选）本章把近年来深度学习的进展归功于一系列新技术。下面哪些在其中？

- A. 丢弃法（dropout）
- B. 注意力机制
- C. 感知机的发明
- D. 生成对抗网络（GAN）
""", """
(Several answers.) The chapter credits a series of new techniques with deep learning's recent progress. Which of these are
among them?

- A. Dropout
- B. Attention mechanisms
- C. The invention of the perceptron
- D. Generative adversarial networks (GANs)
""", "ABD", CHOICE_HINT)

    nb.md("sec-1-3", "## 1.3 成功案例", "## 1.3 Successes")
    nb.answer_question("successes_game", """
AlphaGo 战胜人类顶尖棋手的是哪种棋类游戏？写出它的名字（中文或英文均可）。
""", """
In which board game did AlphaGo beat the best human players? Write its name (in Chinese or in English).
""", "围棋", SHORT_HINT)
    nb.answer_question("successes_imagenet", """
本章提到，ImageNet 图像分类的 top-5 错误率从 2010 年的约 28% 降到了 2017 年的多少？写出百分数的数值，如 `"12.5"`。
""", """
The chapter says that the top-5 error rate of ImageNet image classification fell from about 28% in 2010 to what in 2017?
Write the percentage's number, e.g. `"12.5"`.
""", "2.25", SHORT_HINT)

    nb.md("sec-1-4", "## 1.4 特点", "## 1.4 Characteristics")
    nb.answer_question("traits_end_to_end", """
本章所说的"端到端训练"是什么意思？

- A. 一直训练到把训练数据从头到尾用完为止
- B. 只训练网络的第一层和最后一层
- C. 不把分别调好的各个部件拼成系统，而是把整个系统搭好后一起训练
- D. 训练时把数据从一台机器传到另一台机器
""", """
What does the chapter mean by "end-to-end training"?

- A. Training until the training data has been used from start to end
- B. Training only the first and the last layer of the network
- C. Instead of assembling separately tuned components into a system, building the whole system and training it jointly
- D. Sending the data from one machine to another during training
""", "C", CHOICE_HINT)
    nb.answer_question("traits_representation", """
本章把深度学习描述为哪一类方法？

- A. 具有多级表示的表征学习
- B. 基于人工规则的专家系统
- C. 只使用线性模型的统计方法
- D. 不需要数据的符号推理
""", """
How does the chapter describe deep learning?

- A. Representation learning with several levels of representation
- B. An expert system built on hand-written rules
- C. A statistical method that uses linear models only
- D. Symbolic reasoning that needs no data
""", "A", CHOICE_HINT)

    nb.free_response("reflection_scaling", """
本章的表格显示，从 1970 年到 2020 年，数据规模和算力的增长远远快于内存的增长。用 3–5 句你自己的话说明：
这种变化为什么让深度神经网络比核方法等方法更有优势？请在下面的单元格里作答（双击编辑）。
""", """
The chapter's table shows that from 1970 to 2020 data and compute grew far faster than memory. In 3–5 sentences of your own,
explain why this shift favoured deep neural networks over methods such as kernel methods. Answer in the cell below
(double-click to edit).
""", """
参考答案要点（助教评分用）/ Points a good answer makes (for the TA):

- 核方法的代价随样本数超线性增长（核矩阵要存 n×n 个值），数据一多，内存和计算都跟不上；神经网络用小批量随机梯度下降，一次只需一批数据。
  Kernel methods scale super-linearly with the number of examples (the kernel matrix holds n×n values); neural networks train on minibatches with SGD and need one batch at a time.
- 数据多了，灵活的大模型不再容易过拟合，能从原始数据中学到更好的表示，超过手工特征。
  With much more data, flexible large models overfit less and can learn representations from raw data that beat hand-made features.
- 算力（尤其 GPU）增长快，让训练深层网络变得可行；内存增长慢，反而鼓励参数量适中、计算量大的模型。
  Fast-growing compute (GPUs above all) made training deep networks feasible, while slower memory growth favours models that spend compute rather than storage.
""")
    return nb


def main() -> int:
    build().write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
