"""The data layer's exceptions: whatever goes wrong with a dataset ends in one of these."""

from __future__ import annotations


class DatasetError(Exception):
    """Base class of the data layer's errors (never raised itself)."""


class DatasetNotFoundError(DatasetError, FileNotFoundError):
    """The dataset is neither in the mirror nor in the cache, and downloading failed."""


class DatasetIntegrityError(DatasetError, ValueError):
    """A dataset file exists but is corrupt, truncated or not the official file."""


class DownloadFailed(OSError):
    """A download could not complete (no network, server error, connection dropped).

    Internal: the loaders turn it into :class:`DatasetNotFoundError`; the mirror command
    line reports it as a failed fetch.
    """
