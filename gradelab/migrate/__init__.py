"""``gradelab migrate``: a hidden suite and a reference module from an nbgrader assignment."""
