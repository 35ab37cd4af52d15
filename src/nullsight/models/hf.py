"""``hf:PATH_OR_NAME``: a Hugging Face transformers model from a local directory or the local cache, offline.

``weights="none"`` builds the architecture from its ``config.json`` alone
(seeded random init: all a structural audit needs); ``weights="default"``
loads the weights saved with it (``local_files_only``: nothing is
downloaded); any other value is a checkpoint loaded safely into the
architecture.  Every 2-D weight is audited in the orientation the module
applies it: ``nn.Linear`` stores ``out x in``, transformers' ``Conv1D``
(GPT-2) stores ``in x out`` and is transposed (:data:`nullsight.operators.TRANSPOSED_LINEAR`).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any, Callable

import torch
from torch import nn

from ..errors import CheckpointError, ModelNotFoundError, one_line
from .zoo import MODEL_SOURCES, LoadedModel

_SEQUENCE_LENGTH = 8
_AUDIO_SAMPLES = 16000


class HFLoadedModel(LoadedModel):
    """A transformers model: its example input is what ``main_input_name`` asks for (token ids, pixels, audio)."""

    def example_input(self, batch: int = 1, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        device = next(self.module.parameters(), torch.empty(0)).device
        generator = torch.Generator().manual_seed(0)
        if self.extra.get("main_input_name") == "input_ids":
            vocab = int(self.extra.get("vocab_size") or 2)
            return torch.randint(0, vocab, (batch, *self.input_size), generator=generator).to(device)
        return torch.rand((batch, *self.input_size), generator=generator, dtype=dtype).to(device)


@MODEL_SOURCES.register("hf")
def load_hf(name: str, weights: str) -> LoadedModel:
    """Build ``name`` (a directory or a cached hub name) from its config, with its saved weights if asked."""
    try:
        import transformers
    except ImportError:
        raise ModelNotFoundError("hf: models need transformers: pip install 'nullsight[hf]'") from None
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    config = _config(transformers, name)
    cls = _model_class(transformers, config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if weights == "default":
            try:
                module = cls.from_pretrained(name, local_files_only=True)
            except OSError as exc:
                raise CheckpointError(f"hf:{name} has no local weights ({one_line(exc)}); "
                                      "use --weights none to build it from its config") from None
        else:
            module = cls._from_config(config) if hasattr(cls, "_from_config") else cls.from_config(config)
    main_input = getattr(module, "main_input_name", "input_ids")
    extra = {"main_input_name": main_input, "vocab_size": getattr(config, "vocab_size", None),
             "model_type": getattr(config, "model_type", None), "class": cls.__name__}
    task = {"input_ids": "text", "pixel_values": "vision", "input_values": "audio"}.get(main_input, "other")
    return HFLoadedModel(f"hf:{name}", module, input_size(config, main_input), "hf", weights, task, extra)


def local_directory(name: str) -> Path:
    """``name`` itself when it is a directory, else its snapshot in the local Hugging Face cache (no download)."""
    if Path(name).is_dir():
        return Path(name)
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(name, local_files_only=True))
    except Exception as exc:
        raise ModelNotFoundError(f"hf:{name} is neither a directory nor in the local Hugging Face cache "
                                 f"({one_line(exc)}); nullsight does not download models") from None


def key_renamer(module: nn.Module) -> Callable[[str], str] | None:
    """Checkpoint key -> parameter name, where transformers renames on load (v5: ``encoder.layer.`` -> ``layers.``)."""
    try:
        from transformers.conversion_mapping import get_model_conversion_mapping
        renamings = [c for c in get_model_conversion_mapping(module) if type(c).__name__ == "WeightRenaming"]
    except Exception:  # older transformers: checkpoint keys are parameter names
        return None
    rules = [(re.compile(src), dst) for c in renamings for src, dst in zip(c.source_patterns, c.target_patterns)]
    if not rules:
        return None

    def rename(key: str) -> str:
        for pattern, target in rules:
            key = pattern.sub(target, key)
        return key

    return rename


def input_size(config: Any, main_input: str) -> tuple[int, ...]:
    """The example input's shape without the batch: ``(T,)`` tokens, ``(C, H, W)`` pixels, ``(T,)`` samples."""
    if main_input == "pixel_values":
        size = getattr(config, "image_size", 224)
        h, w = (size, size) if isinstance(size, int) else tuple(size)
        return (getattr(config, "num_channels", 3), h, w)
    if main_input == "input_values":
        return (_AUDIO_SAMPLES,)
    limit = getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", None) or _SEQUENCE_LENGTH
    return (min(_SEQUENCE_LENGTH, int(limit)),)


def _config(transformers: Any, name: str) -> Any:
    try:
        return transformers.AutoConfig.from_pretrained(name, local_files_only=True)
    except (OSError, ValueError) as exc:
        raise ModelNotFoundError(f"hf:{name}: no config.json in that directory or in the local Hugging Face cache "
                                 f"({one_line(exc)}); nullsight does not download models") from None


def _model_class(transformers: Any, config: Any) -> type[nn.Module]:
    """The class named in the config's ``architectures`` (head included), else the bare ``AutoModel``."""
    for arch in getattr(config, "architectures", None) or []:
        cls = getattr(transformers, arch, None)
        if cls is not None:
            return cls
    try:
        return transformers.AutoModel._model_mapping[type(config)]
    except KeyError:
        raise ModelNotFoundError(f"transformers has no model class for config {type(config).__name__}") from None


