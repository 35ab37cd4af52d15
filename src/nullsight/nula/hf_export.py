"""A NULA checkpoint as a transformers directory (seed 004, "Usage": ``pipeline("image-classification", ...)``).

:func:`hf_files` returns the files (name -> bytes): ``config.json`` (with the
``auto_map`` that ``trust_remote_code=True`` follows), ``model.safetensors``,
``preprocessor_config.json`` and the self-contained code in
:mod:`nullsight.nula.hf_code`.  Writing them is the CLI's job.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import InvalidInputError
from ..models.classifier import model_normalization
from ..models.nula import Nula
from ..models.zoo import ARCH_METADATA_KEY, load_model

CODE_FILES = ("configuration_nula.py", "modeling_nula.py", "image_processing_nula.py")


def class_names(data: str | None, n_classes: int) -> list[str]:
    """The class names of the data set a checkpoint was trained on, else ``"0" ... "n-1"``."""
    if data:
        try:
            from ..data import load_data

            names = list(load_data(data, split="test", n=1).classes)
            if len(names) == n_classes:
                return names
        except Exception:  # noqa: BLE001 - names are a nicety; a missing data set must not block the export
            pass
    return [str(i) for i in range(n_classes)]


def hf_files(checkpoint: str | Path) -> dict[str, bytes]:
    """The transformers directory of a NULA checkpoint, as ``{file name: content}``."""
    from safetensors.torch import save

    loaded = load_model(str(checkpoint))
    model = loaded.module
    if not isinstance(model, Nula):
        arch = loaded.extra.get("arch") or loaded.extra.get("metadata", {}).get(ARCH_METADATA_KEY)
        raise InvalidInputError(f"export-hf writes NULA checkpoints; {checkpoint} holds {arch or type(model).__name__}")
    norm = model_normalization(loaded)
    n_classes = model.head[-1].out_features
    labels = class_names(loaded.extra.get("metadata", {}).get("nullsight.data"), n_classes)
    config = {
        "model_type": "nula", "architectures": ["NulaForImageClassification"],
        "auto_map": {"AutoConfig": "configuration_nula.NulaConfig",
                     "AutoModelForImageClassification": "modeling_nula.NulaForImageClassification"},
        "width": model.width, "downsample": model.downsample_kind, "se": model.use_se, "dropout": model.head[2].p,
        "num_channels": model.stem[0].in_channels, "image_size": 32,
        "id2label": {str(i): name for i, name in enumerate(labels)}, "label2id": {name: i for i, name in enumerate(labels)},
    }
    processor = {"image_processor_type": "NulaImageProcessor",
                 "auto_map": {"AutoImageProcessor": "image_processing_nula.NulaImageProcessor"},
                 "size": 32, "image_mean": list(norm.mean), "image_std": list(norm.std)}
    state = {f"nula.{k}": v.contiguous() for k, v in model.state_dict().items()}
    code_dir = Path(__file__).with_name("hf_code")
    files = {"config.json": json.dumps(config, indent=2).encode(), "preprocessor_config.json": json.dumps(processor, indent=2).encode(),
             "model.safetensors": save(state, metadata={"format": "pt"})}
    files |= {name: (code_dir / name).read_bytes() for name in CODE_FILES}
    return files
