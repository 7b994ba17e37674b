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
from aggregator.phrases import Mode, PhraseSet
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
        # Every rule's terms in one set, labelled "<rule>:<term>": a story's text is read once
        # for all the rules, not once a rule (thousands of rules took a minute a story).
        self._phrases = PhraseSet()
        for index, rule in enumerate(self.rules):
            for number, term in enumerate(rule.query.terms if rule.query is not None else ()):
                mode = Mode.EXACT if term.exact else Mode.FOLDED
                self._phrases.add(term.text, f"{index}:{number}", mode)

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
        found: dict[int, set[int]] = {}
        for label in self._phrases.labels_in(story.title) | self._phrases.labels_in(story.text):
            index, number = label.split(":")
            found.setdefault(int(index), set()).add(int(number))
        return [
            rule
            for index, rule in enumerate(self.rules)
            if self._matches(rule, facts, found.get(index, set()))
        ]

    def _matches(self, rule: Rule, facts: _Facts, terms_found: set[int]) -> bool:
        story = facts.story
        if rule.sites and not set(rule.sites) & set(story.site_ids):
            return False
        if rule.query is not None and not rule.query.satisfied_by(terms_found):
            return False
        if rule.topics and not any((TOPIC, t) in facts.tags for t in rule.topics):
            return False
        return not rule.provinces or any(facts.about(p) for p in rule.provinces)
