from django.urls import path

from interviews.views import interviews, invitations

app_name = "interviews"

urlpatterns = [
    path("interviews/", interviews.interview_list, name="interview_list"),
    path("interviews/invitations/", invitations.invitations, name="invitations"),
    path(
        "interviews/invitations/<int:invitation_id>/",
        invitations.invitation_detail,
        name="invitation",
    ),
    path(
        "interviews/invitations/<int:invitation_id>/interview/",
        interviews.interview_new,
        name="interview_new",
    ),
    path("interviews/guides/", interviews.guides, name="guides"),
    path("interviews/<int:interview_id>/", interviews.interview_detail, name="interview"),
    path(
        "interviews/recordings/<int:recording_id>/audio/",
        interviews.recording_audio,
        name="recording_audio",
    ),
    path(
        "interviews/transcripts/<int:transcript_id>/review/",
        interviews.transcript_review,
        name="transcript_review",
    ),
    path("interviews/export/transcripts.zip", interviews.export, name="export"),
]
