"""Code that exists for the book's pages, not for use after the book.

    plot          the book's figure style (``book.mplstyle``) and its figures
    graph_plot    the computational-graph drawing of chapter 1
    diagnostics   layer tracing: what each layer outputs and what gradient reaches it
    depth_probe   per-layer statistics through a deep stack (chapter 9)
    bugs          deliberately wrong implementations, run by the bug gallery
    cost          operation counts, cached memory and a careful timer (chapter 14)
    bench         one training step measured, for ``make bench`` and chapter 14

Each imports from the library (``bp_lib``); the library never imports from here.
"""
