"""Build, check and report on dataset mirrors (folders usable as ``COURSE_DATA_DIR``).

A mirror has the layout of the course's ``shared/datasets`` folder::

    mnist/mnist.npz
    imdb/imdb.npz   imdb/imdb_word_index.json
    cifar10/cifar-10-batches-py/{data_batch_1..5,test_batch,batches.meta}
    speech_commands/<word>/*.wav|*.flac   (+ _background_noise_/, split lists if any)

Everything here loops over :data:`DATASETS`, the :class:`~.base.Dataset` of each dataset
module: :func:`check_mirror` verifies a mirror, :func:`fetch` fills one from the official
URLs (or from a verified local copy), :func:`status` tells a learner which datasets this
machine has.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from course_utils.data import cifar10, imdb, mnist, speech_commands
from course_utils.data.base import CheckResult, Dataset
from course_utils.data.errors import DatasetIntegrityError
from course_utils.data.files import cache_dir, data_dir
from course_utils.data.registry import official

#: The course's datasets, in the order ``fetch all``, ``check`` and ``status`` use.
DATASETS: tuple[Dataset, ...] = (
    mnist.DATASET, cifar10.DATASET, imdb.DATASET, speech_commands.DATASET,
)
NAMES: tuple[str, ...] = tuple(d.name for d in DATASETS)
#: Every name ``fetch`` accepts (the datasets and their variants) -> its dataset.
FETCHABLE: dict[str, Dataset] = {
    name: d for d in DATASETS for name in (d.name, *d.variants)
}


def _dataset(name: str) -> Dataset:
    try:
        return FETCHABLE[name]
    except KeyError:
        raise ValueError(f"unknown dataset {name!r}; use one of {NAMES} or all.") from None


def check_one(name: str, root: Path) -> CheckResult:
    """Check one dataset of the mirror ``root``; corruption becomes a ``corrupt`` result."""
    dataset = _dataset(name)
    try:
        return dataset.check(root)
    except (DatasetIntegrityError, FileNotFoundError) as exc:
        return CheckResult(dataset.name, "corrupt", str(exc))


def check_mirror(root: Path, names: tuple[str, ...] = NAMES) -> list[CheckResult]:
    """Check every dataset of the mirror ``root``."""
    return [check_one(name, root) for name in names]


def fetch(name: str, dest: Path, *, progress: bool = True) -> CheckResult:
    """Fill ``dest`` with one dataset in the mirror layout and check it.

    ``name`` is one of :data:`NAMES` (``speech_commands`` fetches the 8-word
    ``mini_speech_commands.zip``, 182 MB) or a variant (``speech_commands_v2``: the whole
    v0.02 archive, 2.4 GB, with the official split lists and background noise). A dataset
    that already passes its check is left as it is.

    Raises:
        DownloadFailed: the network failed; DatasetIntegrityError: a bad file.
    """
    dataset = _dataset(name)
    current = check_one(dataset.name, dest)
    if current.ok and name == dataset.name:
        return current
    dataset.fetch(dest, name, progress)
    return check_one(dataset.name, dest)


# ----------------------------------------------------------------------------- status
@dataclass(frozen=True)
class DatasetStatus:
    """Whether a dataset is on this machine, where, and how to get it if not."""

    name: str
    found: bool
    where: str | None
    how: str


def _how(dataset: Dataset) -> str:
    files = [official(name) for name in dataset.files]
    size = sum(f.size for f in files) / 1e6
    return (
        f"set COURSE_DATA_DIR to a mirror holding {dataset.layout}, or let "
        f"{dataset.loader}() download {size:,.0f} MB from {files[0].url}"
    )


def status() -> list[DatasetStatus]:
    """Where each course dataset would be loaded from, without reading or hashing it.

    ``found`` means a copy exists where the loader looks first (the mirror
    ``COURSE_DATA_DIR``, then the cache); the loader still verifies it.
    """
    rows = []
    for dataset in DATASETS:
        where = dataset.find()
        rows.append(DatasetStatus(
            dataset.name, where is not None, str(where) if where else None, _how(dataset)
        ))
    return rows


def format_status(rows: list[DatasetStatus] | None = None) -> str:
    """A small text table of :func:`status` for notebooks."""
    rows = status() if rows is None else rows
    mirror = data_dir()
    lines = [
        f"COURSE_DATA_DIR = {mirror if mirror is not None else '(not set)'}",
        f"cache           = {cache_dir()}",
        f"{'dataset':<16} {'status':<8} where / how to get it",
    ]
    for row in rows:
        state = "found" if row.found else "MISSING"
        lines.append(f"{row.name:<16} {state:<8} {row.where if row.found else row.how}")
    return "\n".join(lines)
