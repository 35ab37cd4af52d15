"""``masks compute`` is resumable: an interrupted run, rerun, ends with the bytes of an uninterrupted one.

The digits MLP (8x8 images, seconds): 40 images in chunks of 8 give 5 chunks for each of 3 sets (essential, PGD,
DeepFool), 15 in all; the interruption falls inside PGD's third chunk, so the rerun attacks chunks 3-5 of PGD
without having run chunks 1-2 before them in the same process.
"""

import json

import pytest
import torch

import nullsight.masks.chunked as chunked
from nullsight.attacks import AttackSpec
from nullsight.cli import EXIT_INTERRUPTED, EXIT_TERMINATED, Terminated, main
from nullsight.masks.chunked import chunk_seed, config_key
from nullsight.masks.optimise import MaskConfig
from nullsight.masks.store import FILE_NAME, ChunkStore
from nullsight.models.classifier import load_classifier

ARGS = ["--data", "digits", "--n", "40", "--chunk", "8", "--attacks", "pgd:8/255,deepfool", "--attack-steps", "3",
        "--min-steps", "3", "--max-steps", "6", "--masks-dir", "m", "--out", "masks.json"]
CHUNKS = 15
INTERRUPT_AT = 8  # the 8th chunk computed: PGD's third (essential chunks 1-5, PGD 1-2 are stored)


def _outputs(folder):
    """Every file a run left, by relative path, the JSON without its ``created`` timestamp."""
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    data = json.loads(files.pop("masks.json"))
    assert data.pop("created")
    return files, data


class Spy:
    """Counts the chunks a store serves and takes and the chunks computed; ``interrupt_with``: raised at the end
    of the INTERRUPT_AT-th chunk's work, before it is stored."""

    def __init__(self, monkeypatch, interrupt_with=None):
        self.gets = self.hits = self.puts = self.calls = 0
        get, put, compute = ChunkStore.get, ChunkStore.put, chunked._compute

        def spy_get(store, *args):
            found = get(store, *args)
            self.gets += 1
            self.hits += found is not None
            return found

        def spy_put(store, *args):
            self.puts += 1
            put(store, *args)

        def spy_compute(*args, **kwargs):
            self.calls += 1
            done = compute(*args, **kwargs)
            if interrupt_with is not None and self.calls == INTERRUPT_AT:
                raise interrupt_with
            return done

        monkeypatch.setattr(ChunkStore, "get", spy_get)
        monkeypatch.setattr(ChunkStore, "put", spy_put)
        monkeypatch.setattr(chunked, "_compute", spy_compute)


def _run(folder, monkeypatch, *extra):
    folder.mkdir(exist_ok=True)
    monkeypatch.chdir(folder)  # the same relative paths, so that the recorded command lines agree
    return main(["masks", "compute", str(extra[0]), *ARGS, *extra[1:], "-q"])


@pytest.fixture(scope="module")
def uninterrupted(digits_mlp, tmp_path_factory):
    model, _ = digits_mlp
    folder = tmp_path_factory.mktemp("whole")
    with pytest.MonkeyPatch.context() as mp:
        spy = Spy(mp)
        assert _run(folder, mp, model) == 0
    assert (spy.gets, spy.hits, spy.puts) == (CHUNKS, 0, CHUNKS)
    sets = json.loads((folder / "masks.json").read_text())["sets"]
    assert all(s["n_masks"] > 0 for s in sets)  # PGD's random start is seeded per chunk: the comparison can see it
    return folder


@pytest.mark.parametrize("signal,code", [(KeyboardInterrupt, EXIT_INTERRUPTED), (Terminated, EXIT_TERMINATED)],
                         ids=["ctrl-c", "sigterm"])
def test_resumed_run_matches_an_uninterrupted_one(uninterrupted, digits_mlp, tmp_path, monkeypatch, signal, code):
    model, _ = digits_mlp
    with monkeypatch.context() as mp:
        spy = Spy(mp, interrupt_with=signal())
        assert _run(tmp_path, mp, model) == code
    assert spy.puts == INTERRUPT_AT - 1
    # the finished chunks are kept whole; no mask file, JSON or temporary file is left
    files = sorted(p.relative_to(tmp_path / "m" / FILE_NAME).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert len(files) == INTERRUPT_AT - 1 and all(f.endswith(".safetensors.gz") for f in files)
    assert ChunkStore(tmp_path / "m" / FILE_NAME).count() == INTERRUPT_AT - 1

    progress = []

    def recording(items, description, total):
        progress.append((description, total))
        for item in items:
            progress.append(item)
            yield item

    monkeypatch.setattr("nullsight.cli.masks.tracker", lambda quiet: recording)
    spy = Spy(monkeypatch)
    assert _run(tmp_path, monkeypatch, model) == 0
    assert (spy.hits, spy.puts) == (INTERRUPT_AT - 1, CHUNKS - INTERRUPT_AT + 1)
    assert progress[0] == ("mask chunks", CHUNKS) and len(progress) == 1 + CHUNKS  # skipped chunks counted
    assert _outputs(tmp_path) == _outputs(uninterrupted)  # the store is gone, every byte as in one go
    assert json.loads((tmp_path / "masks.json").read_text())["config"]["chunk"] == 8


def test_a_kept_resume_dir_rebuilds_the_run_without_computing(uninterrupted, digits_mlp, tmp_path, monkeypatch):
    """--resume-dir is kept after the run (to be committed); a checkout of it alone rebuilds every output."""
    model, _ = digits_mlp
    first, second = tmp_path / "first", tmp_path / "second"
    with monkeypatch.context() as mp:
        assert _run(first, mp, model, "--resume-dir", "chunks") == 0
    stored = sorted(p.relative_to(first / "chunks").as_posix() for p in (first / "chunks").rglob("*.gz"))
    assert len(stored) == CHUNKS and ChunkStore(first / "chunks").count() == CHUNKS
    second.mkdir()
    (first / "chunks").rename(second / "chunks")  # a fresh machine: the kept chunks and nothing else
    spy = Spy(monkeypatch)
    assert _run(second, monkeypatch, model, "--resume-dir", "chunks") == 0
    assert (spy.gets, spy.hits, spy.puts, spy.calls) == (CHUNKS, CHUNKS, 0, 0)
    files, data = _outputs(second)
    assert {k: v for k, v in files.items() if not k.startswith("chunks/")} == _outputs(uninterrupted)[0]
    assert data["sets"] == _outputs(uninterrupted)[1]["sets"]


def test_another_configuration_does_not_reuse_chunks(digits_mlp, tmp_path, monkeypatch):
    model, _ = digits_mlp
    with monkeypatch.context() as mp:
        Spy(mp, interrupt_with=KeyboardInterrupt())
        assert _run(tmp_path, mp, model) == EXIT_INTERRUPTED
    spy = Spy(monkeypatch)
    assert _run(tmp_path, monkeypatch, model, "--seed", "1") == 0
    assert (spy.gets, spy.hits, spy.puts) == (CHUNKS, 0, CHUNKS)
    assert not (tmp_path / "m" / FILE_NAME).exists()


def test_config_key_names_every_setting(digits_mlp):
    model, _ = digits_mlp
    loaded, norm, batch = load_classifier(str(model), "digits", n=16)
    x, y, specs, config = batch.images, batch.labels, [AttackSpec("pgd", 8 / 255)], MaskConfig()
    base = dict(data="digits", attacks=specs, config=config, chunk=8, attack_steps=None, seed=0, device="cpu")

    def key(**changes):
        return config_key(loaded.module, norm, x, y, **{**base, **changes})

    assert key() == key()
    changed = [key(chunk=4), key(seed=1), key(attacks=[AttackSpec("pgd", 4 / 255)]), key(attack_steps=5),
               key(config=MaskConfig(lam=0.01)), key(config=MaskConfig(max_steps=2000)), key(data="mnist")]
    assert len({key(), *changed}) == 1 + len(changed)
    assert config_key(loaded.module, norm, x[:8], y[:8], **base) != key()  # other images
    before = key()
    with torch.no_grad():
        next(loaded.module.parameters()).view(-1)[0] += 1e-6  # other weights
    assert key() != before


def test_chunk_seed_depends_on_seed_and_chunk_only():
    assert chunk_seed(0, 3) == chunk_seed(0, 3)
    assert len({chunk_seed(s, c) for s in range(3) for c in range(5)}) == 15


def test_store_round_trip_is_exact_and_lazy(tmp_path):
    store = ChunkStore(tmp_path / "d" / FILE_NAME)
    assert store.get("k", "essential", 0) is None and not (tmp_path / "d").exists()  # nothing created by a look
    tensors = {"masks": torch.rand(3, 1, 4, 4), "loss": torch.rand(3, dtype=torch.float64),
               "keeps": torch.tensor([True, False, True]), "empty": torch.zeros(0, 1, 4, 4)}
    store.put("k", "essential", 0, tensors)
    back = ChunkStore(tmp_path / "d" / FILE_NAME).get("k", "essential", 0)
    assert back.keys() == tensors.keys() and all(torch.equal(back[k], v) and back[k].dtype == v.dtype
                                                 for k, v in tensors.items())
    assert store.get("other", "essential", 0) is None and store.get("k", "essential", 1) is None
    assert store.count("k") == 1 and store.count("other") == 0
    store.remove()
    assert list((tmp_path / "d").iterdir()) == []
