"""``python -m autograder`` is ``d2l-grade``."""

from .cli import main

main()
