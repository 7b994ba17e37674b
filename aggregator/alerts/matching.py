"""Which rules a story matches.

A rule's ``provinces:`` follow the rule of ``aggregator.story_provinces``, as every other
filter does: a story matches a province it names (a current one: or a former province now
part of it) or one of whose sites published it. A former-only province (Kon Tum) matches the
stories naming it and those of its sites, not all of Quảng Ngãi's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aggregator.alerts.rules import Rule, Rules
from aggregator.gazetteer import Province
from aggregator.phrases import PhraseSet
from aggregator.registry import Site
from aggregator.story_provinces import ProvinceRule, StoryProvinces
from aggregator.tags import TOPIC, Tagger, default_tagger


@dataclass(frozen=True)
class StoryFacts:
    title: str
    text: str
    site_ids: tuple[str, ...]


class _Facts:
    """A story's facts, worked out once and only if a rule asks."""

    def __init__(self, story: StoryFacts, provinces: ProvinceRule, tagger: Tagger) -> None:
        self.story = story
        self._provinces = provinces
        self._tagger = tagger
        self._tags: set[tuple[str, str]] | None = None
        self._where: StoryProvinces | None = None

    @property
    def tags(self) -> set[tuple[str, str]]:
        if self._tags is None:
            self._tags = self._tagger.tags(self.story.title, self.story.text)
        return self._tags

    def about(self, province: Province) -> bool:
        if self._where is None:
            about = self._provinces.about_from_tags(self.tags)
            self._where = self._provinces.of(about, self.story.site_ids)
        return self._where.belongs_to(province)


class Matcher:
    def __init__(
        self,
        rules: Rules | Sequence[Rule],
        sites: Mapping[str, Site] | None = None,
        tagger: Tagger | None = None,
    ) -> None:
        self.rules = tuple(rules.story_rules if isinstance(rules, Rules) else rules)
        self.sites = dict(sites or {})
        self.provinces = ProvinceRule(self.sites.values())
        self._tagger = tagger
        self._phrases: dict[str, PhraseSet] = {
            rule.id: rule.query.phrases() for rule in self.rules if rule.query is not None
        }

    @property
    def tagger(self) -> Tagger:
        if self._tagger is None:
            self._tagger = default_tagger()
        return self._tagger

    def matching(self, story: StoryFacts) -> list[Rule]:
        """The rules (watching stories) that ``story`` matches, in file order."""
        if not self.rules:
            return []
        facts = _Facts(story, self.provinces, self.tagger)
        return [rule for rule in self.rules if self._matches(rule, facts)]

    def _matches(self, rule: Rule, facts: _Facts) -> bool:
        story = facts.story
        if rule.sites and not set(rule.sites) & set(story.site_ids):
            return False
        if rule.query is not None:
            phrases = self._phrases[rule.id]
            found = phrases.labels_in(story.title) | phrases.labels_in(story.text)
            if not rule.query.satisfied_by({int(label) for label in found}):
                return False
        if rule.topics and not any((TOPIC, t) in facts.tags for t in rule.topics):
            return False
        return not rule.provinces or any(facts.about(p) for p in rule.provinces)
