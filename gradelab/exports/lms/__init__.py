"""Grades for a learning management system: the roster that maps gradelab's student ids to
the LMS's, the gradebook's final scores, and the grade-import files of Canvas and Moodle."""
