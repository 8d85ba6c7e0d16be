"""The course's data layer, organised by dataset.

Shared pieces (each imports only the ones above it):

* :mod:`.errors` — the package's own exceptions (every bad file or missing dataset ends in
  one of them, with a message that names the file and the fix);
* :mod:`.registry` — the official files: URL, size, sha256, and where a mirror or the cache
  holds each one (written once, here);
* :mod:`.files` — mirror/cache folders, hashing (remembered per process), atomic download;
* :mod:`.archives` — safe, atomic extraction of ``.tar.gz``/``.zip`` archives;
* :mod:`.formats` — strict readers for ``.npz`` files and CIFAR's python pickles;
* :mod:`.locate` — the search order mirror → cache → URL for a file or an extracted folder,
  and the one teaching error when a dataset is missing;
* :mod:`.base` — the :class:`~.base.Dataset` interface every dataset module exposes.

One module per dataset (:mod:`.mnist`, :mod:`.cifar10`, :mod:`.imdb`,
:mod:`.speech_commands`): its layout, how to locate, read, check and fetch it, and its
loader. :mod:`.mirror` loops over them for ``check``/``fetch``/``status``; :mod:`.cli` is
``python -m course_utils.datasets``. Learners use :mod:`course_utils.datasets`.

This ``__init__`` imports nothing, so importing one piece never drags in the others.
"""
