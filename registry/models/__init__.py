"""Every model, imported so that the metadata (and Alembic) sees all tables."""

from registry.models.alert import NeedAlert, ProjectReminder
from registry.models.audit import AuditEntry
from registry.models.base import Base, utcnow
from registry.models.capability import Capability, capability_okved
from registry.models.company import Company, CompanyOkved, Contact
from registry.models.event import Event, EventMeeting, EventParticipant, EventSlot
from registry.models.introduction import Introduction, IntroductionMessage
from registry.models.job import Job
from registry.models.need import Need, need_capability, need_okved
from registry.models.offer import CapabilityOffer
from registry.models.okved import OkvedCode
from registry.models.outbox import OutboxMessage
from registry.models.project import Project, ProjectParticipant, ProjectTask, StageChange
from registry.models.region import Region
from registry.models.retrieval import RetrievalDocument, RetrievalPosting, RetrievalStat
from registry.models.upload import PendingUpload
from registry.models.user import ApiToken, User

__all__ = [
    "ApiToken", "AuditEntry", "Base", "Capability", "CapabilityOffer", "Company", "CompanyOkved",
    "Contact", "Event", "EventMeeting", "EventParticipant", "EventSlot", "Introduction", "IntroductionMessage", "Job", "Need", "NeedAlert",
    "OkvedCode", "OutboxMessage", "PendingUpload", "Project", "ProjectParticipant", "ProjectReminder", "ProjectTask", "Region",
    "RetrievalDocument", "RetrievalPosting", "RetrievalStat", "StageChange", "User", "capability_okved",
    "need_capability", "need_okved", "utcnow",
]
