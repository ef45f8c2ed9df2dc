"""Rows that belong to an organisation (a union branch): stations, wishes, events, job posts.

A scoped model mixes in `OrganisationScoped` and names the two permissions that govern it;
it then answers `managed_by(user)` (a query) and `is_managed_by(user)` (one row) beside its
own columns. accounts/ knows roles and organisations, never the models that use this mixin.
"""
from typing import ClassVar

from flask import abort
from sqlalchemy import Select, false, select

from accounts.policy import has_permission
from extensions import db


class OrganisationScoped:
    """Admins (the `manage_all` permission) manage every row; staff (the `manage_own`
    permission) manage their organisation's rows; everyone else manages none."""

    manage_all: ClassVar[str]
    manage_own: ClassVar[str]

    @classmethod
    def managed_by(cls, user) -> Select:
        """Rows `user` may manage, as a query to refine."""
        query = select(cls)
        if has_permission(user, cls.manage_all):
            return query
        if has_permission(user, cls.manage_own) and user.organisation_id is not None:
            return query.where(cls.organisation_id == user.organisation_id)
        return query.where(false())

    def is_managed_by(self, user) -> bool:
        """Whether `user` may manage this row (the same rule as `managed_by`)."""
        if has_permission(user, self.manage_all):
            return True
        return (has_permission(user, self.manage_own) and user.organisation_id is not None
                and self.organisation_id == user.organisation_id)

    @classmethod
    def get_managed_or_404(cls, id_: int, user):
        """The row `user` may manage, or 404 whether or not it exists."""
        row = db.session.scalar(cls.managed_by(user).where(cls.id == id_))
        if row is None:
            abort(404)
        return row
