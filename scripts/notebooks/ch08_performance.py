# ruff: noqa: E501  (the notebook prose is markdown; its lines are kept as written)
"""Write the master notebook ``solutions/ch08_performance/performance.ipynb`` (§8.1–8.5).

    .venv/bin/python scripts/notebooks/ch08_performance.py

Built with :class:`scripts.notebooks.cells.MasterNotebook`; prose is our own, 简体中文 first
and English beneath.  The questions and their points come from
``solutions/ch08_performance/questions.py``.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reference_impl import ch05_modern_nets  # noqa: E402
from reference_impl import ch08_performance as ch08  # noqa: E402
from scripts.notebooks.cells import MasterNotebook  # noqa: E402

ASSIGNMENT, NOTEBOOK = "ch08_performance", "performance"

NOT_YET = """except NotImplementedError:
    print("先完成上面的填空 / finish the blanks above first")"""


def intro(nb: MasterNotebook) -> None:
    nb.md("intro", """
# 第 8 章 计算性能

本作业对应《动手学深度学习》（第一版）第 8 章的 8.1–8.5 节，全部使用 PyTorch。这一章讲计算**怎样**进行：把 Python 程序编译成计算图、
后端异步地排队执行、没有依赖关系的运算并行执行、把一个小批量分给多个设备。

**速度不计分。** 评分机器是共享的，同一段代码两次计时可以相差十倍，所以这里只评那些不用秒表也能检查的东西：编译前后结果一致、
追踪（trace）会把分支“冻住”、依赖图允许怎样的并行、多个设备上的数据并行和单个设备上的整批训练一步不差。
书中的“多 GPU”在这里用 CPU 上的副本和两个本机进程（`gloo` 后端，只连 127.0.0.1）来模拟，所以没有 GPU 也能完成。

**作业规则**

- 每道题是一个代码单元格，`# YOUR CODE HERE` 和 `raise NotImplementedError()` 标出你要填写的地方。删掉这两行，换成你的实现。
- 每道题后面的 `check("名字")` 单元格用公开测试用例检查你的答案，仅供参考；最终成绩还包括你看不到的隐藏用例。
- 不要改函数名、参数名和参数顺序。返回题目要求的那种值：张量或 NumPy 数组不能代替 Python 的列表或数，`Counter` 也不能代替 `dict`；列表和元组算作相同，要求浮点数时整数也可以。
- 需要评分的代码不必设置随机种子：评分程序会为每个用例设好种子，随机的结果按对任何种子都成立的性质评判。答题单元格里最好只写定义：其中的其他代码在评分时会再运行一次，一旦出错，后面的定义就缺失了；需要的模块已在设置单元格中导入。评分在没有网络的环境里进行。
""", """
# Chapter 8 Computational Performance

This assignment covers sections 8.1–8.5 of chapter 8 of *Dive into Deep Learning* (first edition), entirely in PyTorch. The chapter is about
**how** computation runs: compiling a Python program into a graph, a back end that queues work and runs it asynchronously, operations without
dependencies running in parallel, and a minibatch split over several devices.

**Speed is not graded.** The grading machine is shared and the same code can time ten times slower on a second run, so only what can be
checked without a stopwatch is graded: compiled code gives the same results, tracing "freezes" a branch, which parallel schedule a dependency
graph allows, and data parallelism over several devices takes exactly the step one device takes on the whole batch. The book's "several GPUs"
are simulated with replicas on the CPU and two local processes (the `gloo` back end, talking only to 127.0.0.1), so no GPU is needed.

**Rules**

- Each question is a code cell in which `# YOUR CODE HERE` and `raise NotImplementedError()` mark what you write. Delete those two lines and put your code there.
- The `check("name")` cell after each question tests your answer on the public cases. It is advice only: the grade also uses hidden cases.
- Do not rename functions or arguments or change their order. Return the kind of value a question asks for: a tensor or a NumPy array does not stand in for a Python list or number, nor a `Counter` for a `dict`; a list and a tuple count as the same, and an integer passes where a float is asked.
- Graded code needs no seeding: the grader seeds each case itself, and random results are judged by properties that hold for any seed. Keep answer cells to definitions: other code in them runs again while grading, and if it fails, the definitions after it are missing; the modules you need are imported in the setup cell. Grading runs without network access.
""")
    nb.setup("""
import contextlib
import io
import os
import socket
import tempfile
import time
import warnings
from collections.abc import Callable
from typing import Any

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F
from torch import nn

# 本章的张量都很小：单线程更快，结果也更可复现。
# The tensors of this chapter are tiny: one thread is faster and the results more reproducible.
torch.set_num_threads(1)
""")


def sec_8_1(nb: MasterNotebook) -> None:
    nb.md("sec-8-1", """
## 8.1 命令式和符号式混合编程

**命令式**程序一行一行地执行：`c = a + b` 这一行运行完，`c` 就已经是个具体的数。好处是直观、好调试，可以随时打印中间结果；
代价是每一步都要经过 Python 解释器，解释器也看不到后面还要做什么，没法把几步合并起来优化。

**符号式**程序先把整个计算描述出来（一张计算图或一段程序文本），交给编译器整体优化后再执行，例如可以省掉中间结果的内存、
把几个运算融合成一个，也可以脱离 Python 部署。代价是写法和调试都更别扭。

书里的 MXNet 用 `hybridize()` 在两者之间切换。PyTorch 对应的是 **TorchScript**：

- `torch.jit.script(f)` 读 `f` 的源代码并编译它，`if`、`for` 这样的控制流会被保留下来；
- `torch.jit.trace(f, example)` 用一个示例输入**运行** `f`，只记录实际执行过的张量运算。（默认 `check_trace=True`：记录之后它还会再运行
  `f` 两次，核对追踪结果；所以 `f` 里的 Python 副作用在追踪时发生三次，之后调用追踪结果时一次也不发生。）

对没有控制流的网络，两种方式和直接运行的结果一样。（PyTorch 2 的 `torch.compile` 是更新的编译器，第一次调用在两核机器上要三十多秒，本作业不用它。）
""", """
## 8.1 Hybrid Programming: Imperative and Symbolic

An **imperative** program runs line by line: once `c = a + b` has run, `c` is a concrete number. It is intuitive and easy to debug, and you can
print intermediate results at any time; the price is that every step goes through the Python interpreter, which cannot see what comes next
and so cannot combine steps to optimise them.

A **symbolic** program first describes the whole computation (a graph, or a program text), which a compiler optimises as a whole before it runs:
it can, for example, avoid storing intermediate results, fuse several operations into one, or run without Python at deployment. The price is a
less natural way of writing and debugging.

The book's MXNet switches between the two with `hybridize()`. PyTorch's counterpart is **TorchScript**:

- `torch.jit.script(f)` reads the source of `f` and compiles it, keeping control flow such as `if` and `for`;
- `torch.jit.trace(f, example)` **runs** `f` on an example input and records only the tensor operations that actually ran. (With the default
  `check_trace=True` it then runs `f` twice more to check the trace, so a Python side effect in `f` happens three times while tracing and never
  when the trace is called afterwards.)

For a network without control flow both give the same results as running it directly. (PyTorch 2's `torch.compile` is a newer compiler whose
first call takes over thirty seconds on a two-core machine; this assignment does not use it.)
""")
    nb.question("hybrid_outputs", """
写 `hybrid_outputs(net, X)`：先调用 `net.eval()`，然后在 `torch.no_grad()` 下返回一个 `dict`，三个键分别是

- `"eager"`：直接运行 `net(X)` 的输出；
- `"script"`：`torch.jit.script(net)` 得到的模块在 `X` 上的输出；
- `"trace"`：用 `X` 作示例输入 `torch.jit.trace(net, X)` 得到的模块在 `X` 上的输出。

评分用的 `net` 是由 `nn.Linear` 和 `nn.ReLU` 组成的 `nn.Sequential`（公开用例就是书里 512→256→128→2 的网络）。三个输出应当相同。
""", """
Write `hybrid_outputs(net, X)`: call `net.eval()`, then under `torch.no_grad()` return a `dict` with three keys:

- `"eager"`: the output of running `net(X)` directly;
- `"script"`: the output on `X` of the module `torch.jit.script(net)` returns;
- `"trace"`: the output on `X` of the module `torch.jit.trace(net, X)` returns, traced with `X` as the example.

The graded `net` is an `nn.Sequential` of `nn.Linear` and `nn.ReLU` layers (the public case is the book's 512→256→128→2 network). The three
outputs should be equal.
""", '''
def hybrid_outputs(net, X):
    """直接运行、script 和 trace 的输出 / Outputs run eagerly, scripted and traced."""
    ### BEGIN SOLUTION
    net.eval()
    with torch.no_grad():
        return {"eager": net(X), "script": torch.jit.script(net)(X),
                "trace": torch.jit.trace(net, X)(X)}
    ### END SOLUTION
''')
    nb.md("sec-8-1-branch", """
追踪只记下**这一次**走过的路。下面给出的 `branchy` 根据输入的和是否为正选择两条路之一。用一个正的示例去追踪它，
得到的函数里只剩下 `x * 2` 这一条路：以后不管输入是什么，它都会乘以 2，而且 PyTorch 只会给出一条 `TracerWarning` 警告。
`torch.jit.script` 编译的是源代码，`if` 还在，所以结果总是对的。
""", """
Tracing records only the path taken **this time**. The function `branchy` given below picks one of two paths depending on whether the sum of its
input is positive. Trace it with a positive example and the resulting function holds only the `x * 2` path: whatever the input, it will multiply
by 2, and PyTorch only gives a `TracerWarning`. `torch.jit.script` compiles the source, the `if` is still there, so its result is always right.
""")
    nb.given("branchy", '''
def branchy(x):
    """按数据选择分支的函数 / A function whose branch depends on the data."""
    if x.sum() > 0:
        return x * 2
    return x - 1
''')
    nb.question("trace_vs_script", """
写 `trace_vs_script(x_trace, x_test)`：用 `x_trace` 作示例追踪上面给出的 `branchy`，再用 `torch.jit.script` 编译它，
返回一个 `dict`，三个键都是在 **`x_test`** 上的结果：`"eager"`（直接调用 `branchy`）、`"traced"`（追踪得到的函数）、`"scripted"`（编译得到的函数）。

评分用例里 `x_trace` 和 `x_test` 的和符号相反，所以 `"traced"` 和另外两个不同：要的正是这个被冻住的错误结果。
追踪时的 `TracerWarning` 可以用 `warnings.catch_warnings()` 屏蔽。
""", """
Write `trace_vs_script(x_trace, x_test)`: trace the `branchy` given above with `x_trace` as the example, compile it with `torch.jit.script`, and
return a `dict` whose three keys all hold results on **`x_test`**: `"eager"` (calling `branchy` directly), `"traced"` (the traced function) and
`"scripted"` (the compiled function).

In the graded cases the sums of `x_trace` and `x_test` have opposite signs, so `"traced"` differs from the other two: that frozen wrong result is
exactly what is asked for. The `TracerWarning` of tracing can be silenced with `warnings.catch_warnings()`.
""", '''
def trace_vs_script(x_trace, x_test):
    """branchy 在 x_test 上的三种结果 / branchy on x_test: eager, traced, scripted."""
    ### BEGIN SOLUTION
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        traced = torch.jit.trace(branchy, x_trace)
    scripted = torch.jit.script(branchy)
    return {"eager": branchy(x_test), "traced": traced(x_test), "scripted": scripted(x_test)}
    ### END SOLUTION
''')
    nb.question("export_and_load", """
书里的 `export` 把编译好的模型存成文件，部署时不需要 Python 的模型定义。写 `export_and_load(net, X)`：
调用 `net.eval()`，用 `torch.jit.script` 编译 `net`，用 `torch.jit.save` 存到一个临时文件夹（`tempfile.TemporaryDirectory()`）里，
再用 `torch.jit.load` 读回来，返回 `{"output": 读回的模块在 X 上的输出（no_grad）, "type": type(读回的模块).__name__}`。
""", """
The book's `export` saves a compiled model to a file that can be deployed without the Python definition of the model. Write
`export_and_load(net, X)`: call `net.eval()`, compile `net` with `torch.jit.script`, save it with `torch.jit.save` into a temporary folder
(`tempfile.TemporaryDirectory()`), load it back with `torch.jit.load`, and return
`{"output": the loaded module's output on X (no_grad), "type": type(loaded module).__name__}`.
""", '''
def export_and_load(net, X):
    """存成 TorchScript 文件再读回 / Save as a TorchScript file and load it back."""
    ### BEGIN SOLUTION
    net.eval()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "net.pt")
        torch.jit.save(torch.jit.script(net), path)
        loaded = torch.jit.load(path)
    with torch.no_grad():
        return {"output": loaded(X), "type": type(loaded).__name__}
    ### END SOLUTION
''')
    nb.answer_question("trace_side_effects", """
函数 `f(x)` 里有一行 `print("hi")`。执行 `g = torch.jit.trace(f, torch.ones(2))`，然后调用 `g(x)` **三次**。一共打印了几次 `hi`？

- A. 0 次
- B. 1 次：只在追踪时运行了那一次，追踪结果里没有 `print`
- C. 3 次，全在追踪时：记录一次，默认的 `check_trace` 又运行两次来核对；追踪结果里没有 `print`
- D. 6 次：追踪时 3 次，加上三次调用

（可以在本机的 PyTorch 上试一试：这道题的答案就是它的行为。）
""", """
A function `f(x)` contains the line `print("hi")`. You run `g = torch.jit.trace(f, torch.ones(2))` and then call `g(x)` **three times**. How many
times is `hi` printed in total?

- A. 0 times
- B. once: only while tracing; the trace holds no `print`
- C. 3 times, all while tracing: once to record, twice more for the default `check_trace`; the trace holds no `print`
- D. 6 times: three while tracing plus the three calls

(Try it on your own PyTorch: the answer is what it does.)
""", "C", hint='一个字母 / one letter, e.g. "A"')


def sec_8_2(nb: MasterNotebook) -> None:
    nb.md("sec-8-2", """
## 8.2 异步计算

深度学习框架的后端通常是 C++ 写的，前端（Python）只负责把运算**放进队列**，然后立刻返回，不等它算完。在 GPU 上，`y = x @ x`
这一行几乎不花时间：它只是把一个矩阵乘法交给了 GPU；真正的等待发生在需要结果的地方，例如 `y.item()`、`y.cpu()`、`y.numpy()`、
`print(y)`，或者显式的 `torch.cuda.synchronize()`。（CPU 上的 PyTorch 运算是同步的，所以这里看不到这种现象。）

这意味着计时要小心：如果计时的代码块里没有任何“等结果”的操作，测到的只是排队的时间。下面的 `Benchmark` 就是书里用来计时的上下文管理器。
""", """
## 8.2 Asynchronous Computation

A framework's back end is usually written in C++; the front end (Python) only **puts operations in a queue** and returns at once, without waiting
for them to finish. On a GPU the line `y = x @ x` takes almost no time: it merely hands a matrix product to the GPU. The waiting happens where a
result is needed, for example `y.item()`, `y.cpu()`, `y.numpy()`, `print(y)`, or an explicit `torch.cuda.synchronize()`. (PyTorch operations on
the CPU are synchronous, so this cannot be seen here.)

So timing needs care: if nothing in the timed block waits for a result, what is measured is the queueing. `Benchmark` below is the context
manager the book uses for timing.
""")
    nb.given("time-block", '''
def time_block(prefix, ticks):
    """用假时钟给一个空代码块计时（评分用）/ Time an empty block with a fake clock (for grading).

    ticks 是时钟依次返回的时刻；返回 Benchmark 记下的 elapsed 和它打印的内容。
    ticks are the times the clock returns in turn; returns what Benchmark recorded and printed.
    """
    clock = iter(ticks).__next__
    out = io.StringIO()
    with contextlib.redirect_stdout(out), Benchmark(prefix, clock=clock) as b:
        pass
    return {"elapsed": b.elapsed, "printed": out.getvalue()}
''')
    nb.question("Benchmark", """
写上下文管理器类 `Benchmark(prefix=None, clock=time.perf_counter)`：

- `__enter__` 调用一次 `clock()` 记下开始时刻，返回 `self`；
- `__exit__` 再调用一次 `clock()`，把两者之差存进 `self.elapsed`，并打印一行：有 `prefix` 时是 `f"{prefix} time: {秒数:.4f} sec"`，
  没有（`None` 或空字符串）时是 `f"time: {秒数:.4f} sec"`。

`clock` 必须可以替换：评分时给的是一个假时钟（见上面的 `time_block`），所以除了这两次以外不要再调用它，也不要直接调用 `time.time()`。
""", """
Write the context-manager class `Benchmark(prefix=None, clock=time.perf_counter)`:

- `__enter__` calls `clock()` once to record the start and returns `self`;
- `__exit__` calls `clock()` once more, stores the difference in `self.elapsed` and prints one line: `f"{prefix} time: {seconds:.4f} sec"` with a
  `prefix`, `f"time: {seconds:.4f} sec"` without one (`None` or an empty string).

`clock` must be replaceable: grading passes a fake clock (see `time_block` above), so do not call it other than these two times, and do not call
`time.time()` directly.
""", '''
class Benchmark:
    """给 with 代码块计时 / Time a with block."""

    def __init__(self, prefix=None, clock=time.perf_counter):
        ### BEGIN SOLUTION
        self.prefix = f"{prefix} " if prefix else ""
        self.clock = clock
        self.elapsed = None
        ### END SOLUTION

    def __enter__(self):
        ### BEGIN SOLUTION
        self.start = self.clock()
        return self
        ### END SOLUTION

    def __exit__(self, *exc):
        ### BEGIN SOLUTION
        self.elapsed = self.clock() - self.start
        print(f"{self.prefix}time: {self.elapsed:.4f} sec")
        ### END SOLUTION
''')
    nb.demo("benchmark-demo", """
在 CPU 上给一千次小矩阵乘法计时（数字每次都不一样，不计分）。
""", """
Time a thousand small matrix products on the CPU (the number changes every run and is not graded).
""", """
try:
    x = torch.randn(64, 64)
    with Benchmark("1000 matmuls"):
        for _ in range(1000):
            y = x @ x
""" + NOT_YET)
    nb.answer_question("waits_for_results", """
在 GPU 上，`x` 和 `y` 都在 GPU 上，下面哪些操作会让 Python **等到 GPU 把之前排队的运算算完**？（多选，把所有对的字母写在一个字符串里。）

- A. `y.item()`
- B. `z = x @ y`
- C. `y.cpu()` 或 `y.numpy()`（先移到 CPU）
- D. `torch.cuda.synchronize()`
- E. `y = y + 1`
""", """
On a GPU, with `x` and `y` on the GPU, which of these make Python **wait until the GPU has finished the work queued before**? (Several are
right: put all the right letters in one string.)

- A. `y.item()`
- B. `z = x @ y`
- C. `y.cpu()` or `y.numpy()` (after moving to the CPU)
- D. `torch.cuda.synchronize()`
- E. `y = y + 1`
""", "ACD", hint='几个字母 / several letters, e.g. "AB"')


def sec_8_3(nb: MasterNotebook) -> None:
    nb.md("sec-8-3", """
## 8.3 自动并行

后端知道每个运算读哪些张量、写哪些张量，所以知道谁依赖谁。互相没有依赖的运算可以同时执行：例如在两块 GPU 上各算一半，
或者一边在 GPU 上算下一批，一边把上一批的结果复制回 CPU。

把运算和依赖写成一张图：`deps[op]` 是 `op` 需要先完成的运算。有无限多设备时，一个运算在它依赖的运算都完成后立即开始，
所以总时间就是图中**代价之和最大的那条依赖链**（关键路径）；只有一个设备时，总时间是所有代价之和。下面的题目算前者。
书中的例子：两块 GPU 各自生成数据并计算（`x_gpu1 → y_gpu1`，`x_gpu2 → y_gpu2`），结果分别复制到 CPU（`copy_y1`、`copy_y2`），最后在 CPU 上相加（`sum_cpu`）。
""", """
## 8.3 Automatic Parallelism

The back end knows which tensors each operation reads and writes, hence which operation depends on which. Operations that do not depend on each
other can run at the same time: half of the work on each of two GPUs, say, or copying the previous batch's results back to the CPU while the GPU
computes the next batch.

Write the operations and their dependencies as a graph: `deps[op]` lists the operations that must finish before `op`. With unlimited devices an
operation starts as soon as everything it needs has finished, so the total time is the **dependency chain with the largest sum of costs** (the
critical path); with a single device it is the sum of all costs. The questions below compute the former. The book's example: two GPUs each make
data and compute (`x_gpu1 → y_gpu1`, `x_gpu2 → y_gpu2`), each result is copied to the CPU (`copy_y1`, `copy_y2`), and the CPU adds them (`sum_cpu`).
""")
    nb.question("parallel_levels", """
写 `parallel_levels(deps)`：把运算分成可以同时执行的若干步，返回 `list[list[str]]`。没有依赖的运算在第 0 步；
其余运算的步数是它所依赖的运算中最大步数加 1。每一步里的名字按字母序排序。`deps` 的每个键都是一个运算，值是它依赖的运算名列表（可能为空）。
书中的例子应得到 `[["x_gpu1", "x_gpu2"], ["y_gpu1", "y_gpu2"], ["copy_y1", "copy_y2"], ["sum_cpu"]]`。
""", """
Write `parallel_levels(deps)`: group the operations into steps that can run at the same time and return a `list[list[str]]`. An operation without
dependencies is in step 0; any other is one step after the latest step among the operations it depends on. Sort the names within each step.
Each key of `deps` is an operation; its value lists the names it depends on (possibly none). The book's example should give
`[["x_gpu1", "x_gpu2"], ["y_gpu1", "y_gpu2"], ["copy_y1", "copy_y2"], ["sum_cpu"]]`.
""", '''
def parallel_levels(deps):
    """可以同时执行的各步 / The steps whose operations can run at the same time."""
    ### BEGIN SOLUTION
    level = {}

    def visit(op):
        if op not in level:
            level[op] = 1 + max((visit(d) for d in deps[op]), default=-1)
        return level[op]

    for op in deps:
        visit(op)
    steps = [[] for _ in range(max(level.values(), default=-1) + 1)]
    for op, k in level.items():
        steps[k].append(op)
    return [sorted(step) for step in steps]
    ### END SOLUTION
''')
    nb.question("critical_path_time", """
写 `critical_path_time(deps, cost)`：设备无限多时完成所有运算的最短时间（Python `float`）。运算 `op` 耗时 `cost[op]`，
在它依赖的运算全部完成后立即开始。书中的例子（上面的图，生成数据 1、计算 4、复制 2、相加 0.5）是 $1 + 4 + 2 + 0.5 = 7.5$，
而一个设备要 $14.5$。
""", """
Write `critical_path_time(deps, cost)`: the least time to finish every operation with unlimited devices (a Python `float`). Operation `op` takes
`cost[op]` and starts as soon as everything it depends on has finished. The book's example (the graph above; making data 1, computing 4, copying 2,
adding 0.5) gives $1 + 4 + 2 + 0.5 = 7.5$, where one device needs $14.5$.
""", '''
def critical_path_time(deps, cost):
    """关键路径的总耗时 / The total cost of the critical path."""
    ### BEGIN SOLUTION
    finish = {}

    def done(op):
        if op not in finish:
            finish[op] = float(cost[op]) + max((done(d) for d in deps[op]), default=0.0)
        return finish[op]

    return max((done(op) for op in deps), default=0.0)
    ### END SOLUTION
''')
    nb.question("parallel_matmuls", """
`torch.jit.fork(f, *args)` 让 `f(*args)` 异步地开始执行并立即返回一个 future，`torch.jit.wait(future)` 等它完成并取回结果。
写 `parallel_matmuls(xs)`：对列表 `xs` 里的每个方阵 `x` 计算 `torch.mm(x, x)`，**先**把所有的都 fork 出去，**再**依次 wait，按原顺序返回结果列表。
（每 fork 一个就马上 wait，就又变回一个一个地算了。）
""", """
`torch.jit.fork(f, *args)` starts `f(*args)` asynchronously and returns a future at once; `torch.jit.wait(future)` waits for it and returns the
result. Write `parallel_matmuls(xs)`: compute `torch.mm(x, x)` for each square matrix `x` in the list `xs`, forking **all** of them first and
**then** waiting on each, and return the results in the original order. (Waiting right after each fork would run them one by one again.)
""", '''
def parallel_matmuls(xs):
    """先全部 fork，再逐个 wait / Fork everything first, then wait on each."""
    ### BEGIN SOLUTION
    futures = [torch.jit.fork(torch.mm, x, x) for x in xs]
    return [torch.jit.wait(f) for f in futures]
    ### END SOLUTION
''')


def sec_8_4(nb: MasterNotebook) -> None:
    nb.md("sec-8-4", """
## 8.4 多 GPU 计算

**数据并行**：每个设备上放一份完整的模型参数；把一个小批量平均分给各个设备，各自做前向和反向传播；
然后把各设备上的梯度**加起来**（all-reduce），让每个设备都拿到相同的总梯度；最后每个设备用这个梯度做同样的一步更新，
于是各个副本始终保持一致。

书里的损失是每个设备上样本损失的**和**，`sgd` 再除以**整个**小批量的大小。这样，$k$ 个设备上的一步和一个设备在整个小批量上的一步完全相同：
数据并行只改变速度，不改变结果。这里的“设备”都是 CPU（`"cpu"`），但代码和真有多块 GPU 时一样。
""", """
## 8.4 Multi-GPU Computation

**Data parallelism**: every device holds a full copy of the model's parameters; a minibatch is split evenly over the devices, each runs the forward
and backward passes on its part; the gradients of all devices are then **summed** (all-reduce) so every device holds the same total; finally every
device takes the same update step with it, so the replicas stay identical.

In the book the loss on a device is the **sum** of its examples' losses and `sgd` divides by the size of the **whole** minibatch. A step on $k$
devices is then exactly the step one device takes on the whole minibatch: data parallelism changes the speed, not the result. The "devices" here
are all the CPU (`"cpu"`), but the code is the same as with real GPUs.
""")
    nb.question("split_and_load", """
写 `split_and_load(data, devices)`：沿第 0 维把 `data` 平均切成 `len(devices)` 份，第 `i` 份用 `.to(devices[i])` 放到第 `i` 个设备上，返回列表。
不能整除时抛出 `ValueError`。
""", """
Write `split_and_load(data, devices)`: split `data` along dimension 0 into `len(devices)` equal parts, put part `i` on `devices[i]` with
`.to(devices[i])`, and return the list. Raise `ValueError` when the examples do not divide evenly.
""", '''
def split_and_load(data, devices):
    """按设备平均切分一个小批量 / Split a minibatch evenly over the devices."""
    ### BEGIN SOLUTION
    n, k = data.shape[0], len(devices)
    if k == 0 or n % k != 0:
        raise ValueError(f"cannot split {n} examples evenly over {k} devices")
    size = n // k
    return [data[i * size:(i + 1) * size].to(devices[i]) for i in range(k)]
    ### END SOLUTION
''')
    nb.question("allreduce", """
写 `allreduce(data)`：`data` 是若干个形状相同的张量（可能在不同设备上）。把它们的和算出来，再复制回每一个，**原地**修改
（`t[:] = ...` 或 `t.copy_(...)`），不返回任何东西。书里的例子：`[[1, 1]]` 和 `[[2, 2]]` 之后都变成 `[[3, 3]]`。
""", """
Write `allreduce(data)`: `data` holds tensors of one shape (possibly on different devices). Compute their sum and copy it back into every one of
them **in place** (`t[:] = ...` or `t.copy_(...)`), returning nothing. The book's example: `[[1, 1]]` and `[[2, 2]]` both become `[[3, 3]]`.
""", '''
def allreduce(data):
    """原地把每个张量换成所有张量之和 / Replace every tensor by the sum of all, in place."""
    ### BEGIN SOLUTION
    total = data[0].clone()
    for t in data[1:]:
        total += t.to(total.device)
    for t in data:
        t[:] = total.to(t.device)
    ### END SOLUTION
''')
    nb.md("sec-8-4-lenet", """
书中这一节用函数式的 LeNet（参数放在列表 `params` 里，顺序为 `W1, b1, W2, b2, W3, b3, W4, b4`，形状见下面的 `LENET_SHAPES`）：
3×3 卷积（20 个通道）→ ReLU → 2×2 平均池化（步幅 2）→ 5×5 卷积（50 个通道）→ ReLU → 2×2 平均池化 → 展平（800）→ 全连接 128 → ReLU → 全连接 10。
`get_params` 把一份参数复制到一个设备上，`sgd` 是书中的小批量随机梯度下降（除以 `batch_size`，并清零梯度）。
""", """
This section of the book uses a LeNet written with functions (its parameters in a list `params` ordered `W1, b1, W2, b2, W3, b3, W4, b4`, shapes in
`LENET_SHAPES` below): 3×3 convolution (20 channels) → ReLU → 2×2 average pooling (stride 2) → 5×5 convolution (50 channels) → ReLU → 2×2 average
pooling → flatten (800) → dense 128 → ReLU → dense 10. `get_params` copies a set of parameters to a device, and `sgd` is the book's minibatch SGD
(dividing by `batch_size` and clearing the gradients).
""")
    nb.given("lenet-given", '''
LENET_SHAPES = [(20, 1, 3, 3), (20,), (50, 20, 5, 5), (50,), (800, 128), (128,), (128, 10), (10,)]


def get_params(params, device):
    """把参数复制到 device 上，并让它们需要梯度 / Copy the parameters to device, requiring grad."""
    return [p.detach().clone().to(device).requires_grad_() for p in params]


def sgd(params, lr, batch_size):
    """p -= lr * p.grad / batch_size，然后清零梯度 / then clear the gradients."""
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad / batch_size
            p.grad.zero_()
''')
    nb.question("lenet", """
写 `lenet(X, params)`：按上面的结构，用 `F.conv2d`、`F.relu`、`F.avg_pool2d` 和矩阵乘法计算 `X`（形状 `(批量, 1, 28, 28)`）的输出 `(批量, 10)`。
""", """
Write `lenet(X, params)`: following the structure above, compute with `F.conv2d`, `F.relu`, `F.avg_pool2d` and matrix products the output
`(batch, 10)` for `X` of shape `(batch, 1, 28, 28)`.
""", '''
def lenet(X, params):
    """函数式 LeNet / LeNet written with functions."""
    ### BEGIN SOLUTION
    W1, b1, W2, b2, W3, b3, W4, b4 = params
    h = F.avg_pool2d(F.relu(F.conv2d(X, W1, b1)), kernel_size=2, stride=2)
    h = F.avg_pool2d(F.relu(F.conv2d(h, W2, b2)), kernel_size=2, stride=2)
    h = F.relu(h.reshape(h.shape[0], -1) @ W3 + b3)
    return h @ W4 + b4
    ### END SOLUTION
''')
    nb.question("train_batch", """
写 `train_batch(X, y, device_params, devices, lr)`：一次数据并行的训练步。`device_params[i]` 是第 `i` 个设备上的一份参数（彼此相同，都需要梯度）。

1. 用你的 `split_and_load` 把 `X` 和 `y` 分到各个设备；
2. 每个设备上算交叉熵损失的**和**（`F.cross_entropy(..., reduction="sum")`）并反向传播；
3. 对每个参数位置 `i`，用你的 `allreduce` 把各设备上 `params[i].grad` 加起来；
4. 每个设备调用 `sgd(params, lr, X.shape[0])`（除以**整个**小批量的大小）。

不返回任何东西；评分检查调用之后所有副本的参数：它们都应当等于在一个设备上对整个小批量做一步的结果。
""", """
Write `train_batch(X, y, device_params, devices, lr)`: one data-parallel training step. `device_params[i]` is the copy of the parameters on device
`i` (all equal, all requiring grad).

1. Split `X` and `y` over the devices with your `split_and_load`;
2. on each device compute the **sum** of the cross-entropy losses (`F.cross_entropy(..., reduction="sum")`) and backpropagate;
3. for each parameter position `i`, sum `params[i].grad` over the devices with your `allreduce`;
4. call `sgd(params, lr, X.shape[0])` on every device (dividing by the size of the **whole** minibatch).

Return nothing; grading checks every replica's parameters after the call: each should equal the result of one step on the whole minibatch on a
single device.
""", '''
def train_batch(X, y, device_params, devices, lr):
    """一次数据并行的训练步 / One data-parallel training step."""
    ### BEGIN SOLUTION
    X_shards, y_shards = split_and_load(X, devices), split_and_load(y, devices)
    for X_s, y_s, params in zip(X_shards, y_shards, device_params):
        F.cross_entropy(lenet(X_s, params), y_s, reduction="sum").backward()
    for i in range(len(device_params[0])):
        allreduce([params[i].grad for params in device_params])
    for params in device_params:
        sgd(params, lr, X.shape[0])
    ### END SOLUTION
''')
    nb.demo("train-batch-demo", """
两个“设备”上的一步和一个设备在整个小批量上的一步相同。
""", """
A step on two "devices" equals a step on one device over the whole minibatch.
""", """
try:
    start = [torch.randn(*s) * 0.1 for s in LENET_SHAPES]
    X, y = torch.rand(8, 1, 28, 28), torch.randint(0, 10, (8,))
    two = [get_params(start, "cpu") for _ in range(2)]
    train_batch(X, y, two, ["cpu", "cpu"], 0.2)
    one = [get_params(start, "cpu")]
    train_batch(X, y, one, ["cpu"], 0.2)
    print("largest difference:", max((a - b).abs().max().item() for a, b in zip(two[1], one[0])))
""" + NOT_YET)


def sec_8_5(nb: MasterNotebook) -> None:
    residual = inspect.getsource(ch05_modern_nets.Residual)
    block = inspect.getsource(ch05_modern_nets.resnet_block)
    nb.md("sec-8-5", """
## 8.5 多 GPU 计算的简洁实现

书里这一节用一个适合小图片的 ResNet-18：第一层是 3×3 卷积（步幅 1），后面**没有**最大池化层。下面给出第 5 章的 `Residual` 和 `resnet_block`。
""", """
## 8.5 Concise Implementation of Multi-GPU Computation

This section of the book uses a ResNet-18 for small images: the first layer is a 3×3 convolution (stride 1) and there is **no** max-pooling after
it. Chapter 5's `Residual` and `resnet_block` are given below.
""")
    nb.given("resnet-given", residual + "\n\n" + block)
    nb.question("resnet18_small", """
写 `resnet18_small(num_classes=10, in_channels=1)`，返回一个 `nn.Sequential`，位置固定（评分会按名字装入权重）：
0 `nn.Conv2d(in_channels, 64, 3, stride=1, padding=1)`，1 `nn.BatchNorm2d(64)`，2 `nn.ReLU()`，
3–6 四个 `resnet_block`，每个两个残差块，通道数 64、128、256、512（第一个是 `first_block=True`），
7 `nn.AdaptiveAvgPool2d(1)`，8 `nn.Flatten()`，9 `nn.Linear(512, num_classes)`。
""", """
Write `resnet18_small(num_classes=10, in_channels=1)` returning an `nn.Sequential` with fixed positions (grading loads weights by name):
0 `nn.Conv2d(in_channels, 64, 3, stride=1, padding=1)`, 1 `nn.BatchNorm2d(64)`, 2 `nn.ReLU()`, 3–6 four `resnet_block`s of two residual blocks each
with 64, 128, 256 and 512 channels (the first with `first_block=True`), 7 `nn.AdaptiveAvgPool2d(1)`, 8 `nn.Flatten()`, 9 `nn.Linear(512, num_classes)`.
""", '''
def resnet18_small(num_classes=10, in_channels=1):
    """适合小图片的 ResNet-18 / ResNet-18 for small images."""
    ### BEGIN SOLUTION
    return nn.Sequential(
        nn.Conv2d(in_channels, 64, kernel_size=3, stride=1, padding=1),
        nn.BatchNorm2d(64), nn.ReLU(),
        resnet_block(64, 64, 2, first_block=True),
        resnet_block(64, 128, 2), resnet_block(128, 256, 2), resnet_block(256, 512, 2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, num_classes))
    ### END SOLUTION
''')
    nb.md("sec-8-5-ddp", """
PyTorch 里多设备训练的标准做法是 `DistributedDataParallel`（DDP）：每个设备一个**进程**，每个进程有一份模型，处理自己那份数据；
`backward()` 时 DDP 在各进程之间对梯度做 all-reduce 并**取平均**。每个进程用的都是自己那份数据上的**平均**损失，各份大小相同时，
平均之后的梯度正好等于整个小批量上平均损失的梯度。（书中的 `nn.DataParallel` 只能用于 GPU，官方也推荐 DDP。）

进程之间用 `torch.distributed` 通信，CPU 上的后端是 `gloo`。这里两个进程都在本机，通过 `127.0.0.1` 上的一个空闲端口会合。
在 notebook 里要用 `fork` 方式启动子进程（`mp.get_context("fork")`）：默认的 `spawn` 方式要在新的解释器里重新导入函数，而 notebook 里定义的函数导入不到。
每个子进程通过自己的管道（`conn.send`）把结果发回父进程，发送前用 `.tolist()` 变成普通列表：进程之间传递的张量放在共享内存里，子进程退出后就没了。
""", """
The standard way to train on several devices in PyTorch is `DistributedDataParallel` (DDP): one **process** per device, each with its own copy of
the model working on its own share of the data; during `backward()` DDP all-reduces the gradients across the processes and **averages** them.
Each process uses the **mean** loss over its share, so with shares of equal size the averaged gradient is exactly the gradient of the mean loss
over the whole minibatch. (The book's `nn.DataParallel` works only on GPUs, and PyTorch recommends DDP instead.)

The processes talk through `torch.distributed`, whose CPU back end is `gloo`. Here both processes run on this machine and meet at a free port on
`127.0.0.1`. In a notebook the workers must be started with `fork` (`mp.get_context("fork")`): the default `spawn` re-imports the function in a new
interpreter, which cannot import functions defined in a notebook. Each worker sends its result back through its own pipe (`conn.send`) as plain lists (`.tolist()`):
a tensor sent between processes lives in shared memory, which disappears when its process exits.
""")
    given = '''
def make_ddp_net():
    """DDP 题目训练的小网络 / The small network of the DDP question."""
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
'''
    nb.given("ddp-given", given.strip("\n") + "\n\n\n" + inspect.getsource(ch08.free_port)
             + "\n\n" + inspect.getsource(ch08.run_workers))
    nb.question("ddp_gradients", """
写 `ddp_worker(rank, world_size, port, conn, state, X, y)` 和 `ddp_gradients(state, X, y, world_size=2)`。

`ddp_worker` 在一个进程里：

1. `dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world_size)`；
2. 用 `make_ddp_net()` 建网络，`load_state_dict(state)`，再包成 `nn.parallel.DistributedDataParallel`；
3. 取自己那份数据 `X.chunk(world_size)[rank]`（`y` 同样），算**平均**交叉熵损失并 `backward()`；
4. 用 `conn.send([p.grad.tolist() for p in net.parameters()])` 把梯度发回父进程，然后 `del` 掉 DDP 模型，最后 `dist.destroy_process_group()`。

`ddp_gradients` 用给出的 `run_workers` 启动 `world_size` 个进程，返回 0 号进程的梯度（按参数顺序的张量列表，用 `torch.tensor` 变回张量）。
评分把它和在一个进程里对整个小批量算出的梯度比较。
""", """
Write `ddp_worker(rank, world_size, port, conn, state, X, y)` and `ddp_gradients(state, X, y, world_size=2)`.

`ddp_worker`, in one process:

1. `dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world_size)`;
2. build the network with `make_ddp_net()`, `load_state_dict(state)`, and wrap it in `nn.parallel.DistributedDataParallel`;
3. take its own share `X.chunk(world_size)[rank]` (and the same of `y`), compute the **mean** cross-entropy loss and `backward()`;
4. send the gradients to the parent with `conn.send([p.grad.tolist() for p in net.parameters()])`, then `del` the DDP model, and finally `dist.destroy_process_group()`.

`ddp_gradients` starts `world_size` processes with the given `run_workers` and returns rank 0's gradients (a list of tensors in parameter order,
turned back into tensors with `torch.tensor`). Grading compares them with the gradient of the whole minibatch computed in one process.
""", '''
def ddp_worker(rank, world_size, port, conn, state, X, y):
    """一个 DDP 进程：自己那份数据上的一次反向传播 / One DDP process: a backward pass on its share."""
    ### BEGIN SOLUTION
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank,
                            world_size=world_size)
    net = make_ddp_net()
    net.load_state_dict(state)
    model = nn.parallel.DistributedDataParallel(net)
    X_s, y_s = X.chunk(world_size)[rank], y.chunk(world_size)[rank]
    F.cross_entropy(model(X_s), y_s).backward()
    conn.send([p.grad.tolist() for p in net.parameters()])
    del model
    dist.destroy_process_group()
    ### END SOLUTION


def ddp_gradients(state, X, y, world_size=2):
    """world_size 个进程的 DDP 梯度（0 号进程的）/ Rank 0's gradients after a DDP backward pass."""
    ### BEGIN SOLUTION
    grads = run_workers(ddp_worker, world_size, state, X, y)[0]
    return [torch.tensor(g) for g in grads]
    ### END SOLUTION
''')
    nb.demo("ddp-demo", """
两个进程的 DDP 梯度和一个进程的整批梯度之差。
""", """
The difference between the DDP gradient of two processes and the whole-batch gradient of one.
""", """
try:
    net = make_ddp_net()
    X, y = torch.randn(8, 8), torch.randint(0, 3, (8,))
    grads = ddp_gradients(net.state_dict(), X, y)
    F.cross_entropy(net(X), y).backward()
    print("largest difference:", max((g - p.grad).abs().max().item() for g, p in zip(grads, net.parameters())))
""" + NOT_YET)


def main() -> int:
    nb = MasterNotebook(ASSIGNMENT, NOTEBOOK)
    intro(nb)
    sec_8_1(nb)
    sec_8_2(nb)
    sec_8_3(nb)
    sec_8_4(nb)
    sec_8_5(nb)
    nb.write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
