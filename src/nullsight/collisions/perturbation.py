"""The perturbation ``P`` of the Null-space search (seed 000, Definition 4, Remark 2, Fig. 2).

``x_hat = x + beta * d`` with ``d`` a pixel-space image in the null space of
the first operator, scaled so that ``max |d| = 1``: **beta is the L-infinity
size of the perturbation in pixel units** (the paper scales a unit basis
vector; the L-infinity convention makes beta comparable across models and with
an attack's epsilon).

- ``fc``: ``d = B c`` reshaped to the image;
- ``patchify``: ``phi = B c`` tiled over the patch grid (``P = [phi ... phi]``),
  or, ``per_patch``, a different basis vector (``--basis K``: ``phi_{K+p}``) or
  random combination per patch, each patch with its own multiplier
  (``beta`` inside the region mask, 0 outside: Fig. 2);
- ``conv-operator``: ``d = B c`` from the operator's null space, or, where that
  is trivial, the paper's tiled-phi recipe (``phi in ker(W_1)`` repeated with
  the kernel's period), which is *not* a collision and is reported as such.

``basis``: an index ``K`` (one basis vector), ``"random"`` (Gaussian
combination of all of them, seeded) or ``"all"`` (their sum).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..errors import InvalidInputError
from .first_layer import FirstLayer


@dataclass
class Direction:
    """A unit-L-infinity perturbation image ``(C, H, W)`` fp64 and how it was built."""

    image: torch.Tensor
    recipe: str
    exact_by_construction: bool
    mask: torch.Tensor | None = None  # (H, W) bool: the perturbed pixels when a region is used


def to_patches(v: torch.Tensor, kernel: tuple[int, int]) -> torch.Tensor:
    """``(B, C, H, W)`` -> ``(B, tiles, C*kh*kw)``: the non-overlapping ``kernel`` tiles of the grid (remainder dropped)."""
    b, c, h, w = v.shape
    kh, kw = kernel
    gh, gw = h // kh, w // kw
    inner = v[:, :, : gh * kh, : gw * kw].reshape(b, c, gh, kh, gw, kw).permute(0, 2, 4, 1, 3, 5)
    return inner.reshape(b, gh * gw, c * kh * kw)


def from_patches(patches: torch.Tensor, channels: int, kernel: tuple[int, int], grid: tuple[int, int]) -> torch.Tensor:
    """``(B, gh*gw, C*kh*kw)`` -> ``(B, C, gh*kh, gw*kw)``: the inverse of :func:`to_patches` on the grid."""
    kh, kw = kernel
    gh, gw = grid
    b = patches.shape[0]
    return patches.reshape(b, gh, gw, channels, kh, kw).permute(0, 3, 1, 4, 2, 5).reshape(b, channels, gh * kh, gw * kw)


def coefficients(dim: int, basis: str | int, generator: torch.Generator) -> torch.Tensor:
    """The combination ``c`` of ``dim`` basis vectors selected by ``basis``."""
    if isinstance(basis, int) or str(basis).lstrip("-").isdigit():
        k = int(basis)
        if not 0 <= k < dim:
            raise InvalidInputError(f"--basis {k} is out of range: the null space has {dim} basis vector(s) (0..{dim - 1})")
        c = torch.zeros(dim, dtype=torch.float64)
        c[k] = 1.0
        return c
    if basis == "random":
        return torch.randn(dim, generator=generator, dtype=torch.float64)
    if basis == "all":
        return torch.ones(dim, dtype=torch.float64)
    raise InvalidInputError(f"--basis must be an index K, 'random' or 'all', got {basis!r}")


def unit_linf(t: torch.Tensor) -> torch.Tensor:
    peak = t.abs().max()
    if peak == 0:
        raise InvalidInputError("the selected null-space combination is zero; choose another --basis")
    return t / peak


def image_direction(first: FirstLayer, basis_matrix: torch.Tensor, basis: str | int, seed: int = 0) -> Direction:
    """``d = B c`` for a null space acting on the whole input (fc, conv-operator)."""
    g = torch.Generator().manual_seed(seed)
    d = basis_matrix @ coefficients(basis_matrix.shape[1], basis, g)
    return Direction(unit_linf(d.reshape(first.input_size)), "null(A) combination", True)


def tiled_direction(
    first: FirstLayer,
    patch_basis: torch.Tensor,
    basis: str | int,
    seed: int = 0,
    per_patch: bool = False,
    region: tuple[int, int, int, int] | None = None,
    exact: bool = True,
    multipliers: torch.Tensor | None = None,
) -> Direction:
    """``P = [phi ... phi]`` over the grid of ``kernel``-sized tiles, or one ``phi_p`` per tile (``per_patch``).

    ``region = (top, left, bottom, right)`` in pixels: only tiles whose centre
    lies inside are perturbed.  ``multipliers``: the paper's ``beta_i``, one per
    tile ``(gh, gw)`` relative to ``beta`` (tile ``i`` then has L-infinity
    ``beta * multipliers[i]``; 0 leaves it untouched).  ``exact`` says whether tiling is exact here
    (patchify) or the paper's recipe applied to an overlapping convolution.
    """
    c, h, w = first.input_size
    kh, kw = first.kernel
    gh, gw = first.patch_grid if exact else (-(-h // kh), -(-w // kw))
    if multipliers is not None:
        multipliers = check_multipliers(multipliers, (gh, gw))
    dim = patch_basis.shape[1]
    g = torch.Generator().manual_seed(seed)
    if per_patch:
        if isinstance(basis, int) or str(basis).lstrip("-").isdigit():
            start = int(coefficients(dim, basis, g).argmax())
            coeffs = torch.zeros(gh * gw, dim, dtype=torch.float64)
            coeffs[torch.arange(gh * gw), (start + torch.arange(gh * gw)) % dim] = 1.0
        else:
            coeffs = torch.stack([coefficients(dim, basis, g) for _ in range(gh * gw)])
    else:
        coeffs = coefficients(dim, basis, g).expand(gh * gw, dim)
    phis = coeffs @ patch_basis.T  # (tiles, C kh kw)
    phis = phis / phis.abs().amax(dim=1, keepdim=True).clamp_min(1e-300)
    mask_tiles = _region_tiles(gh, gw, kh, kw, region)
    if multipliers is not None:
        mask_tiles = mask_tiles & (multipliers != 0)
        phis = phis * multipliers.reshape(-1, 1)
    phis = phis * mask_tiles.reshape(-1, 1)
    grid = from_patches(phis.unsqueeze(0), c, (kh, kw), (gh, gw))[0]
    image = torch.zeros(c, h, w, dtype=torch.float64)
    image[:, : min(h, gh * kh), : min(w, gw * kw)] = grid[:, :h, :w]
    mask = mask_tiles.repeat_interleave(kh, 0).repeat_interleave(kw, 1)[:h, :w]
    full_mask = torch.zeros(h, w, dtype=torch.bool)
    full_mask[: mask.shape[0], : mask.shape[1]] = mask
    recipe = ("per-patch phi_p" if per_patch else "tiled phi") + ("" if exact else " (paper's recipe, Remark 2)")
    if multipliers is not None:  # beta_i * phi_i: the tiles keep their own sizes (not rescaled to a common peak)
        if not bool(mask_tiles.any()):
            raise InvalidInputError("every per-patch multiplier is zero (inside --region): nothing to perturb")
        return Direction(image, recipe + ", beta_i per patch", exact, full_mask)
    return Direction(unit_linf(image), recipe, exact, full_mask if region is not None else None)


def check_multipliers(multipliers: torch.Tensor, grid: tuple[int, int]) -> torch.Tensor:
    """Per-patch multipliers as an fp64 ``grid``-shaped tensor (a flat list of ``gh * gw`` is read row by row)."""
    m = torch.as_tensor(multipliers, dtype=torch.float64)
    gh, gw = grid
    if m.numel() == gh * gw and (m.ndim == 1 or (m.ndim == 2 and m.shape[0] == 1)):  # one row of every value
        m = m.reshape(gh, gw)
    if tuple(m.shape) != (gh, gw):
        raise InvalidInputError(f"per-patch multipliers have shape {tuple(m.shape)}; the patch grid is {gh}x{gw} "
                                f"(give {gh} rows of {gw}, or {gh * gw} values)")
    if not torch.isfinite(m).all():
        raise InvalidInputError("per-patch multipliers must be finite numbers")
    return m


def _region_tiles(gh: int, gw: int, kh: int, kw: int, region: tuple[int, int, int, int] | None) -> torch.Tensor:
    if region is None:
        return torch.ones(gh, gw, dtype=torch.bool)
    top, left, bottom, right = region
    cy = torch.arange(gh) * kh + kh / 2
    cx = torch.arange(gw) * kw + kw / 2
    mask = ((cy >= top) & (cy < bottom)).view(-1, 1) & ((cx >= left) & (cx < right)).view(1, -1)
    if not mask.any():
        raise InvalidInputError(f"--region {region} contains no patch centre; nothing would be perturbed")
    return mask
