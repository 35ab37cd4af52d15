"""The training loop: determinism, rescaled copies, and DistributedDataParallel with 2 local processes."""

import json
import subprocess
import sys

import pytest
import torch

from nullsight.errors import InvalidInputError
from nullsight.models import MLP
from nullsight.train import TrainConfig, train_classifier
from nullsight.train.loop import with_rescaled_copies


def test_rescaled_copies_follow_the_originals():
    x, y = with_rescaled_copies(torch.ones(3, 2), torch.arange(3), [0.2, 0.5])
    assert x.shape == (9, 2) and torch.equal(y, torch.arange(3).repeat(3))
    assert torch.allclose(x[3:6], torch.full((3, 2), 0.2))


def test_same_seed_same_weights():
    x, y = torch.randn(256, 1, 8, 8), torch.randint(0, 10, (256,))
    weights = []
    for _ in range(2):
        torch.manual_seed(123)
        model = MLP((64, 8, 10))
        train_classifier(model, x, y, TrainConfig(epochs=2, batch_size=32, seed=5))
        weights.append(model.layers[1].weight.detach().clone())
    assert torch.equal(*weights)


def test_progress_shows_each_epoch_with_the_last_loss_accuracy_and_speed():
    x, y = torch.randn(64, 1, 8, 8), torch.randint(0, 10, (64,))
    seen: list[tuple[str, int]] = []

    def track(items, description, total):
        seen.append((description, total))
        yield from items

    torch.manual_seed(0)
    train_classifier(MLP((64, 8, 10)), x, y, TrainConfig(epochs=3, batch_size=16, seed=0, rescale=()), track=track)
    assert [t for _, t in seen] == [4, 4, 4]  # one bar per epoch, over its batches
    assert seen[0][0] == "epoch 1/3" and seen[2][0].startswith("epoch 3/3 · loss ")
    assert " · acc " in seen[1][0] and seen[1][0].endswith(" img/s")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_ddp_two_processes(tmp_path):
    out = tmp_path / "ddp.json"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", str(free_port()), "-m", "nullsight",
           "train", "nullsight:mlp-digits", "--data", "digits", "--epochs", "2", "--n-train", "400", "-q",
           "--out", str(tmp_path / "m.safetensors"), "--results", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(out.read_text())
    assert result["history"]["world_size"] == 2
    assert (tmp_path / "m.safetensors").exists()


class _NanAfter(torch.nn.Module):
    """A linear classifier whose forward returns NaN logits from its ``step``-th training step on (1-based; the
    loop's 2-image shape check is not a step)."""

    def __init__(self, step: int) -> None:
        super().__init__()
        self.fc, self.calls, self.step = torch.nn.Linear(4, 3), 0, step

    def forward(self, x):
        self.calls += len(x) == 4
        out = self.fc(x)
        return out * float("nan") if self.calls >= self.step else out


def test_divergence_names_its_first_step_and_removes_the_resume_state(tmp_path):
    # 10 batches of 4 per epoch; NaN from the 15th step: epoch 2, step 5 (checked once per chunk, named exactly)
    x, y = torch.randn(40, 4), torch.randint(0, 3, (40,))
    resume = tmp_path / "m.resume.pt"
    config = TrainConfig(epochs=3, batch_size=4, lr=0.01, optimizer="sgd", augment="none", seed=0)
    with pytest.raises(InvalidInputError, match=r"at epoch 2, step 5 \(lower --lr\)"):
        train_classifier(_NanAfter(15), x, y, config, resume=resume)
    assert not resume.exists()


def test_history_loss_and_accuracy_are_the_epoch_means_of_the_steps():
    torch.manual_seed(0)
    x, y = torch.randn(50, 6), torch.randint(0, 3, (50,))  # batches 16, 16, 16, 2: the last one weighs less
    model = torch.nn.Linear(6, 3)
    config = TrainConfig(epochs=1, batch_size=16, lr=0.0, optimizer="sgd", augment="none", seed=0)
    with torch.no_grad():
        logits = model(x)
    expected_loss = float(torch.nn.functional.cross_entropy(logits, y))  # lr 0: every step sees the same weights
    expected_acc = int((logits.argmax(1) == y).sum()) / len(y)
    history = train_classifier(model, x, y, config).history[0]
    assert abs(history["loss"] - expected_loss) < 1e-6
    assert abs(history["train_accuracy"] - expected_acc) < 1e-12
