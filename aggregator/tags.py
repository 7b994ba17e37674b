"""What a story is about: topics of the sector (``topics.yaml``) and provinces it names.

Tags are found in the title and text, on whole words (``aggregator.phrases``), and stored in
``story_tags`` by ``aggregator.search.refresh_index``; alert rules' ``topics:`` use the same
:class:`Tagger`. A topic is what the story is about, not every field it names in passing: its
keywords are weighed by where they stand and how often (:meth:`Tagger.topic_scores`), and a
story gets the few topics with the most (:meth:`Tagger.topics_of`).

A province is recorded as the one named (``former_province``, one of the 63) and the one it is
part of now (``province``, one of the 34): "Nam Định" tags former ``nam-dinh`` and current
``ninh-binh``; "Hà Nội" both ``ha-noi``.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from aggregator import yamlfile
from aggregator.exceptions import ConfigError
from aggregator.folding import has_diacritics
from aggregator.gazetteer import Gazetteer, Province, default_gazetteer
from aggregator.phrases import Mode, PhraseSet
from aggregator.store.search_schema import StoryTag

TOPIC = "topic"
PROVINCE = "province"
FORMER_PROVINCE = "former_province"
KINDS = (TOPIC, PROVINCE, FORMER_PROVINCE)

_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_TOPIC_KEYS = frozenset({"id", "name", "keywords"})
_FILE_KEYS = frozenset({"topics", "neutral"})
# Names that are not only places: Hồ Chí Minh is the president cited in nearly every political
# text ("tư tưởng Hồ Chí Minh"), so the city counts only with "TP"/"thành phố" or an alias.
_NEEDS_PREFIX = frozenset({"ho-chi-minh"})
_CITY_PREFIXES = ("TP", "Thành phố", "thành phố", "THÀNH PHỐ")

# What a story is about. Each keyword found is evidence for its topic: in the headline, the
# story is about it if the text names the topic too (a headline's word alone is often a hook);
# in the lead (the first paragraph), it counts twice as much as further down; further down, one
# mention is a field named in passing, several or several keywords of the same topic are a
# subject, if they are a share of the text's sentences (a long text names more fields in
# passing). Values read off the dev half of bench/corpus/topics-labels.json.
TITLE_WEIGHT = 3.0  # once, however many keywords the headline holds
LEAD_WEIGHT = 2.0  # each sentence of the first paragraph that names the topic
BODY_WEIGHT = 1.0  # each sentence further down
DISTINCT_WEIGHT = 0.5  # each keyword of the topic found beyond the first
LEAD_CHARS = 600  # a text in one block: its beginning stands for the lead
ENOUGH = 3.0  # a topic not in the headline needs this much evidence
MIN_SHARE = 0.2  # and this share of the text's sentences naming it
SHARE_OF_BEST = 0.7  # and at least this share of the best topic's
MAX_TOPICS = 2  # the labels never give a story more
_WORD = re.compile(r"\w+")  # folding's words, counted
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
_NEUTRAL = ""  # the label of the neutral phrases: no topic id is empty


@dataclass(frozen=True)
class Topic:
    id: str
    name: str
    keywords: tuple[str, ...]


def default_topics_path() -> Path:
    return Path(__file__).with_name("topics.yaml")


def load_topics(path: Path | None = None) -> tuple[Topic, ...]:
    """The taxonomy, validated: errors name the file and the entry."""
    path = path or default_topics_path()
    raw = _read(path)
    topics = [_topic(entry, f"{path}: topic #{i}") for i, entry in enumerate(raw["topics"], 1)]
    seen: set[str] = set()
    for topic in topics:
        if topic.id in seen:
            raise ConfigError(f"{path}: topic {topic.id}: duplicate id")
        seen.add(topic.id)
    return tuple(topics)


def load_neutral(path: Path | None = None) -> tuple[str, ...]:
    """The file's ``neutral:`` phrases: names that hold a keyword but are no evidence of its
    topic (``Trung tâm Dịch vụ việc làm`` is named in whatever story its centre is in)."""
    path = path or default_topics_path()
    phrases = _read(path).get("neutral", [])
    if not isinstance(phrases, list):
        raise ConfigError(f"{path}: neutral must be a list of phrases")
    for phrase in phrases:
        if not isinstance(phrase, str) or not re.search(r"\w", phrase):
            raise ConfigError(f"{path}: neutral: {phrase!r} is not a phrase")
    return tuple(phrase.strip() for phrase in phrases)


def _read(path: Path) -> Mapping[str, Any]:
    try:
        raw = yamlfile.read(path)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the topics: {exc}".replace("\n", " ")) from exc
    if not isinstance(raw, Mapping) or not isinstance(raw.get("topics"), list):
        raise ConfigError(f"{path}: expected a 'topics:' list")
    unknown = sorted(set(map(str, raw)) - _FILE_KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(unknown)}; expected topics, neutral")
    return raw


def _topic(entry: object, where: str) -> Topic:
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}: expected a mapping with id, name and keywords")
    if isinstance(entry.get("id"), str):
        where = f"{where} ({entry['id']})"
    unknown = sorted(set(map(str, entry)) - _TOPIC_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
    topic_id, name = _text(entry, "id", where), _text(entry, "name", where)
    if not _ID_RE.match(topic_id):
        raise ConfigError(f"{where}: id must be lowercase words joined by '-'")
    keywords = entry.get("keywords")
    if not isinstance(keywords, list) or not keywords:
        raise ConfigError(f"{where}: keywords must be a non-empty list of phrases")
    for keyword in keywords:
        # YAML reads an unquoted 1975 as a number: quote it; a bare symbol would find nothing.
        if not isinstance(keyword, str) or not re.search(r"\w", keyword):
            raise ConfigError(f"{where}: keyword {keyword!r} is not a phrase")
    return Topic(topic_id, name, tuple(k.strip() for k in keywords))


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: {key} must be a non-empty string")
    return value.strip()


@lru_cache(maxsize=1)
def default_topics() -> tuple[Topic, ...]:
    return load_topics()


@lru_cache(maxsize=1)
def default_neutral() -> tuple[str, ...]:
    return load_neutral()


class Tagger:
    """Finds the tags of a story: (kind, value) pairs."""

    def __init__(
        self, gazetteer: Gazetteer, topics: Iterable[Topic], neutral: Iterable[str] = ()
    ) -> None:
        self.gazetteer = gazetteer
        self._topics = PhraseSet()
        # A headline typed without diacritics ("Tang luong toi thieu vung") is read against the
        # keywords with theirs folded away; one that has any is read as written.
        self._folded_topics = PhraseSet()
        phrases = [(k, topic.id) for topic in topics for k in topic.keywords]
        # Neutral phrases take their words and count for no topic.
        for phrase, label in phrases + [(phrase, _NEUTRAL) for phrase in neutral]:
            self._topics.add(phrase, label)
            self._folded_topics.add(phrase, label, Mode.FOLDED)
        self._places = PhraseSet()
        for province in dict.fromkeys(gazetteer.all_former() + gazetteer.all_current()):
            for name in _place_names(province):
                self._places.add(name, province.id, Mode.PROPER)

    def tags(self, title: str, text: str) -> set[tuple[str, str]]:
        found = {(TOPIC, t) for t in self.topics_of(title, text)}
        for part in (title, text):
            for province_id in self._places.labels_in(part):
                found |= self._province_tags(self.gazetteer.get(province_id))
        return found

    def topics_of(self, title: str, text: str) -> list[str]:
        """The topics the story is about, most evidence first: those its headline names (and
        its text too) and those with enough evidence, named in a share of the text's sentences
        and with at least a share of the best one's; at most a few."""
        found = self._evidence(title, text)
        best = max(found.scores.values(), default=0.0)
        kept = [
            topic
            for topic, score in found.scores.items()
            if topic in found.titled
            or (
                score >= ENOUGH
                and found.sentences[topic] >= MIN_SHARE * found.of_sentences
                and score >= SHARE_OF_BEST * best
            )
        ]
        return sorted(kept, key=lambda topic: (-found.scores[topic], topic))[:MAX_TOPICS]

    def topic_scores(self, title: str, text: str) -> dict[str, float]:
        """Each topic whose keywords occur, with its evidence (see ``TITLE_WEIGHT``...)."""
        return self._evidence(title, text).scores

    def _evidence(self, title: str, text: str) -> _Evidence:
        # Title and text apart: a phrase does not run from the title into the first line.
        in_title = self._folded_topics if not has_diacritics(title) else self._topics
        keywords: dict[str, set[str]] = defaultdict(set)
        title_keywords: dict[str, set[str]] = defaultdict(set)
        for _, label, phrase in in_title.occurrences(title):
            if label != _NEUTRAL:
                title_keywords[label].add(phrase)
                keywords[label].add(phrase)
        where = _Layout(text)
        # A sentence counts once: "hộ nghèo, hộ cận nghèo" is one mention of the topic.
        sentences: dict[tuple[str, int], float] = {}
        for word, label, phrase in self._topics.occurrences(text):
            if label == _NEUTRAL:
                continue
            keywords[label].add(phrase)
            sentence, in_lead = where.of_word(word)
            weight = LEAD_WEIGHT if in_lead else BODY_WEIGHT
            sentences[label, sentence] = max(weight, sentences.get((label, sentence), 0.0))
        scores: defaultdict[str, float] = defaultdict(float)
        naming: Counter[str] = Counter()
        for (label, _), weight in sentences.items():
            scores[label] += weight
            naming[label] += 1
        # The headline's keyword stands if the text names the topic too, or the headline
        # names it twice over; a story that is only a headline has nothing else to ask.
        titled = {
            label
            for label, phrases in title_keywords.items()
            if naming[label] or len(phrases) > 1 or not where.sentences
        }
        for label in titled:
            scores[label] += TITLE_WEIGHT
        for label, distinct in keywords.items():
            scores[label] += DISTINCT_WEIGHT * (len(distinct) - 1)
        return _Evidence(dict(scores), titled, naming, where.sentences)

    def _province_tags(self, province: Province) -> set[tuple[str, str]]:
        found = {(FORMER_PROVINCE, province.id)} if province.former else set()
        return found | {(PROVINCE, self.gazetteer.current_of(province).id)}


@dataclass(frozen=True)
class _Evidence:
    scores: dict[str, float]  # each topic found, weighed
    titled: set[str]  # the topics the headline names, with the text's support
    sentences: Counter[str]  # the sentences of the text naming each topic
    of_sentences: int  # the sentences of the text


class _Layout:
    """Where each word of a text stands: its sentence, and whether in the first paragraph (the
    lead, or the text's first ``LEAD_CHARS`` characters if it is one block). Words are those
    :class:`PhraseSet` counts (``folding.word_strings``): its word indexes place a phrase."""

    def __init__(self, text: str) -> None:
        # Words counted as PhraseSet finds them (in canonical text, whose words are NFC's).
        text = unicodedata.normalize("NFC", text)
        start = len(text) - len(text.lstrip())
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if end - start > LEAD_CHARS:
            cut = text.rfind(" ", start, start + LEAD_CHARS)
            end = cut if cut > start else start + LEAD_CHARS
        # Counted per sentence, not placed one by one: a word never spans a sentence's end.
        self._ends = list(accumulate(len(_WORD.findall(s)) for s in _SENTENCE_END.split(text)))
        self._lead_words = len(_WORD.findall(text, 0, end))
        self.sentences = len(set(self._ends) - {0})  # those with words

    def of_word(self, index: int) -> tuple[int, bool]:
        return bisect_right(self._ends, index), index < self._lead_words


def _place_names(province: Province) -> list[str]:
    if province.id not in _NEEDS_PREFIX:
        return [province.name, *province.aliases]
    return [f"{prefix} {province.name}" for prefix in _CITY_PREFIXES] + list(province.aliases)


@lru_cache(maxsize=1)
def default_tagger() -> Tagger:
    return Tagger(default_gazetteer(), default_topics(), default_neutral())


def resolve_province(name_or_id: str, gazetteer: Gazetteer | None = None) -> Province:
    """A province by id or name; unknown, a one-line error with the nearest names."""
    gazetteer = gazetteer or default_gazetteer()
    try:
        return gazetteer.get(name_or_id)
    except KeyError:
        pass
    province = gazetteer.find(name_or_id)
    if province is None:
        close = gazetteer.suggest(name_or_id)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise ConfigError(f"unknown province {name_or_id!r}{hint}")
    return province


def story_ids_tagged(
    engine: Engine,
    *,
    topic: str | None = None,
    province: str | None = None,
    limit: int | None = None,
    among: Sequence[int] | None = None,
) -> list[int]:
    """Stories tagged with ``topic`` (an id) and/or ``province`` (id or name; a current one
    matches its former provinces' stories too), the last stored first; the first ``limit``;
    ``among``: only these stories (a page of search results)."""
    wanted = []
    if topic is not None:
        wanted.append((TOPIC, topic))
    if province is not None:
        place = resolve_province(province)
        wanted.append((PROVINCE if place.current else FORMER_PROVINCE, place.id))
    if not wanted:
        query = select(StoryTag.story_id).distinct()
    else:
        # One tag's stories are a range of ix_story_tags_kind_value_story, in story order:
        # the newest ``limit`` are read off its end. A story has each tag once (the key).
        (kind, value), *others = wanted
        query = select(StoryTag.story_id).where(StoryTag.kind == kind, StoryTag.value == value)
        for kind, value in others:
            query = query.where(StoryTag.story_id.in_(_tagged(kind, value)))
    if among is not None:
        query = query.where(StoryTag.story_id.in_(list(among)))
    query = query.order_by(StoryTag.story_id.desc())
    if limit is not None:
        query = query.limit(limit)
    with Session(engine) as session:
        return list(session.scalars(query))


def _tagged(kind: str, value: str) -> Any:
    return select(StoryTag.story_id).where(StoryTag.kind == kind, StoryTag.value == value)


def tags_of(engine: Engine, story_id: int) -> dict[str, list[str]]:
    """The tags of a story by kind (``topic``, ``province``, ``former_province``), sorted."""
    query = select(StoryTag.kind, StoryTag.value).where(StoryTag.story_id == story_id)
    found: dict[str, list[str]] = {kind: [] for kind in KINDS}
    with Session(engine) as session:
        for kind, value in session.execute(query):
            found.setdefault(kind, []).append(value)
    return {kind: sorted(values) for kind, values in found.items()}
