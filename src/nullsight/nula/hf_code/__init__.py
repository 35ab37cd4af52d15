"""The self-contained transformers code that ``nullsight export-hf`` copies beside a NULA checkpoint.

These files import only torch, PIL, numpy and transformers, so that the
exported directory loads without nullsight (``trust_remote_code=True``).
``tests/models/test_export_hf.py`` checks the copy against :mod:`nullsight.models.nula`.
"""
