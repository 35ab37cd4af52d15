"""Run under torchrun by test_ddp_equal_weights.py: a few DDP steps of NULA, then each rank saves its weights."""

import sys

import torch

from nullsight.models.nula import Nula
from nullsight.train import TrainConfig, distributed
from nullsight.train.loop import train_classifier

if __name__ == "__main__":
    torch.set_num_threads(1)
    with distributed.process_group(torch.device("cpu")):
        torch.manual_seed(0)
        model = Nula(width=0.125)
        g = torch.Generator().manual_seed(1)
        x, y = torch.randn(32, 3, 32, 32, generator=g), torch.randint(0, 10, (32,), generator=g)
        train_classifier(model, x, y, TrainConfig(epochs=2, batch_size=8, augment="resolution"))
        torch.save(model.state_dict(), f"{sys.argv[1]}/rank{distributed.rank()}.pt")
