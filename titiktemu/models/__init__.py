"""Every model, imported here so Alembic and the metadata see the whole schema."""

# Registers the listeners that bump a regency's counter with any change its engine reads.
from titiktemu.models import changes as _changes  # noqa: F401
from titiktemu.models.audit import AuditEntry
from titiktemu.models.base import Base
from titiktemu.models.beneficiaries import (
    BeneficiaryLink,
    BeneficiaryList,
    BeneficiaryRow,
    LegalBasis,
)
from titiktemu.models.exchange import ExchangeStatus, Need, Offer
from titiktemu.models.forum import AgendaItem, ForumMeeting
from titiktemu.models.imports import ImportFile, ImportRun, ImportStatus
from titiktemu.models.interventions import Intervention
from titiktemu.models.jobs import JobRun, JobStatus
from titiktemu.models.obstacles import Obstacle, ObstacleKind, ObstacleStatus
from titiktemu.models.outbox import OutboxEmail, OutboxStatus
from titiktemu.models.overlaps import FlagStatus, OverlapFlag
from titiktemu.models.people import Language, NotifyPreference, Person, Role
from titiktemu.models.places import Kecamatan, Province, Regency, RegencyKind, Village, VillageKind
from titiktemu.models.programs import FundingSource, Program
from titiktemu.models.proposals import Gap, Proposal, ProposalKind, ProposalStatus
from titiktemu.models.regency_settings import (
    AllowedCombination,
    KecamatanAdjacency,
    RegencySettings,
)
from titiktemu.models.sessions import LoginSession
from titiktemu.models.site import SiteSettings
from titiktemu.models.submissions import SubmissionKey
from titiktemu.models.synonyms import RegencySynonym, SynonymKind
from titiktemu.models.taxonomy import ActivityCategory, Skill, SkillKind
from titiktemu.models.tokens import ApiToken
from titiktemu.models.versions import RegencyChange, RegencyVersion

__all__ = [
    "ActivityCategory",
    "AgendaItem",
    "AllowedCombination",
    "ApiToken",
    "AuditEntry",
    "Base",
    "BeneficiaryLink",
    "BeneficiaryList",
    "BeneficiaryRow",
    "ExchangeStatus",
    "FlagStatus",
    "ForumMeeting",
    "FundingSource",
    "Gap",
    "ImportFile",
    "ImportRun",
    "ImportStatus",
    "Intervention",
    "JobRun",
    "JobStatus",
    "Kecamatan",
    "KecamatanAdjacency",
    "Language",
    "LegalBasis",
    "LoginSession",
    "Need",
    "NotifyPreference",
    "Obstacle",
    "ObstacleKind",
    "ObstacleStatus",
    "Offer",
    "OutboxEmail",
    "OutboxStatus",
    "OverlapFlag",
    "Person",
    "Program",
    "Proposal",
    "ProposalKind",
    "ProposalStatus",
    "Province",
    "Regency",
    "RegencyChange",
    "RegencyKind",
    "RegencySettings",
    "RegencySynonym",
    "RegencyVersion",
    "Role",
    "SiteSettings",
    "Skill",
    "SkillKind",
    "SubmissionKey",
    "SynonymKind",
    "Village",
    "VillageKind",
]
