"""Watch rules and their alerts: matching new stories, a durable outbox, delivery.

- ``rules``: the rules file (YAML), validated with file, line and field in each error.
- ``matching``: which rules a story matches (a query in the search grammar, ``search.query``;
  provinces, topics, sites).
- ``outbox``: alerts queued in the transaction that stores the story; status and retry.
- ``sender``: delivery through apprise with retries, backoff and per-target records.
- ``messages`` and ``channels``: what a message says, and handing it to one target.
- ``service``: the rules in force, the queue a crawl writes to, delivery of what is pending.
"""

from aggregator.alerts.channels import Message, Outcome
from aggregator.alerts.matching import Matcher, StoryFacts
from aggregator.alerts.outbox import AlertQueue, alert_key, queue_health_alerts
from aggregator.alerts.rules import HealthWatch, Rule, Rules, RulesError, load_rules, parse_rules
from aggregator.alerts.sender import Backoff, Sender, SendReport, deliver_pending
from aggregator.alerts.service import alert_queue, deliver, rules_in_force

__all__ = [
    "AlertQueue",
    "Backoff",
    "HealthWatch",
    "Matcher",
    "Message",
    "Outcome",
    "Rule",
    "Rules",
    "RulesError",
    "SendReport",
    "Sender",
    "StoryFacts",
    "alert_key",
    "alert_queue",
    "deliver",
    "deliver_pending",
    "load_rules",
    "parse_rules",
    "queue_health_alerts",
    "rules_in_force",
]
