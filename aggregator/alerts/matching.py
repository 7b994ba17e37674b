"""Which rules a story matches.

A story's provinces are those its title and text name (``aggregator.tags``: a former province
named counts for the current one that absorbed it) and those of the sites that published it.
A rule's current province matches both; a former-only one (Kon Tum) only stories about it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aggregator.alerts.rules import Rule, Rules
from aggregator.gazetteer import NATIONAL_ID, Province
from aggregator.phrases import PhraseSet
from aggregator.registry import Site
from aggregator.tags import FORMER_PROVINCE, PROVINCE, TOPIC, Tagger, default_tagger


@dataclass(frozen=True)
class StoryFacts:
    title: str
    text: str
    site_ids: tuple[str, ...]


class _Facts:
    """A story's facts, worked out once and only if a rule asks."""

    def __init__(self, story: StoryFacts, sites: Mapping[str, Site], tagger: Tagger) -> None:
        self.story = story
        self._sites = [sites[s] for s in story.site_ids if s in sites]
        self._tagger = tagger
        self._tags: set[tuple[str, str]] | None = None

    @property
    def tags(self) -> set[tuple[str, str]]:
        if self._tags is None:
            self._tags = self._tagger.tags(self.story.title, self.story.text)
            for site in self._sites:
                if site.current_province_id:
                    self._tags.add((PROVINCE, site.current_province_id))
                if site.province_id and site.province_id != site.current_province_id:
                    self._tags.add((FORMER_PROVINCE, site.province_id))
                if site.province_id == NATIONAL_ID:
                    self._tags.add((PROVINCE, NATIONAL_ID))
        return self._tags

    def about(self, province: Province) -> bool:
        if province.current or province.is_national:
            return (PROVINCE, province.id) in self.tags
        return (FORMER_PROVINCE, province.id) in self.tags


class Matcher:
    def __init__(
        self,
        rules: Rules | Sequence[Rule],
        sites: Mapping[str, Site] | None = None,
        tagger: Tagger | None = None,
    ) -> None:
        self.rules = tuple(rules.story_rules if isinstance(rules, Rules) else rules)
        self.sites = dict(sites or {})
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
        facts = _Facts(story, self.sites, self.tagger)
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
