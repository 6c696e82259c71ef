"""The trial's roles, declared once: who may do what, who is blind to what, where each one lands.

Each role becomes a Django group (``python manage.py sync_roles``, idempotent). Permissions are the
codenames of ``trial.models.access.TRIAL_PERMISSIONS``; blinding flags say what a role must never
see, and ``trial.checks`` refuses a role that is blind to something it holds a permission for.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Permissions that reveal the allocation; a role blinded to the arm must hold none of them.
UNBLINDING_PERMISSIONS = frozenset(
    {"view_allocation", "view_unblinded_dashboard", "view_session_log"}
)
# Permissions that reveal the LSIQ (the stratification variable) to their holder.
LSIQ_PERMISSIONS = frozenset({"view_lsiq"})


@dataclass(frozen=True)
class Role:
    code: str
    label: Promise | str
    home: str  # URL name of the role's landing page (a worklist)
    permissions: frozenset[str]
    blinded_to_arm: bool
    blinded_to_lsiq: bool = False
    staff: bool = False  # may use the Django admin (its own permission checks still apply)
    # The PI may unblind one person of this role to the arm (the design's "unblinded flag").
    may_be_unblinded: bool = False

    @property
    def group_name(self) -> str:
        return self.code


COORDINATOR = Role(
    code="coordinator",
    label=_("Research coordinator"),
    home="home_coordinator",
    blinded_to_arm=True,
    may_be_unblinded=True,
    permissions=frozenset(
        {
            "view_coordinator_home",
            "view_participants",
            "view_identifiers",
            "screen_participants",
            "enrol_participants",
            "enter_visit_data",
            "import_device_data",
            "view_lsiq",
            "view_adherence",
            "view_adverse_events",
            "report_adverse_events",
            "request_unblinding",
            "answer_queries",
            "invite_to_interviews",
            "use_two_factor",
        }
    ),
)
THERAPIST = Role(
    code="therapist",
    label=_("Therapist"),
    home="home_therapist",
    blinded_to_arm=False,
    blinded_to_lsiq=True,
    permissions=frozenset(
        {
            "view_therapist_home",
            "view_participants",
            "log_sessions",
            "randomise",
            "view_allocation",
            "view_session_log",
            "view_adherence",
            "view_adverse_events",
            "report_adverse_events",
            "use_two_factor",
        }
    ),
)
ASSESSOR = Role(
    code="assessor",
    label=_("Outcome assessor"),
    home="home_assessor",
    blinded_to_arm=True,
    permissions=frozenset(
        {
            "view_assessor_home",
            "view_participants",
            "enter_outcomes",
            "answer_queries",
            "view_lsiq",
            "view_blinded_dashboard",
            "review_imaging",
            "use_two_factor",
        }
    ),
)
STATISTICIAN = Role(
    code="statistician",
    label=_("Statistician"),
    home="home_statistician",
    # Unblinded only after database lock; the lock service grants that, not this declaration.
    blinded_to_arm=True,
    permissions=frozenset(
        {
            "view_statistician_home",
            "view_participants",
            "view_lsiq",
            "manage_allocation_list",
            "view_allocation_after_unblinding",
            "export_data",
            "view_blinded_dashboard",
            "use_two_factor",
        }
    ),
)
DATA_MANAGER = Role(
    code="data_manager",
    label=_("Data manager"),
    home="home_data_manager",
    blinded_to_arm=True,
    staff=True,
    permissions=frozenset(
        {
            "view_data_manager_home",
            "view_participants",
            "view_identifiers",
            "view_lsiq",
            "view_adherence",
            "view_adverse_events",
            "view_audit_trail",
            "export_data",
            "export_identified_data",
            "manage_queries",
            "lock_database",
            "request_unblinding",
            "view_blinded_dashboard",
            "manage_users",
            # Sees unblinded staff's free text before blinded readers do (audited reads).
            "review_free_text",
            "use_two_factor",
        }
    ),
)
PI = Role(
    code="pi",
    label=_("Principal investigator"),
    home="home_pi",
    blinded_to_arm=False,
    staff=True,
    permissions=DATA_MANAGER.permissions
    | frozenset(
        {
            "view_pi_home",
            "sign_records",
            "view_allocation",
            "view_session_log",
            "override_eligibility",
            "review_serious_events",
            "approve_unblinding",
            "view_unblinded_dashboard",
            "view_interviews",
            "listen_to_recordings",  # the PI and the qualitative researcher alone hear the audio
            "export_transcripts",
        }
    ),
)
MONITOR = Role(
    code="monitor",
    label=_("Monitor / auditor"),
    home="home_monitor",
    blinded_to_arm=True,
    permissions=frozenset(
        {
            "view_monitor_home",
            "verify_source",
            "view_participants",
            "view_lsiq",
            "view_adherence",
            "view_adverse_events",
            "view_audit_trail",
            "view_blinded_dashboard",
            "use_two_factor",
        }
    ),
)

QUALITATIVE_RESEARCHER = Role(
    code="qualitative_researcher",
    label=_("Qualitative researcher"),
    home="home_qualitative_researcher",
    # The design blinds the assessors, not the interviewer: participants talk about their
    # programme in the post-intervention interview, and experiences are analysed by arm.
    blinded_to_arm=False,
    permissions=frozenset(
        {
            "view_qualitative_researcher_home",
            "view_participants",
            "view_identifiers",  # as the coordinator does: to reach people and de-identify
            "view_allocation",
            "view_interviews",
            "conduct_interviews",
            "listen_to_recordings",
            "export_transcripts",
            "use_two_factor",
        }
    ),
)

ROLES: tuple[Role, ...] = (
    COORDINATOR,
    THERAPIST,
    ASSESSOR,
    STATISTICIAN,
    DATA_MANAGER,
    PI,
    MONITOR,
    QUALITATIVE_RESEARCHER,
)
ROLES_BY_CODE: dict[str, Role] = {role.code: role for role in ROLES}


def roles_of(user: object) -> list[Role]:
    """The user's roles, in the declaration order above (the first is the primary role)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_trial_roles", None)  # one query per request's user object
    if cached is None:
        names = {g.name for g in user.groups.all()}  # type: ignore[attr-defined]
        cached = [role for role in ROLES if role.group_name in names]
        user._trial_roles = cached  # type: ignore[attr-defined]
    return list(cached)


def forget_roles(user: object) -> None:
    """After the user's groups change: the next ``roles_of`` reads them again."""
    vars(user).pop("_trial_roles", None)


def role_label_for(user: object) -> str:
    """Role codes held by the user, as written into each audit row ("role at the time")."""
    codes = [role.code for role in roles_of(user)]
    if getattr(user, "is_superuser", False):
        codes.append("superuser")
    return ",".join(codes)


# What the PI's unblinded flag grants to one person (the arm, nothing else).
UNBLINDED_FLAG_PERMISSIONS = ("view_allocation",)


def blinding_conflicts(role: Role) -> list[str]:
    """Permissions a role holds that contradict its blinding (empty when consistent)."""
    problems = []
    if role.blinded_to_arm:
        problems += sorted(role.permissions & UNBLINDING_PERMISSIONS)
    if role.blinded_to_lsiq:
        problems += sorted(role.permissions & LSIQ_PERMISSIONS)
    return problems
