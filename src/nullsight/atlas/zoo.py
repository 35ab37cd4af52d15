"""The model zoo the atlas covers: every ``timm.list_models()`` name, torchvision's classification, detection,
segmentation and video builders, and ``hf:`` directories the user names; each built on the ``meta`` device.

Optical-flow (two images in) and quantized builders (the classification architectures again, with observers) are
left out.  Models are built through nullsight's own model sources (:data:`nullsight.models.zoo.MODEL_SOURCES`,
the same constructor arguments as ``nullsight audit``), inside ``torch.device("meta")``: every parameter has its
shape and no storage, so a 1B-parameter model costs seconds and no memory.

Input sizes, from each model's own defaults: timm's ``pretrained_cfg["input_size"]``; torchvision classification and
video: the crop of the default weights' preprocessing (video: 16 frames); segmentation: its resize (520); detection:
an image already at the transform's working size (``min_size`` square, or SSD's fixed size), which the transform's
resize then leaves unchanged.
"""

from __future__ import annotations

import contextlib
import fnmatch
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache

import torch
from torch import nn

from ..errors import InvalidInputError

SOURCES = ("timm", "torchvision")
TORCHVISION_TASKS = ("classification", "detection", "segmentation", "video")
VIDEO_FRAMES = 16


@dataclass(frozen=True)
class Entry:
    """One architecture of the zoo."""

    architecture: str
    source: str
    name: str
    family: str
    task: str


@dataclass
class Built:
    """An architecture built on the meta device, with the input it is audited at."""

    entry: Entry
    module: nn.Module
    input_size: tuple[int, ...]
    input_note: str | None = None


def zoo(sources: tuple[str, ...] = SOURCES, hf: tuple[str, ...] = ()) -> list[Entry]:
    """Every architecture of ``sources`` (``timm``, ``torchvision``), then ``hf:`` directories, sorted by name."""
    unknown = sorted(set(sources) - set(SOURCES))
    if unknown:
        raise InvalidInputError(f"unknown source(s) {', '.join(unknown)}; the zoo's sources are {', '.join(SOURCES)} "
                                "(hf: directories are named with --hf)")
    entries: list[Entry] = []
    if "timm" in sources:
        entries += _timm_entries()
    if "torchvision" in sources:
        entries += _torchvision_entries()
    entries += [Entry(f"hf:{d}", "hf", d, "hf", "vision") for d in hf]
    return sorted(entries, key=lambda e: e.architecture)


def select(entries: list[Entry], patterns: list[str] | None) -> list[Entry]:
    """Entries whose architecture (or bare name) matches one of ``patterns``: a glob (``timm:resnet*``), an exact
    name, or ``re:REGEX`` (searched).  ``None`` selects all; a pattern that matches nothing is an error."""
    if not patterns:
        return entries
    chosen: dict[str, Entry] = {}
    for pattern in patterns:
        if pattern.startswith("re:"):
            try:
                regex = re.compile(pattern[3:])
            except re.error as exc:
                raise InvalidInputError(f"--models {pattern!r}: not a regular expression ({exc})") from None
            hits = [e for e in entries if regex.search(e.architecture)]
        else:
            hits = [e for e in entries if fnmatch.fnmatchcase(e.architecture, pattern) or fnmatch.fnmatchcase(e.name, pattern)]
        if not hits:
            raise InvalidInputError(f"--models {pattern!r} matches no architecture of the zoo "
                                    "(globs like timm:resnet*, exact names, or re:REGEX)")
        chosen.update({e.architecture: e for e in hits})
    return sorted(chosen.values(), key=lambda e: e.architecture)


@lru_cache(maxsize=1)
def _timm_entries() -> list[Entry]:
    import timm

    family = {name: module for module in timm.list_modules() for name in timm.list_models(module=module)}
    return [Entry(f"timm:{n}", "timm", n, family.get(n, "timm"), "classification") for n in timm.list_models()]


@lru_cache(maxsize=1)
def _torchvision_entries() -> list[Entry]:
    from torchvision import models as tvm

    modules = {"classification": tvm, "detection": tvm.detection, "segmentation": tvm.segmentation, "video": tvm.video}
    entries = []
    for task, module in modules.items():
        for name in tvm.list_models(module=module):
            family = tvm.get_model_builder(name).__module__.rsplit(".", 1)[-1]
            entries.append(Entry(f"torchvision:{name}", "torchvision", name, family, task))
    return entries


def entry_for(architecture: str) -> Entry:
    """The zoo entry of ``architecture`` (``timm:NAME``, ``torchvision:NAME``, ``hf:DIR``)."""
    source, _, name = architecture.partition(":")
    if source == "hf":
        return Entry(architecture, "hf", name, "hf", "vision")
    for entry in {"timm": _timm_entries, "torchvision": _torchvision_entries}.get(source, list)():
        if entry.architecture == architecture:
            return entry
    raise InvalidInputError(f"{architecture} is not in the zoo (timm:NAME, torchvision:NAME or hf:DIR)")


@contextlib.contextmanager
def parameters_on_meta():
    """Every parameter registered inside is created on the meta device, everything else where it was (a builder
    that computes with tensors, such as torchvision's RegNet, then still runs; what accelerate's
    ``init_empty_weights`` does)."""
    register = nn.Module.register_parameter

    def on_meta(module: nn.Module, name: str, param: nn.Parameter | None) -> None:
        if param is not None and param.device.type != "meta":
            param = nn.Parameter(param.to("meta"), requires_grad=param.requires_grad)
        register(module, name, param)

    nn.Module.register_parameter = on_meta  # type: ignore[method-assign]
    try:
        yield
    finally:
        nn.Module.register_parameter = register  # type: ignore[method-assign]


def build_meta(entry: Entry) -> Built:
    """``entry`` built on the meta device, in eval mode, with the input size it is audited at."""
    from ..models.zoo import MODEL_SOURCES

    build = MODEL_SOURCES.get(entry.source)
    try:
        with warnings.catch_warnings(), torch.device("meta"):
            warnings.simplefilter("ignore")
            loaded = build(entry.name, "none")
    except NotImplementedError as exc:  # the builder reads a tensor it made (RegNet's widths): only weights on meta
        if "meta" not in str(exc):
            raise
        with warnings.catch_warnings(), parameters_on_meta():
            warnings.simplefilter("ignore")
            loaded = build(entry.name, "none")
    module = loaded.module.eval()
    size, note = tuple(loaded.input_size), None
    if entry.source == "torchvision":
        size, note = _torchvision_input(entry, module, size)
    return Built(entry, module, size, note)


def _torchvision_input(entry: Entry, module: nn.Module, size: tuple[int, ...]) -> tuple[tuple[int, ...], str | None]:
    from torchvision import models as tvm

    if entry.task == "detection":
        transform = module.transform
        h, w = getattr(transform, "fixed_size", None) or (transform.min_size[-1], transform.min_size[-1])
        return (3, h, w), f"an image at the transform's working size {h}x{w} (its resize is then the identity)"
    keywords = getattr(tvm.get_model_weights(entry.name).DEFAULT.transforms, "keywords", {})
    if entry.task == "segmentation":
        side = keywords.get("resize_size", 520)
        return (3, side, side), f"the default weights' resize ({side})"
    crop = keywords.get("crop_size", size[-1])
    if isinstance(getattr(module, "image_size", None), int) and module.image_size != crop:
        # a ViT built without weights is fixed to its own image_size (vit_h_14: 224; its SWAG weights' crop: 518)
        side = module.image_size
        return (3, side, side), f"the model's fixed image_size ({side}; the default weights' crop is {crop})"
    h, w = (crop, crop) if isinstance(crop, int) else tuple(crop)
    if entry.task == "video":
        return (3, VIDEO_FRAMES, h, w), f"{VIDEO_FRAMES} frames at the default weights' crop ({h}x{w})"
    return (3, h, w), f"the default weights' crop ({h}x{w})"
