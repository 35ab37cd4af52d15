"""The worst case within ker(D): stays in the kernel (D(x + delta) = D(x)) and within eps."""

import torch

from nullsight.models.nula import Nula
from nullsight.normalization import PM1
from nullsight.sampling.kernels import separable_kernel
from nullsight.sampling.operators import DOWNSAMPLERS
from nullsight.sampling.worst_case import KernelWorstCase, worst_case_row


def test_delta_stays_in_kernel_and_budget():
    torch.manual_seed(0)
    model = Nula(width=0.125).eval()
    op = DOWNSAMPLERS.get("decimate-2")
    attack = KernelWorstCase(op, separable_kernel(op, 32), eps=0.05, steps=3)
    x, y = torch.rand(4, 3, 32, 32), torch.randint(0, 10, (4,))
    delta = attack.perturb(model, x, y, PM1.to_model)
    assert delta.abs().max() <= 0.05 + 1e-7
    assert (op.down(x + delta) - op.down(x)).abs().max() < 1e-6
    assert delta.abs().max() > 0
    assert "eps=0.05" in repr(attack)


def test_row_summarises():
    torch.manual_seed(0)
    model = Nula(width=0.125).eval()
    op = DOWNSAMPLERS.get("resize-0.5")
    row = worst_case_row(KernelWorstCase(op, separable_kernel(op, 32), 0.05, 2), model, torch.rand(6, 3, 32, 32),
                         torch.randint(0, 10, (6,)), PM1.to_model, batch_size=4)
    assert row.n == 6 and 0.0 <= row.accuracy <= 1.0
    assert row.max_downsampled_change < 1e-6 and row.mean_linf <= 0.05 + 1e-7
