"""An nbgrader course as nbgrader's documentation sets one up: no gradelab in it."""

import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file
here = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.root = here
c.CourseDirectory.course_id = "numbers"
c.IncludeHeaderFooter.header = "source/header.ipynb"
