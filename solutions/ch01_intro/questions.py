"""Chapter 1 (深度学习简介): a reading quiz on the chapter's four sections.

The chapter has no code, so it is graded as a quiz: choice questions (one or several
letters), short answers (a word or a number, several accepted spellings) and one free
response that a person grades in nbgrader's formgrader.  Answers are compared exactly
after normalisation (:mod:`autograder.answers`): width, case, whitespace, surrounding
punctuation and traditional/simplified characters do not matter.  The key lives here and
in the master notebook's solution cells, never in what students receive.
"""

from __future__ import annotations

from autograder.spec import AssignmentSpec, Manual, NotebookSpec, choice, short_answer

QUESTIONS = [
    # §1.1 起源 / origins
    choice("origins_principles", 2, "AC",
           description="the two ideas of early neural networks still at the core today"),
    choice("origins_hebb", 1, "B", description="what Hebb's rule describes"),
    # §1.2 发展 / development
    choice("development_winter", 1, "D",
           description="why other methods overtook neural networks around 1995–2005"),
    short_answer("development_decade", 1, ["2010", "2010s", "2010年代", "2010 年代"],
                 description="the decade of the book's table with 1 GB memory and 1 TFLOPS"),
    choice("development_progress", 2, "ABD",
           description="which techniques the chapter credits with the recent progress"),
    # §1.3 成功案例 / successes
    short_answer("successes_game", 1, ["围棋", "go", "weiqi", "the game of go"],
                 description="the board game AlphaGo mastered"),
    short_answer("successes_imagenet", 1, ["2.25", "2.25%"],
                 description="ImageNet top-5 error in 2017, in percent"),
    # §1.4 特点 / characteristics
    choice("traits_end_to_end", 1, "C", description="what end-to-end training means"),
    choice("traits_representation", 1, "A",
           description="the family of methods deep learning belongs to"),
]

ASSIGNMENT = AssignmentSpec(
    id="ch01_intro",
    title="第 1 章 深度学习简介 / Chapter 1 Introduction to Deep Learning",
    notebooks=[NotebookSpec("reading_quiz", QUESTIONS,
                            manual=[Manual("reflection_scaling", 3)])],
)
