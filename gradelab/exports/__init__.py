"""Grades out of the gradebook: nbgrader's CSV (``grades``), Gradescope's
``results.json`` (``gradescope``), an LMS's gradebook (``lms``), through one CSV writer that
a spreadsheet opens safely (``spreadsheet``)."""
