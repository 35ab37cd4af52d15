"""Null spaces that give exact collisions: of ``W_1`` (fc, patchify) and of the whole convolution operator.

Seed 000, Remark 2 builds ``P = [phi ... phi]`` from ``phi in ker(W_1)`` where
``W_1`` acts on one patch.  That is exact only when patches do not overlap
(patchify).  For an overlapping or padded convolution the right object is the
operator ``A: R^{C H W} -> R^{C' H' W'}`` at the actual input resolution
(:func:`nullsight.operators.conv2d_operator_matrix`); ``ker(A)`` is usually
trivial when ``C' H' W' >= C H W`` (AlexNet, ResNet-50).

- small inputs (``C H W <= dense_limit``): dense fp64 SVD of ``A``, the reference;
- large inputs: matrix-free.  The periodic part (the circular convolution on
  the same grid) is block-diagonalised by the polyphase / Fourier transform:
  for each of the ``(H/s)(W/s)`` frequencies a ``C' x (C s^2)`` matrix, whose
  singular values (divided by ``s``) are exactly the operator's
  (:func:`periodic_spectrum`).  The zero-padded operator itself is probed by
  LOBPCG on ``A^T A`` (conv2d / conv_transpose2d), which gives an *estimate*
  of its smallest singular values, not a proof; the result says so.

Tolerance: ``tau = max(rows, cols of W_1) * eps(stored dtype) * sigma_max``,
the policy of :mod:`nullsight.linalg` applied to the patch matrix, since every
output of the operator is one row of ``W_1`` applied to one patch.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from ..linalg import default_rtol, null_space, numerical_rank
from ..operators import conv2d_operator_matrix
from .first_layer import FirstLayer
from .result import NullSpaceInfo, PeriodicSpectrum, SpectrumEstimate

DENSE_LIMIT = 4096


@dataclass(kw_only=True)
class NullSpace(NullSpaceInfo):
    """A null space (every :class:`NullSpaceInfo` field) with its basis.

    ``basis``: fp64 ``(n, dim)`` orthonormal columns (``n`` = in_features for fc,
    ``C kh kw`` for patchify, ``C H W`` for conv-operator), or ``None`` when the
    space is trivial.  ``certified`` is False for matrix-free estimates.
    """

    basis: torch.Tensor | None = field(default=None, repr=False)

    def info(self) -> NullSpaceInfo:
        """What the result records of this null space (everything but the basis)."""
        return NullSpaceInfo(**{f.name: getattr(self, f.name) for f in dataclasses.fields(NullSpaceInfo)})


def weight_null_basis(first: FirstLayer) -> torch.Tensor | None:
    """Orthonormal fp64 basis ``(C kh kw, nullity)`` of ``ker(W_1)`` (the paper's ``phi``), or None."""
    w1 = first.patch_matrix
    basis = null_space(w1, rtol=default_rtol(tuple(w1.shape), first.stored_dtype))
    return basis if basis.shape[1] else None


def null_space_for(first: FirstLayer, dense_limit: int = DENSE_LIMIT, lobpcg_iters: int = 15,
                   seed: int = 0) -> NullSpace:
    """The null space an exact collision through ``first`` must come from."""
    w1 = first.patch_matrix
    rtol = default_rtol(tuple(w1.shape), first.stored_dtype)
    info = numerical_rank(w1, rtol=rtol, method="svd")
    if first.method in ("fc", "patchify"):
        basis = null_space(w1, rtol=rtol) if info.nullity else None
        return NullSpace(info.nullity, "input" if first.method == "fc" else "patch", "svd-fp64 of W_1", True,
                         info.sigma_max, info.sigma_min, info.tolerance, info.sigma_below_cut, info.sigma_above_cut,
                         info.nullity, basis=basis)
    c, h, w = first.input_size
    if c * h * w <= dense_limit:
        return _dense(first, rtol, info.nullity)
    return _matrix_free(first, rtol, info.nullity, lobpcg_iters, seed)


def _dense(first: FirstLayer, rtol: float, weight_nullity: int) -> NullSpace:
    c, h, w = first.input_size
    a = conv2d_operator_matrix(first.weight, (h, w), first.stride, first.padding, first.dilation, first.groups)
    # the whole right basis is needed; the left one only up to min(m, n) (a tall operator has m >> n)
    _, s, vh = torch.linalg.svd(a, full_matrices=a.shape[0] < a.shape[1])
    tau = rtol * float(s[0])
    rank = int((s > tau).sum())
    dim = a.shape[1] - rank
    below = float(s[rank]) if rank < s.numel() else (0.0 if dim else None)
    return NullSpace(dim, "image", "dense-operator-svd-fp64", True,
                     float(s[0]), float(s[-1]) if s.numel() == a.shape[1] else 0.0, tau, below,
                     float(s[rank - 1]) if rank else None, weight_nullity,
                     periodic_spectrum(first, rtol), basis=vh[rank:].T.contiguous() if dim else None)


def _matrix_free(first: FirstLayer, rtol: float, weight_nullity: int, iters: int, seed: int) -> NullSpace:
    periodic = periodic_spectrum(first, rtol)
    est, vectors = smallest_singular_values(first, k=4, iters=iters, seed=seed)
    sigma_max = periodic.sigma_max if periodic else est.sigma_max_power
    tau = rtol * sigma_max
    small = [s for s in est.sigma if s <= tau]
    notes = ["matrix-free: the smallest singular values of the zero-padded operator are LOBPCG estimates "
             "(an upper bound on sigma_min, not a certificate)"]
    if periodic is not None:
        notes.append(f"periodic part (circular convolution, exact per frequency): nullity {periodic.nullity}, "
                     f"sigma_min {periodic.sigma_min:.3e}")
    basis = torch.linalg.qr(torch.from_numpy(vectors)[:, : len(small)]).Q if small else None
    return NullSpace(len(small), "image", "matrix-free (polyphase-Fourier + LOBPCG)", False, sigma_max,
                     min(est.sigma), tau, min(est.sigma), None, weight_nullity, periodic, est, notes, basis=basis)


def conv_apply(first: FirstLayer, x: torch.Tensor) -> torch.Tensor:
    """``A x`` for a batch of flattened images ``(B, C H W)`` -> ``(B, C' H' W')``."""
    c, h, w = first.input_size
    y = F.conv2d(x.reshape(-1, c, h, w), first.weight.to(x.dtype), None, first.stride, first.padding,
                 first.dilation, first.groups)
    return y.reshape(x.shape[0], -1)


def conv_adjoint(first: FirstLayer, y: torch.Tensor) -> torch.Tensor:
    """``A^T y`` (conv_transpose2d with the output padding that restores ``(H, W)``)."""
    c, h, w = first.input_size
    out_ch = first.weight.shape[0]
    kh, kw = first.kernel
    (sh, sw), (ph, pw), (dh, dw) = first.stride, first.padding, first.dilation
    ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    wo = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    extra = (h - ((ho - 1) * sh - 2 * ph + dh * (kh - 1) + 1), w - ((wo - 1) * sw - 2 * pw + dw * (kw - 1) + 1))
    x = F.conv_transpose2d(y.reshape(-1, out_ch, ho, wo), first.weight.to(y.dtype), None, first.stride,
                           first.padding, extra, first.groups, first.dilation)
    return x.reshape(y.shape[0], -1)


def periodic_spectrum(first: FirstLayer, rtol: float) -> PeriodicSpectrum | None:
    """Singular values of the circular convolution on the input grid, one small SVD per frequency.

    With stride ``s`` and frequency ``omega = r M + f`` (``M = H / s``), the
    circular operator maps the ``s^2`` aliases ``X[f + M r]`` of every input
    channel to ``Y[f]``: a ``C' x (C s^2)`` block per frequency ``f``, whose
    singular values divided by ``s`` are the operator's.  ``None`` when the
    grid is not a multiple of the stride, or for dilated / grouped kernels.
    """
    c, h, w = first.input_size
    (sh, sw) = first.stride
    if h % sh or w % sw or first.dilation != (1, 1) or first.groups != 1:
        return None
    out_ch = first.weight.shape[0]
    mh, mw = h // sh, w // sw
    k = torch.fft.fft2(first.weight, s=(h, w))  # (C', C, H, W): the kernel's symbol at every frequency
    blocks = k.reshape(out_ch, c, sh, mh, sw, mw).permute(3, 5, 0, 1, 2, 4).reshape(mh * mw, out_ch, c * sh * sw)
    sigma = torch.linalg.svdvals(blocks) / math.sqrt(sh * sw)  # (frequencies, min(C', C s^2))
    cols = c * sh * sw
    smax = float(sigma.max())
    tau = rtol * smax
    rank = (sigma > tau).sum(dim=1)
    nullity = int((cols - rank).sum())
    return PeriodicSpectrum(sigma_max=smax, sigma_min=float(sigma.min()) if cols <= out_ch else 0.0, tolerance=tau,
                            nullity=nullity, frequencies=mh * mw, block_shape=[out_ch, cols],
                            frequencies_with_null=int((rank < cols).sum()))


def smallest_singular_values(first: FirstLayer, k: int = 4, iters: int = 40,
                             seed: int = 0) -> tuple[SpectrumEstimate, np.ndarray]:
    """LOBPCG estimates of the ``k`` smallest singular values of the operator (matrix-free, fp64), and their
    right singular vectors ``(n, k)``."""
    from scipy.sparse.linalg import LinearOperator, lobpcg

    c, h, w = first.input_size
    n = c * h * w

    def gram(block: np.ndarray) -> np.ndarray:
        x = torch.from_numpy(np.ascontiguousarray(block.T if block.ndim == 2 else block[None]))
        out = conv_adjoint(first, conv_apply(first, x)).numpy()
        return out.T if block.ndim == 2 else out[0]

    op = LinearOperator((n, n), matvec=gram, matmat=gram, dtype=np.float64)
    rng = np.random.default_rng(seed)
    x0 = rng.standard_normal((n, k))
    with warnings.catch_warnings():  # "not reaching the requested tolerance": reported as residuals instead
        warnings.simplefilter("ignore")
        lam, vecs, history = lobpcg(op, x0, largest=False, maxiter=iters, tol=1e-10, retResidualNormsHistory=True,
                                    verbosityLevel=0)
    order = np.argsort(lam)
    lam, vecs = lam[order], vecs[:, order]
    v = rng.standard_normal(n)
    for _ in range(20):  # power iteration for sigma_max when no periodic spectrum is available
        v = gram(v)
        v /= np.linalg.norm(v)
    smax = math.sqrt(float(v @ gram(v)))
    residual = np.linalg.norm(gram(vecs) - vecs * lam, axis=0)
    return SpectrumEstimate(sigma=[math.sqrt(max(float(x), 0.0)) for x in lam], residual=[float(r) for r in residual],
                            iterations=len(history), sigma_max_power=smax), vecs
