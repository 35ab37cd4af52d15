"""Seed 001's reproduction recipe (Li & Short): the rescaled-data MLP, null-space steganography, what it sees."""

from __future__ import annotations

from ..reproduce.recipe import Claim, Recipe, Stage
from ..reproduce.stats import Measurement, proportion, value
from ..reproduce.verdicts import at_least, exactly

MLP = "{checkpoints}/mlp-mnist-e2000-seed0.safetensors"
TRAIN, PAPER_EVAL, TEST_EVAL, SEES = "{out}/train-mlp.json", "{out}/stego-paper.json", "{out}/stego-test.json", "{out}/sees.json"


def _accuracy(split: str):  # noqa: ANN202
    def measure(load) -> Measurement:  # noqa: ANN001
        m = load(TRAIN).metrics[split]
        return proportion(round(m.accuracy * m.n), m.n)

    return measure


def _rate(path: str, attribute: str):  # noqa: ANN202
    def measure(load) -> Measurement:  # noqa: ANN001
        r = load(path)
        return proportion(round(getattr(r, attribute) * r.n), r.n)

    return measure


RECIPE = Recipe(
    seed="001",
    title="The null space of neural networks (Li & Short)",
    stages=(
        Stage("train-mlp",
              ("train", "--data", "mnist", "--epochs", "2000", "--lr", "3e-3", "--seed", "{seed}", "-q", "--out", MLP,
               "--results", TRAIN),
              ("train", "nullsight:mlp-digits", "--data", "digits", "--epochs", "20", "--lr", "3e-3", "--seed",
               "{seed}", "-q", "--out", MLP, "--results", TRAIN),
              outputs=(MLP, TRAIN), trains=True),
        Stage("stego-paper-protocol",
              ("stego", "eval", MLP, "--cover-data", "mnist", "--hidden-data", "mnist", "--protocol", "paper",
               "--seed", "{seed}", "-o", PAPER_EVAL),
              ("stego", "eval", MLP, "--cover-data", "digits", "--hidden-data", "digits", "--n", "40", "--seed",
               "{seed}", "-o", PAPER_EVAL),
              outputs=(PAPER_EVAL,), reads=(MLP,)),
        Stage("stego-test-split",
              ("stego", "eval", MLP, "--cover-data", "mnist", "--hidden-data", "mnist", "--seed", "{seed}",
               "-o", TEST_EVAL),
              ("stego", "eval", MLP, "--cover-data", "digits", "--hidden-data", "digits", "--n", "40", "--seed",
               "{seed}", "-o", TEST_EVAL),
              outputs=(TEST_EVAL,), reads=(MLP,)),
        Stage("what-it-sees",
              ("stego", "sees", MLP, "--data", "mnist", "--n", "1000", "-o", SEES),
              ("stego", "sees", MLP, "--data", "digits", "--n", "8", "-o", SEES),
              outputs=(SEES,), reads=(MLP,)),
    ),
    claims=(
        Claim("001-T1", "The (784, 32, 16, 10) ReLU MLP trained with 0.2x copies fits the training images",
              "99.79%", _accuracy("train_original"), at_least(0.995),
              "same architecture and data; Adam 3e-3 with a cosine schedule for 2000 epochs (the paper gives no "
              "optimiser schedule)", needs=(TRAIN,)),
        Claim("001-T2", "... and their 0.2x copies", "99.78%", _accuracy("train_rescaled"), at_least(0.995),
              "as 001-T1", needs=(TRAIN,)),
        Claim("001-N1", "Null(W1) of the MLP has dimension 784 - 32 = 752",
              "752", lambda load: value(load(SEES).null_dim, test="rank of W1 (fp64 SVD)"), exactly(752),
              "none", needs=(SEES,)),
        Claim("001-S1", "A stego image S = a1 H_perp + a2 C is classified as the hidden image (paper protocol)",
              "100% of pairs", _rate(PAPER_EVAL, "success_rate"), at_least(0.99),
              "the paper's filtered training pairs (50,000); success = pred(S) = pred(0.2 H)", needs=(PAPER_EVAL,)),
        Claim("001-S2", "The same on unfiltered test pairs (beyond the paper)", "not given",
              _rate(TEST_EVAL, "success_rate"), at_least(0.95),
              "test split, every pair; a claim of ours, not the paper's", needs=(TEST_EVAL,)),
        Claim("001-V1", "The projection onto Row(W1) ('what the network sees') keeps every prediction",
              "identical outputs", _rate(SEES, "predictions_agree"), at_least(0.99),
              "1,000 test images; outputs compared at fp32 and fp64", needs=(SEES,)),
    ),
)
