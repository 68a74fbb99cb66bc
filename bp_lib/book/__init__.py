"""Code that exists for the book's pages, not for use after the book.

Figures and probes used by several chapters:

    plot            the book's figure style (``book.mplstyle``) and its figures
    graph_plot      the computational-graph drawing of chapter 1
    diagnostics     layer tracing: what each layer outputs and what gradient reaches it
    depth_probe     per-layer statistics through a deep stack (chapter 9)
    bugs            deliberately wrong implementations, run by the bug gallery
    cost            operation counts, cached memory and a careful timer (chapter 14)
    bench           one training step measured, for ``make bench`` and chapter 14

One chapter's experiments each, so that its cells stay short and its claims are tested:

    loss_constants  chapter 5: constants in front of a loss, SGD against Adam
    network_bug     chapter 6: training with tanh's derivative taken at its output
    xor             chapter 7: the tutorial's XOR network over hundreds of seeds
    optimisers      chapter 7: SGD, momentum and Adam over seeds and learning rates
    bn_training     chapter 11: deep ReLU nets with and without batch norm, swept
    dropout_study   chapter 12: dropout and the memorisation of noisy labels
    digits          chapter 13: the width scan with intervals, a line count
    pass_parts      chapter 14: the parts of a backward pass, timed alone
    residual_study  chapter 15: gradients through depth; deep nets with or without skips
    cnn_study       chapter 16: conv gradients as convolutions; a small CNN vs the MLP

Each imports from the library (``bp_lib``); the library never imports from here.
"""
