"""Translated names of the stored codes (stages, roles, kinds), one place for every page."""

from registry.translation import lazy_gettext as _l

STAGE_LABELS = {
    "proposal": _l("Proposal"),
    "negotiation": _l("Negotiation"),
    "agreement": _l("Agreement"),
    "implementation": _l("Implementation"),
    "completed": _l("Completed"),
    "on_hold": _l("On hold"),
    "cancelled": _l("Cancelled"),
}

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "official": _l("Official"),
    "company": _l("Company representative"),
}

PARTICIPANT_ROLE_LABELS = {
    "customer": _l("Customer"),
    "supplier": _l("Supplier"),
    "partner": _l("Partner"),
}

EVENT_KIND_LABELS = {
    "round_table": _l("Round table"),
    "delegation_visit": _l("Delegation visit"),
    "fair": _l("Fair"),
    "other": _l("Other event"),
}

JOB_KIND_LABELS = {
    "export": _l("Export"),
    "report": _l("Project report"),
    "check_import": _l("File check"),
    "import": _l("Import"),
    "cleanup": _l("Clean-up"),
    "need_alerts": _l("Alerts on a need"),
    "region_alerts": _l("News of the region"),
    "daily_digest": _l("Daily digest"),
    "weekly_digest": _l("Weekly digest"),
    "reminders": _l("Reminders"),
    "deliver_mail": _l("Mail delivery"),
    "meeting_requests": _l("Expiry of meeting requests"),
    "event_follow_ups": _l("Follow-ups after events"),
}

ALERT_MODE_LABELS = {
    "immediate": _l("at once, a mail for each"),
    "daily": _l("once a day, in a digest"),
    "off": _l("off"),
}

JOB_STATE_LABELS = {
    "queued": _l("Queued"),
    "running": _l("Running"),
    "done": _l("Done"),
    "failed": _l("Failed"),
}

NEED_STATUS_LABELS = {
    "open": _l("Open"),
    "matched": _l("Matched"),
    "closed": _l("Closed"),
}

VERIFICATION_LABELS = {
    "unverified": _l("Not verified"),
    "pending": _l("Awaiting verification"),
    "verified": _l("Verified"),
}

# Whether the public sees a firm (see services/moderation.py); «на проверке» until an official decides.
PUBLICATION_LABELS = {
    "pending": _l("Under review"),
    "published": _l("Published"),
    "rejected": _l("Not published"),
}

INTRODUCTION_STATUS_LABELS = {
    "new": _l("awaiting reply"),
    "accepted": _l("accepted"),
    "declined": _l("declined"),
    "project": _l("turned into a project"),
}

# Words of their own, not the introductions': in Russian a meeting (встреча) agrees in gender.
MEETING_STATUS_LABELS = {
    "requested": _l("awaiting an answer"),
    "accepted": _l("agreed"),
    "declined": _l("turned down"),
    "expired": _l("expired unanswered"),
    "cancelled": _l("withdrawn"),
}

# Right after a meeting, and months later.
OUTCOME_LABELS = {
    "not_held": _l("the meeting did not take place"),
    "no_interest": _l("no interest"),
    "useful_no_plans": _l("useful, no cooperation planned"),
    "possible_cooperation": _l("cooperation possible"),
}

FOLLOW_UP_LABELS = {
    "not_continued": _l("contact not continued"),
    "valuable_contact": _l("a valuable contact"),
    "negotiating": _l("negotiations started"),
    "agreement": _l("an agreement signed"),
}

# Why the schedule left an accepted meeting out.
UNSCHEDULED_LABELS = {
    "same_firm": _l("a firm cannot meet itself"),
    "no_common_slot": _l("no common free slot"),
    "firm_full": _l("one of the firms has no free slot left"),
    "no_room": _l("no room left: more or more important meetings fill the slots both firms are free"),
    "removed": _l("taken out of the schedule by hand"),
    "not_scheduled": _l("the schedule has not been built since it was accepted"),
}

ALL_LABELS = {
    "stage": STAGE_LABELS,
    "role": ROLE_LABELS,
    "participant_role": PARTICIPANT_ROLE_LABELS,
    "event_kind": EVENT_KIND_LABELS,
    "need_status": NEED_STATUS_LABELS,
    "verification": VERIFICATION_LABELS,
    "publication": PUBLICATION_LABELS,
    "job_kind": JOB_KIND_LABELS,
    "job_state": JOB_STATE_LABELS,
    "alert_mode": ALERT_MODE_LABELS,
    "introduction_status": INTRODUCTION_STATUS_LABELS,
    "meeting_status": MEETING_STATUS_LABELS,
    "outcome": OUTCOME_LABELS,
    "follow_up": FOLLOW_UP_LABELS,
    "unscheduled": UNSCHEDULED_LABELS,
}


def label(kind: str, code: str | None) -> str:
    return str(ALL_LABELS[kind].get(code, code or ""))


# A record's `source` note starts with the kind of source it is ("article: ...", seeds/cooperation.toml;
# "demo: ...", services/demo_data.py). Pages show the kind in words, never the stored prefix.
SOURCE_KINDS = {
    "article": _l("From the article: %(text)s"),
    "illustrative": _l("Illustrative record: %(text)s"),
    "demo": _l("Demo data: %(text)s"),
}


def source_words(source: str | None) -> str:
    """A `source` note as people read it: «Из статьи: …» for "article: …"; other notes as they are."""
    kind, colon, text = (source or "").partition(":")
    if colon and kind.strip() in SOURCE_KINDS:
        return str(SOURCE_KINDS[kind.strip()] % {"text": text.strip()})
    return (source or "").strip()
