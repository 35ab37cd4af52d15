"""``--weights default`` without a network: fail in a second, say how to use local weights.

timm fetches pretrained weights from the Hugging Face Hub, whose client retries
for most of a minute when there is no network; torchvision tries its URL once.
:func:`hub_offline_unless_reachable` probes the hub once (a TCP connect, a few
seconds at most) and, when it cannot be reached, puts the Hub client in its
offline mode, so weights already in the local cache still load and missing
ones fail at once.
"""

from __future__ import annotations

import os
import socket
from contextlib import contextmanager
from typing import Iterator

HUB_HOST = "huggingface.co"


def reachable(host: str, port: int = 443, timeout: float = 3.0) -> bool:
    """Whether a TCP connection to ``host:port`` opens within ``timeout`` seconds."""
    try:
        socket.create_connection((host, port), timeout=timeout).close()
        return True
    except OSError:
        return False


@contextmanager
def hub_offline_unless_reachable() -> Iterator[bool]:
    """Run the block with the Hugging Face Hub client offline when the hub is unreachable; yields ``offline``."""
    from huggingface_hub import constants

    offline = bool(constants.HF_HUB_OFFLINE) or not reachable(os.environ.get("NULLSIGHT_HUB_HOST", HUB_HOST))
    previous = constants.HF_HUB_OFFLINE
    constants.HF_HUB_OFFLINE = offline
    try:
        yield offline
    finally:
        constants.HF_HUB_OFFLINE = previous


def no_weights_message(name: str, reason: str) -> str:
    """One line: why pretrained weights could not be had, and how to point at local ones."""
    reason = reason.split(". ")[0][:160]
    return (f"cannot fetch pretrained weights for {name} ({reason}); without a network, put a checkpoint file here and "
            f"pass --weights PATH (or the checkpoint as the model, with --arch {name}), or use --weights none")
