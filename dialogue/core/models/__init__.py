"""Every model, imported in one place so that Alembic autogenerate sees all tables."""

from dialogue.core.models import indexes  # noqa: F401  (indexes for large dialogues)
from dialogue.core.models.analysis import (
    AnalysisRun,
    ContributionModeration,
    Theme,
    ThemeEdit,
    ThemeMember,
)
from dialogue.core.models.audit import AuditEvent
from dialogue.core.models.cache import RoundResultsCache
from dialogue.core.models.contribution import Contribution, ModerationState
from dialogue.core.models.dialogue import Dialogue
from dialogue.core.models.embedding import ContributionEmbedding
from dialogue.core.models.fingerprint import RoundFingerprint
from dialogue.core.models.followup import FollowUp, FollowUpNote, FollowUpReview
from dialogue.core.models.identifying import IdentifyingSpan, Redaction
from dialogue.core.models.job import Job, JobState
from dialogue.core.models.membercheck import MemberCheck
from dialogue.core.models.membership import Membership, Role
from dialogue.core.models.person import Person
from dialogue.core.models.proposal import (
    CoverageMark,
    Proposal,
    ProposalSource,
    ProposalVersion,
)
from dialogue.core.models.question import (
    QuestionAnswer,
    QuestionOption,
    QuestionType,
    RoundQuestion,
)
from dialogue.core.models.round import Round, RoundKind, RoundState
from dialogue.core.models.sends import KeptLink, MailSend, ReminderSchedule, SendKind

__all__ = [
    "AnalysisRun",
    "AuditEvent",
    "Contribution",
    "ContributionEmbedding",
    "ContributionModeration",
    "CoverageMark",
    "Dialogue",
    "FollowUp",
    "FollowUpNote",
    "FollowUpReview",
    "IdentifyingSpan",
    "Job",
    "JobState",
    "KeptLink",
    "MailSend",
    "MemberCheck",
    "Membership",
    "ModerationState",
    "Person",
    "Proposal",
    "ProposalSource",
    "ProposalVersion",
    "QuestionAnswer",
    "QuestionOption",
    "QuestionType",
    "Redaction",
    "ReminderSchedule",
    "Role",
    "Round",
    "RoundFingerprint",
    "RoundQuestion",
    "RoundResultsCache",
    "RoundKind",
    "RoundState",
    "SendKind",
    "Theme",
    "ThemeEdit",
    "ThemeMember",
]
