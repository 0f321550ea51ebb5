"""What a path is on disk, without reading it: the one classification that the
config reader's parse cache and the `mmname check` cache both compare."""

from __future__ import annotations

import os
import stat as _stat
from typing import Tuple

Stamp = Tuple


def file_stamp(st: os.stat_result) -> Stamp:
    """The stamp of a regular file from its stat (ctime too: tools can set the
    modification time back, not the change time)."""
    return ("file", st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)


def stamp_of(path: str) -> Stamp:
    """What identifies the on-disk state of ``path`` without reading it:
    ``("file", mtime_ns, ctime_ns, size, inode)``, ``("missing",)``,
    ``("dir",)``, ``("special",)`` or ``("error", errno, message)``."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return ("missing",)
    except OSError as exc:  # permission on a parent, symlink loop (ELOOP), ...
        return ("error", exc.errno, exc.strerror or str(exc))
    except ValueError as exc:  # an embedded NUL byte in the path
        return ("error", None, str(exc))
    if _stat.S_ISDIR(st.st_mode):
        return ("dir",)
    if not _stat.S_ISREG(st.st_mode):
        # A FIFO or device would block or never end when read.
        return ("special",)
    return file_stamp(st)
