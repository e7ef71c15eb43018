"""The health API under /api/v1/me/health: the same services as the pages."""

from __future__ import annotations

from flask import Response, json

from core.accounts.models import ApiScope, ProviderOrganisation, User
from core.api.openapi import ApiBlueprint
from core.api.pagination import PageQuery, paginate
from core.audit.hooks import actor_is_subject, audited
from core.clock import utcnow
from core.db import db
from core.errors import NotFound
from core.i18n import current_locale_code
from core.protections import limit_exports
from health import importing, services, sharing
from health.models import QuestionnaireKind
from health.questionnaires import QUESTIONNAIRES
from health.schemas import (
    AccessLogList,
    AccessLogOut,
    CheckUpIn,
    CheckUpList,
    CheckUpOut,
    CheckUpPage,
    ClientHealthOut,
    ConsentIn,
    ConsentList,
    ConsentOut,
    CrisisOut,
    DependantIn,
    DependantList,
    DependantOut,
    FlagOut,
    FlagsOut,
    ImportIn,
    ProfileIn,
    ProfileOut,
    QuestionnaireDefinitionOut,
    QuestionnaireIn,
    QuestionnaireList,
    QuestionnaireOut,
    RecommendationOut,
    RecommendationsOut,
    RecommendationsQuery,
    SharedQuestionnaireOut,
    SharingClientList,
    SharingClientOut,
)
from health.vocabulary import read_item_label

bp = ApiBlueprint("health_api", __name__, tag="health")


def _profile_out(user: User) -> ProfileOut:
    profile = services.get_profile(user)
    return ProfileOut(exists=profile is not None, **(profile.data if profile else {}))


@bp.operation("/me/health/profile", method="GET", summary="Your health profile",
              response=ProfileOut, errors=(403,))
def get_profile(user: User):
    return _profile_out(user)


@bp.operation("/me/health/profile", method="PUT", scope=ApiScope.WRITE,
              summary="Save your health profile (lifestyle and goals)", body=ProfileIn,
              response=ProfileOut, errors=(403,))
def put_profile(user: User, body: ProfileIn):
    services.update_profile(user, **body.model_dump(), now=utcnow())
    return _profile_out(user)


@bp.operation("/me/health/profile", method="DELETE", scope=ApiScope.WRITE, status=204,
              summary="Delete your health profile and every health record", errors=(403, 409))
def delete_profile(user: User):
    """Deletes check-ups, questionnaires, dependants, consents and the access log."""
    sharing.delete_profile(user, now=utcnow())


@bp.operation("/me/health/checkups", method="GET", summary="Your check-ups, newest first",
              query=PageQuery, response=CheckUpPage, errors=(403,))
def list_checkups(user: User, query: PageQuery):
    services.require_owner(user)
    statement = services.checkups_of(user.id)
    return paginate(statement, query, CheckUpOut.of)


@bp.operation("/me/health/checkups", method="POST", scope=ApiScope.WRITE, status=201,
              summary="Record a check-up (units as the lab gives them)", body=CheckUpIn,
              response=CheckUpOut, errors=(403,))
def create_checkup(user: User, body: CheckUpIn):
    checkup = services.record_checkup(
        user, measured_on=body.measured_on, source=body.source,
        readings={k: (r.value, r.unit) for k, r in body.readings.items()}, now=utcnow())
    return CheckUpOut.of(checkup)


@bp.operation("/me/health/checkups/import", method="POST", scope=ApiScope.WRITE, status=201,
              summary="Import check-ups from a CSV or JSON report (all or nothing)",
              body=ImportIn, response=CheckUpList, errors=(403,))
def import_checkups(user: User, body: ImportIn):
    """An error names the row and the field; nothing is saved then."""
    services.require_owner(user)
    rows = (importing.parse_csv(body.content) if body.format == "csv"
            else importing.parse_json(body.content))
    saved = importing.import_checkups(user, rows=rows, now=utcnow())
    return CheckUpList(items=[CheckUpOut.of(c) for c in saved])


@bp.operation("/me/health/checkups/<int:checkup_id>", method="DELETE", scope=ApiScope.WRITE,
              status=204, summary="Delete one of your check-ups", errors=(403, 404))
def delete_checkup(user: User, checkup_id: int):
    services.delete_checkup(user, checkup_id=checkup_id)


@bp.operation("/me/health/questionnaires", method="GET",
              summary="Your questionnaire results, newest first", response=QuestionnaireList,
              errors=(403,))
def list_questionnaires(user: User):
    return QuestionnaireList(items=[QuestionnaireOut.of(row, result, with_crisis=False)
                                    for row, result in services.list_questionnaires(user)])


@bp.operation("/me/health/questionnaires/<kind>", method="GET",
              summary="A questionnaire's questions and answer options, in your language",
              response=QuestionnaireDefinitionOut, errors=(403, 404))
def get_questionnaire(user: User, kind: str):
    """``kind`` is phq9, gad7 or isi. Answer with the options' indexes, in order."""
    services.require_owner(user)
    try:
        return QuestionnaireDefinitionOut.of(QUESTIONNAIRES[QuestionnaireKind(kind)])
    except ValueError as exc:
        raise NotFound() from exc


@bp.operation("/me/health/questionnaires", method="POST", scope=ApiScope.WRITE, status=201,
              summary="Answer PHQ-9, GAD-7 or ISI", body=QuestionnaireIn,
              response=QuestionnaireOut, errors=(403,))
def submit_questionnaire(user: User, body: QuestionnaireIn):
    """When ``crisis`` is present, show the crisis lines at once."""
    row, result = services.submit_questionnaire(user, kind=body.kind, answers=body.answers,
                                                now=utcnow())
    return QuestionnaireOut.of(row, result)


@bp.operation("/me/health/flags", method="GET", summary="Your risk flags, most serious first",
              response=FlagsOut, errors=(403,))
def list_flags(user: User):
    screening = services.screening_for(user)
    return FlagsOut(crisis=CrisisOut.now() if screening.crisis else None,
                    flags=[FlagOut.of(f) for f in screening.flags])


@bp.operation("/me/health/recommendations", method="GET",
              summary="Services worth booking, with the reason for each",
              query=RecommendationsQuery, response=RecommendationsOut, errors=(403, 404))
def recommendations(user: User, query: RecommendationsQuery):
    suggestions = services.suggest(user, dependant_id=query.dependant_id, now=utcnow(),
                                   language=current_locale_code())
    return RecommendationsOut(
        crisis=CrisisOut.now() if suggestions.crisis else None,
        advice=[FlagOut.of(f) for f in suggestions.advice],
        services=[RecommendationOut.of(r) for r in suggestions.services],
        services_available=suggestions.has_source)


@bp.operation("/me/health/dependants", method="GET", summary="Your children and parents",
              response=DependantList, errors=(403,))
def list_dependants(user: User):
    return DependantList(items=[DependantOut.of(d) for d in services.list_dependants(user)])


@bp.operation("/me/health/dependants", method="POST", scope=ApiScope.WRITE, status=201,
              summary="Add a child or an elderly parent", body=DependantIn,
              response=DependantOut, errors=(403,))
def add_dependant(user: User, body: DependantIn):
    return DependantOut.of(services.add_dependant(user, **body.model_dump(), now=utcnow()))


@bp.operation("/me/health/dependants/<int:dependant_id>", method="DELETE",
              scope=ApiScope.WRITE, status=204, summary="Remove a dependant",
              errors=(403, 404, 409))
def delete_dependant(user: User, dependant_id: int):
    """409 ``health_record_in_use`` while a booking or check-up of theirs still refers to
    them: cancel or finish it first."""
    services.delete_dependant(user, dependant_id=dependant_id)


@bp.operation("/me/health/consents", method="GET", summary="Who you share health data with",
              response=ConsentList, errors=(403,))
def list_consents(user: User):
    now, locale = utcnow(), current_locale_code()
    return ConsentList(items=[ConsentOut.of(c, now=now, locale=locale)
                              for c in sharing.list_consents(user)])


@bp.operation("/me/health/consents", method="POST", scope=ApiScope.WRITE, status=201,
              summary="Share some health data with a provider for a number of days",
              body=ConsentIn, response=ConsentOut, errors=(403,))
def create_consent(user: User, body: ConsentIn):
    now = utcnow()
    consent = sharing.share_for_days(user, provider_id=body.provider_id, fields=body.fields,
                                     days=body.days, now=now)
    return ConsentOut.of(consent, now=now, locale=current_locale_code())


@bp.operation("/me/health/consents/<int:consent_id>/revoke", method="POST",
              scope=ApiScope.WRITE, summary="End a sharing at once", response=ConsentOut,
              errors=(403, 404, 409))
def revoke_consent(user: User, consent_id: int):
    now = utcnow()
    consent = sharing.revoke_consent(user, consent_id=consent_id, now=now)
    return ConsentOut.of(consent, now=now, locale=current_locale_code())


@bp.operation("/me/health/access-log", method="GET",
              summary="Every read of your health data by someone else", response=AccessLogList,
              errors=(403,))
def access_log(user: User):
    locale = current_locale_code()
    return AccessLogList(items=[AccessLogOut(
        accessed_at=e.accessed_at, accessor_name=e.accessor.display_name,
        provider_id=e.provider_id, provider_name=e.provider and e.provider.name(locale),
        fields=sorted(e.fields.split()),
        what=[read_item_label(f) for f in sorted(e.fields.split())])  # same order as fields
        for e in sharing.access_log(user)])


@bp.operation("/me/health/export", method="GET",
              summary="Everything ParkWell holds about your health (JSON)", errors=(403,))
@audited("GET", {200: "export.health_api.export"}, target_type="health_profile",
         more=actor_is_subject)
@limit_exports
def export(user: User):
    data = sharing.export_everything(user, now=utcnow())
    return Response(json.dumps(data, ensure_ascii=False), mimetype="application/json",
                    headers={"Cache-Control": "no-store"})




# -- the provider's side: what clients share with it ----------------------------------------


def _provider(provider_id: int) -> ProviderOrganisation:
    provider = db.session.get(ProviderOrganisation, provider_id)
    if provider is None:
        raise NotFound()
    return provider


@bp.operation("/providers/<int:provider_id>/health-clients", method="GET",
              response=SharingClientList, errors=(403, 404),
              summary="People who share health data with the provider now (its staff)")
def provider_clients(user: User, provider_id: int):
    """Names and what is shared, no health values (not logged)."""
    clients = sharing.clients_sharing_with(accessor=user, provider=_provider(provider_id),
                                           now=utcnow())
    return SharingClientList(items=[
        SharingClientOut(user_id=client.id, display_name=client.display_name,
                         fields=sorted(consent.fields.split()),
                         valid_until=consent.valid_until)
        for client, consent in clients])


@bp.operation("/providers/<int:provider_id>/health-clients/<int:user_id>", method="GET",
              response=ClientHealthOut, errors=(403, 404),
              summary="What one client shares with the provider now (logged in their "
                      "access log)")
def provider_client(user: User, provider_id: int, user_id: int):
    """404 ``no_consent`` when nothing is shared now: the data does not exist for the
    caller. Every read is one entry in the client's access log, as on the page."""
    shared = sharing.read_shared_health(accessor=user, provider=_provider(provider_id),
                                        owner_id=user_id, now=utcnow())
    return Response(
        ClientHealthOut(
            user_id=shared.owner.id, display_name=shared.owner.display_name,
            fields=sorted(f.value for f in shared.fields), until=shared.until,
            readings={k: {"value": v.value, "on": v.on.isoformat()}
                      for k, v in shared.readings.items()},
            questionnaires={kind: SharedQuestionnaireOut(score=score, band=band,
                                                         answered_at=answered_at)
                            for kind, (score, band, answered_at)
                            in shared.questionnaires.items()},
            lifestyle={k: v for k, v in shared.lifestyle.items() if v is not None},
        ).model_dump_json(), mimetype="application/json", headers={"Cache-Control": "no-store"})
