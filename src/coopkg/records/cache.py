"""Per-file cache of parsed, type-checked records, keyed by content hash: rebuilds skip YAML.

Why: parsing YAML and checking each record against its model is most of ``load_records``;
unpickling the same records is several times faster. A national-scale data
folder changes one report at a time, so all other files come from here.

Never stale: an entry's key is the SHA-256 of the file's bytes and the source code of the modules
that decide what a file parses to (``models.py``, ``load.py``, ``yamlsafe.py`` and ``cache.py`` in
:mod:`coopkg.records`). Change any of them and the key changes. Where the file lies is not part of
the key (what a file parses to does not depend on it): the loader gives a cached entry the path and
name it was found under, so a copy of a data folder (a test's, a branch's checkout) reuses the
entries of the original. Cross-file checks are never cached: they run on every load. After each load the
entries of files that are gone or changed are deleted, so the cache holds one entry per file.

Entries are pickles, written atomically (temp file + rename). A pickle can run code when loaded,
so the cache folder needs the same trust as ``__pycache__``: keep it inside your own project
(the default is ``.coopkg-cache/`` in the working folder). An entry that cannot be read is
ignored and rewritten.

>>> import tempfile
>>> from pathlib import Path
>>> with tempfile.TemporaryDirectory() as tmp:
...     cache = RecordCache(Path(tmp))
...     f = Path(tmp) / "x.yaml"
...     _ = f.write_text("source: null\\n")
...     key = cache.key(f)
...     cache.get(key) is None
True
"""

from __future__ import annotations

import hashlib
import pickle
from functools import cache
from pathlib import Path
from typing import Any

from coopkg.atomic import open_atomic

#: bump to invalidate every entry when the entry layout changes
LAYOUT = "1"
_MODULES = ("models.py", "load.py", "yamlsafe.py", "cache.py")


@cache
def code_stamp() -> str:
    """Hash of the code that turns a YAML file into records (see the module docstring)."""
    here = Path(__file__).parent
    h = hashlib.sha256(LAYOUT.encode())
    for name in _MODULES:
        h.update(name.encode() + b"\0" + (here / name).read_bytes() + b"\0")
    return h.hexdigest()


class RecordCache:
    """``key(path) -> entry`` in ``folder/<part>/``; see the module docstring.

    :param part: the sub-folder: ``records`` for parsed files; others (``lookup``) keep what is
        derived from a whole folder's records, under keys made from the records' keys.
    """

    def __init__(self, folder: Path, part: str = "records") -> None:
        self.folder = Path(folder) / part

    def _entry(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"

    def key(self, path: Path) -> str:
        """The key of the file at ``path``: its content and the loader's code."""
        h = hashlib.sha256(code_stamp().encode())
        h.update(path.read_bytes())
        return h.hexdigest()

    def get(self, key: str) -> Any | None:
        """The entry, or None when it is missing or unreadable (the file is then parsed again)."""
        try:
            with self._entry(key).open("rb") as f:
                return pickle.load(f)
        except Exception:  # missing, truncated or foreign entry
            return None

    def prune(self, keep: set[str]) -> int:
        """Delete every entry not in ``keep`` (the keys of the folder just loaded); returns how many.

        The cache mirrors one data folder, so it never grows past one entry per file."""
        removed = 0
        if not self.folder.is_dir():
            return 0
        for sub in self.folder.iterdir():
            if not sub.is_dir():
                continue
            for entry in sub.iterdir():
                if entry.suffix == ".pickle" and entry.stem not in keep:
                    entry.unlink(missing_ok=True)
                    removed += 1
        return removed

    def put(self, key: str, value: Any) -> None:
        with open_atomic(self._entry(key)) as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
