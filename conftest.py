"""Root pytest configuration: loads the notebook plugin for every run in this checkout.

``tests/notebook_plugin.py`` executes each notebook once for both nbval's output comparison
and the student-edition check; loading it here also lets ``pytest notebooks/08_x.ipynb``
collect a notebook named on the command line (``pytester`` runs such a session in its
tests). Data fixtures live in ``tests/conftest.py``.
"""

pytest_plugins = ["tests.notebook_plugin", "pytester"]
