"""The navigation bar, declared once and filtered by the user's permissions."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: Promise | str
    url_name: str
    permission: str


NAVIGATION: tuple[NavItem, ...] = (
    NavItem(_("Screening log"), "screening_list", "trial.screen_participants"),
    NavItem(_("Participants"), "participant_list", "trial.view_participants"),
    NavItem(_("Record status"), "record_status", "trial.view_participants"),
    NavItem(_("CONSORT"), "consort", "trial.view_participants"),
    NavItem(
        _("Allocation lists"), "randomization:allocation_lists", "trial.manage_allocation_list"
    ),
    NavItem(
        _("Unblinding requests"), "randomization:unblinding_decisions", "trial.approve_unblinding"
    ),
    NavItem(_("Interview invitations"), "interviews:invitations", "trial.invite_to_interviews"),
    NavItem(_("Interviews"), "interviews:interview_list", "trial.view_interviews"),
    NavItem(_("Imaging QC"), "imaging:imaging_worklist", "trial.review_imaging"),
    NavItem(_("Dashboard"), "outcomes:dashboard", "trial.view_blinded_dashboard"),
    NavItem(_("Exports"), "outcomes:export_page", "trial.export_data"),
    NavItem(_("Analysis"), "outcomes:analysis", "trial.view_statistician_home"),
    NavItem(_("Database lock"), "randomization:database_lock", "trial.lock_database"),
    NavItem(_("Audit trail"), "audit_review", "trial.view_audit_trail"),
    NavItem(_("Users"), "user_list", "trial.manage_users"),
    NavItem(_("Blinding review"), "text_review", "trial.review_free_text"),
)

# In the account menu (under the user's name), not the main bar.
ACCOUNT_MENU: tuple[NavItem, ...] = (
    NavItem(_("Two-factor authentication"), "two_factor_setup", "trial.use_two_factor"),
)
