"""Layers as linear operators: the weight matrices a network applies to its inputs.

Seed 000 (Remark 2, Table 2) reshapes a convolution kernel ``(out, in/g, kh, kw)``
to the ``out x (in/g * kh * kw)`` matrix that acts on one input patch.  Grouped
and depthwise convolutions are also split into their ``g`` diagonal blocks
``(out/g) x (in/g * kh * kw)``, each acting on its own channel group.  A
transposed convolution ``(in, out/g, kh, kw)`` maps one input pixel's channels
to an output footprint: its matrix is ``(out/g * kh * kw) x (in/g)`` per group,
groups stacked along the rows.
``nn.MultiheadAttention`` contributes its packed input projection ``(3E x E)``
(or the three separate ones) as the timm/torchvision ViTs apply it.
Recurrent layers (RNN / LSTM / GRU and their cells) contribute every
``weight_ih_l*`` (gates x input) and ``weight_hh_l*`` (gates x hidden), each
also split into its gate blocks; an ``nn.Embedding`` is the map from one-hot
inputs, ``E^T`` (dim x vocabulary); a module that stores its matrix
transposed (``in x out``, e.g. the transformers ``Conv1D`` of GPT-2) is audited
in the orientation it applies.  Every parameter that is not a linear map is
listed with the reason (:func:`skipped_parameters`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from .errors import InvalidInputError

_CONV = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
_CONV_T = (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)
_GATES = {"LSTM": ("i", "f", "g", "o"), "GRU": ("r", "z", "n"), "LSTMCell": ("i", "f", "g", "o"), "GRUCell": ("r", "z", "n")}

# Modules (by class name) that store their weight transposed, ``in x out``, and apply ``x @ weight``.
TRANSPOSED_LINEAR: set[str] = {"Conv1D"}  # transformers.pytorch_utils.Conv1D (GPT-2, GPT-1, ...)


@dataclass
class LinearWeight:
    """One trainable weight seen as a matrix (``rows x cols``), with its per-group blocks."""

    name: str
    module_name: str
    module_type: str
    matrix: torch.Tensor
    groups: int = 1
    blocks: tuple[str, ...] = ()
    orientation: str = "stored"

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(self.matrix.shape)  # type: ignore[return-value]

    def row_blocks(self) -> torch.Tensor:
        """The ``(len(blocks), rows/len(blocks), cols)`` stack of row blocks (a recurrent weight's gates)."""
        rows, cols = self.matrix.shape
        return self.matrix.reshape(len(self.blocks), rows // len(self.blocks), cols)

    def group_blocks(self) -> torch.Tensor:
        """The ``(groups, rows/groups, cols)`` stack of diagonal blocks (one block when ungrouped)."""
        rows, cols = self.matrix.shape
        return self.matrix.reshape(self.groups, rows // self.groups, cols)


def conv_weight_matrix(weight: torch.Tensor) -> torch.Tensor:
    """``(out, in/g, *kernel)`` -> ``out x (in/g * prod(kernel))``, the paper's reshape."""
    return weight.reshape(weight.shape[0], -1)


@dataclass(frozen=True)
class SkippedParameter:
    """A parameter the audit does not count as a linear map, and why."""

    name: str
    shape: list[int] = field(default_factory=list)
    module_type: str = ""
    reason: str = ""


def linear_weights(model: nn.Module, all_params: bool = False) -> list[LinearWeight]:
    """Every weight of ``model`` that acts as a linear map, in parameter order.

    With ``all_params`` every other parameter of two or more dimensions
    (position embeddings, class tokens) is added too, reshaped to
    ``shape[0] x rest``.  Shared (tied) weights are listed once.
    """
    weights = [w for name, module in model.named_modules() for w in _module_weights(name, module)]
    if all_params:
        claimed = {w.name for w in weights}
        for name, param in model.named_parameters():
            if param.ndim >= 2 and name not in claimed:
                module_name = name.rsplit(".", 1)[0] if "." in name else ""
                weights.append(LinearWeight(name, module_name, "Parameter", param.detach().reshape(param.shape[0], -1)))
    order = {name: i for i, (name, _) in enumerate(model.named_parameters())}  # tied copies are dropped here
    for name, i in list(order.items()):  # a parametrised weight (weight norm) sits where its first factor does
        effective = _parametrised_weight(name)
        if effective is not None:
            order.setdefault(effective, i)
    return sorted((w for w in weights if w.name in order), key=lambda w: order[w.name])


_FACTORS = (".parametrizations.weight.original0", ".parametrizations.weight.original1",
            ".parametrizations.weight.original", ".weight_g", ".weight_v")


def _parametrised_weight(name: str) -> str | None:
    """``conv.weight`` for ``conv.parametrizations.weight.original0`` or ``conv.weight_g`` (weight norm), else None."""
    for suffix in _FACTORS:
        if name.endswith(suffix):
            return name[: -len(suffix)] + ".weight"
    return None


def _module_weights(module_name: str, module: nn.Module) -> list[LinearWeight]:
    prefix = f"{module_name}." if module_name else ""
    kind = type(module).__name__
    if isinstance(module, _CONV) and module.weight is not None:
        return [LinearWeight(f"{prefix}weight", module_name, kind, conv_weight_matrix(module.weight.detach()), module.groups)]
    if isinstance(module, _CONV_T) and module.weight is not None:
        return [LinearWeight(f"{prefix}weight", module_name, kind, _conv_transpose_matrix(module), module.groups)]
    if isinstance(module, nn.Linear):
        return [LinearWeight(f"{prefix}weight", module_name, kind, module.weight.detach())]
    if isinstance(module, (nn.RNNBase, nn.RNNCellBase)):
        return _recurrent_weights(prefix, module_name, module)
    if isinstance(module, (nn.Embedding, nn.EmbeddingBag)):  # one-hot in: E^T (dim x vocabulary)
        return [LinearWeight(f"{prefix}weight", module_name, kind, module.weight.detach().T, orientation="transposed")]
    weight = getattr(module, "weight", None)
    if kind in TRANSPOSED_LINEAR and isinstance(weight, torch.Tensor) and weight.ndim == 2:
        return [LinearWeight(f"{prefix}weight", module_name, kind, weight.detach().T, orientation="transposed")]
    if isinstance(module, nn.MultiheadAttention):
        if module.in_proj_weight is not None:
            return [LinearWeight(f"{prefix}in_proj_weight", module_name, kind, module.in_proj_weight.detach())]
        return [
            LinearWeight(f"{prefix}{p}_proj_weight", module_name, kind, getattr(module, f"{p}_proj_weight").detach())
            for p in ("q", "k", "v")
        ]
    return []


def _recurrent_weights(prefix: str, module_name: str, module: nn.Module) -> list[LinearWeight]:
    """``weight_ih*`` (gates*H x in), ``weight_hh*`` (gates*H x H) with their gate blocks, ``weight_hr*`` (P x H)."""
    kind = type(module).__name__
    gates = _GATES.get(kind, ())
    out = []
    for name, param in module.named_parameters(recurse=False):
        if param.ndim == 2 and name.startswith(("weight_ih", "weight_hh", "weight_hr")):
            blocks = gates if name.startswith(("weight_ih", "weight_hh")) else ()
            out.append(LinearWeight(f"{prefix}{name}", module_name, kind, param.detach(), blocks=blocks))
    return out


def skipped_parameters(model: nn.Module, audited: list[LinearWeight]) -> list[SkippedParameter]:
    """Every parameter of ``model`` not in ``audited`` (tied aliases included), with the reason."""
    done = {w.name for w in audited}
    owner = {name: type(module).__name__ for name, module in model.named_modules(remove_duplicate=False)}
    first_name: dict[int, str] = {}
    skipped = []
    for name, param in model.named_parameters(remove_duplicate=False):
        alias_of = first_name.setdefault(id(param), name)
        if name in done:
            continue
        module_name = name.rsplit(".", 1)[0] if "." in name else ""
        effective = _parametrised_weight(name)
        if effective is not None and effective in done:
            module_name = effective.rsplit(".", 1)[0]
            reason = f"a factor of {effective} (weight norm or another parametrisation): audited as the matrix it computes"
        else:
            reason = skip_reason(name, param, alias_of)
        skipped.append(SkippedParameter(name, list(param.shape), owner.get(module_name, type(model).__name__), reason))
    return skipped


def skip_reason(name: str, param: torch.Tensor, alias_of: str) -> str:
    """Why parameter ``name`` is not a linear map (``alias_of``: the name it was first seen under)."""
    if alias_of != name:
        return f"tied to {alias_of} (the same tensor, audited or skipped under that name)"
    if param.ndim == 0:
        return "scalar parameter"
    if param.ndim == 1:
        if name.rsplit(".", 1)[-1].startswith("bias"):
            return "bias: added, not a linear map"
        return "1-D parameter: an elementwise scale or shift (norm, per-channel), not a matrix product"
    return (f"{param.ndim}-D parameter not applied as a matrix product by a known operator (added, like a position "
            "embedding or class token, or used by a custom module); --all-params audits it as shape[0] x rest")


def _conv_transpose_matrix(module: nn.Module) -> torch.Tensor:
    return conv_transpose_matrix(module.weight.detach(), module.groups)


def conv_transpose_matrix(weight: torch.Tensor, groups: int = 1) -> torch.Tensor:
    """``(in, out/g, *kernel)`` -> ``(g * out/g * prod(kernel)) x (in/g)``: each input pixel's channels to its footprint."""
    per_group = weight.reshape(groups, weight.shape[0] // groups, -1)  # (g, in/g, out/g * k)
    return per_group.transpose(1, 2).reshape(-1, weight.shape[0] // groups)  # groups stacked along rows


def conv2d_operator_matrix(
    weight: torch.Tensor,
    input_size: tuple[int, int],
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
    chunk: int = 4096,
) -> torch.Tensor:
    """The dense matrix of ``x -> conv2d(x, weight)`` at one input resolution (seed 001, App. B).

    Unlike :func:`conv_weight_matrix`, which acts on one patch, this is the whole
    operator ``(C_out * H_out * W_out) x (C_in * H * W)`` including overlaps,
    stride and zero padding; its null space is the set of inputs the layer
    cannot see.  Dense: meant for small inputs (MNIST / CIFAR sizes); the
    columns are built by convolving the standard basis in chunks, in fp64.
    """
    c_in = weight.shape[1] * groups
    h, w = input_size
    w64 = weight.detach().to(torch.float64)
    conv = lambda x: torch.nn.functional.conv2d(x.reshape(-1, c_in, h, w), w64, None, stride, padding, dilation, groups)  # noqa: E731
    return _dense_operator(conv, c_in * h * w, chunk, weight.device)


def _dense_operator(apply, n: int, chunk: int, device: torch.device) -> torch.Tensor:
    """The fp64 matrix of the linear map ``apply`` on ``R^n``: its columns are the images of the standard basis."""
    columns = []
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        basis = torch.zeros(stop - start, n, dtype=torch.float64, device=device)
        basis[torch.arange(stop - start), torch.arange(start, stop)] = 1.0
        columns.append(apply(basis).reshape(stop - start, -1))
    return torch.cat(columns).transpose(0, 1).contiguous()


def conv1d_operator_matrix(
    weight: torch.Tensor, length: int, stride: int = 1, padding: int = 0, dilation: int = 1, groups: int = 1,
    chunk: int = 4096,
) -> torch.Tensor:
    """The dense fp64 matrix ``(C_out * L_out) x (C_in * L)`` of ``x -> conv1d(x, weight)`` at input length ``L``.

    The 1-D counterpart of :func:`conv2d_operator_matrix` (audio front ends: strided, overlapping, zero-padded);
    inputs are flattened channel-major, ``x[c, t]`` at ``c * L + t``.
    """
    c_in = weight.shape[1] * groups
    w64 = weight.detach().to(torch.float64)
    conv = lambda x: torch.nn.functional.conv1d(x.reshape(-1, c_in, length), w64, None, stride, padding, dilation, groups)  # noqa: E731
    return _dense_operator(conv, c_in * length, chunk, weight.device)


@dataclass
class OperatorNullSpace:
    """The null space of a convolution operator at one input size, or the evidence that it has none.

    ``basis``: fp64 orthonormal ``(cols, dim)`` columns (``None`` when trivial or not computed);
    ``certified``: the dimension is proved (dense SVD, or a Cholesky certificate of full column rank),
    not estimated; ``residual``: ``max |A N|`` of the basis; ``evidence``: one sentence saying why.
    """

    dim: int
    basis: torch.Tensor | None
    rows: int
    cols: int
    method: str
    certified: bool
    sigma_max: float
    sigma_min: float | None
    tolerance: float
    residual: float | None
    evidence: str
    seen_columns: int | None = None
    unseen_columns: int | None = None

    def to_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k != "basis"}


def conv1d_null_space(
    weight: torch.Tensor, length: int, stride: int = 1, padding: int = 0, dilation: int = 1, groups: int = 1,
    rtol: float | None = None, dense_limit: int = 4096,
) -> OperatorNullSpace:
    """``ker(A)`` of the 1-D convolution operator at ``length`` (seed 000's Null-space search, seed 001 App. B).

    Tolerance: ``tau = rtol * sigma_max(A)`` with ``rtol = max(rows, cols of the patch matrix) * eps(stored dtype)``,
    the policy of :mod:`nullsight.linalg` (every output is one row of ``W`` applied to one patch).  Up to
    ``dense_limit`` input values: a dense fp64 SVD of ``A`` (the reference).  Beyond: ``A^T A`` is banded
    (inputs more than the kernel's span apart never meet), and a banded fp64 Cholesky of
    ``A^T A - (tau^2 + delta) I`` proves "no null space" when it succeeds; when it fails the operator is
    near-singular and only the structural bound ``max(cols - rows, 0)`` is reported, uncertified.
    """
    from .linalg import default_rtol

    c_out, c_per_group, k = weight.shape
    rtol = default_rtol((c_out, c_per_group * k), weight.dtype) if rtol is None else float(rtol)
    c_in = c_per_group * groups
    l_out = (length + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    if l_out < 1:
        raise InvalidInputError(f"a kernel spanning {dilation * (k - 1) + 1} does not fit a length-{length} input "
                         f"padded by {padding}")
    rows, cols = c_out * l_out, c_in * length
    if cols <= dense_limit:
        return _dense_null_space(conv1d_operator_matrix(weight, length, stride, padding, dilation, groups), rtol)
    return _banded_certificate(weight, length, stride, padding, dilation, groups, rtol, rows, cols)


def _dense_null_space(a: torch.Tensor, rtol: float) -> OperatorNullSpace:
    rows, cols = a.shape
    _, s, vh = torch.linalg.svd(a, full_matrices=rows < cols)
    sigma_max = float(s[0]) if s.numel() else 0.0
    tau = rtol * sigma_max
    rank = int((s > tau).sum())
    dim = cols - rank
    basis = vh[rank:].T.contiguous() if dim else None
    sigma_min = float(s[-1]) if s.numel() == cols else 0.0
    residual = float((a @ basis).abs().max()) if basis is not None else None
    if dim:
        evidence = f"{dim} singular value(s) of {cols} at or below tau = {tau:.3e} (dense fp64 SVD)"
    else:
        evidence = f"sigma_min = {sigma_min:.3e} > tau = {tau:.3e} (dense fp64 SVD): no exact collision through it"
    return OperatorNullSpace(dim, basis, rows, cols, "dense-svd-fp64", True, sigma_max, sigma_min, tau, residual,
                             evidence)


def _banded_certificate(
    weight: torch.Tensor, length: int, stride: int, padding: int, dilation: int, groups: int, rtol: float,
    rows: int, cols: int,
) -> OperatorNullSpace:
    """Full column rank proved by a banded Cholesky factorisation of the shifted ``A^T A`` (fp64)."""
    import numpy as np
    from scipy.linalg import LinAlgError, cholesky_banded

    band = _gram_band(weight, length, stride, padding, dilation, groups)  # (b + 1, n), upper form, time-major
    u = 2.0**-53
    c_in, k = weight.shape[1] * groups, weight.shape[2]
    frob2 = float(band[-1].sum())  # trace(A^T A) = ||A||_F^2
    b = band.shape[0] - 1
    # ||A^T A||_inf bounds lambda_max from above: a cut that is never too low
    row_sums = np.abs(band[-1]).copy()
    for d in range(1, b + 1):
        row_sums[d:] += np.abs(band[-1 - d, d:])
        row_sums[:-d] += np.abs(band[-1 - d, d:])
    lam_max_high = float(row_sums.max())
    delta = 4.0 * (c_in * k + b + 1) * u * frob2  # rounding of the Gram entries and of the Cholesky itself
    shift = rtol**2 * lam_max_high + delta
    shifted = band.copy()
    shifted[-1] -= shift
    tau = rtol * lam_max_high**0.5
    try:
        cholesky_banded(shifted, lower=False, check_finite=False)
    except LinAlgError:
        return OperatorNullSpace(max(cols - rows, 0), None, rows, cols, "banded-cholesky-fp64", False,
                                 lam_max_high**0.5, None, tau, None,
                                 f"A^T A - (tau^2 + delta) I is not positive definite: some sigma <= "
                                 f"{shift ** 0.5:.3e}; {cols} inputs exceed the dense limit, so only the structural "
                                 f"lower bound max(cols - rows, 0) = {max(cols - rows, 0)} is given")
    return OperatorNullSpace(0, None, rows, cols, "banded-cholesky-fp64", True, lam_max_high**0.5, shift**0.5, tau,
                             None, f"banded Cholesky of A^T A - (tau^2 + delta) I succeeded: every sigma > "
                                   f"{shift ** 0.5:.3e} >= tau (a certificate): no exact collision through it")


def _gram_band(
    weight: torch.Tensor, length: int, stride: int, padding: int, dilation: int, groups: int
):
    """Upper band of ``A^T A`` (inputs ordered time-major, ``t * C_in + c``), probed with combs of unit impulses."""
    import numpy as np

    c_in, k = weight.shape[1] * groups, weight.shape[2]
    span = dilation * (k - 1) + 1
    period = 2 * span - 1  # impulses this far apart never share an output
    w64 = weight.detach().to(torch.float64).cpu()
    conv = lambda x: torch.nn.functional.conv1d(x, w64, None, stride, padding, dilation, groups)  # noqa: E731
    n = c_in * length
    b = c_in * span - 1
    band = np.zeros((b + 1, n))
    probes = []
    for phase in range(min(period, length)):
        for c in range(c_in):
            x = torch.zeros(1, c_in, length, dtype=torch.float64)
            x[0, c, phase::period] = 1.0
            probes.append((phase, c, x))
    batch = torch.cat([p[2] for p in probes])
    _, vjp = torch.func.vjp(conv, batch)
    (gram_cols,) = vjp(conv(batch))  # A^T A applied to every comb
    gram_cols = gram_cols.numpy()
    for (phase, c, _), column in zip(probes, gram_cols):
        for t in range(phase, length, period):
            j = t * c_in + c
            lo = max(0, t - span + 1)
            hi = min(length, t + span)
            block = column[:, lo:hi].T.reshape(-1)  # rows (t', c') for t' in [lo, hi), time-major
            i = np.arange(lo * c_in, hi * c_in)
            keep = i <= j  # upper form: row i <= column j
            band[b + i[keep] - j, j] = block[keep]
    return band


def conv2d_k1_null_space(
    weight: torch.Tensor, input_size: tuple[int, int], stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0, dilation: int | tuple[int, int] = 1, groups: int = 1,
    rtol: float | None = None, dense_limit: int = 4096,
) -> OperatorNullSpace:
    """``ker(A)`` of a Conv2d with a ``(K, 1)`` kernel (audio models over (frequency or time) x frames) at ``(H, W)``.

    Such a kernel convolves every column ``x[:, :, w]`` with the same 1-D operator along ``H``, so ``A`` is
    block-diagonal over the columns the output reads (``w = j * stride_w - padding_w``): on each, the 1-D null
    space (:func:`conv1d_null_space`); a column the stride skips is never seen, all of it null.  The basis is
    returned in ``(C * H * W)`` coordinates, channel-major like :func:`conv2d_operator_matrix`.
    """
    if weight.ndim != 4 or weight.shape[3] != 1:
        raise InvalidInputError(f"expected a (C_out, C_in/g, K, 1) kernel, got {tuple(weight.shape)}")
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)  # noqa: E731
    (sh, sw), (ph, pw), (dh, _) = pair(stride), pair(padding), pair(dilation)
    h, w = input_size
    c_in = weight.shape[1] * groups
    one_d = conv1d_null_space(weight[..., 0], h, sh, ph, dh, groups, rtol, dense_limit)
    w_out = (w + 2 * pw - 1) // sw + 1
    seen = sorted({j * sw - pw for j in range(w_out)} & set(range(w)))
    unseen = [col for col in range(w) if col not in set(seen)]
    dim = one_d.dim * len(seen) + c_in * h * len(unseen)
    basis = None
    if dim and (one_d.basis is not None or not one_d.dim):
        n = c_in * h * w
        basis = torch.zeros(n, dim, dtype=torch.float64)
        grid = torch.arange(n).reshape(c_in, h, w)
        k = 0
        for col in seen:
            if one_d.dim:
                basis[grid[:, :, col].reshape(-1), k:k + one_d.dim] = one_d.basis
                k += one_d.dim
        for col in unseen:
            idx = grid[:, :, col].reshape(-1)
            basis[idx, torch.arange(k, k + idx.numel())] = 1.0
            k += idx.numel()
    evidence = (f"block-diagonal over {len(seen)} seen column(s) of {w}: per column {one_d.evidence}"
                + (f"; {len(unseen)} column(s) skipped by stride {sw} are never seen" if unseen else ""))
    residual = None
    if basis is not None:
        images = basis.T.reshape(dim, c_in, h, w)
        out = torch.nn.functional.conv2d(images, weight.detach().to(torch.float64).cpu(), None, (sh, sw), (ph, pw),
                                         (dh, 1), groups)
        residual = float(out.abs().max()) if out.numel() else 0.0
    return OperatorNullSpace(dim, basis, one_d.rows * w_out, c_in * h * w, f"(K,1) columns x {one_d.method}",
                             one_d.certified, one_d.sigma_max, one_d.sigma_min if not unseen else 0.0,
                             one_d.tolerance, residual, evidence, len(seen), len(unseen))
