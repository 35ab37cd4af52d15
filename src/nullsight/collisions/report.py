"""Report sections for collisions (original / perturbation / collided images) and beta sweeps (Fig. 3 of seed 000)."""

from __future__ import annotations

import base64
import io

import numpy as np
import torch

from ..report import SECTION_BUILDERS, Figure, Section, Table, figure_png, new_figure


def preview_png(image: torch.Tensor, size: int = 224) -> str:
    """A ``(C, H, W)`` image in ``[0, 1]`` as base64 PNG (nearest-neighbour enlarged to ``size`` if small)."""
    from PIL import Image

    arr = (image.detach().to(torch.float64).clamp(0, 1).cpu().numpy() * 255).round().astype(np.uint8)
    arr = arr[0] if arr.shape[0] == 1 else arr.transpose(1, 2, 0)
    img = Image.fromarray(arr)
    if max(img.size) < size:
        img = img.resize((size * img.size[0] // max(img.size), size * img.size[1] // max(img.size)), Image.NEAREST)
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def previews(x: torch.Tensor, p: torch.Tensor, x_hat: torch.Tensor) -> dict[str, str]:
    """Previews of the first image: original, perturbation (rescaled to [0, 1] around 0.5), collided (clipped)."""
    peak = float(p[0].abs().max()) or 1.0
    return {"original": preview_png(x[0]), "perturbation": preview_png(0.5 + 0.5 * p[0] / peak),
            "collided": preview_png(x_hat[0])}


@SECTION_BUILDERS.register("collision")
def collision_sections(results: list[dict]) -> list[Section]:
    """A summary table over all collisions, then the three images of each."""
    columns = ["model", "method", "null dim", "beta", "exact", "max|Δ| fp32", "max rel Δ fp64", "first collision",
               "PSNR", "SSIM", "same top-1", "clipped exact", "PNG exact"]
    rows = [[r["model"], r["method"], r["null_dim"], r["beta"], r["exact"], r["max_abs_diff"], r["max_rel_diff_fp64"],
             r["first_collision_layer"], r["psnr"], r["ssim"], r["same_top1"],
             (r.get("box") or {}).get("clipped", {}).get("exact"), (r.get("box") or {}).get("png8", {}).get("exact")]
            for r in results]
    sections = [Section("Exact feature collisions (Null-space search)", "collision",
                        summary=("x̂ = x + P with P in the null space of the first linear operator (seed 000, "
                                 "Definition 4). **exact** only when an fp64 forward pass gives a relative output "
                                 "difference ≤ 1e-9. Clipped / PNG: the collision re-verified after clipping to "
                                 "[0, 1] and after 8-bit quantisation."),
                        tables=[Table("Collisions", columns, rows)])]
    for r in results:
        figures = [_triptych(r)] if r.get("previews") else []
        sections.append(Section(f"{r['model']}: {r['method']}", "collision", summary=r["message"], figures=figures,
                                details={k: v for k, v in r.items() if k not in ("previews", "layers")}))
    return sections


@SECTION_BUILDERS.register("collision-sweep")
def sweep_sections(results: list[dict]) -> list[Section]:
    """PSNR and SSIM against beta, one line per model (Fig. 3)."""
    fig, ax = new_figure(7.0, 3.8)
    ax2 = ax.twinx()
    for r in results:
        pts = r["points"]
        if not pts:
            continue
        betas = [p["beta"] for p in pts]
        ax.plot(betas, [p["psnr_mean"] for p in pts], marker="o", label=f"{r['model']} PSNR")
        ax2.plot(betas, [p["ssim_mean"] for p in pts], marker="x", linestyle="--", label=f"{r['model']} SSIM")
    ax.set_xscale("log")
    ax.set_xlabel("beta (L∞ of P, pixel units)")
    ax.set_ylabel("PSNR (dB)")
    ax2.set_ylabel("SSIM")
    ax.legend(loc="lower left", fontsize=7)
    ax2.legend(loc="upper right", fontsize=7)
    rows = [[r["model"], p["beta"], p["psnr_mean"], p["ssim_mean"], p["exact_fraction"], p["max_rel_diff_fp64"],
             p["out_of_range_fraction"]] for r in results for p in r["points"]]
    notes = "\n".join(f"- **{r['model']}**: {r['message']}" for r in results)
    return [Section("Beta sweep (Fig. 3)", "collision-sweep", summary=notes + "\n\nLPIPS: " + results[0]["lpips_note"],
                    tables=[Table("Sweep", ["model", "beta", "PSNR", "SSIM", "exact fraction", "max rel Δ fp64",
                                            "out of [0,1]"], rows)],
                    figures=[Figure("PSNR / SSIM vs beta", figure_png(fig),
                                    caption="Outputs identical at every beta where 'exact fraction' is 1.")])]


def _triptych(r: dict) -> Figure:
    from PIL import Image

    fig, axes = new_figure(9.0, 3.2)
    fig.clf()
    axes = fig.subplots(1, 3)
    for ax, key in zip(axes, ("original", "perturbation", "collided")):
        img = Image.open(io.BytesIO(base64.b64decode(r["previews"][key])))
        ax.imshow(np.asarray(img), cmap="gray" if img.mode == "L" else None)
        ax.set_title(key, fontsize=9)
        ax.axis("off")
    return Figure(f"{r['model']} collision", figure_png(fig),
                  caption=f"beta={r['beta']}, exact={r['exact']}, max rel Δ fp64={r['max_rel_diff_fp64']}")
