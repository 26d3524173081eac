"""The adversarial corpus (see corpus.py)."""
