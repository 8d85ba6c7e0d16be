"""Sphinx configuration of the course website (built by `make site`, see course_utils/site.py).

The sources are generated into build/site-src/ from the notebooks, README.md and results/;
nothing is executed and nothing is fetched from the network while building or reading.
"""

project = "Deep learning with Keras"
author = "The course's authors"
copyright = "the course's authors; code MIT, prose CC BY 4.0"

extensions = ["myst_nb", "sphinx-mathjax-offline"]

# Show the committed outputs of the last full-profile run; never run a notebook here.
nb_execution_mode = "off"
# No ipywidgets/require.js from a CDN: the pages must work offline.
nb_ipywidgets_js = {}
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
exclude_patterns = ["notebooks/_notebook_files/**", "**/.ipynb_checkpoints"]
suppress_warnings = ["myst.header"]  # notebooks may start below level 1 in sub-sections

html_theme = "sphinx_book_theme"
html_title = "Deep learning with Keras"
html_theme_options = {
    "show_navbar_depth": 1,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "show_toc_level": 2,
}
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
# Without a default the theme's script logs "Got invalid theme mode" on a fresh profile
# (a console error the browser tests catch).
html_context = {"default_mode": "light"}
