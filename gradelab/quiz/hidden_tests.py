"""The hidden test of every quiz question: one test per question of the assignment's
``quiz.toml``, each worth the question's points in its grade cell (see ``QuizTests``)."""


def test_question(question, answer_of):
    answer_of(question)
