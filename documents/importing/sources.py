"""Where an import's files come from: a zip archive or a server folder, read defensively.

A source lists its entries (files to import, or problems found in the listing) and copies one
entry's bytes into a file, counting as it goes: the sizes a zip header declares are checked but
never trusted.
"""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from documents.importing.names import (
    MAX_PATH,
    UnsafePath,
    decode_zip_name,
    display_fs_name,
    is_ignored,
    safe_parts,
)

CHUNK = 1024 * 1024
MB = 1024 * 1024
# Small entries may compress very well (a page of spaces) without being a threat; the ratio
# limit applies from this size on.
RATIO_FLOOR = MB
_ENCRYPTED_FLAG = 0x1
_S_IFLNK = 0o120000


class ImportSourceError(Exception):
    """The source as a whole cannot be imported (not a zip, too many files, too large)."""


class EntryRejected(Exception):
    """One entry cannot be imported; code for machines, message (translated) for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Problem:
    code: str
    message: str


@dataclass
class Entry:
    """One file of the source; `path` is its key in the job, `ref` what the source opens."""

    path: str
    folder: tuple[str, ...] = ()
    name: str = ""
    size: int = 0
    ref: object = None
    problem: Problem | None = None


@dataclass
class Limits:
    """Bounds on what a source may expand to; None means unbounded (a trusted server folder)."""

    max_file_bytes: int
    max_total_bytes: int | None = None
    max_files: int | None = None
    max_ratio: int | None = None


@dataclass
class _Keys:
    seen: set[str] = field(default_factory=set)

    def claim(self, path: str) -> tuple[str, bool]:
        """Return a unique key for `path` and whether it was free as it is."""
        key = path[:MAX_PATH]
        if key not in self.seen:
            self.seen.add(key)
            return key, key == path
        number = 2
        while f"{key} #{number}" in self.seen:
            number += 1
        key = f"{key} #{number}"
        self.seen.add(key)
        return key, False


def _too_large(limit: int) -> EntryRejected:
    return EntryRejected(
        "too_large",
        _("The file is larger than the limit of %(limit)s MB.") % {"limit": limit // MB},
    )


def _copy(stream, dest, *, limit: int, total_left: int | None, ratio_check=None) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        if total_left is not None and size > total_left:
            raise EntryRejected(
                "archive_too_large",
                _("The archive expands to more than the import limit; this file was not read."),
            )
        if ratio_check is not None:
            ratio_check(size)
        digest.update(chunk)
        dest.write(chunk)
    dest.flush()
    return size, digest.hexdigest()


class ZipSource:
    """A zip archive, from an upload or a path on the server."""

    def __init__(self, path: str | os.PathLike, limits: Limits):
        self.path = Path(path)
        self.limits = limits
        self._zip: zipfile.ZipFile | None = None

    def __enter__(self):
        self._check_entry_count()
        try:
            self._zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
            raise ImportSourceError(_("This is not a readable zip archive.")) from err
        return self

    def __exit__(self, *exc):
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def _check_entry_count(self) -> None:
        # ZipFile reads the whole central directory into memory on opening: read the count from
        # the end record first, so that millions of tiny entries are refused before that.
        if self.limits.max_files is None:
            return
        try:
            with self.path.open("rb") as handle:
                end = zipfile._EndRecData(handle)  # noqa: SLF001 - the stdlib's own EOCD reader
        except OSError as err:
            raise ImportSourceError(_("This is not a readable zip archive.")) from err
        if not end:
            raise ImportSourceError(_("This is not a readable zip archive."))
        # Folders and skipped system files are entries too, hence some headroom.
        if end[zipfile._ECD_ENTRIES_TOTAL] > 3 * self.limits.max_files + 100:  # noqa: SLF001
            raise self._too_many()

    def _too_many(self) -> ImportSourceError:
        return ImportSourceError(
            _("The archive holds more than %(limit)s files; split it into smaller archives.")
            % {"limit": self.limits.max_files}
        )

    def entries(self) -> list[Entry]:
        """List the archive's files in archive order; unsafe entries come with their problem."""
        assert self._zip is not None
        keys = _Keys()
        entries: list[Entry] = []
        declared_total = 0
        files = 0
        for info in self._zip.infolist():
            name = decode_zip_name(info)
            try:
                parts = safe_parts(name)
            except UnsafePath as err:
                key, _free = keys.claim(name)
                entries.append(Entry(path=key, name=name, problem=Problem(err.code, err.message)))
                continue
            if is_ignored(parts):
                continue
            mode = info.external_attr >> 16
            if stat.S_IFMT(mode) == _S_IFLNK:
                problem = Problem("symlink", _("Symbolic links are not imported."))
            elif info.is_dir():
                continue  # folders become categories when a file in them is imported
            else:
                problem = self._entry_problem(info)
            files += 1
            if self.limits.max_files is not None and files > self.limits.max_files:
                raise self._too_many()
            path = "/".join(parts)
            key, free = keys.claim(path)
            if not free and problem is None:
                problem = Problem(
                    "duplicate_name", _("Another entry of the archive has the same name.")
                )
            if problem is None:
                declared_total += info.file_size
            entries.append(
                Entry(
                    path=key,
                    folder=tuple(parts[:-1]),
                    name=parts[-1],
                    size=info.file_size,
                    ref=info,
                    problem=problem,
                )
            )
        limit = self.limits.max_total_bytes
        if limit is not None and declared_total > limit:
            raise ImportSourceError(
                _("The archive expands to more than %(limit)s MB; split it into smaller archives.")
                % {"limit": limit // MB}
            )
        return entries

    def _entry_problem(self, info: zipfile.ZipInfo) -> Problem | None:
        if info.flag_bits & _ENCRYPTED_FLAG:
            return Problem(
                "encrypted", _("The entry is encrypted; unpack it with its password and import it.")
            )
        if info.file_size > self.limits.max_file_bytes:
            error = _too_large(self.limits.max_file_bytes)
            return Problem(error.code, error.message)
        if self._ratio_exceeded(info.file_size, info.compress_size):
            return self._ratio_problem()
        return None

    def _ratio_exceeded(self, size: int, compressed: int) -> bool:
        ratio = self.limits.max_ratio
        return ratio is not None and size > RATIO_FLOOR and size > ratio * max(compressed, 1)

    def _ratio_problem(self) -> Problem:
        return Problem(
            "compression_ratio",
            _("The entry is compressed more than %(ratio)s to 1, as in a zip bomb.")
            % {"ratio": self.limits.max_ratio},
        )

    def read_into(self, entry: Entry, dest, *, total_left: int | None) -> tuple[int, str]:
        """Copy an entry's bytes into `dest`; return its size and SHA-256, or raise EntryRejected."""
        assert self._zip is not None
        info: zipfile.ZipInfo = entry.ref

        def ratio_check(size: int) -> None:
            # The header may lie about the size; judge what actually comes out.
            if self._ratio_exceeded(size, info.compress_size):
                problem = self._ratio_problem()
                raise EntryRejected(problem.code, problem.message)

        try:
            with self._zip.open(info) as stream:
                return _copy(
                    stream,
                    dest,
                    limit=self.limits.max_file_bytes,
                    total_left=total_left,
                    ratio_check=ratio_check,
                )
        except EntryRejected:
            raise
        except RuntimeError as err:  # zipfile's "password required"
            raise EntryRejected("encrypted", _("The entry is encrypted.")) from err
        except NotImplementedError as err:
            raise EntryRejected(
                "unsupported", _("The entry uses a compression method that cannot be read.")
            ) from err
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as err:
            raise EntryRejected(
                "corrupt", _("The entry is damaged: %(error)s") % {"error": err}
            ) from err


class FolderSource:
    """A folder on the server; symbolic links are reported, never followed."""

    def __init__(self, path: str | os.PathLike, limits: Limits):
        self.root = Path(path)
        self.limits = limits

    def __enter__(self):
        try:
            self.root = self.root.resolve(strict=True)
        except OSError as err:
            raise ImportSourceError(_("The folder does not exist.")) from err
        if not self.root.is_dir():
            raise ImportSourceError(_("This is not a folder."))
        return self

    def __exit__(self, *exc):
        return None

    def entries(self) -> list[Entry]:
        """List the folder's files, sorted; links and special files come with their problem."""
        keys = _Keys()
        entries: list[Entry] = []
        for current, dirnames, filenames in os.walk(self.root, followlinks=False):
            base = Path(current)
            relative = base.relative_to(self.root).parts
            folder = tuple(display_fs_name(part) for part in relative)
            dirnames.sort()
            for dirname in list(dirnames):
                parts = (*folder, display_fs_name(dirname))
                if (base / dirname).is_symlink():
                    dirnames.remove(dirname)
                    key, _free = keys.claim("/".join(parts) + "/")
                    problem = Problem("symlink", _("Symbolic links are not followed."))
                    entries.append(Entry(path=key, folder=folder, name=dirname, problem=problem))
                elif is_ignored(parts):
                    dirnames.remove(dirname)
            for filename in sorted(filenames):
                name = display_fs_name(filename)
                parts = (*folder, name)
                if is_ignored(parts):
                    continue
                full = base / filename
                key, _free = keys.claim("/".join(parts))
                entry = Entry(path=key, folder=folder, name=name, ref=full)
                try:
                    info = full.lstat()
                except OSError as err:
                    entry.problem = Problem("unreadable", str(err.strerror))
                else:
                    entry.size = info.st_size
                    entry.problem = self._problem(info.st_mode)
                entries.append(entry)
        return entries

    def _problem(self, mode: int) -> Problem | None:
        if stat.S_ISLNK(mode):
            return Problem("symlink", _("Symbolic links are not followed."))
        if not stat.S_ISREG(mode):
            return Problem("special_file", _("Only regular files are imported."))
        return None

    def read_into(self, entry: Entry, dest, *, total_left: int | None) -> tuple[int, str]:
        """Copy a file into `dest`; return its size and SHA-256, or raise EntryRejected."""
        path = Path(entry.ref)
        # A folder may have been swapped for a link since the listing: the real path must still
        # lie under the root, and the file itself is opened without following a link.
        real = Path(os.path.realpath(path))
        if not real.is_relative_to(self.root) or real != path:
            raise EntryRejected("symlink", _("Symbolic links are not followed."))
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
        except OSError as err:
            raise EntryRejected("unreadable", str(err.strerror)) from err
        with os.fdopen(fd, "rb") as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                raise EntryRejected("special_file", _("Only regular files are imported."))
            try:
                return _copy(stream, dest, limit=self.limits.max_file_bytes, total_left=total_left)
            except OSError as err:
                raise EntryRejected("unreadable", str(err.strerror)) from err
