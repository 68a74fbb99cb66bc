import math

from bp_lib.exercises.chain_rule import check_neuron_gradient


def _local(x1, x2, w1, w2, b):
    return 1 - math.tanh(w1 * x1 + w2 * x2 + b) ** 2


def test_right_answer_passes():
    assert check_neuron_gradient(
        lambda x1, x2, w1, w2, b: tuple(_local(x1, x2, w1, w2, b) * v for v in (x1, x2, 1))
    ).passed


def test_each_mistake_is_named():
    def z(x1, x2, w1, w2, b):
        return w1 * x1 + w2 * x2 + b

    wrongs = {
        "taken as 1 - z**2": lambda *a: tuple((1 - z(*a) ** 2) * v for v in (a[0], a[1], 1)),
        "local derivative of tanh is missing": lambda *a: (a[0], a[1], 1.0),
        "written 1 - tanh(z); it is": lambda *a: tuple((1 - math.tanh(z(*a))) * v for v in (a[0], a[1], 1)),
        "inputs are swapped": lambda *a: tuple(_local(*a) * v for v in (a[1], a[0], 1)),
        "w times the local derivative": lambda *a: tuple(_local(*a) * v for v in (a[2], a[3], 1)),
    }
    for expected, wrong in wrongs.items():
        feedback = check_neuron_gradient(wrong)
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)
