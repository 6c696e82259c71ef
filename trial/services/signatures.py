"""Signing: re-enter the password (and the TOTP code when enrolled), then a signature record bound
to the SHA-256 of the signed content.

A wrong password counts as a failed login (django-axes): after ``AXES_FAILURE_LIMIT`` failures the
account is locked out and can neither log in nor sign until the data manager unlocks it
(§11.300(d)). Signing is audited (action SIGN) with its meaning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from trial.audit.recorder import record
from trial.exceptions import JourneyError
from trial.handlers import forms_content
from trial.models import ElectronicSignature, Participant, SignatureMeaning
from trial.models.audit import AuditAction
from trial.protocol import PROTOCOL
from trial.roles import role_label_for
from trial.services.accounts import is_locked_out
from trial.services.sdv import content_hash

VISIT = "visit"
ELIGIBILITY_DECISION = "eligibility_decision"
ELIGIBILITY_ROW = "eligibility"  # the sign-off page's row for the eligibility decision
DATABASE_LOCK = "database_lock"
TRIAL_UNBLINDING = "trial_unblinding"


class SignatureRefused(JourneyError):
    """Nothing was signed; the message says why (never which of password or code was wrong)."""


@dataclass(frozen=True)
class SigningProof:
    """The signer re-entered their credentials just now (what ``check_credentials`` returns);
    services that must be signed (the lock, the trial unblinding) take one."""

    user: object


def check_credentials(request: HttpRequest, password: str, otp_token: str = "") -> SigningProof:
    """The signer proves again who they are (§11.200(a)(1)): password, and the TOTP code when the
    account has an authenticator. Failures feed the login lockout."""
    user = request.user
    if is_locked_out(user.get_username()):
        raise SignatureRefused(
            _("Too many failed attempts: the account is locked until a data manager unlocks it.")
        )
    ok = bool(password) and user.check_password(password)
    if ok and TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        ok = match_token(user, otp_token.strip()) is not None if otp_token.strip() else False
    if not ok:
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=request
        )
        raise SignatureRefused(
            _("The password (or authenticator code) is not right. Nothing was signed.")
        )
    return SigningProof(user)


def sign(
    request: HttpRequest,
    *,
    password: str,
    otp_token: str = "",
    object_type: str,
    object_key: str,
    meaning: str,
    content: object,
    participant: Participant | None = None,
    visit_code: str = "",
) -> ElectronicSignature:
    """Check the credentials, then record the signature and its SIGN audit row. The check runs
    outside the transaction so that a failed attempt is kept (and counts) when signing fails."""
    check_credentials(request, password, otp_token)
    with transaction.atomic():
        return record_signature(
            request.user, object_type, object_key, meaning, content, participant, visit_code
        )


def record_signature(
    user: object,
    object_type: str,
    object_key: str,
    meaning: str,
    content: object,
    participant: Participant | None = None,
    visit_code: str = "",
) -> ElectronicSignature:
    """The signature row and its SIGN audit row, once ``check_credentials`` has passed (callers
    that sign as part of a larger action, such as the lock, run this inside their transaction)."""
    signature = ElectronicSignature(
        signer=user,
        printed_name=user.get_full_name() or user.get_username(),
        role=role_label_for(user),
        meaning=meaning,
        signed_at=timezone.now(),
        object_type=object_type,
        object_key=object_key,
        participant=participant,
        visit_code=visit_code,
        content_sha256=content_hash(content),
    )
    signature.save(reason=f"signed: {SignatureMeaning(meaning).label}")
    record(
        AuditAction.SIGN,
        object_type=object_type,
        object_id=object_key,
        subject=participant.study_id if participant else "",
        reason=f"{signature.manifestation} · sha256 {signature.content_sha256[:12]}",
    )
    return signature


def visit_content(
    participant_id: int, visit: str, contents: Mapping[tuple[int, str, str], object] | None = None
) -> dict[str, object]:
    """What a visit sign-off covers: every entered form of the visit, as the SDV hashes it
    (``contents``: the participant's stored forms, when the caller has read them already)."""
    if contents is None:
        contents = forms_content([participant_id])
    content = {}
    for form in PROTOCOL.visit(visit).forms:
        value = contents.get((participant_id, visit, form))
        if value is not None:
            content[form] = value
    return content


@dataclass(frozen=True)
class VisitSignOff:
    visit: str
    label: str
    forms: tuple[str, ...]  # entered forms the signature covers
    signature: ElectronicSignature | None  # the live one, if any
    voided: tuple[ElectronicSignature, ...]

    @property
    def signed(self) -> bool:
        return self.signature is not None


def visit_sign_offs(participant: Participant) -> list[VisitSignOff]:
    """Each visit with entered forms and its sign-off state. A live signature whose hash no
    longer matches (a write path that escaped the void guard) is shown as not signed."""
    signatures = list(
        ElectronicSignature.objects.filter(participant=participant, object_type=VISIT)
    )
    has_assessment = getattr(participant.screening, "eligibility", None) is not None  # type: ignore[attr-defined]
    rows = [_eligibility_row(participant)] if has_assessment else []
    contents = forms_content([participant.pk])  # once, not once per visit
    for visit in PROTOCOL.visits:
        if not visit.forms:
            continue
        content = visit_content(participant.pk, visit.code, contents)
        if not content:
            continue
        mine = [s for s in signatures if s.visit_code == visit.code]
        live = next(
            (s for s in mine if s.voided_at is None and s.content_sha256 == content_hash(content)),
            None,
        )
        voided = tuple(s for s in mine if s is not live)
        rows.append(VisitSignOff(visit.code, str(visit.label), tuple(content), live, voided))
    return rows


def eligibility_content(participant: Participant) -> dict[str, object]:
    """What the PI's signature of the eligibility decision covers: every recorded fact and
    override of the assessment, and the decision itself."""
    from django.forms.models import model_to_dict

    assessment = participant.screening.eligibility  # type: ignore[attr-defined]
    facts = model_to_dict(assessment)
    facts.pop("id", None)
    return {**facts, "may_enrol": assessment.may_enrol,
            "failed": list(assessment.failed_criteria)}  # fmt: skip


def _eligibility_row(participant: Participant) -> VisitSignOff:
    """The eligibility decision as the first row of the sign-off page: signed while its hash
    matches the assessment as it stands (a corrected fact shows it unsigned again)."""
    content = content_hash(eligibility_content(participant))
    mine = list(
        ElectronicSignature.objects.filter(
            participant=participant, object_type=ELIGIBILITY_DECISION
        )
    )
    live = next((s for s in mine if s.voided_at is None and s.content_sha256 == content), None)
    voided = tuple(s for s in mine if s is not live)
    return VisitSignOff(ELIGIBILITY_ROW, str(_("Eligibility decision")), ("eligibility",), live,
                        voided)  # fmt: skip


def sign_eligibility(
    request: HttpRequest, participant: Participant, password: str, otp_token: str = ""
) -> ElectronicSignature:
    if not request.user.has_perm("trial.sign_records"):
        raise SignatureRefused(_("Only the PI signs eligibility decisions."))
    return sign(
        request,
        password=password,
        otp_token=otp_token,
        object_type=ELIGIBILITY_DECISION,
        object_key=participant.study_id,
        meaning=SignatureMeaning.APPROVED,
        content=eligibility_content(participant),
        participant=participant,
    )


def sign_visit(
    request: HttpRequest, participant: Participant, visit: str, password: str, otp_token: str = ""
) -> ElectronicSignature:
    if not request.user.has_perm("trial.sign_records"):
        raise SignatureRefused(_("Only the PI signs visits off."))
    content = visit_content(participant.pk, visit)
    if not content:
        raise SignatureRefused(_("The visit has no entered forms to sign."))
    return sign(
        request,
        password=password,
        otp_token=otp_token,
        object_type=VISIT,
        object_key=f"{participant.study_id}:{visit}",
        meaning=SignatureMeaning.APPROVED,
        content=content,
        participant=participant,
        visit_code=visit,
    )


def signed_visits() -> set[tuple[int, str]]:
    """(participant id, visit code) of every visit with a live sign-off, in one query."""
    return set(
        ElectronicSignature.objects.filter(object_type=VISIT, voided_at__isnull=True).values_list(
            "participant_id", "visit_code"
        )
    )


def unsigned_visit_count() -> int:
    """Visits with a completed visit record and no live signature (the lock checklist)."""
    from trial.models import VisitRecord

    done = set(
        VisitRecord.objects.filter(outcome="done").values_list("participant_id", "visit_code")
    )
    return len(done - signed_visits())


def live_signatures(participant: Participant) -> list[ElectronicSignature]:
    """The participant's signatures in force, for their manifestation on the participant page."""
    return list(
        ElectronicSignature.objects.filter(participant=participant, voided_at__isnull=True)
        .select_related("participant")
        .order_by("visit_code", "-signed_at")
    )


def signing_context(user: object) -> dict[str, bool]:
    """What the signature fields need: whether to ask for an authenticator code too."""
    return {"user_has_otp": TOTPDevice.objects.filter(user=user, confirmed=True).exists()}


def lock_signatures() -> list[ElectronicSignature]:
    """The signatures of every lock and trial unblinding, newest first (the lock page)."""
    return list(
        ElectronicSignature.objects.filter(object_type__in=[DATABASE_LOCK, TRIAL_UNBLINDING])
    )


ELIGIBILITY_OVERRIDE = "eligibility_override"
SERIOUS_EVENT_REVIEW = "serious_event_review"


def sign_override(proof: SigningProof, screening: object, reason: str) -> ElectronicSignature:
    """The PI's eligibility override, recorded and signed in one transaction."""
    from trial.services.eligibility import override_eligibility

    with transaction.atomic():
        override_eligibility(screening, proof.user, reason)
        assessment = screening.eligibility  # type: ignore[attr-defined]
        content = {
            "screening_entry": screening.pk,  # type: ignore[attr-defined]
            "failed": list(assessment.failed_criteria),
            "reason": reason.strip(),
        }
        return record_signature(
            proof.user, ELIGIBILITY_OVERRIDE, str(screening.pk),  # type: ignore[attr-defined]
            SignatureMeaning.APPROVED, content,
        )  # fmt: skip


def sign_serious_event_review(proof: SigningProof, event: object) -> ElectronicSignature:
    """The PI's review of a serious adverse event, recorded and signed in one transaction."""
    from trial.services.safety import acknowledge_serious_event

    with transaction.atomic():
        acknowledge_serious_event(event, proof.user)
        content = {
            "event": event.pk,  # type: ignore[attr-defined]
            "participant": event.participant.study_id,  # type: ignore[attr-defined]
            "onset": str(event.onset_on),  # type: ignore[attr-defined]
        }
        return record_signature(
            proof.user, SERIOUS_EVENT_REVIEW, str(event.pk),  # type: ignore[attr-defined]
            SignatureMeaning.REVIEWED, content, participant=event.participant,  # type: ignore[attr-defined]
        )  # fmt: skip
