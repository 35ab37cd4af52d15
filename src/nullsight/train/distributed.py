"""DistributedDataParallel plumbing for ``torchrun`` (gloo on CPU, nccl on GPU); a no-op in one process.

``torchrun --nproc_per_node 2 -m nullsight train ...`` sets ``WORLD_SIZE``,
``RANK`` and ``LOCAL_RANK``; everything here reads them and relies on
``torch.distributed`` and ``torch.nn.parallel.DistributedDataParallel`` only.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

import torch
import torch.distributed as dist


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def is_distributed() -> bool:
    return world_size() > 1


def rank() -> int:
    return dist.get_rank() if dist.is_available() and dist.is_initialized() else 0


def is_main_process() -> bool:
    return rank() == 0


@contextmanager
def process_group(device: torch.device) -> Iterator[None]:
    """Initialise the process group under torchrun (and tear it down); nothing in a single process."""
    if not is_distributed() or dist.is_initialized():
        yield
        return
    backend = "nccl" if device.type == "cuda" else "gloo"
    if device.type == "cuda":
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    dist.init_process_group(backend=backend)
    try:
        yield
    finally:
        dist.destroy_process_group()


def local_device(device: torch.device) -> torch.device:
    """The device of this process: ``cuda:LOCAL_RANK`` under torchrun on GPUs."""
    if device.type == "cuda" and is_distributed():
        return torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
    return device


def sync_buffers(module: torch.nn.Module, src: int = 0) -> None:
    """Give every rank rank ``src``'s buffers (BatchNorm running statistics).

    DDP broadcasts buffers at the start of each forward, so after the last step
    every rank holds its own running statistics; this makes the ranks agree.
    """
    if is_distributed() and dist.is_initialized():
        for buffer in module.buffers():
            dist.broadcast(buffer.data, src)
