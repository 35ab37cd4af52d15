"""Table 2 reproduction: rows that torchvision provides exactly as the paper used them."""

from nullsight.audit.runner import run_table2
from nullsight.audit.table2 import TABLE2, markdown


def test_squeezenet_row_matches_the_paper_exactly():
    result = run_table2(models=["SqueezeNet"])
    (row,) = result.rows
    ours, paper = row.ours, row.paper
    assert (ours.nu, ours.mu, ours.sum_nullity, ours.nullity_first) == (
        paper.nu, paper.mu, paper.sum_nullity, paper.nullity_first)
    assert int(ours.nu_pct) == paper.nu_pct


def test_rows_without_a_library_model_are_listed_not_invented():
    result = run_table2(models=["UNet"])
    (row,) = result.rows
    assert row.ours is None and "not provided" in row.explanation[0]
    assert "UNet" in markdown(result.rows)


def test_every_paper_row_is_present():
    assert len(TABLE2) == 19
