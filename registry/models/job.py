from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from registry.models.base import Base, UTCDateTime, utcnow

JOB_STATES = ("queued", "running", "done", "failed")


class Job(Base):
    """Work done by the job worker, as the people who asked for it see it: state, progress, the file.

    The queue (Huey) only carries the row's id; everything a page or the API shows lives here, so any
    web process answers about any job, and a job outlives the process that asked for it.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)  # for the person who asked, in their language
    failure: Mapped[str | None] = mapped_column(Text)  # the exception, for administrators
    result: Mapped[dict | None] = mapped_column(JSON)  # a summary: counts, an import's report
    filename: Mapped[str | None] = mapped_column(String(255))
    mimetype: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(Integer)
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))  # kept a day, then dropped
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped["User | None"] = relationship()  # noqa: F821

    @property
    def has_file(self) -> bool:
        return self.state == "done" and self.size is not None and self.expires_at is not None and self.expires_at > utcnow()
