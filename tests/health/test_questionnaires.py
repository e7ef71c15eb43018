"""Standard scoring and incomplete answers (pure)."""

from __future__ import annotations

import pytest

from health.errors import IncompleteQuestionnaire
from health.models import QuestionnaireKind
from health.questionnaires import QUESTIONNAIRES, score


@pytest.mark.parametrize(("kind", "items", "maximum"), [
    (QuestionnaireKind.PHQ9, 9, 27), (QuestionnaireKind.GAD7, 7, 21),
    (QuestionnaireKind.ISI, 7, 28)])
def test_item_counts_and_maximum_scores(kind, items, maximum):
    questionnaire = QUESTIONNAIRES[kind]
    assert len(questionnaire.items) == items
    assert questionnaire.max_score == maximum
    top = [len(item.options) - 1 for item in questionnaire.items]
    assert score(kind, top).score == maximum


@pytest.mark.parametrize("answers", [
    [0] * 8, [0] * 8 + [None], [0] * 8 + [4], [0] * 8 + [-1], [0] * 8 + ["x"],
    [0] * 8 + [True], [0] * 10])
def test_incomplete_or_out_of_scale_answers_are_refused(answers):
    with pytest.raises(IncompleteQuestionnaire):
        score(QuestionnaireKind.PHQ9, answers)


def test_the_missing_question_is_named():
    with pytest.raises(IncompleteQuestionnaire) as caught:
        score(QuestionnaireKind.GAD7, [1, 1, None, 1, 1, 1, 1])
    assert list(caught.value.fields) == ["q3"]
