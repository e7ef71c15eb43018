"""Provider catalogue models."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import ProviderOrganisation
from core.db import db, str_enum


class ProviderCategory(StrEnum):
    TCM = "tcm"
    REHABILITATION = "rehabilitation"
    COUNSELLING = "counselling"
    CULTURE = "culture"
    TRAVEL_WELLNESS = "travel_wellness"
    CHILDCARE = "childcare"
    ELDERCARE = "eldercare"

    @property
    def label(self) -> str:
        return str(CATEGORY_LABELS[self])


CATEGORY_LABELS = {
    ProviderCategory.TCM: _l("Traditional Chinese Medicine"),
    ProviderCategory.REHABILITATION: _l("Rehabilitation"),
    ProviderCategory.COUNSELLING: _l("Counselling"),
    ProviderCategory.CULTURE: _l("Culture and festivals"),
    ProviderCategory.TRAVEL_WELLNESS: _l("Travel wellness"),
    ProviderCategory.CHILDCARE: _l("Childcare"),
    ProviderCategory.ELDERCARE: _l("Elder care"),
}


class ProviderCategoryLink(db.Model):
    """One category a provider organisation serves (a provider may serve several)."""

    __tablename__ = "provider_categories"

    provider_id: Mapped[int] = mapped_column(ForeignKey("provider_organisations.id"),
                                             primary_key=True)
    category: Mapped[ProviderCategory] = mapped_column(str_enum(ProviderCategory),
                                                       primary_key=True)

    provider: Mapped[ProviderOrganisation] = relationship()
