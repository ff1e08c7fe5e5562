"""A pure-Python wheel (PEP 427), written directly: no ``build``, ``wheel`` or setuptools.

spaCy's ``package`` builds its wheel with ``python -m build``, which wants the ``build`` package
and downloads setuptools into an isolated environment, and it exits the process when that
fails. A wheel of a pipeline package holds only files and metadata, so nerwb writes it here,
offline, and the same inputs give the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from nerwb import __version__

# Zip entries' time: fixed, so that a wheel of the same files has the same bytes (1980 is the
# earliest a zip can say).
_EPOCH = (1980, 1, 1, 0, 0, 0)
_BLOCK = 1 << 20


def normalise(name: str) -> str:
    """A distribution name as wheel file and folder names spell it (PEP 427, PEP 503)."""
    return re.sub(r"[-_.]+", "_", name)


def _metadata(
    name: str, version: str, summary: str, requires: Sequence[str], description: str
) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    if summary:
        lines.append(f"Summary: {' '.join(summary.split())}")
    lines += [f"Requires-Dist: {requirement}" for requirement in requires]
    if description:
        lines.append("Description-Content-Type: text/markdown")
    return "\n".join(lines) + "\n\n" + description


def write_wheel(
    out_dir: Path,
    *,
    name: str,
    version: str,
    files: Mapping[str, Path | bytes],
    summary: str = "",
    requires: Sequence[str] = (),
    entry_points: Mapping[str, Mapping[str, str]] | None = None,
    description: str = "",
) -> Path:
    """Write ``<name>-<version>-py3-none-any.whl`` into ``out_dir`` (atomically) and return it.

    Args:
        files: the wheel's path (``pkg/__init__.py``) -> a file to copy or the bytes to write.
        requires: ``Requires-Dist`` lines (``spacy>=3.8,<3.9``).
        entry_points: group -> {name: "module:attribute"}.
    """
    dist = f"{normalise(name)}-{version}"
    info = f"{dist}.dist-info"
    meta_files: dict[str, bytes] = {
        f"{info}/METADATA": _metadata(name, version, summary, requires, description).encode(),
        f"{info}/WHEEL": (
            f"Wheel-Version: 1.0\nGenerator: nerwb {__version__}\nRoot-Is-Purelib: true\n"
            "Tag: py3-none-any\n"
        ).encode(),
    }
    if entry_points:
        meta_files[f"{info}/entry_points.txt"] = "".join(
            f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in sorted(points.items())) + "\n"
            for group, points in sorted(entry_points.items())
        ).encode()
    top = sorted({path.split("/", 1)[0] for path in files if "/" in path})
    if top:
        meta_files[f"{info}/top_level.txt"] = ("\n".join(top) + "\n").encode()
    wheel = Path(out_dir) / f"{dist}-py3-none-any.whl"
    partial = wheel.with_name(f".{wheel.name}.partial")
    record = []
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
            for arcname, source in sorted({**files, **meta_files}.items()):
                record.append(_add(zf, arcname, source))
            record.append(f"{info}/RECORD,,")
            _add(zf, f"{info}/RECORD", ("\n".join(record) + "\n").encode())
        os.replace(partial, wheel)  # made by open(): the mode the umask gives
    finally:
        partial.unlink(missing_ok=True)
    return wheel


def _add(zf: zipfile.ZipFile, arcname: str, source: Path | bytes) -> str:
    """Add one entry, streamed from a file (a model's weights can be large); its RECORD line."""
    entry = zipfile.ZipInfo(arcname, date_time=_EPOCH)
    entry.external_attr = 0o644 << 16
    entry.compress_type = zipfile.ZIP_DEFLATED
    digest, size = hashlib.sha256(), 0
    with zf.open(entry, "w") as out:
        if isinstance(source, bytes):
            blocks: Iterator[bytes] = iter([source])
        else:
            blocks = _blocks(source)
        for block in blocks:
            digest.update(block)
            size += len(block)
            out.write(block)
    encoded = base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")
    return f"{arcname},sha256={encoded},{size}"


def _blocks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        yield from iter(lambda: fh.read(_BLOCK), b"")
