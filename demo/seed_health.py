"""Demo health profiles for the Xinjing Demo Park: varied and plausible, so that screening and
recommendations differ from one employee to the next.

Idempotent: a person who already has a health profile is left alone. All values go through
the health services (validated, converted, encrypted) like anything an employee enters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select

from core.accounts.models import ProviderOrganisation, User
from core.db import db
from health import services, sharing


@dataclass(frozen=True)
class DemoProfile:
    email: str
    profile: dict
    #: (days ago, source, readings with units) — oldest first, for trends
    checkups: tuple[tuple[int, str, dict], ...]
    questionnaires: dict[str, list[int]] = field(default_factory=dict)
    dependants: tuple[dict, ...] = ()
    #: the English name of a provider to share with (for the provider's side of the demo)
    share_with: tuple[str, tuple[str, ...]] | None = None


BP = "mmHg"
PROFILES = (
    # 陈小雨: raised blood pressure, borderline LDL, overweight, short sleep, some worry;
    # goals: back pain and stress. Shares with the TCM clinic the demo provider runs.
    DemoProfile(
        "employee@parkwell.demo",
        {"sex": "female", "birth_year": 1989, "smoking": "never",
         "activity_minutes_per_week": 60, "sleep_hours": 5.5,
         "goals": ["back_pain", "stress"]},
        ((400, "瑞金医院体检中心", {"systolic": 128, "diastolic": 84, "weight": 63.5,
                                "height": 160, "ldl": (131, "mg/dL"),
                                "fasting_glucose": (95, "mg/dL")}),
         (200, "瑞金医院体检中心", {"systolic": 136, "diastolic": 88, "weight": 64.2,
                                "height": 160, "waist": 81}),
         (42, "美年大健康", {"systolic": 145, "diastolic": 95, "weight": 65.0,
                          "height": 160, "waist": 83, "ldl": (139, "mg/dL"),
                          "total_cholesterol": (205, "mg/dL"), "hdl": (52, "mg/dL"),
                          "triglycerides": (141, "mg/dL"), "fasting_glucose": (99, "mg/dL"),
                          "hba1c": (5.6, "%"), "uric_acid": (330, "µmol/L")})),
        {"isi": [2, 2, 1, 3, 1, 2, 2], "gad7": [1, 2, 1, 2, 0, 1, 1]},
        ({"name": "陈乐乐", "birth_date": "2019-06-01", "sex": "male", "relation": "child",
          "needs": ["childcare"]},
         {"name": "陈建国", "birth_date": "1956-03-12", "sex": "male", "relation": "parent",
          "needs": ["eldercare", "hypertension"]},
         # four years old: the half-day childcare's band (2 to 6) lets her be booked
         {"name": "陈朵朵", "birth_date": "2022-09-18", "sex": "female", "relation": "child",
          "needs": ["childcare"]}),
        ("Xinglin TCM Clinic", ("blood_pressure", "body", "lifestyle")),
    ),
    # A logistics driver: fasting glucose in the diabetes range, obesity, smoking.
    DemoProfile(
        "staff01@yunfan-logistics.demo",
        {"sex": "male", "birth_year": 1978, "smoking": "current",
         "activity_minutes_per_week": 30, "sleep_hours": 6.5, "goals": ["quit_smoking"]},
        ((380, "上海市第六人民医院", {"fasting_glucose": 6.4, "weight": 92, "height": 174,
                                   "waist": 98, "systolic": 132, "diastolic": 86}),
         (30, "上海市第六人民医院", {"fasting_glucose": 7.4, "hba1c": 6.8, "weight": 94,
                                  "height": 174, "waist": 101, "systolic": 134,
                                  "diastolic": 86, "uric_acid": (7.6, "mg/dL")})),
    ),
    # A researcher: moderate depression and anxiety symptoms, poor sleep; physically fine.
    DemoProfile(
        "staff01@hefeng-bio.demo",
        {"sex": "female", "birth_year": 1994, "smoking": "never",
         "activity_minutes_per_week": 120, "sleep_hours": 5, "goals": ["stress", "poor_sleep"]},
        ((60, "复旦大学附属华山医院", {"systolic": 112, "diastolic": 72, "weight": 52,
                                    "height": 163, "fasting_glucose": 4.8}),),
        {"phq9": [2, 2, 2, 2, 1, 1, 2, 0, 0], "gad7": [2, 2, 2, 1, 1, 2, 1],
         "isi": [3, 2, 2, 3, 2, 2, 3]},
    ),
    # An engineer: high lipids and uric acid, overweight.
    DemoProfile(
        "staff01@xinjing-tech.demo",
        {"sex": "male", "birth_year": 1985, "smoking": "former",
         "activity_minutes_per_week": 90, "sleep_hours": 7, "goals": ["overweight"]},
        ((365, "美年大健康", {"total_cholesterol": 5.9, "ldl": 3.8, "triglycerides": 2.1,
                          "weight": 80, "height": 176}),
         (20, "美年大健康", {"total_cholesterol": 6.6, "ldl": 4.4, "hdl": 0.95,
                          "triglycerides": 2.6, "uric_acid": 468, "weight": 82,
                          "height": 176, "waist": 92, "systolic": 124, "diastolic": 78})),
    ),
    # A designer who keeps healthy: nothing to flag but back pain as a goal.
    DemoProfile(
        "staff02@xinjing-tech.demo",
        {"sex": "female", "birth_year": 1996, "smoking": "never",
         "activity_minutes_per_week": 240, "sleep_hours": 7.5, "goals": ["back_pain"]},
        ((90, "爱康国宾", {"systolic": 108, "diastolic": 70, "weight": 54, "height": 165,
                       "waist": 68, "fasting_glucose": 4.6, "total_cholesterol": 4.2}),),
    ),
    # A manager: grade 2 hypertension, high-normal glucose, short sleep.
    DemoProfile(
        "multi@parkwell.demo",
        {"sex": "male", "birth_year": 1972, "smoking": "never",
         "activity_minutes_per_week": 100, "sleep_hours": 6, "goals": ["hypertension"]},
        ((300, "上海市第一人民医院", {"systolic": 150, "diastolic": 96, "weight": 75,
                                   "height": 170}),
         (14, "上海市第一人民医院", {"systolic": 164, "diastolic": 102, "weight": 76,
                                  "height": 170, "fasting_glucose": 6.2})),
        {"isi": [1, 2, 2, 2, 1, 1, 1]},
    ),
)


def _readings(raw: dict) -> dict:
    return {key: value if isinstance(value, tuple) else (value, None)
            for key, value in raw.items()}


def seed_health(*, now: datetime) -> int:
    """Give the demo employees their health profiles. Returns how many were created."""
    created = 0
    for demo in PROFILES:
        user = db.session.scalar(select(User).where(User.email == demo.email))
        if user is None or services.get_profile(user) is not None:
            continue
        services.update_profile(user, now=now, **demo.profile)
        today = services.park_today(now)
        for days_ago, source, readings in demo.checkups:
            services.record_checkup(user, measured_on=today - timedelta(days=days_ago),
                                    source=source, readings=_readings(readings), now=now)
        for offset, (kind, answers) in enumerate(demo.questionnaires.items()):
            services.submit_questionnaire(user, kind=kind, answers=answers,
                                          now=now - timedelta(days=7, minutes=offset))
        for dependant in demo.dependants:
            services.add_dependant(user, name=dependant["name"],
                                   birth_date=date.fromisoformat(dependant["birth_date"]),
                                   relation=dependant["relation"], needs=dependant["needs"],
                                   sex=dependant.get("sex"), now=now)
        if demo.share_with:
            name, fields = demo.share_with
            provider = db.session.scalar(select(ProviderOrganisation).where(
                ProviderOrganisation.name_en == name))
            if provider is not None:
                sharing.share_for_days(user, provider_id=provider.id, fields=fields, days=30,
                                       now=now)
        created += 1
    db.session.flush()
    return created
