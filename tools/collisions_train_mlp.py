"""Train the seed-001 MLP (784, 32, 16, 10) on MNIST for the collision results (seeded, ~20 s on a CPU).

    python tools/collisions_train_mlp.py [--out results/collisions/mlp-mnist.safetensors] [--epochs 3] [--seed 0]

Inputs are normalised with the MNIST mean/std of ``nullsight.data`` (what
``nullsight collide --data mnist`` applies); prints the test accuracy.
"""

from __future__ import annotations

import argparse

import torch

from nullsight.data import load_data
from nullsight.models import MLP, save_state_dict


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="results/collisions/mlp-mnist.safetensors")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    train, test = load_data("mnist", split="train"), load_data("mnist", split="test")
    x, y = train.normalized(), train.labels
    model = MLP()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(args.seed)
    for _ in range(args.epochs):
        for idx in torch.randperm(len(y), generator=g).split(128):
            loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        acc = (model(test.normalized()).argmax(1) == test.labels).float().mean().item()
    save_state_dict(model, args.out, {"nullsight.arch": "nullsight:mlp", "test_accuracy": f"{acc:.4f}"})
    print(f"test accuracy {acc:.4f}; wrote {args.out}")


if __name__ == "__main__":
    main()
