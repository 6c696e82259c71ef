"""The trial's own permissions: one codename per capability, granted to roles in ``trial.roles``.

An unmanaged model with no table: Django still creates its permissions, which is all we need.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

TRIAL_PERMISSIONS: tuple[tuple[str, str], ...] = (
    ("view_coordinator_home", _("Use the coordinator worklist")),
    ("view_therapist_home", _("Use the therapist worklist")),
    ("view_assessor_home", _("Use the outcome-assessor worklist")),
    ("view_statistician_home", _("Use the statistician home")),
    ("view_data_manager_home", _("Use the data-management home")),
    ("view_pi_home", _("Use the principal investigator home")),
    ("view_monitor_home", _("Use the monitor home")),
    ("view_qualitative_researcher_home", _("Use the qualitative researcher home")),
    ("view_participants", _("See participants by study ID")),
    ("view_identifiers", _("See names, contacts and dates of birth")),
    ("screen_participants", _("Record screening and eligibility")),
    ("enrol_participants", _("Enrol participants and record consent")),
    ("enter_visit_data", _("Enter visit data")),
    ("enter_outcomes", _("Enter outcome measures")),
    ("import_device_data", _("Upload device files and import app exports")),
    ("log_sessions", _("Log intervention sessions and adverse events")),
    ("randomise", _("Randomise a participant")),
    ("override_eligibility", _("Enrol despite a failed eligibility rule (with a reason)")),
    ("view_adherence", _("See session attendance and adherence")),
    ("view_session_log", _("See session logs (exercises imply the arm)")),
    ("view_adverse_events", _("See adverse events")),
    ("report_adverse_events", _("Report adverse events")),
    ("review_serious_events", _("Review serious adverse events (PI)")),
    ("view_lsiq", _("See LSIQ answers, score and stratum")),
    ("view_allocation", _("See allocated arms (unblinded)")),
    (
        "view_allocation_after_unblinding",
        _("See allocated arms once the locked trial is unblinded"),
    ),
    ("request_unblinding", _("Request emergency unblinding of one participant")),
    ("manage_allocation_list", _("Generate and import allocation lists")),
    ("approve_unblinding", _("Approve emergency unblinding")),
    ("view_audit_trail", _("Review the audit trail")),
    ("export_data", _("Export data")),
    ("export_identified_data", _("Export identified data")),
    ("manage_queries", _("Raise and close data queries")),
    ("answer_queries", _("Answer data queries on data one entered")),
    ("lock_database", _("Lock and unlock the database")),
    ("view_blinded_dashboard", _("See blinded (pooled) dashboards")),
    ("view_unblinded_dashboard", _("See dashboards by arm")),
    ("review_imaging", _("Review and approve imaging metrics")),
    ("manage_users", _("Manage user accounts and roles")),
    ("review_free_text", _("Review free text from unblinded staff before blinded staff see it")),
    ("use_two_factor", _("Set up two-factor authentication")),
    ("verify_source", _("Mark entered data as verified against source documents (SDV)")),
    ("sign_records", _("Sign visits, eligibility decisions and the lock electronically (PI)")),
    (
        "invite_to_interviews",
        _("Invite participants to interviews; record their answer and audio-recording consent"),
    ),
    (
        "conduct_interviews",
        _("Keep guides; record interviews; upload audio and transcripts; de-identify"),
    ),
    ("view_interviews", _("See interviews, guides and transcripts' review state")),
    ("listen_to_recordings", _("Listen to interview recordings (each listening is audited)")),
    ("export_transcripts", _("Download de-identified interview transcripts")),
)


class TrialAccess(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = TRIAL_PERMISSIONS
        verbose_name = _("trial access")

    def __str__(self) -> str:
        return "trial permissions"
