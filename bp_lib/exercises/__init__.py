"""Checkers for the book's exercises, one module per topic.

Each checker runs a reader's function against a numerical gradient (or a
reference) and, when it is wrong, names the likely mistake.

Every checker returns a :class:`Feedback` (``passed`` and a one-line ``message``);
print it in a notebook, or assert ``feedback.passed`` in an autograder.
The checkers live in one module per topic, e.g. :mod:`bp_lib.exercises.activations`.
"""

from .feedback import AnswerError, Case, Feedback, Hyperparameter, diagnose

__all__ = ["AnswerError", "Case", "Feedback", "Hyperparameter", "diagnose"]
