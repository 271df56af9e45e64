"""What a student reads after grading: the feedback page of each graded notebook
(``page``), with the policy's words (``policy``), the questions in the student's numbers
(``questions``, ``question_titles``), hand-graded answers (``hand_graded``) and images
(``images``); the per-test results it is made from (``results``); and writing it for an
assignment (``write``)."""
