"""Reference implementation (answer key), one module per chapter."""
