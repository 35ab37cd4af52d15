"""Seed 004 (NULA card): downsampling operators by name, their kernels, the checkerboard, the perturbation suite.

``operators`` (registry ``DOWNSAMPLERS``), ``kernels`` (matrix-free separable kernels and the dense
reference), ``checkerboard``, ``invariance`` (``f = g o D`` blind to ``ker(D)``), ``perturbations`` and
``suite`` (the card's table), ``worst_case`` (the worst ``delta in ker(D)``), ``result``, ``runner``, ``report``.
"""
