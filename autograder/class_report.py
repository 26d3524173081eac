"""``d2l-grade report``: how a class did on one assignment.

Built from the stored results of ``d2l-grade autograde`` (one file per submission), it
writes ``report.csv`` (one row per student and notebook, a column per question),
``scores.png`` (a histogram of totals) and ``report.html`` (per-question pass rates, the
most common failure reasons, the slowest submissions), all in ``reports/<assignment>/``.
"""

from __future__ import annotations

import csv
import html
import json
from collections import Counter
from pathlib import Path
from typing import Any

from .nbgrader_autograde import STORE


def load_results(course_dir: Path, assignment: str) -> list[dict[str, Any]]:
    rows = []
    for path in sorted((Path(course_dir) / STORE / assignment).glob("*/*.json")):
        data = json.loads(path.read_text())
        data["student"], data["notebook"] = path.parent.name, path.stem
        rows.append(data)
    return rows


def _first_words(reason: str) -> str:
    """A failure reason without its numbers, so that like failures group together."""
    text = reason.split(": ", 1)[-1] if " › " in reason else reason
    return "".join("#" if c.isdigit() else c for c in text)[:90]


def build_report(course_dir: Path, assignment: str) -> dict[str, Path]:
    """Write the CSV, PNG and HTML; returns their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    results = load_results(course_dir, assignment)
    if not results:
        raise FileNotFoundError(f"no results for {assignment} under {course_dir / STORE}; "
                                "run `d2l-grade autograde` first")
    out = Path(course_dir) / "reports" / assignment
    out.mkdir(parents=True, exist_ok=True)
    questions = list(dict.fromkeys(q for r in results for q in r["questions"]))
    with open(out / "report.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "notebook", "score", "max_score", "seconds", *questions])
        for r in results:
            writer.writerow([r["student"], r["notebook"], r["score"], r["max_score"],
                             r.get("seconds", ""),
                             *[r["questions"].get(q, {}).get("score", "") for q in questions]])
    fig, ax = plt.subplots(figsize=(6, 3.5))
    top = max(r["max_score"] for r in results) or 1
    ax.hist([r["score"] for r in results], bins=min(20, int(top) + 1), range=(0, top),
            color="#3b6ea5", edgecolor="white")
    ax.set_xlabel("score")
    ax.set_ylabel("students")
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_title(f"{assignment}: {len(results)} notebooks")
    fig.tight_layout()
    fig.savefig(out / "scores.png", dpi=100)
    plt.close(fig)

    lines = []
    for q in questions:
        entries = [r["questions"][q] for r in results if q in r["questions"]]
        passed = sum(e["status"] == "passed" for e in entries)
        reasons = Counter(_first_words(reason["en"]) for e in entries if e["status"] != "passed"
                          for reason in e["reasons"][:1])
        common = "<br>".join(f"{n}× {html.escape(text)}" for text, n in reasons.most_common(3))
        lines.append(f"<tr><td>{html.escape(q)}</td><td>{100 * passed / len(entries):.0f}% "
                     f"({passed}/{len(entries)})</td><td>{common}</td></tr>")
    slow = sorted(results, key=lambda r: -float(r.get("seconds") or 0))[:10]
    slow_rows = "".join(f"<tr><td>{html.escape(r['student'])}</td><td>{r.get('seconds', 0)}"
                        f"</td><td>{r['score']:g}</td></tr>" for r in slow)
    mean = sum(r["score"] for r in results) / len(results)
    (out / "report.html").write_text(f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(assignment)} report</title>
<style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto}}
td,th{{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}}
table{{border-collapse:collapse;width:100%;margin-bottom:2rem}}</style></head><body>
<h1>{html.escape(assignment)}: {len(results)} notebooks, mean {mean:.2f} / {top:g}</h1>
<img src="scores.png" alt="histogram of scores">
<h2>Questions</h2><table><tr><th>question</th><th>passed</th><th>most common failures</th></tr>
{"".join(lines)}</table>
<h2>Slowest submissions</h2><table><tr><th>student</th><th>seconds</th><th>score</th></tr>
{slow_rows}</table></body></html>
""", encoding="utf-8")
    return {"html": out / "report.html", "csv": out / "report.csv", "png": out / "scores.png"}
