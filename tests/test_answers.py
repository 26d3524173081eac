"""Choice and short-answer questions: normalisation, judging, the ``value`` kind, check()."""

from __future__ import annotations

import pytest

from autograder.answers import judge_answer, normalize
from autograder.check import Checker
from autograder.fixtures import make_plan, run_reference
from autograder.judge import judge_case
from autograder.kinds import Value, run_case
from autograder.spec import AssignmentSpec, Manual, NotebookSpec, choice, short_answer


@pytest.mark.parametrize(("given", "options", "canonical"), [
    ("B", "ABCD", "B"), ("ｂ", "ABCD", "B"), (" b. ", "ABCD", "B"), ("Ｂ。", "ABCD", "B"),
    ("c, a", "ABCD", "AC"), ("C、A", "ABCD", "AC"), ("a c", "ABCD", "AC"), ("CAA", "ABCD", "AC"),
    ("A和C", "ABCD", "AC"),
    ("反向傳播", None, "反向传播"), ("“反向传播。”", None, "反向传播"), ("圍棋", None, "围棋"),
    ("  Deep   LEARNING ", None, "deep learning"), ("ｄｅｅｐ　learning", None, "deep learning"),
    (2010, None, "2010"), (2.25, None, "2.25"), ("２０１０", None, "2010"),
])
def test_spellings_that_mean_the_same_answer_normalise_alike(given, options, canonical):
    assert normalize(given, options) == canonical


@pytest.mark.parametrize(("given", "options"), [
    ("E", "ABCD"), ("", "ABCD"), ("A?B", "AB"), (True, None), (None, None), (["B"], "ABCD"),
    (b"B", "ABCD"),
])
def test_what_is_not_an_answer_normalises_to_none(given, options):
    assert normalize(given, options) is None


def test_judging_accepts_any_spelling_of_the_key_and_never_reveals_it():
    assert judge_answer("ｂ", ["B"], "ABCD") == []
    assert judge_answer("2010s", ["2010", "2010s"], None) == []
    wrong = judge_answer("C", ["B"], "ABCD")
    assert wrong == [("答案不正确", "the answer is not correct")]
    assert judge_answer("AB", ["A"], "ABCD") == wrong  # a multiple choice is all or nothing
    assert "E" not in judge_answer("B", ["B"], "ABCD") and judge_answer("E", ["B"], "ABCD")
    assert "string" in judge_answer(3.5j, ["B"], "ABCD")[0][1]
    assert all("B" not in en for _, en in wrong + judge_answer(7, ["B"], "ABCD"))


def _quiz() -> tuple[AssignmentSpec, NotebookSpec]:
    nb = NotebookSpec("quiz", [choice("q_layers", 2, "AB"),
                               short_answer("q_game", 1, ["围棋", "go"])],
                      manual=[Manual("essay", 3)])
    return AssignmentSpec("ch99_quiz", "quiz", [nb]), nb


def test_answer_questions_plan_judge_and_score_like_any_question():
    spec, nb = _quiz()
    plan = make_plan(spec, nb)
    assert [(q["judge"], q["options"], q["kind"]) for q in plan["questions"]] == [
        ("answer", "ABCD", {"kind": "value"}), ("answer", "", {"kind": "value"})]
    assert all(not c["public"] for q in plan["questions"] for c in q["cases"])
    expected = run_reference(nb, plan)
    assert expected == {"q_layers/h1": ["AB"], "q_game/h1": ["围棋", "go"]}

    def verdict(name, value):
        q = next(q for q in plan["questions"] if q["name"] == name)
        case = q["cases"][0]
        result = {"status": "ok", "value": run_case(value, case, q["kind"], {})}
        return judge_case(q, case, result, expected[f"{name}/h1"], None, 10.0)

    assert verdict("q_layers", "b，a").passed and verdict("q_game", "圍棋").passed
    assert verdict("q_game", " GO ").passed and not verdict("q_game", "象棋").passed
    assert not verdict("q_layers", "A").passed
    with pytest.raises(NotImplementedError):  # the blank's placeholder is "not answered"
        run_case(None, {"seed": 0, "args": [], "kwargs": {}}, Value().to_data(), {})


def test_check_says_how_an_answer_was_read_without_judging_it(tmp_path, capsys):
    from autograder import wire
    from autograder.fixtures import public_plan

    spec, nb = _quiz()
    plan = make_plan(spec, nb)
    wire.write(tmp_path / "plan", public_plan(plan))
    wire.write(tmp_path / "expected", {})
    check = Checker("ch99_quiz", "quiz", lang="en", folder=tmp_path)
    assert check.answer("q_layers", {"q_layers": "b, a"}) == (
        "已记录答案 'AB'（评分时核对）", "answer recorded as 'AB' (checked when graded)")
    assert check.answer("q_layers", {"q_layers": None})[1] == "✗ not answered yet"
    assert "option letters" in check.answer("q_layers", {"q_layers": "E"})[1]
    assert check.answer("q_game", {"q_game": "圍棋"})[1] == \
        "answer recorded as '围棋' (checked when graded)"
