"""``make bench``: bp_lib beside PyTorch and scikit-learn, every figure a ratio measured in one run.

``python -m benchmarks`` starts one worker process per library (``benchmarks.worker``),
hands them the same cases in turn (A, B, A, B), and prints and saves the table.
"""
