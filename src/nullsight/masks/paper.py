"""Seed 003's reference numbers in one place (CIFAR-10, ResNet-20): Tables 1, 3 and 4, read by the report and docs."""

from __future__ import annotations

from .result import PAPER_TABLE1, PAPER_TABLE3, PAPER_TABLE4

PAPER = {"table1": PAPER_TABLE1, "table3": PAPER_TABLE3, "table4": PAPER_TABLE4}
