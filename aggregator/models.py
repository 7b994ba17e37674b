"""Plain data passed between the crawling, extraction, storing and publishing layers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Image:
    """An image of an article body, with its caption when the page gives one."""

    src: str
    caption: str | None = None


@dataclass
class Article:
    """What extraction reads off one article page.

    ``text`` is the clean body, NFC-normalised, paragraphs separated by blank lines.
    ``published`` is timezone-aware when known (Asia/Ho_Chi_Minh for local times).
    ``profile`` names the page object that read the page ("liferay", "baodansinh", "generic").
    ``date_only`` says the page shows a day but no time of day: ``published`` is then that
    day's local midnight, which is not a time the story was published at.
    ``lead`` is the standfirst (sapo) the page sets apart above the body, also the first
    paragraph of ``text``.
    """

    url: str | None
    title: str | None
    text: str
    published: datetime | None = None
    author: str | None = None
    images: list[Image] = field(default_factory=list)
    language: str | None = None
    profile: str = "generic"
    date_only: bool = False
    lead: str | None = None

    def to_json_dict(self, source: str | None = None) -> dict[str, object]:
        """The ``tinlaodong extract --json`` object for this article."""
        data: dict[str, object] = {}
        if source is not None:
            data["source"] = source
        data.update(
            url=self.url,
            title=self.title,
            lead=self.lead,
            text=self.text,
            published=shown_published(self.published, self.date_only),
            author=self.author,
            images=[{"src": i.src, "caption": i.caption} for i in self.images],
            language=self.language,
        )
        return data


def shown_published(published: datetime | None, date_only: bool) -> str | None:
    """``published`` as the JSON outputs give it: "2024-03-05" for a day the page shows
    without a time (its stored midnight is no time of publication), else ISO 8601 with the
    offset."""
    if published is None:
        return None
    return published.date().isoformat() if date_only else published.isoformat()


def text_after_lead(text: str, lead: str | None) -> str:
    """``text`` without the lead it opens with: what a view showing the lead apart goes on
    with."""
    if lead and text.startswith(lead):
        return text[len(lead) :].lstrip()
    return text
