"""Watch rules: what a monitoring team watches and where it hears about it (YAML).

::

    rules:
      - id: quang-ngai-thi-dua                 # lowercase words joined by '-'
        query: 'thi dua OR "giao ước"'         # see ``search.query``: one grammar
        provinces: ["Quảng Ngãi"]              # former or current; a current one takes in
                                               # the former provinces it absorbed
        topics: [viec-lam]                     # ids of topics.yaml
        sites: [quangngai-sldtbxh]             # stories any of these sites published
        notify: ["json://127.0.0.1:8765/hook", "mailto://user:pass@example.com"]
        digest: daily                          # hourly | daily: one message per period
      - id: sites-down
        health: {silent_days: 7, unhealthy: true}   # or: health: unhealthy
        sites: [quangngai-sldtbxh]             # optional: only these sites
        notify: ["tgram://bot-token/chat-id"]

A story rule matches a story when every criterion it has does (a list: any of its items).
The file is validated when read: an error is one line naming the file, line and field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from aggregator import yamlfile
from aggregator.exceptions import ConfigError, QueryError, YamlLimitError
from aggregator.gazetteer import Province
from aggregator.search.query import Query, parse
from aggregator.tags import default_topics, resolve_province

RULES_FILENAME = "rules.yaml"
DIGESTS = ("hourly", "daily")
_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_SITE_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_KEYS = frozenset(
    {"id", "query", "provinces", "topics", "sites", "notify", "digest", "health", "description"}
)
_STORY_CRITERIA = ("query", "provinces", "topics")
_HEALTH_KEYS = frozenset({"unhealthy", "silent_days"})


class RulesError(ConfigError):
    """An invalid rules file: the message names the file, the line and the field."""


@dataclass(frozen=True)
class HealthWatch:
    """A site became unhealthy, or has had no new story for ``silent_days``."""

    unhealthy: bool = False
    silent_days: int | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    notify: tuple[str, ...]
    query: Query | None = None
    provinces: tuple[Province, ...] = ()
    topics: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    digest: str | None = None
    health: HealthWatch | None = None
    description: str | None = None
    line: int = 0  # where the rule starts in its file (1-based), for messages

    @property
    def watches_stories(self) -> bool:
        return self.health is None


@dataclass(frozen=True)
class Rules:
    rules: tuple[Rule, ...]
    path: Path | None = None
    by_id: Mapping[str, Rule] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {rule.id: rule for rule in self.rules})

    @property
    def story_rules(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.watches_stories)

    @property
    def health_rules(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if not r.watches_stories)


def default_rules_path(data_dir: Path) -> Path:
    return data_dir / RULES_FILENAME


def find_rules(explicit: Path | str | None, data_dir: Path) -> Path | None:
    """The rules file to use: the one given, else ``DATA_DIR/rules.yaml`` if present."""
    if explicit:
        return Path(explicit)
    default = default_rules_path(data_dir)
    return default if default.is_file() else None


def load_rules(path: Path, *, known_sites: Sequence[str] | None = None) -> Rules:
    """Read and validate a rules file; ``known_sites``: the registry's ids, to catch typos."""
    try:
        text = yamlfile.read_text(path)
    except YamlLimitError as exc:
        raise RulesError(str(exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}: cannot read the rules: {exc}") from exc
    return parse_rules(text, path, known_sites=known_sites)


def parse_rules(
    text: str, path: Path | None = None, *, known_sites: Sequence[str] | None = None
) -> Rules:
    where = str(path) if path else "rules"
    try:
        root = yamlfile.compose(text, where)
    except YamlLimitError as exc:
        raise RulesError(str(exc)) from None
    except yaml.YAMLError as exc:
        place, problem = yamlfile.error_place(exc, where)
        raise RulesError(f"{place}: not valid YAML: {problem}") from exc
    reader = _Reader(where, known_sites)
    if not isinstance(root, yaml.MappingNode):
        raise reader.error(root, None, "expected a mapping with a 'rules:' list")
    top = reader.mapping(root, None)
    unknown = sorted(set(top) - {"rules"})
    if unknown:
        raise reader.error(top[unknown[0]][0], None, f"unknown key {unknown[0]!r}")
    if "rules" not in top or not isinstance(top["rules"][1], yaml.SequenceNode):
        raise reader.error(root, "rules", "expected a 'rules:' list")
    rules: list[Rule] = []
    seen: dict[str, Rule] = {}
    for node in top["rules"][1].value:
        rule = reader.rule(node)
        if rule.id in seen:
            raise RulesError(
                f"{where}:{rule.line}: rule {rule.id}: id: duplicate (also line "
                f"{seen[rule.id].line})"
            )
        seen[rule.id] = rule
        rules.append(rule)
    return Rules(tuple(rules), path)


class _Reader:
    """Builds rules from YAML nodes, which know their line."""

    def __init__(self, where: str, known_sites: Sequence[str] | None) -> None:
        self.where = where
        self.known_sites = set(known_sites) if known_sites is not None else None
        self.rule_id: str | None = None
        self._loader = yaml.SafeLoader("")

    def error(self, node: yaml.Node | None, field_name: str | None, message: str) -> RulesError:
        line = f":{node.start_mark.line + 1}" if node is not None else ""
        rule = f" rule {self.rule_id}:" if self.rule_id else ""
        name = f" {field_name}:" if field_name else ""
        return RulesError(f"{self.where}{line}:{rule}{name} {message}")

    def value(self, node: yaml.Node) -> Any:
        return self._loader.construct_object(node, deep=True)

    def mapping(self, node: yaml.Node, field_name: str | None) -> dict[str, tuple[yaml.Node, Any]]:
        """Key -> (key node, value node) of a mapping node."""
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, field_name, "expected a mapping")
        found: dict[str, tuple[yaml.Node, Any]] = {}
        for key_node, value_node in node.value:
            key = str(self.value(key_node))
            if key in found:
                raise self.error(key_node, key, "given twice")
            found[key] = (key_node, value_node)
        return found

    def rule(self, node: yaml.Node) -> Rule:
        self.rule_id = None
        fields = self.mapping(node, "rules")
        id_node = fields.get("id", (node, None))[1]
        if id_node is None:
            raise self.error(node, "id", "every rule needs an id")
        rule_id = self.value(id_node)
        if not isinstance(rule_id, str) or not _ID_RE.match(rule_id) or len(rule_id) > 64:
            raise self.error(id_node, "id", f"{rule_id!r}: lowercase words joined by '-'")
        self.rule_id = rule_id
        for key, (key_node, _) in fields.items():
            if key not in _KEYS:
                raise self.error(
                    key_node, key, f"unknown field (known: {', '.join(sorted(_KEYS))})"
                )
        values = {key: value for key, (_, value) in fields.items()}
        health = self.health(values["health"]) if "health" in values else None
        story_fields = [k for k in _STORY_CRITERIA if k in values]
        if health is not None and story_fields:
            raise self.error(
                values[story_fields[0]], story_fields[0], "a health rule takes only sites"
            )
        if health is None and not story_fields and "sites" not in values:
            raise self.error(
                node, None, "nothing to watch: give a query, provinces, topics, sites or health"
            )
        if "notify" not in values:
            raise self.error(node, "notify", "where to notify: a list of URLs")
        return Rule(
            id=rule_id,
            notify=self.strings(values["notify"], "notify", _check_url),
            query=self.query(values["query"]) if "query" in values else None,
            provinces=tuple(
                self.province(node) for node in self.items(values.get("provinces"), "provinces")
            ),
            topics=self.strings(values.get("topics"), "topics", _check_topic),
            sites=self.strings(values.get("sites"), "sites", self._check_site),
            digest=self.digest(values.get("digest")),
            health=health,
            description=self.text(values["description"], "description")
            if "description" in values
            else None,
            line=node.start_mark.line + 1,
        )

    def text(self, node: yaml.Node, field_name: str) -> str:
        value = self.value(node)
        if not isinstance(value, str) or not value.strip():
            raise self.error(node, field_name, "expected text")
        return value.strip()

    def items(self, node: yaml.Node | None, field_name: str) -> list[yaml.Node]:
        """The items of a list (a single value counts as a list of one)."""
        if node is None:
            return []
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        if not items:
            raise self.error(node, field_name, "an empty list (leave the field out instead)")
        return list(items)

    def strings(
        self, node: yaml.Node | None, field_name: str, check: Callable[[str], str | None]
    ) -> tuple[str, ...]:
        found = []
        for item in self.items(node, field_name):
            value = self.value(item)
            if not isinstance(value, str) or not value.strip():
                raise self.error(item, field_name, f"{value!r} is not text (quote it)")
            problem = check(value.strip())
            if problem:
                raise self.error(item, field_name, problem)
            found.append(value.strip())
        return tuple(dict.fromkeys(found))

    def query(self, node: yaml.Node) -> Query:
        text = self.text(node, "query")
        try:
            return parse(text)
        except QueryError as exc:
            raise self.error(node, "query", f"{exc.shown}: {exc.reason}") from None

    def province(self, node: yaml.Node) -> Province:
        name = self.text(node, "provinces")
        try:
            return resolve_province(name)
        except ConfigError as exc:
            raise self.error(node, "provinces", str(exc)) from None

    def digest(self, node: yaml.Node | None) -> str | None:
        if node is None:
            return None
        value = self.value(node)
        if value not in DIGESTS:
            raise self.error(node, "digest", f"{value!r}: one of {', '.join(DIGESTS)}")
        return str(value)

    def health(self, node: yaml.Node) -> HealthWatch:
        if isinstance(node, yaml.ScalarNode):
            if self.value(node) != "unhealthy":
                raise self.error(node, "health", "'unhealthy' or {silent_days: N, unhealthy: true}")
            return HealthWatch(unhealthy=True)
        fields = self.mapping(node, "health")
        for key, (key_node, _) in fields.items():
            if key not in _HEALTH_KEYS:
                raise self.error(key_node, f"health.{key}", "unknown (unhealthy, silent_days)")
        unhealthy, days = False, None
        if "unhealthy" in fields:
            unhealthy = self.value(fields["unhealthy"][1])
            if not isinstance(unhealthy, bool):
                raise self.error(fields["unhealthy"][1], "health.unhealthy", "true or false")
        if "silent_days" in fields:
            days = self.value(fields["silent_days"][1])
            if isinstance(days, bool) or not isinstance(days, int) or days < 1:
                raise self.error(
                    fields["silent_days"][1], "health.silent_days", "a whole number of days ≥ 1"
                )
        if not unhealthy and days is None:
            raise self.error(node, "health", "watch something: unhealthy: true or silent_days: N")
        return HealthWatch(unhealthy=unhealthy, silent_days=days)

    def _check_site(self, site_id: str) -> str | None:
        if not _SITE_RE.match(site_id):
            return f"{site_id!r} is not a site id"
        if self.known_sites is not None and site_id not in self.known_sites:
            return f"no site {site_id!r} in the registry"
        return None


def _check_topic(topic_id: str) -> str | None:
    known = [t.id for t in default_topics()]
    if topic_id not in known:
        return f"unknown topic {topic_id!r} (known: {', '.join(known)})"
    return None


def _check_url(url: str) -> str | None:
    from aggregator.alerts.channels import check_target

    return check_target(url)
