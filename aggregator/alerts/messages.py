"""What an alert says: title, province, date, the lead, a short excerpt of the body after it,
the canonical link and the other sources; for a digest, a few lines per story (its lead cut
short); for a site, what is wrong since when.

The last line of every text is ``Idempotency-Key: <key>``; a JSON target also gets the
fields of :attr:`Message.fields` (``kind``, ``rule_id``, the story or the items).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aggregator.alerts.channels import Message
from aggregator.models import text_after_lead
from aggregator.site_index import SiteIndex
from aggregator.store import StoryView
from aggregator.story_provinces import ProvinceRule
from aggregator.tags import default_tagger
from aggregator.timeshow import DATE_FORMAT, iso, iso_when, label, local, show_time, show_when

EXCERPT_CHARS = 280


@dataclass(frozen=True)
class Period:
    """A digest's period, in Vietnam's time: an hour or a day."""

    start: datetime  # aware
    end: datetime

    @classmethod
    def of(cls, digest: str, created: datetime) -> Period:
        here = local(created)
        if digest == "hourly":
            start = here.replace(minute=0, second=0, microsecond=0)
            return cls(start, start + timedelta(hours=1))
        start = here.replace(hour=0, minute=0, second=0, microsecond=0)
        return cls(start, start + timedelta(days=1))

    def label(self) -> str:
        if self.end - self.start <= timedelta(hours=1):
            return f"{self.start:%d/%m/%Y %H:%M}–{self.end:%H:%M} {label(self.start)}"
        return self.start.strftime(DATE_FORMAT)


def story_message(rule_id: str, key: str, story: StoryView, index: SiteIndex) -> Message:
    facts = _story_fields(story, index)
    lines = [story.title, _where_when(facts), ""]
    if facts["lead"]:
        lines += [" ".join(facts["lead"].split()), ""]
    if facts["excerpt"]:
        lines += [facts["excerpt"], ""]
    lines.append(facts["link"])
    others = facts["sources"][1:]
    if others:
        lines.append("Also published by:")
        lines += [f"- {s['site']}: {s['url']}" for s in others]
    lines += ["", f"Rule: {rule_id}", f"Idempotency-Key: {key}"]
    return Message(
        title=story.title,
        body="\n".join(lines),
        key=key,
        fields={"kind": "story", "rule_id": rule_id, "story": facts},
    )


def digest_message(
    rule_id: str, key: str, period: Period, items: Sequence[tuple[str, StoryView]], index: SiteIndex
) -> Message:
    """One message for the stories (with their own alert keys) of a period."""
    facts = [(item_key, _story_fields(story, index)) for item_key, story in items]
    title = f"{rule_id}: {len(items)} new " + ("story" if len(items) == 1 else "stories")
    title += f" ({period.label()})"
    lines = [title, ""]
    for _, story in facts:
        lines += [f"- {story['title']}", f"  {_where_when(story)}"]
        if story["lead"]:
            lines.append(f"  {excerpt(story['lead'])}")
        lines.append(f"  {story['link']}")
    lines += ["", f"Rule: {rule_id}", f"Idempotency-Key: {key}"]
    return Message(
        title=title,
        body="\n".join(lines),
        key=key,
        fields={
            "kind": "digest",
            "rule_id": rule_id,
            "period": {"start": iso(period.start), "end": iso(period.end)},
            "items": [{"idempotency_key": k, **story} for k, story in facts],
        },
    )


def health_message(
    rule_id: str, key: str, kind: str, details: dict[str, Any], index: SiteIndex
) -> Message:
    site_id = str(details.get("site_id"))
    name = index.name(site_id)
    since = datetime.fromisoformat(str(details["since"]))  # the outbox's: naive UTC
    if kind == "unhealthy":
        title = f"Site unhealthy: {name}"
        what = f"{name} ({site_id}) is unhealthy since {show_time(since)}: {details.get('reason')}"
    else:
        title = f"Site silent for {details.get('days')} days: {name}"
        what = f"{name} ({site_id}) has had no new story since {show_time(since)}"
    body = "\n".join([title, "", what, "", f"Rule: {rule_id}", f"Idempotency-Key: {key}"])
    fields = {
        "kind": kind,
        "rule_id": rule_id,
        "site": {"id": site_id, "name": name},
        **{k: v for k, v in details.items() if k != "site_id"},
        "since": iso(since),
    }
    return Message(title=title, body=body, key=key, fields=fields)


def _story_fields(story: StoryView, index: SiteIndex) -> dict[str, Any]:
    # What the story is about as the matcher saw it (the tagger on its text: the search
    # index may not have it yet), and its publishers' provinces.
    rule = ProvinceRule(index.sites.values(), index.gazetteer)
    about = rule.about_from_tags(default_tagger().tags(story.title, story.text))
    where = rule.of(about, [s.site_id for s in story.sources])
    if story.published is not None:
        published = iso_when(story.published, story.date_only)
    else:
        published = iso(story.first_seen)
    return {
        "title": story.title,
        "link": story.sources[0].url if story.sources else "",
        "published": published,
        **rule.as_json(where),  # provinces (both), provinces_about, provinces_publishers
        "lead": story.lead,
        # The body after the lead: the lead has a line of its own.
        "excerpt": excerpt(text_after_lead(story.text, story.lead)),
        "sources": [
            {"site_id": s.site_id, "site": index.name(s.site_id), "url": s.url}
            for s in story.sources
        ],
    }


def _where_when(facts: dict[str, Any]) -> str:
    """Provinces and when, as the story shows it: the day, and its time when it has one."""
    published = facts["published"]
    # A date alone (no "T") is a day the page showed without a time.
    when = show_when(datetime.fromisoformat(published), date_only="T" not in published)
    return " · ".join([*_where(facts), str(when)])


def _where(facts: dict[str, Any]) -> list[str]:
    """The provinces the story is about first (three at most), then its publishers' where
    they differ: "Hà Tĩnh · nguồn: Toàn quốc"."""
    about = facts["provinces_about"]
    others = [p for p in facts["provinces_publishers"] if p not in about]
    shown = [", ".join(about[:3]) + (" …" if len(about) > 3 else "")] if about else []
    return shown + ([f"nguồn: {', '.join(others[:2])}"] if others else [])


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of the text, cut at a word, on one line."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"

