"""Exact feature collisions: the Null-space search of seed 000 (Definition 4, Remark 2, Eq. 6), verified.

``NullSpaceSearch(model, mean, std, input_size, beta=...)(images)`` builds
``x_hat = x + P`` with ``P`` in the null space of the first linear operator the
input meets and proves (or disproves) the collision with fp32 and fp64 forward
passes.  See :mod:`nullsight.collisions.search` for the pieces.
"""

from ..attacks import ATTACKS, AttackResult, run_attack
from .conv_null import NullSpace, null_space_for, periodic_spectrum
from .first_layer import FirstLayer, find_first_layer
from .pixel import PixelSpace
from .result import CollisionResult, SweepPoint, SweepResult
from .search import NullSpaceSearch
from .verify import EXACT_RTOL, Verifier

__all__ = ["ATTACKS", "AttackResult", "CollisionResult", "EXACT_RTOL", "FirstLayer", "NullSpace", "NullSpaceSearch",
           "PixelSpace", "SweepPoint", "SweepResult", "Verifier", "find_first_layer", "null_space_for",
           "periodic_spectrum", "run_attack"]
