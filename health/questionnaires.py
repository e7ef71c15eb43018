"""Validated questionnaires with their standard scoring and severity bands.

- PHQ-9 (Kroenke, Spitzer & Williams 2001): nine items scored 0–3, total 0–27; bands
  0–4 minimal, 5–9 mild, 10–14 moderate, 15–19 moderately severe, 20–27 severe. Item 9
  (thoughts of death or self-harm) above 0 opens the crisis path whatever the total.
- GAD-7 (Spitzer et al. 2006): seven items scored 0–3, total 0–21; bands 0–4 minimal,
  5–9 mild, 10–14 moderate, 15–21 severe.
- ISI, Insomnia Severity Index (Morin 1993; Bastien, Vallières & Morin 2001): seven items
  scored 0–4, total 0–28; bands 0–7 no clinically significant insomnia, 8–14 subthreshold,
  15–21 moderate clinical insomnia, 22–28 severe clinical insomnia.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from health.errors import IncompleteQuestionnaire
from health.models import QuestionnaireKind


@dataclass(frozen=True)
class Band:
    key: str
    label: object
    low: int
    high: int


@dataclass(frozen=True)
class Item:
    text: object
    options: tuple[object, ...]  #: labels for 0, 1, 2...


@dataclass(frozen=True)
class Questionnaire:
    kind: QuestionnaireKind
    name: str  #: the instrument's name, not translated
    title: object
    intro: object
    items: tuple[Item, ...]
    bands: tuple[Band, ...]

    @property
    def max_score(self) -> int:
        return sum(len(item.options) - 1 for item in self.items)

    def band_for(self, score: int) -> Band:
        return next(b for b in self.bands if b.low <= score <= b.high)


@dataclass(frozen=True)
class Result:
    kind: QuestionnaireKind
    score: int
    band: Band
    crisis: bool  #: PHQ-9 item 9 answered above 0


FREQUENCY = (_l("Not at all"), _l("Several days"), _l("More than half the days"),
             _l("Nearly every day"))
SEVERITY = (_l("None"), _l("Mild"), _l("Moderate"), _l("Severe"), _l("Very severe"))

PHQ9 = Questionnaire(
    QuestionnaireKind.PHQ9, "PHQ-9", _l("Mood (PHQ-9)"),
    _l("Over the last 2 weeks, how often have you been bothered by any of the following "
       "problems?"),
    tuple(Item(text, FREQUENCY) for text in (
        _l("Little interest or pleasure in doing things"),
        _l("Feeling down, depressed, or hopeless"),
        _l("Trouble falling or staying asleep, or sleeping too much"),
        _l("Feeling tired or having little energy"),
        _l("Poor appetite or overeating"),
        _l("Feeling bad about yourself, or that you are a failure or have let yourself or "
           "your family down"),
        _l("Trouble concentrating on things, such as reading the newspaper or watching "
           "television"),
        _l("Moving or speaking so slowly that other people could have noticed, or the "
           "opposite: being so fidgety or restless that you have been moving around a lot "
           "more than usual"),
        _l("Thoughts that you would be better off dead, or of hurting yourself in some way"),
    )),
    (Band("minimal", _l("Minimal"), 0, 4), Band("mild", _l("Mild"), 5, 9),
     Band("moderate", _l("Moderate"), 10, 14),
     Band("moderately_severe", _l("Moderately severe"), 15, 19),
     Band("severe", _l("Severe"), 20, 27)),
)

GAD7 = Questionnaire(
    QuestionnaireKind.GAD7, "GAD-7", _l("Anxiety (GAD-7)"),
    _l("Over the last 2 weeks, how often have you been bothered by the following problems?"),
    tuple(Item(text, FREQUENCY) for text in (
        _l("Feeling nervous, anxious, or on edge"),
        _l("Not being able to stop or control worrying"),
        _l("Worrying too much about different things"),
        _l("Trouble relaxing"),
        _l("Being so restless that it is hard to sit still"),
        _l("Becoming easily annoyed or irritable"),
        _l("Feeling afraid, as if something awful might happen"),
    )),
    (Band("minimal", _l("Minimal"), 0, 4), Band("mild", _l("Mild"), 5, 9),
     Band("moderate", _l("Moderate"), 10, 14), Band("severe", _l("Severe"), 15, 21)),
)

ISI = Questionnaire(
    QuestionnaireKind.ISI, "ISI", _l("Sleep (Insomnia Severity Index)"),
    _l("Please rate your sleep over the last 2 weeks."),
    (
        Item(_l("Difficulty falling asleep"), SEVERITY),
        Item(_l("Difficulty staying asleep"), SEVERITY),
        Item(_l("Problems waking up too early"), SEVERITY),
        Item(_l("How satisfied or dissatisfied are you with your current sleep pattern?"),
             (_l("Very satisfied"), _l("Satisfied"), _l("Moderately satisfied"),
              _l("Dissatisfied"), _l("Very dissatisfied"))),
        Item(_l("How noticeable to others do you think your sleep problem is in terms of "
                "impairing the quality of your life?"),
             (_l("Not at all noticeable"), _l("A little"), _l("Somewhat"), _l("Much"),
              _l("Very much noticeable"))),
        Item(_l("How worried or distressed are you about your current sleep problem?"),
             (_l("Not at all worried"), _l("A little"), _l("Somewhat"), _l("Much"),
              _l("Very much worried"))),
        Item(_l("To what extent do you consider your sleep problem to interfere with your "
                "daily functioning (e.g. daytime fatigue, mood, concentration, memory) "
                "currently?"),
             (_l("Not at all interfering"), _l("A little"), _l("Somewhat"), _l("Much"),
              _l("Very much interfering"))),
    ),
    (Band("none", _l("No clinically significant insomnia"), 0, 7),
     Band("subthreshold", _l("Subthreshold insomnia"), 8, 14),
     Band("moderate", _l("Moderate clinical insomnia"), 15, 21),
     Band("severe", _l("Severe clinical insomnia"), 22, 28)),
)

QUESTIONNAIRES = {q.kind: q for q in (PHQ9, GAD7, ISI)}

#: PHQ-9 item 9, counted from 0.
PHQ9_SELF_HARM_ITEM = 8


def score(kind: QuestionnaireKind, answers: Sequence[object]) -> Result:
    """Score a complete set of answers. Raises IncompleteQuestionnaire when an answer is
    missing or outside the item's scale (naming the questions)."""
    questionnaire = QUESTIONNAIRES[kind]
    answers = list(answers)
    fields: dict[str, str] = {}
    values: list[int] = []
    for index, item in enumerate(questionnaire.items):
        raw = answers[index] if index < len(answers) else None
        value = _answer(raw)
        if value is None or not 0 <= value < len(item.options):
            fields[f"q{index + 1}"] = _("Choose one answer for question %(number)s.",
                                        number=index + 1)
        else:
            values.append(value)
    if len(answers) > len(questionnaire.items):
        fields["answers"] = _("This questionnaire has %(count)s questions.",
                              count=len(questionnaire.items))
    if fields:
        raise IncompleteQuestionnaire(fields=fields)
    total = sum(values)
    crisis = kind is QuestionnaireKind.PHQ9 and values[PHQ9_SELF_HARM_ITEM] > 0
    return Result(kind, total, questionnaire.band_for(total), crisis)


def _answer(raw: object) -> int | None:
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    return None
