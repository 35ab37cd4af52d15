"""Mutation testing of nullsight's numerical cores (issue 22): run mutmut per core, write results/mutation.json.

Each target mutates one core with the tests that cover it.  mutmut 3 works on a copy of the tree (``mutants/``):
every target gets its own scratch copy under ``build/mutate/<target>/`` (``src/``, ``tests/`` and a
``pyproject.toml`` carrying the target's ``[tool.mutmut]`` section), so the working tree is never touched and the
targets never share state.  The report lists the score of every target that was run, every surviving mutant with its
diff, the survivors judged equivalent to the original (no behaviour can change) with the reason, and the targets that
were not run.

    python tools/mutation_report.py run linalg operators   # mutate, test, then write the report
    python tools/mutation_report.py run --survivors linalg # after adding tests: rerun only the undetected mutants
    python tools/mutation_report.py report                 # rewrite the report from the scratch copies
    python tools/mutation_report.py list                   # the targets and their tests

Score: (killed + timeout) / (mutants - equivalent); "no tests" and "suspicious" count as survivors.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = Path("build/mutate")
OUT = Path("results/mutation.json")

# target -> (files to mutate, tests that cover them).  mutmut runs, for each mutant, only the tests (of these) that
# call the mutated function.  The numerical cores only: what a capability declares (capability, recipe), presents
# (report, figures) or carries (result records, runners that wire loaders to cores) is tested by the contract and CLI
# suites, and its string mutants would swamp the score with wording.
_SLOW_DETECTOR_CLI = "tests/collisions/test_detection.py::test_cli_collides_a_detector_on_an_image_file"
TARGETS: dict[str, tuple[list[str], list[str]]] = {
    "linalg": (["src/nullsight/linalg.py"], ["tests/test_linalg.py", "tests/test_linalg_thresholds.py",
                                             "tests/test_linalg_contract.py", "tests/test_operators.py",
                                             "tests/test_operators_thresholds.py", "tests/audit/test_core.py",
                                             "tests/stego/test_projector.py", "tests/sampling/test_kernels.py"]),
    "operators": (["src/nullsight/operators.py"], ["tests/test_operators.py", "tests/test_operators_values.py",
                                                   "tests/test_operators_thresholds.py",
                                                   "tests/test_operators_contract.py",
                                                   "tests/test_operators_certificates.py", "tests/audit/test_core.py",
                                                   "tests/audit/test_layer_types.py"]),
    # the whole collision suite (about 35 s) but its one 26 s test, a detector collided end to end through the CLI,
    # which the detection unit tests cover in seconds
    "collisions-search": (["src/nullsight/collisions/search.py"], [
        "tests/collisions", f"--deselect={_SLOW_DETECTOR_CLI}"]),
    "collisions-verify": (["src/nullsight/collisions/verify.py"], [
        "tests/collisions", f"--deselect={_SLOW_DETECTOR_CLI}"]),
    "collisions-result": (["src/nullsight/collisions/result.py"], ["tests/collisions/test_collision_core.py",
                                                                   "tests/collisions/test_result.py"]),
    "stego": (["src/nullsight/stego/projector.py", "src/nullsight/stego/hide.py",
               "src/nullsight/stego/filter_intersection.py", "src/nullsight/stego/sees.py",
               "src/nullsight/stego/evaluate.py"], ["tests/stego"]),
    "geometry": (["src/nullsight/geometry/hull.py", "src/nullsight/geometry/flip.py",
                  "src/nullsight/geometry/inverse.py", "src/nullsight/geometry/regions.py"], ["tests/geometry"]),
    "masks": (["src/nullsight/masks/optimise.py", "src/nullsight/masks/correlation.py",
               "src/nullsight/masks/fourier.py", "src/nullsight/masks/sets.py"], ["tests/masks"]),
    "sampling": (["src/nullsight/sampling/kernels.py", "src/nullsight/sampling/operators.py",
                  "src/nullsight/sampling/checkerboard.py", "src/nullsight/sampling/perturbations.py",
                  "src/nullsight/sampling/invariance.py", "src/nullsight/sampling/worst_case.py",
                  "src/nullsight/sampling/augment.py"], ["tests/sampling"]),
    "layers": (["src/nullsight/layers/*"], ["tests/layers"]),
    "nula": (["src/nullsight/models/nula.py"], ["tests/models/test_nula.py", "tests/layers"]),
    # the verdict and statistics tests and the seeds' claim rules: tests/reproduce/test_recipes.py trains each seed's
    # quick recipe, minutes per mutant
    "reproduce": (["src/nullsight/reproduce/verdicts.py", "src/nullsight/reproduce/stats.py"],
                  ["tests/reproduce/test_stats.py", "tests/reproduce/test_verdicts.py",
                   "tests/reproduce/test_verdicts_thresholds.py", "tests/reproduce/test_verdict_reasons.py",
                   "tests/masks/test_recipe_rules.py", "tests/sampling/test_recipe.py"]),
}

# Survivors that cannot change behaviour, by mutant name, with the reason (names are stable while the source is).
EQUIVALENT: dict[str, str] = {
    "nullsight.reproduce.verdicts.x_significant__mutmut_23": 'direction >= 0 and direction > 0 differ only at direction 0, which the `direction == 0 or` before it already decides',
    "nullsight.reproduce.verdicts.x_at_most__mutmut_2": 'above=None is falsy: _bound reads it as above=False',
    "nullsight.layers.blur_pool.x_binomial_kernel__mutmut_34": "device=None: the kernel stays on the CPU, where every test runs (no CUDA here to tell)",
    "nullsight.layers.blur_pool.x_binomial_kernel__mutmut_36": "device dropped: the kernel stays on the CPU, where every test runs (no CUDA here to tell)",
    "nullsight.layers.blur_pool.x_blur_pool2d__mutmut_10": "device=None: the default kernel is made on the CPU, where every test runs (no CUDA here to tell)",
    "nullsight.layers.blur_pool.x_blur_pool2d__mutmut_12": "device dropped: the default kernel is made on the CPU, where every test runs (no CUDA here to tell)",
    "nullsight.layers.blur_pool.x_blur_pool2d__mutmut_16": "kernel.shape[+1] of a square (taps, taps) kernel is its last size",
    "nullsight.layers.blur_pool.x_blur_pool2d__mutmut_17": "kernel.shape[-2] of a square (taps, taps) kernel is its last size",
    "nullsight.layers.blur_pool.x_blur_pool2d__mutmut_40": "reshape(1, taps, taps) broadcasts to the same (C, 1, taps, taps) under expand",
    "nullsight.layers.blur_pool.x_blur_pool2d__mutmut_41": "reshape(1, taps, taps) broadcasts to the same (C, 1, taps, taps) under expand",
    "nullsight.layers.blur_pool.xǁBlurPool2dǁ__init____mutmut_6": "persistent=None is falsy: the buffer stays out of the state_dict all the same",
    "nullsight.models.nula.xǁNulaBlockǁ__init____mutmut_21": "bias=None is falsy to nn.Conv2d: no bias all the same",
    "nullsight.models.nula.xǁNulaBlockǁ__init____mutmut_39": "bias=None is falsy to nn.Conv2d: no bias all the same",
    "nullsight.models.nula.xǁNulaBlockǁ__init____mutmut_70": "bias=None is falsy to nn.Conv2d: no bias all the same",
    "nullsight.models.nula.xǁNulaǁ__init____mutmut_32": "bias=None is falsy to nn.Conv2d: no bias all the same",
    "nullsight.models.nula.xǁNulaǁextra_repr__mutmut_4": "params / 1000001 and params / 1e6 print the same 2 decimals at every width 1/16 to 2 (checked)",
    "nullsight.layers.blur_pool.x_binomial_kernel__mutmut_7": "one float32 operand of torch.cat beside a float64 one: cat promotes, Pascal's row stays float64",
    "nullsight.layers.blur_pool.x_binomial_kernel__mutmut_9": "one float32 operand of torch.cat beside a float64 one: cat promotes, Pascal's row stays float64",
    "nullsight.layers.blur_pool.x_binomial_kernel__mutmut_18": "one float32 operand of torch.cat beside a float64 one: cat promotes, Pascal's row stays float64",
    "nullsight.layers.blur_pool.x_binomial_kernel__mutmut_20": "one float32 operand of torch.cat beside a float64 one: cat promotes, Pascal's row stays float64",
    "nullsight.layers.blur_pool.x_binomial_kernel__mutmut_24": "one float32 operand of torch.cat beside a float64 one: cat promotes, Pascal's row stays float64",
    "nullsight.layers.blur_pool.x_binomial_kernel__mutmut_26": "one float32 operand of torch.cat beside a float64 one: cat promotes, Pascal's row stays float64",
    "nullsight.models.nula.x_nula_name__mutmut_2": "any default downsample but 'stride' names the blur model: only 'stride' adds -strided",
    "nullsight.models.nula.x_nula_name__mutmut_3": "any default downsample but 'stride' names the blur model: only 'stride' adds -strided",
    "nullsight.reproduce.stats.x_proportion__mutmut_11": 'float("NAN") is float("nan"): the same NaN',
    "nullsight.reproduce.stats.x_mean__mutmut_22": 'float("NAN") is float("nan"): the same NaN',
    "nullsight.reproduce.stats.x_auc__mutmut_24": 'float("NAN") is float("nan"): the same NaN',
    "nullsight.reproduce.stats.x_difference__mutmut_15": 'float("NAN") is float("nan"): the same NaN',
    "nullsight.reproduce.stats.x_paired__mutmut_23": 'float("NAN") is float("nan"): the same NaN',
    "nullsight.reproduce.stats.x_proportion__mutmut_18": "confidence_level=0.95 (CONFIDENCE) is scipy's default for proportion_ci",
    "nullsight.reproduce.stats.x_proportion__mutmut_19": 'method="exact" (Clopper-Pearson) is scipy\'s default for proportion_ci',
    "nullsight.reproduce.stats.x_auc__mutmut_4": "one sample left as numbers or booleans instead of float: "
    "mannwhitneyu reads both as float (NaN handling, ranks) whatever their dtype",
    "nullsight.reproduce.stats.x_auc__mutmut_6": "one sample left as numbers or booleans instead of float: "
    "mannwhitneyu reads both as float (NaN handling, ranks) whatever their dtype",
    "nullsight.reproduce.stats.x_auc__mutmut_8": "one sample left as numbers or booleans instead of float: "
    "mannwhitneyu reads both as float (NaN handling, ranks) whatever their dtype",
    "nullsight.reproduce.stats.x_auc__mutmut_10": "one sample left as numbers or booleans instead of float: "
    "mannwhitneyu reads both as float (NaN handling, ranks) whatever their dtype",
    "nullsight.reproduce.stats.x_paired__mutmut_4": "one side left as numbers or booleans instead of float: "
    "its difference with the other (float) side is float all the same",
    "nullsight.reproduce.stats.x_paired__mutmut_6": "one side left as numbers or booleans instead of float: "
    "its difference with the other (float) side is float all the same",
    "nullsight.reproduce.stats.x_paired__mutmut_8": "one side left as numbers or booleans instead of float: "
    "its difference with the other (float) side is float all the same",
    "nullsight.reproduce.stats.x_paired__mutmut_10": "one side left as numbers or booleans instead of float: "
    "its difference with the other (float) side is float all the same",
    "nullsight.reproduce.stats.x_mean__mutmut_39": 'in the all-equal branch (at least 2 samples, ptp 0) x[1] equals x[0]',
    "nullsight.reproduce.stats.x_mean__mutmut_43": 'in the all-equal branch (at least 2 samples, ptp 0) x[1] equals x[0]',
    "nullsight.reproduce.stats.x_mean__mutmut_45": 'in the all-equal branch (at least 2 samples, ptp 0) x[1] equals x[0]',
    "nullsight.reproduce.stats.x_mean__mutmut_56": "confidence_level=0.95 (CONFIDENCE) is scipy.stats.bootstrap's default",
    "nullsight.reproduce.stats.x_mean__mutmut_57": 'method="BCa" is scipy.stats.bootstrap\'s default',
    "nullsight.reproduce.stats.x_mean__mutmut_61": 'scipy.stats.bootstrap lower-cases method: "bca" is "BCa"',
    "nullsight.reproduce.stats.x_mean__mutmut_62": 'scipy.stats.bootstrap lower-cases method: "BCA" is "BCa"',
    "nullsight.linalg.x__frobenius2_upper__mutmut_2": "gram.shape[+1] of the square (B, k, k) Gram is k, as shape[-1]",
    "nullsight.linalg.x__frobenius2_upper__mutmut_3": "gram.shape[-2] of the square (B, k, k) Gram is k, as shape[-1]",
    "nullsight.linalg.x__gram_spectrum__mutmut_21": "flip(+1) and flip(-1) name the same axis of the (B, k) eigenvalues",
    "nullsight.linalg.x__certify_full_rank__mutmut_19": "matrices[pending] equals matrices when every index is pending",
    "nullsight.linalg.x__certify_full_rank__mutmut_84": "an identity of the default dtype times the fp64 shift promotes "
                                                        "to fp64: the same 0/1 entries",
    "nullsight.linalg.x__certify_full_rank__mutmut_87": "an identity of the default dtype times the fp64 shift promotes "
                                                        "to fp64: the same 0/1 entries",
    "nullsight.linalg.x_numerical_rank_batched__mutmut_62": "an all-zero spectrum in the default dtype summarises "
                                                             "to the same record (zeros are exact in any dtype)",
    "nullsight.linalg.x_numerical_rank_batched__mutmut_64": "an all-zero spectrum in the default dtype summarises "
                                                             "to the same record (zeros are exact in any dtype)",
    "nullsight.linalg.x_numerical_rank_batched__mutmut_98": "after certify, method is only compared with \"gram\": "
                                                             "any other value acts as \"auto\"",
    "nullsight.linalg.x_numerical_rank_batched__mutmut_99": "after certify, method is only compared with \"gram\": "
                                                             "any other value acts as \"auto\"",
    "nullsight.linalg.x_numerical_rank_batched__mutmut_100": "after certify, method is only compared with \"gram\": "
                                                              "any other value acts as \"auto\"",
    "nullsight.linalg.x__summarise__mutmut_15": "with sigma_max = 0 the cut is 0 and no singular value is above it: "
                                                "rank 0 either way",
    "nullsight.linalg.x__summarise__mutmut_17": "with sigma_max = 0 the cut is 0 and no singular value is above it: "
                                                "rank 0 either way",
    "nullsight.linalg.x_split_spaces__mutmut_5": "the finiteness check sees the same values through either unsqueeze",
    "nullsight.linalg.x_split_spaces__mutmut_20": "full_matrices=True is torch.linalg.svd's default",
    "nullsight.operators.x__banded_certificate__mutmut_81": "lower=None is falsy: scipy reads the upper band as with "
                                                            "lower=False",
    "nullsight.operators.x__banded_certificate__mutmut_84": "lower=False is scipy's default for cholesky_banded",
    "nullsight.operators.x__banded_certificate__mutmut_82": "check_finite only checks the band, which is finite "
                                                            "(built from finite weights): the same factorisation",
    "nullsight.operators.x__banded_certificate__mutmut_85": "check_finite only checks the band, which is finite "
                                                            "(built from finite weights): the same factorisation",
    "nullsight.operators.x__banded_certificate__mutmut_87": "check_finite only checks the band, which is finite "
                                                            "(built from finite weights): the same factorisation",
    "nullsight.operators.x__gram_band__mutmut_12": "a longer comb period still keeps the impulses apart: more probes, "
                                                   "the same band",
    "nullsight.operators.x__gram_band__mutmut_14": "a longer comb period still keeps the impulses apart: more probes, "
                                                   "the same band",
    "nullsight.operators.x_conv2d_operator_matrix__mutmut_5": "the chunk size only batches the basis columns: the same "
                                                              "matrix",
    "nullsight.operators.x_conv1d_operator_matrix__mutmut_5": "the chunk size only batches the basis columns: the "
                                                              "same matrix",
    "nullsight.operators.x__dense_null_space__mutmut_6": "with rows >= cols both SVD forms give the same (cols x cols) "
                                                         "V^T and singular values; U is not used",
    "nullsight.operators.x__dense_null_space__mutmut_7": "rows == cols: full and reduced SVD are the same",
    "nullsight.operators.x__dense_null_space__mutmut_10": "an operator matrix is never empty (the caller refuses a "
                                                          "kernel that does not fit): s always has entries",
    "nullsight.operators.x__dense_null_space__mutmut_13": "an operator matrix is never empty (the caller refuses a "
                                                          "kernel that does not fit): s always has entries",
    "nullsight.operators.x__gram_band__mutmut_107": "numpy reads any negative size in reshape as the unknown one",
    "nullsight.operators.x__recurrent_weights__mutmut_9": "recurse=None is falsy: the module's own parameters",
    "nullsight.operators.x__recurrent_weights__mutmut_10": "torch's recurrent modules own no submodules with "
                                                           "weight_ih/hh/hr parameters",
    "nullsight.operators.x__recurrent_weights__mutmut_11": "the 2-D parameters of torch's recurrent modules are "
                                                           "exactly weight_ih/hh/hr, and those are all 2-D",
    "nullsight.operators.x_skip_reason__mutmut_12": "the last dotted component is the same however many splits",
    "nullsight.operators.x_skip_reason__mutmut_15": "the last dotted component is the same however many splits",
    "nullsight.operators.x_conv2d_k1_null_space__mutmut_147": "a dilation along a width-1 kernel axis moves nothing",
    "nullsight.operators.x_conv2d_k1_null_space__mutmut_150": "a basis exists only with dim >= 1 and the output is "
                                                              "never empty: the branch is always taken",
    "nullsight.operators.x_conv2d_k1_null_space__mutmut_152": "a basis exists only with dim >= 1 and the output is "
                                                              "never empty: the else branch is unreachable",
}

DETECTED = {"killed", "timeout", "segfault"}

# Targets whose only mutmut mutants are wording (a headline) or a lookup no core calls: a record whose verdict is a
# constant and a property, which mutmut cannot mutate, so only their PLANTED mutants are run.
PLANTED_ONLY = {"collisions-result"}

# What mutmut 3 cannot mutate: it leaves module-level constants and decorated functions (properties) alone, and the
# verdicts' thresholds live there.  Each of these is planted by hand, one at a time, in a copy of the target's
# sources, and the target's tests are run on it: (file, original text, mutant text), the original found exactly once.
PLANTED: dict[str, list[tuple[str, str, str]]] = {
    "linalg": [("src/nullsight/linalg.py", "return self.row.shape[1]", "return self.row.shape[0]")],
    "collisions-verify": [
        ("src/nullsight/collisions/verify.py", "return [r <= EXACT_RTOL for r", "return [r < 1e3 * EXACT_RTOL for r"),
        ("src/nullsight/collisions/verify.py", "return [r <= EXACT_RTOL for r", "return [r <= 1e-3 * EXACT_RTOL for r"),
        ("src/nullsight/collisions/verify.py", "            if not layer.collides:", "            if layer.collides:"),
    ],
    "collisions-result": [
        ("src/nullsight/collisions/result.py", "EXACT_RTOL = 1e-9", "EXACT_RTOL = 1e-3"),
        ("src/nullsight/collisions/result.py", "EXACT_RTOL = 1e-9", "EXACT_RTOL = 1e-12"),
        ("src/nullsight/collisions/result.py", "return self.max_rel_diff_fp64 <= EXACT_RTOL",
         "return self.max_rel_diff_fp64 >= EXACT_RTOL"),
    ],
    "geometry": [
        ("src/nullsight/geometry/hull.py", "return int((~self.converged).sum())", "return int(self.converged.sum())"),
        ("src/nullsight/geometry/flip.py", "return self.distance.min(1).values", "return self.distance.max(1).values"),
        ("src/nullsight/geometry/flip.py", "return self.distance.min(1).indices", "return self.distance.max(1).indices"),
        ("src/nullsight/geometry/flip.py", "_MAX_HALVINGS = 40", "_MAX_HALVINGS = 2"),
    ],
    "masks": [
        ("src/nullsight/masks/optimise.py", "return sum(self.keeps_target) / max(len(self.keeps_target), 1)",
         "return sum(self.keeps_target) / max(len(self.keeps_target), 2)"),
        ("src/nullsight/masks/correlation.py", "CONVERGED_WITHIN = 0.10", "CONVERGED_WITHIN = 0.5"),
        ("src/nullsight/masks/correlation.py", "CONVERGED_WITHIN = 0.10", "CONVERGED_WITHIN = 0.01"),
        ("src/nullsight/masks/correlation.py", "DISCARD_FRACTION = 0.1 ", "DISCARD_FRACTION = 0.3 "),
    ],
    "reproduce": [
        ("src/nullsight/reproduce/verdicts.py", "ALPHA = 0.05", "ALPHA = 0.5"),
        ("src/nullsight/reproduce/verdicts.py", "ALPHA = 0.05", "ALPHA = 0.005"),
        ("src/nullsight/reproduce/stats.py", "CONFIDENCE = 0.95", "CONFIDENCE = 0.5"),
    ],
}



def _status(code: int | None) -> str:
    from mutmut.stats import status_by_exit_code

    return status_by_exit_code[code]


def _config(mutate: list[str], tests: list[str]) -> str:
    lines = ["", "[tool.mutmut]", 'source_paths = ["src"]', f"only_mutate = {json.dumps(mutate)}",
             f"pytest_add_cli_args_test_selection = {json.dumps(tests)}",
             'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-o", "addopts=--import-mode=importlib"]',
             "use_git_change_detection = false", 'also_copy = ["examples"]', ""]
    return "\n".join(lines)


def _selection(tests: list[str]) -> list[str]:
    """The target's pytest arguments: the test paths that exist, and options (``--deselect=...``) as they are."""
    return [t for t in tests if t.startswith("-") or (ROOT / t.split("::")[0]).exists()]


def prepare(target: str) -> Path:
    """A fresh scratch copy for ``target``: src/, tests/, and pyproject.toml with the target's mutmut section."""
    mutate, tests = TARGETS[target]
    work = ROOT / SCRATCH / target
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".hypothesis")
    shutil.copytree(ROOT / "src", work / "src", ignore=ignore)
    shutil.copytree(ROOT / "tests", work / "tests", ignore=ignore)
    shutil.copytree(ROOT / "examples", work / "examples", ignore=ignore)  # the README's factories some tests import
    pyproject = (ROOT / "pyproject.toml").read_text()
    (work / "pyproject.toml").write_text(pyproject + _config(mutate, _selection(tests)))
    return work


def _verdicts(work: Path) -> dict[str, tuple[Path, int | None]]:
    """Every mutant of ``work``: its source file and exit code.  mutmut forgets the verdicts of the mutants a rerun
    leaves out when the test selection changed; ``verdicts.json`` keeps them (the tests only ever grow, so a mutant
    killed before stays killed)."""
    base_path = work / "verdicts.json"
    base = json.loads(base_path.read_text()) if base_path.exists() else {}
    out = {}
    for meta in sorted((work / "mutants").rglob("*.py.meta")):
        source = meta.relative_to(work / "mutants").with_suffix("")  # src/nullsight/x.py
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            out[name] = (source, code if code is not None else base.get(name))
    return out


def _save_verdicts(work: Path) -> None:
    (work / "verdicts.json").write_text(json.dumps({n: c for n, (_, c) in _verdicts(work).items()}, indent=0))


def _undetected(work: Path) -> list[str]:
    """Names of the mutants of the last run in ``work`` that no test detected."""
    return [name for name, (_, code) in _verdicts(work).items() if _status(code) not in DETECTED]


def _refresh(target: str) -> Path | None:
    """The last scratch copy of ``target`` with today's tests, or None when its sources changed since (a full run
    is then needed: mutants and verdicts belong to the source they were made from)."""
    mutate, tests = TARGETS[target]
    work = ROOT / SCRATCH / target
    if not (work / "mutants").exists():
        return None
    mutated = {p for pattern in mutate for p in ROOT.glob(pattern)}
    for path in mutated:
        copy = work / path.relative_to(ROOT)
        if not copy.exists() or copy.read_bytes() != path.read_bytes():
            return None
    for path in ROOT.glob("src/nullsight/**/*"):  # everything else as it is today (the tests may rely on it)
        if path.is_file() and path not in mutated and "__pycache__" not in path.parts:
            for copy in (work / path.relative_to(ROOT), work / "mutants" / path.relative_to(ROOT)):
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, copy)
    shutil.rmtree(work / "tests")
    shutil.copytree(ROOT / "tests", work / "tests", ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
    pyproject = (ROOT / "pyproject.toml").read_text()
    (work / "pyproject.toml").write_text(pyproject + _config(mutate, _selection(tests)))
    return work


def run(target: str, max_children: int, command: str, survivors_only: bool = False) -> int:
    """Mutate ``target`` and run its tests on every mutant; with ``survivors_only``, rerun (with today's tests) only
    the mutants the last run left undetected, keeping its other verdicts, when the sources have not changed."""
    if target in PLANTED_ONLY:
        return 0
    work = _refresh(target) if survivors_only else None
    if work is not None:
        _save_verdicts(work)  # before mutmut resets them: a run killed before its end never saved its own
    names = _undetected(work) if work is not None else []
    if work is None:
        work = prepare(target)
    elif not names:
        return 0
    with open(work / "command.txt", "a") as log:  # a fresh copy starts empty; reruns add their command
        log.write(command + "\n")
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONHASHSEED="0")
    mutmut = Path(sys.executable).with_name("mutmut")
    rc = subprocess.call([str(mutmut), "run", "--max-children", str(max_children), *names], cwd=work, env=env)
    _save_verdicts(work)
    return rc


def run_planted(target: str, command: str) -> int:
    """Plant each of ``target``'s PLANTED mutants in turn in a copy of the sources and run the target's tests on it;
    the outcomes go to ``planted.json`` beside mutmut's.  Returns how many survived."""
    mutants, (_, tests) = PLANTED.get(target, []), TARGETS[target]
    if not mutants:
        return 0
    work = ROOT / SCRATCH / target / "planted"
    if work.exists():
        shutil.rmtree(work)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".hypothesis")
    shutil.copytree(ROOT / "src", work / "src", ignore=ignore)
    shutil.copytree(ROOT / "tests", work / "tests", ignore=ignore)
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONHASHSEED="0", PYTHONPATH=str(work / "src"))
    where = subprocess.run([sys.executable, "-c", "import nullsight; print(nullsight.__file__)"], cwd=work, env=env,
                           capture_output=True, text=True).stdout.strip()
    if not Path(where).is_relative_to(work):  # an install that shadows PYTHONPATH would test the unmutated tree
        raise SystemExit(f"planted mutants: nullsight imports from {where}, not from the scratch copy")
    outcomes = []
    for file, old, new in mutants:
        path = work / file
        original = path.read_text()
        if original.count(old) != 1:
            raise SystemExit(f"planted mutant of {file}: {old!r} occurs {original.count(old)} times, not once")
        path.write_text(original.replace(old, new))
        try:
            rc = subprocess.call([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                                  "-o", "addopts=--import-mode=importlib", *[t for t in tests if (work / t).exists()]],
                                 cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        finally:
            path.write_text(original)
        outcomes.append({"file": file, "original": old, "mutant": new, "exit_code": rc,
                         "status": "killed" if rc == 1 else "survived" if rc == 0 else f"error (pytest exit {rc})"})
    (work.parent / "planted.json").write_text(json.dumps({"command": command, "mutants": outcomes}, indent=1))
    return sum(o["status"] != "killed" for o in outcomes)


def _planted(target: str) -> list[dict]:
    path = ROOT / SCRATCH / target / "planted.json"
    return json.loads(path.read_text())["mutants"] if path.exists() else []


def _diff(work: Path, name: str, source: Path) -> str:
    """The mutant's unified diff against the original function (mutmut's own, run in the scratch copy)."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    here = Path.cwd()
    os.chdir(work)
    try:
        return get_diff_for_mutant(name, path=source)
    finally:
        os.chdir(here)


def _changed_lines(diff: str) -> str:
    """A unified diff without its context lines: the file names, the hunk headers and the changed lines."""
    return "\n".join(line for line in diff.splitlines() if not line.startswith(" "))


def collect(target: str) -> dict | None:
    """The outcome of ``target``'s last run (None when it was never run)."""
    work = ROOT / SCRATCH / target
    metas = sorted((work / "mutants").rglob("*.py.meta")) if (work / "mutants").exists() else []
    planted = _planted(target)
    if not metas and not planted:
        return None
    counts: dict[str, int] = {}
    survivors, equivalent = [], []
    for p in planted:  # hand-planted where mutmut cannot reach (constants, properties): killed or survived
        status = "killed" if p["status"] == "killed" else "survived"
        counts[status] = counts.get(status, 0) + 1
        if status != "killed":
            survivors.append({"mutant": f"planted: {p['file']}", "status": p["status"],
                              "diff": f"- {p['original']}\n+ {p['mutant']}"})
    for name, (source, code) in _verdicts(work).items():
        status = _status(code)
        counts[status] = counts.get(status, 0) + 1
        if status in DETECTED:
            continue
        entry = {"mutant": name, "status": status, "diff": _diff(work, name, source)}
        if name in EQUIVALENT:
            equivalent.append(dict(entry, reason=EQUIVALENT[name]))
        else:
            survivors.append(entry)
    total = sum(counts.values())
    killed = sum(counts.get(s, 0) for s in DETECTED)
    not_checked = counts.get("not checked", 0) + counts.get("skipped", 0)
    denominator = total - len(equivalent) - not_checked
    mutate, tests = TARGETS[target]
    logged = (work / "command.txt").read_text().splitlines() if (work / "command.txt").exists() else []
    commands = list(dict.fromkeys(logged))  # in order, each once (an interrupted rerun logs its command too)
    if planted:
        commands.append(json.loads((work / "planted.json").read_text())["command"])
        commands = list(dict.fromkeys(commands))
    return {"target": target, "commands": commands, "mutated": mutate, "tests": tests, "mutants": total,
            "planted": len(planted),
            "counts": counts, "killed": killed, "equivalent": len(equivalent), "not_checked": not_checked,
            "score": round(killed / denominator, 4) if denominator else None,
            "survivors": survivors, "equivalent_survivors": equivalent}


def _previous() -> dict[str, dict]:
    """The targets of the committed report, by name: a target whose scratch copy is gone (a fresh clone, another
    machine) keeps its last recorded outcome instead of dropping out of the report."""
    path = ROOT / OUT
    if not path.exists():
        return {}
    return {t["target"]: t for t in json.loads(path.read_text()).get("targets", [])}


def report(command: str) -> dict:
    previous = _previous()
    runs = [r for r in (collect(t) or previous.get(t) for t in TARGETS) if r is not None]
    killed = sum(r["killed"] for r in runs)
    denominator = sum(r["mutants"] - r["equivalent"] - r["not_checked"] for r in runs)
    from importlib.metadata import version

    for r in runs:  # the changed lines only: context lines would push the report past the 200 kB result limit
        for entry in r["survivors"] + r.get("equivalent_survivors", []):
            entry["diff"] = _changed_lines(entry["diff"])
    out = {
        "tool": f"mutmut {version('mutmut')}",
        "command": command,  # this report's; each target names the run that produced it
        "score": round(killed / denominator, 4) if denominator else None,
        "killed": killed,
        "non_equivalent_mutants": denominator,
        "surviving": sum(len(r["survivors"]) for r in runs),
        "targets": runs,
        "not_run": [{"target": t, "mutated": TARGETS[t][0], "tests": TARGETS[t][1]}
                    for t in TARGETS if t not in {r["target"] for r in runs}],
    }
    path = ROOT / OUT
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(out, indent=1) + "\n")
    tmp.replace(path)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="verb", required=True)
    run_p = sub.add_parser("run", help="mutate and test the targets (all when none is named), then write the report")
    run_p.add_argument("targets", nargs="*", help="target names (see `list`)")
    run_p.add_argument("--max-children", type=int, default=1)
    run_p.add_argument("--survivors", action="store_true",
                       help="rerun only the mutants the last run left alive (sources unchanged, tests added)")
    sub.add_parser("report", help="rewrite results/mutation.json from the last runs")
    sub.add_parser("list", help="the targets, what each mutates and its tests")
    args = parser.parse_args(argv)
    if args.verb == "list":
        for name, (mutate, tests) in TARGETS.items():
            print(f"{name}: {' '.join(mutate)} <- {' '.join(tests)}")
        return 0
    relative = ["python", "tools/mutation_report.py", *(argv if argv is not None else sys.argv[1:])]
    command = shlex.join(relative)
    if args.verb == "run":
        unknown = [t for t in args.targets if t not in TARGETS]
        if unknown:
            parser.error(f"unknown target(s) {unknown}; choose from {list(TARGETS)}")
        for target in args.targets or list(TARGETS):
            rc = run(target, args.max_children, command, args.survivors)
            if rc not in (0,):
                print(f"mutmut exited with {rc} on {target}", file=sys.stderr)
            if not args.survivors or _planted(target) and any(p["status"] != "killed" for p in _planted(target)):
                alive = run_planted(target, command)
                print(f"{target}: {alive} of {len(PLANTED.get(target, []))} planted mutants survived", file=sys.stderr)
    out = report(command)
    print(f"score {out['score']}: {out['killed']} of {out['non_equivalent_mutants']} non-equivalent mutants killed; "
          f"{out['surviving']} surviving; not run: {', '.join(t['target'] for t in out['not_run']) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
