"""d2l-autograder tests."""
