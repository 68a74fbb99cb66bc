import numpy as np

import bp_lib as bp
from bp_lib.exercises.init import check_he_normal, check_xavier_uniform


def test_he_checker():
    assert check_he_normal(bp.he_normal).passed
    wrongs = {
        "used as the standard deviation": lambda n, m, r: r.normal(0, 2 / n, (n, m)),
        "fan-out n_out was used": lambda n, m, r: r.normal(0, np.sqrt(2 / m), (n, m)),
        "Xavier's denominator": lambda n, m, r: r.normal(0, np.sqrt(2 / (n + m)), (n, m)),
        "factor 2 is missing": lambda n, m, r: r.normal(0, np.sqrt(1 / n), (n, m)),
    }
    for expected, wrong in wrongs.items():
        feedback = check_he_normal(wrong)
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)
    assert "shape" in check_he_normal(lambda n, m, r: r.normal(size=(m, n))).message


def test_xavier_checker():
    assert check_xavier_uniform(bp.xavier_uniform).passed
    wrongs = {
        "The limit is the standard deviation": lambda n, m, r: r.uniform(
            -np.sqrt(2 / (n + m)), np.sqrt(2 / (n + m)), (n, m)
        ),
        "Only n_in was used": lambda n, m, r: r.uniform(-np.sqrt(6 / n), np.sqrt(6 / n), (n, m)),
        "Only n_out was used": lambda n, m, r: r.uniform(-np.sqrt(6 / m), np.sqrt(6 / m), (n, m)),
    }
    for expected, wrong in wrongs.items():
        feedback = check_xavier_uniform(wrong)
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)
    normal = check_xavier_uniform(lambda n, m, r: r.normal(0, np.sqrt(2 / (n + m)), (n, m)))
    assert not normal.passed and "range of your draw" in normal.message
