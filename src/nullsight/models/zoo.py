"""Models by name: ``torchvision:NAME``, ``timm:NAME``, ``nullsight:NAME``, a checkpoint file, ``pkg.module:factory``.

``weights="none"`` builds a random-initialised architecture (seeded: all that a
structural audit needs); ``weights="default"`` asks the library for its
pretrained weights (a download the first time); any other value is a
checkpoint path loaded safely into the named architecture.
"""

from __future__ import annotations

import contextlib
import importlib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch
from torch import nn

from ..errors import CheckpointError, ModelNotFoundError, one_line
from ..registry import Registry, unknown_name_message
from . import checkpoints
from .cnn_stego import CNNStego
from .mlp import MLP
from .nula import nula, nula_from_name
from .patch_vit import PatchViT
from .resnet_cifar import resnet20

DEFAULT_IMAGE_SIZE = (3, 224, 224)
ARCH_METADATA_KEY = "nullsight.arch"


@dataclass
class LoadedModel:
    """A model ready for analysis, with what is known about its input."""

    spec: str
    module: nn.Module
    input_size: tuple[int, ...]
    source: str
    weights: str
    task: str = "classification"
    extra: dict[str, Any] = field(default_factory=dict)
    input_size_declared: bool = True
    """False where ``input_size`` is a guess (:data:`DEFAULT_IMAGE_SIZE`): an input file may then fix the shape."""

    def normalization(self) -> tuple[tuple[float, ...], tuple[float, ...]] | None:
        """``(mean, std)`` of the inputs this model was trained on, where its checkpoint records them."""
        meta = self.extra.get("metadata", {})
        if "nullsight.mean" not in meta:
            return None
        parse = lambda text: tuple(float(v) for v in text.split(","))  # noqa: E731
        return parse(meta["nullsight.mean"]), parse(meta["nullsight.std"])

    def example_input(self, batch: int = 1, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        """A deterministic input of the model's size on the model's device."""
        device = next(self.module.parameters(), torch.empty(0)).device
        generator = torch.Generator().manual_seed(0)
        return torch.rand((batch, *self.input_size), generator=generator, dtype=dtype).to(device)


Builder = Callable[[str, str], LoadedModel]
MODEL_SOURCES: Registry[Builder] = Registry("model source", ModelNotFoundError)
ARCHITECTURES: Registry[Callable[..., nn.Module]] = Registry("nullsight architecture", ModelNotFoundError)
ARCH_INPUT_SIZES: dict[str, tuple[int, ...]] = {"mlp": (1, 28, 28), "mlp-digits": (1, 8, 8), "cnn-stego": (1, 28, 28)}

ARCHITECTURES.register("mlp")(MLP)  # seed 001: (784, 32, 16, 10)
ARCHITECTURES.register("mlp-digits")(lambda: MLP((64, 32, 16, 10)))  # the same widths on sklearn's 8x8 digits
ARCHITECTURES.register("patch-vit")(PatchViT)  # seed 000 Remark 2: a trained patchify model (7x7 patches, 28x28)
ARCHITECTURES.register("resnet20")(resnet20)  # seeds 002 / 003: He et al.'s CIFAR ResNet-20, 64 last-layer features
ARCHITECTURES.register("cnn-stego")(CNNStego)  # seed 001 App. B: one valid 3x3 kernel first (null dim 108)
ARCHITECTURES.register("nula")(nula)  # seed 004; nula-w{WIDTH}[-strided][-nose] via nula_from_name


def load_model(
    spec: str,
    weights: str = "none",
    arch: str | None = None,
    seed: int = 0,
    device: str | torch.device = "cpu",
    input_size: tuple[int, ...] | None = None,
) -> LoadedModel:
    """Resolve ``spec`` to a :class:`LoadedModel` in eval mode on ``device``.

    >>> load_model("nullsight:mlp").input_size
    (1, 28, 28)
    """
    torch.manual_seed(seed)
    source, name = _split_spec(spec)
    if source == "file":
        loaded = _from_file(Path(name), arch, seed)
    else:
        loaded = MODEL_SOURCES.get(source)(name, weights)
        if weights not in ("none", "default"):
            checkpoints.load_into(loaded.module, checkpoints.load_state_dict(weights), weights)
    if input_size is not None:
        loaded.input_size, loaded.input_size_declared = tuple(input_size), True
    if source != "file" and weights in ("none", "default"):  # checkpoint files were checked as they were read
        checkpoints.check_finite(loaded.module, loaded.spec)
    loaded.module.eval().to(device)
    return loaded


def _split_spec(spec: str) -> tuple[str, str]:
    path = Path(spec)
    if path.is_dir():
        raise ModelNotFoundError(f"{spec} is a folder, not a checkpoint file: name the checkpoint file in it "
                                 f"(or hf:{spec} for a transformers model folder)")
    if path.suffix in checkpoints.SAFETENSORS_SUFFIXES + checkpoints.PICKLE_SUFFIXES or path.is_file():
        return "file", spec
    if ":" in spec:
        source, name = spec.split(":", 1)
        if source in MODEL_SOURCES:
            return source, name
        if "." in source or source.isidentifier():
            _check_source_typo(source, spec)
            return "factory", spec
    for source in ("torchvision", "timm"):
        if name_exists(source, spec):
            return source, spec
    known = [f"torchvision:{n}" for n in _torchvision_names()] + [f"nullsight:{n}" for n in ARCHITECTURES]
    raise ModelNotFoundError(unknown_name_message("model", spec, known + [f"timm:{n}" for n in _timm_names()]))


def _check_source_typo(source: str, spec: str) -> None:
    """``torchvison:x`` is a mistyped source, not a Python module: suggest the source it is closest to."""
    import difflib
    import importlib.util

    close = difflib.get_close_matches(source, list(MODEL_SOURCES), n=1, cutoff=0.75)
    if close and "." not in source and importlib.util.find_spec(source) is None:
        rest = spec.split(":", 1)[1]
        raise ModelNotFoundError(f"unknown model source {source!r} in {spec!r}; did you mean {close[0]}:{rest}?")


def name_exists(source: str, name: str) -> bool:
    if source == "torchvision":
        return name in _torchvision_names()
    if source == "timm":
        return name in _timm_names()
    return source == "nullsight" and name in ARCHITECTURES


def _torchvision_names() -> list[str]:
    import torchvision

    return torchvision.models.list_models()


def _timm_names() -> list[str]:
    import timm

    return timm.list_models()


@MODEL_SOURCES.register("torchvision")
def _torchvision(name: str, weights: str) -> LoadedModel:
    import torchvision
    from torchvision import models as tvm

    if name not in _torchvision_names():
        raise ModelNotFoundError(unknown_name_message("torchvision model", name, _torchvision_names()))
    task = _torchvision_task(name, tvm)
    kwargs: dict[str, Any] = {"weights": "DEFAULT" if weights == "default" else None}
    if task in ("segmentation", "detection") and weights != "default":
        kwargs["weights_backbone"] = None
    if task == "segmentation" and name.startswith(("fcn_", "deeplabv3_")) and weights != "default":
        kwargs["aux_loss"] = True  # the architecture torchvision's pretrained weights have
    if name.startswith("inception") or name == "googlenet":
        kwargs["init_weights"] = True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module = _download_guard(lambda: torchvision.models.get_model(name, **kwargs), f"torchvision:{name}")
    size = (3, 299, 299) if name.startswith("inception") else DEFAULT_IMAGE_SIZE
    return LoadedModel(f"torchvision:{name}", module, size, "torchvision", weights, task)


def _torchvision_task(name: str, tvm: Any) -> str:
    for task, module in (("segmentation", tvm.segmentation), ("detection", tvm.detection),
                         ("video", tvm.video), ("optical_flow", tvm.optical_flow)):
        if name in tvm.list_models(module=module):
            return task
    return "classification"


@MODEL_SOURCES.register("timm")
def _timm(name: str, weights: str) -> LoadedModel:
    import timm

    if name not in _timm_names():
        raise ModelNotFoundError(unknown_name_message("timm model", name, _timm_names()))
    from .pretrained import hub_offline_unless_reachable

    with hub_offline_unless_reachable() if weights == "default" else contextlib.nullcontext():
        module = _download_guard(lambda: timm.create_model(name, pretrained=weights == "default"), f"timm:{name}")
    cfg = getattr(module, "pretrained_cfg", None) or {}
    size = tuple(cfg.get("input_size", DEFAULT_IMAGE_SIZE))
    return LoadedModel(f"timm:{name}", module, size, "timm", weights, input_size_declared="input_size" in cfg)


@MODEL_SOURCES.register("nullsight")
def _nullsight(name: str, weights: str) -> LoadedModel:
    if weights == "default":
        raise CheckpointError(f"nullsight:{name} has no published weights; pass a checkpoint with --weights PATH")
    sizes = _mlp_sizes(name)
    if sizes is not None:  # nullsight:mlp-3072-32-16-10: seed 001's MLP at other widths
        return LoadedModel(f"nullsight:{name}", MLP(sizes), _flat_input_size(sizes[0]), "nullsight", weights)
    module = nula_from_name(name) if name != "nula" else None  # seed 004: nullsight:nula-w0.25-strided-nose
    module = module if module is not None else ARCHITECTURES.get(name)()
    size = ARCH_INPUT_SIZES.get(name) or tuple(getattr(module, "input_size", DEFAULT_IMAGE_SIZE))
    declared = name in ARCH_INPUT_SIZES or hasattr(module, "input_size")
    return LoadedModel(f"nullsight:{name}", module, size, "nullsight", weights, input_size_declared=declared)


def _mlp_sizes(name: str) -> tuple[int, ...] | None:
    parts = name.split("-")
    if parts[0] == "mlp" and len(parts) >= 3 and all(p.isdigit() and int(p) > 0 for p in parts[1:]):
        return tuple(int(p) for p in parts[1:])
    return None


def _flat_input_size(n: int) -> tuple[int, ...]:
    """The image shape a flat input size most likely comes from (28x28 gray, 32x32 colour, 8x8 digits)."""
    return {784: (1, 28, 28), 3072: (3, 32, 32), 64: (1, 8, 8)}.get(n, (n,))


def mlp_arch_for(shape: tuple[int, ...], n_classes: int) -> str:
    """Seed 001's (in, 32, 16, out) MLP for inputs of ``shape`` and ``n_classes`` classes."""
    n = 1
    for d in shape:
        n *= d
    return "nullsight:mlp" if (n, n_classes) == (784, 10) else f"nullsight:mlp-{n}-32-16-{n_classes}"


@MODEL_SOURCES.register("factory")
def _factory(spec: str, weights: str) -> LoadedModel:
    module_name, _, attr = spec.partition(":")
    import os
    import sys

    if os.getcwd() not in sys.path and "" not in sys.path:  # `nullsight audit my_model:build` in the user's folder
        sys.path.append(os.getcwd())
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ModelNotFoundError(f"cannot import model factory {spec}: {exc}") from None
    try:
        module = factory()
    except TypeError as exc:
        raise ModelNotFoundError(f"model factory {spec} cannot be called without arguments ({exc}); "
                                 "wrap it in a function that takes none") from exc
    except Exception as exc:
        raise ModelNotFoundError(f"model factory {spec} raised {type(exc).__name__}: {exc}") from exc
    if not isinstance(module, nn.Module):
        raise ModelNotFoundError(f"{spec} returned a {type(module).__name__}, not a torch.nn.Module")
    size = tuple(getattr(module, "input_size", DEFAULT_IMAGE_SIZE))
    return LoadedModel(spec, module, size, "factory", weights, input_size_declared=hasattr(module, "input_size"))


def _from_file(path: Path, arch: str | None, seed: int) -> LoadedModel:
    state = checkpoints.load_state_dict(path)
    arch = arch or checkpoints.read_metadata(path).get(ARCH_METADATA_KEY)
    if arch and _split_spec(arch)[0] == "file":  # a checkpoint's architecture naming a file (maybe itself) would recurse
        raise CheckpointError(f"{path}: its architecture ({ARCH_METADATA_KEY} or --arch) names a file, {arch!r}; "
                              "pass --arch with an architecture name such as nullsight:mlp")
    if not arch:
        raise ModelNotFoundError(
            f"{path} holds only weights; name its architecture with --arch (e.g. torchvision:resnet50, nullsight:mlp)"
        )
    base = load_model(arch, weights="none", seed=seed)
    checkpoints.load_into(base.module, state, str(path))
    extra = {"arch": arch, "metadata": checkpoints.read_metadata(path)}
    return LoadedModel(str(path), base.module, base.input_size, "file", str(path), base.task, extra,
                       base.input_size_declared)


def _download_guard(build: Callable[[], nn.Module], name: str) -> nn.Module:
    try:
        return build()
    except (OSError, RuntimeError) as exc:
        text = one_line(exc)
        if "download" in text.lower() or "url" in text.lower() or "connect" in text.lower() or isinstance(exc, OSError):
            from .pretrained import no_weights_message

            raise CheckpointError(no_weights_message(name, text)) from None
        raise
