"""``gradelab serve``: grading each submission as it arrives in nbgrader's exchange."""
