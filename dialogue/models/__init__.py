"""Every model, imported in one place so that Alembic autogenerate sees all tables."""

from dialogue.models import indexes  # noqa: F401  (indexes for large dialogues)
from dialogue.models.analysis import (
    AnalysisRun,
    ContributionModeration,
    Theme,
    ThemeEdit,
    ThemeMember,
)
from dialogue.models.audit import AuditEvent
from dialogue.models.cache import RoundResultsCache
from dialogue.models.contribution import Contribution, ModerationState
from dialogue.models.dialogue import Dialogue
from dialogue.models.embedding import ContributionEmbedding
from dialogue.models.followup import FollowUp, FollowUpNote, FollowUpReview
from dialogue.models.guard import IdentifyingSpan, Redaction, RoundFingerprint
from dialogue.models.job import Job, JobState
from dialogue.models.membercheck import MemberCheck
from dialogue.models.membership import Membership, Role
from dialogue.models.person import Person
from dialogue.models.proposal import (
    CoverageMark,
    Proposal,
    ProposalSource,
    ProposalVersion,
)
from dialogue.models.round import Round, RoundKind, RoundState

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
    "MemberCheck",
    "Membership",
    "ModerationState",
    "Person",
    "Proposal",
    "ProposalSource",
    "ProposalVersion",
    "Redaction",
    "Role",
    "Round",
    "RoundFingerprint",
    "RoundResultsCache",
    "RoundKind",
    "RoundState",
    "Theme",
    "ThemeEdit",
    "ThemeMember",
]
