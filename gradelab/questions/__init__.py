"""A quiz's questions as the student's notebook and the grader both see them: what each
says (``spec``), each student's numbers (``draw``), and how an answer is judged (``judge``).

Part of the student kit: it imports nothing of the instructor's side.
"""
