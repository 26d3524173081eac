"""d2l-autograder's engine: specs, fixtures, comparison, the sandboxed run, grading.

It knows no chapter: chapters are content under ``reference_impl/``, ``solutions/`` and
``assignments/``.  See DESIGN.md for the flow of one question.
"""

__version__ = "0.1.0"
