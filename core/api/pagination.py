"""The pagination convention: ``?page=1&per_page=20`` in, and out
``{"items": [...], "pagination": {"page", "per_page", "total", "pages"}}``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, func, select

from core.bounds import MAX_PAGE
from core.db import db

T = TypeVar("T")


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    per_page: int = Field(20, ge=1, le=100, description="Items per page, at most 100.")


class PageInfo(BaseModel):
    page: int
    per_page: int
    total: int
    pages: int


class Page(BaseModel, Generic[T]):
    items: list[T]
    pagination: PageInfo


def paginate(statement: Select[Any], query: PageQuery,
             serialise: Callable[[Any], T]) -> dict[str, Any]:
    """One page of ``statement``'s rows, serialised, with the page information."""
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = db.session.scalars(
        statement.limit(query.per_page).offset((query.page - 1) * query.per_page)).all()
    return {
        "items": [serialise(row) for row in rows],
        "pagination": PageInfo(page=query.page, per_page=query.per_page, total=total,
                               pages=max(1, -(-total // query.per_page))),
    }
