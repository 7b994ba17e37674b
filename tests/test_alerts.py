"""Alerts end to end: queued with the story, delivered to real receivers on loopback (an SMTP
server and an HTTP webhook), retried, digested, and exactly once per target even when the
sender is killed mid-batch."""

from __future__ import annotations

import email
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import Message as EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session

from aggregator.alerts import (
    AlertQueue,
    Backoff,
    Matcher,
    Sender,
    alert_key,
    load_rules,
    parse_rules,
    queue_health_alerts,
)
from aggregator.alerts.matching import StoryFacts
from aggregator.alerts.messages import Period, digest_message, story_message
from aggregator.alerts.outbox import DELIVERED, FAILED, PENDING, status_counts
from aggregator.dates import VIETNAM, local_midnight
from aggregator.health import Health
from aggregator.models import Article
from aggregator.site_index import SiteIndex
from aggregator.store import AddResult, CrawlRecord, StoryStore, open_store
from aggregator.store.schema import Alert, AlertAttempt, Story
from tests.backends import backend
from tests.conftest import Webhook
from tests.helpers import closed_port, tinlaodong

__all__ = ["backend"]  # the fixture, for the tests on both backends
NOW = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)


@dataclass
class Mailbox:
    url: str
    messages: list[EmailMessage] = field(default_factory=list)

    def keys(self) -> Counter[str]:
        return Counter(str(m["X-Tinlaodong-Key"]) for m in self.messages)


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on loopback."""
    port = closed_port()
    box = Mailbox(f"mailto://127.0.0.1:{port}?from=alerts@example.org&to=team@example.org")

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            box.messages.append(email.message_from_bytes(envelope.content))
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def article(text: str, title: str) -> Article:
    return Article(
        url=None,
        title=title,
        text=text,
        published=datetime(2025, 8, 30, 9, 0, tzinfo=UTC),
        profile="generic",
    )


def body(n: int, topic: str = "thi đua") -> str:
    return (
        f"Phong trào {topic} số {n} của tỉnh Quảng Ngãi được phát động rộng rãi trong các cơ quan, "
        f"đơn vị với nhiều nội dung thiết thực, gắn với nhiệm vụ chính trị năm {2000 + n}. "
        f"Đợt {n} có {n * 7} đơn vị tham gia ký kết và cam kết thực hiện chỉ tiêu mã {n * 7919}."
    )


def rules_text(*targets: str, extra: str = "") -> str:
    notify = ", ".join(json.dumps(t) for t in targets)
    return (
        "rules:\n"
        "  - id: quang-ngai-thi-dua\n"
        "    query: 'thi dua OR \"giao ước\"'\n"
        '    provinces: ["Quảng Ngãi"]\n'
        f"    notify: [{notify}]\n{extra}"
    )


def fill(store: StoryStore, rules_yaml: str, count: int) -> AlertQueue:
    queue = AlertQueue(Matcher(parse_rules(rules_yaml)))
    for n in range(count):
        result = store.add_article(
            "quangngai-snv",
            f"https://snv.quangngai.gov.vn/tin/{n}",
            article(body(n), f"Thi đua {n}"),
            outbox=queue,
        )
        assert result is AddResult.NEW_STORY
    return queue


def alerts(store: StoryStore) -> list[Alert]:
    with Session(store.engine) as session:
        return list(session.scalars(select(Alert).order_by(Alert.id)))


def sender(store: StoryStore, **kwargs: Any) -> Sender:
    return Sender(store, SiteIndex([]), **kwargs)


def test_alerts_are_queued_with_the_story_and_not_for_a_copy(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    queue = fill(store, rules_text("json://127.0.0.1:9/hook"), 2)
    (first, second) = alerts(store)
    with Session(store.engine) as session:
        story = session.get_one(Story, first.story_id)
        assert first.key == alert_key("quang-ngai-thi-dua", story.content_hash)
    assert (first.status, first.attempts, first.targets) == (
        PENDING,
        0,
        ["json://127.0.0.1:9/hook"],
    )
    # A syndicated copy (the same text elsewhere, or lightly edited) is not a new alert.
    copy = article(body(0).replace("rộng rãi", "rộng khắp"), "Thi đua 0 (bài đăng lại)")
    assert store.add_article("baodansinh", "https://baodansinh.vn/x", copy, outbox=queue) is (
        AddResult.NEW_SOURCE
    )
    assert len(alerts(store)) == 2
    # A story no rule matches queues nothing.
    other = article(body(5, "văn nghệ").replace("Quảng Ngãi", "Cà Mau"), "Văn nghệ")
    assert store.add_article("camau", "https://camau.example/1", other, outbox=queue) is (
        AddResult.NEW_STORY
    )
    assert len(alerts(store)) == 2
    assert second.story_id != first.story_id


@pytest.mark.usefixtures("backend")
def test_a_new_source_that_makes_a_rule_match_queues_its_alert_once(tmp_path: Path) -> None:
    """A rule watching site-b's stories alerts when site-b's copy of a story known from site-a
    arrives: the first time the story matches, whichever source makes it match; then never
    again for that story (issue 21, item 4)."""
    store = open_store(tmp_path)
    watch = (
        "rules:\n"
        "  - id: from-b\n    sites: [baodansinh]\n    notify: [json://127.0.0.1:9/hook]\n"
        "  - id: thi-dua\n    query: 'thi dua'\n    notify: [json://127.0.0.1:9/hook]\n"
    )
    queue = AlertQueue(Matcher(parse_rules(watch)))
    first = store.add_article(
        "quangngai-snv",
        "https://snv.quangngai.gov.vn/tin/1",
        article(body(1), "Thi đua"),
        outbox=queue,
    )
    assert first is AddResult.NEW_STORY
    assert [a.rule_id for a in alerts(store)] == ["thi-dua"]
    copy = article(body(1).replace("rộng rãi", "rộng khắp"), "Thi đua (đăng lại)")
    for n in range(2):  # site-b's copy, then another of its URLs with the same story
        added = store.add_article("baodansinh", f"https://baodansinh.vn/{n}", copy, outbox=queue)
        assert added is AddResult.NEW_SOURCE
    queued = alerts(store)
    assert sorted(a.rule_id for a in queued) == ["from-b", "thi-dua"]
    from_b = next(a for a in queued if a.rule_id == "from-b")
    with Session(store.engine) as session:
        story = session.get_one(Story, from_b.story_id)
    assert from_b.key == alert_key("from-b", story.content_hash) and from_b.status == PENDING
    # alerts test agrees with what was queued.
    rules = tmp_path / "watch.yaml"
    rules.write_text(watch, encoding="utf-8")
    tested = tinlaodong("alerts", "test", str(rules), "--json", "--data-dir", str(tmp_path))
    assert tested.returncode == 0, tested.stderr
    rows = [json.loads(line) for line in tested.stdout.splitlines()]
    assert sorted(r["rule"] for r in rows if r["stories"]) == ["from-b", "thi-dua"]


def test_story_and_alert_commit_together(tmp_path: Path) -> None:
    store = open_store(tmp_path)

    class Failing(AlertQueue):
        def queue(self, session: Session, story: Story, site_id: str) -> int:
            super().queue(session, story, site_id)
            raise RuntimeError("crash after queueing, before the commit")

    failing = Failing(Matcher(parse_rules(rules_text("json://127.0.0.1:9/hook"))))
    with pytest.raises(RuntimeError):
        store.add_article("qn", "https://qn.example/1", article(body(1), "Thi đua"), outbox=failing)
    assert store.count() == (0, 0) and alerts(store) == []


def test_each_receiver_gets_each_alert_once(
    tmp_path: Path, webhook: Webhook, mailbox: Mailbox
) -> None:
    store = open_store(tmp_path)
    fill(store, rules_text(webhook.url, mailbox.url), 3)
    store.add_article(
        "baodansinh", "https://baodansinh.vn/copy-0", article(body(0), "Thi đua 0"), outbox=None
    )
    report = sender(store).run()
    assert (report.delivered, report.messages, report.refused) == (3, 6, 0)
    keys = {a.key for a in alerts(store)}
    assert webhook.keys() == Counter(keys) and mailbox.keys() == Counter(keys)
    assert webhook.headers == [r["idempotency_key"] for r in webhook.received]
    first = next(r for r in webhook.received if r["story"]["title"] == "Thi đua 0")
    assert first["rule_id"] == "quang-ngai-thi-dua" and first["title"] == "Thi đua 0"
    assert first["story"]["link"] == "https://snv.quangngai.gov.vn/tin/0"
    assert [s["url"] for s in first["story"]["sources"]][1:] == ["https://baodansinh.vn/copy-0"]
    assert "Also published by:" in first["message"] and "30/08/2025" in first["message"]
    mail = mailbox.messages[0]
    assert f"Idempotency-Key: {mail['X-Tinlaodong-Key']}" in mail.get_payload(decode=True).decode()
    # Nothing is sent twice.
    assert sender(store).run().messages == 0
    assert len(webhook.received) == 3 and len(mailbox.messages) == 3


def test_a_story_alert_gives_the_lead_its_own_line_and_a_date_only_day(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    lead = "Tỉnh Quảng Ngãi phát động phong trào thi đua năm 2025."
    dated = article(f"{lead}\n\n{body(1)}", "Thi đua có sapo")
    dated.published = local_midnight(date(2025, 8, 30))
    dated.date_only, dated.lead = True, lead
    store.add_article("quangngai-snv", "https://snv.quangngai.gov.vn/tin/1", dated)
    (story,) = store.stories()
    message = story_message("r", "k", story, SiteIndex([]))
    lines = message.body.splitlines()
    assert lines[1].endswith("30/08/2025") and lines[3] == lead
    assert lines[5].startswith("Phong trào thi đua số 1") and message.body.count(lead) == 1
    assert message.fields["story"]["lead"] == lead
    assert message.fields["story"]["published"] == "2025-08-30"
    period = Period.of("daily", datetime(2025, 8, 30, 3, 0))
    digest = digest_message("r", "d", period, [("k", story)], SiteIndex([]))
    assert f"  {lead}" in digest.body.splitlines()


def test_a_story_alert_shows_the_time_of_day_the_story_shows(tmp_path: Path) -> None:
    """A Sunday-morning story is announced with its morning time, in Vietnam's time."""
    store = open_store(tmp_path)
    timed = article(body(2), "Thi đua sáng chủ nhật")
    timed.published = datetime(2024, 4, 7, 7, 5, tzinfo=VIETNAM)
    store.add_article("quangngai-snv", "https://snv.quangngai.gov.vn/tin/2", timed)
    (story,) = store.stories()
    message = story_message("r", "k", story, SiteIndex([]))
    assert message.body.splitlines()[1].endswith("07/04/2024 07:05 +07:00")


def test_a_failing_target_is_retried_with_backoff_without_resending_elsewhere(
    tmp_path: Path, webhook: Webhook, mailbox: Mailbox
) -> None:
    store = open_store(tmp_path)
    fill(store, rules_text(webhook.url, mailbox.url), 1)
    webhook.statuses = [503, 502]
    backoff = Backoff(first=timedelta(seconds=0.2), cap=timedelta(seconds=0.3))
    started = time.monotonic()
    report = sender(store, backoff=backoff).run(wait=10)
    assert time.monotonic() - started >= 0.4  # 0.2 s, then 0.3 s (capped) between rounds
    assert report.delivered == 1 and report.refused == 2
    (alert,) = alerts(store)
    assert (alert.status, alert.attempts) == (DELIVERED, 2)
    assert len(webhook.received) == 3 and len(mailbox.messages) == 1
    with Session(store.engine) as session:
        tries = session.execute(
            select(AlertAttempt.target, AlertAttempt.ok).order_by(AlertAttempt.id)
        ).all()
    assert [ok for _, ok in tries] == [False, True, False, True]  # webhook, mail, webhook, ...
    assert all("hook" in t for t, _ in tries[::2]) and "mailto" in tries[1][0]


def test_a_receiver_slower_than_apprise_s_timeout_gets_the_alert_once(
    tmp_path: Path, webhook: Webhook
) -> None:
    """A webhook that answers after 6 s has the alert, once, and is not taken for refusing
    (apprise alone gives up after 4 s; issue 21, item 5)."""
    store = open_store(tmp_path)
    fill(store, rules_text(webhook.url), 1)
    webhook.delay = 6
    report = sender(store).run()
    assert (report.messages, report.refused, report.delivered) == (1, 0, 1)
    assert len(webhook.received) == 1


def test_a_receiver_that_answers_too_late_sees_the_alert_a_bounded_number_of_times(
    tmp_path: Path, webhook: Webhook
) -> None:
    """No answer within the delivery timeout: maybe delivered. Tried again with the same key,
    growing back-off, at most ``Backoff.max_unconfirmed`` times in all, then given up on
    without a claim that the receiver refused (issue 21, item 5)."""
    store = open_store(tmp_path)
    fill(store, rules_text(webhook.url + "?rto=0.2"), 1)
    webhook.delay = 0.6
    backoff = Backoff(first=timedelta(seconds=0.1), cap=timedelta(seconds=0.2))
    report = sender(store, backoff=backoff).run(wait=10)
    (alert,) = alerts(store)
    assert webhook.keys() == Counter({alert.key: backoff.max_unconfirmed})
    assert webhook.headers == [alert.key] * backoff.max_unconfirmed
    assert (report.refused, report.unconfirmed, report.failed) == (0, 3, 1)
    assert alert.status == FAILED and alert.last_error is not None
    assert "no answer within 0.2 s" in alert.last_error and "may have it" in alert.last_error


def test_undeliverable_alerts_show_as_failed_and_can_be_retried(
    tmp_path: Path, webhook: Webhook
) -> None:
    store = open_store(tmp_path)
    fill(store, rules_text(webhook.url), 2)
    webhook.statuses = [500] * 4
    backoff = Backoff(first=timedelta(seconds=0.05), max_attempts=2)
    report = sender(store, backoff=backoff).run(wait=5)
    assert report.failed == 2 and status_counts(store.engine)[FAILED] == 2
    data = ["--data-dir", str(tmp_path)]
    listing = tinlaodong("alerts", "status", "--json", *data)
    assert listing.returncode == 0, listing.stderr
    rows = [json.loads(line) for line in listing.stdout.splitlines()]
    assert [r["status"] for r in rows] == [FAILED, FAILED]
    assert "500" in rows[0]["last_error"] or "Internal Server Error" in rows[0]["last_error"]
    assert "2 failed" in tinlaodong("alerts", "status", *data).stdout
    assert tinlaodong("alerts", "retry", str(rows[0]["id"]), *data).returncode == 0
    assert status_counts(store.engine) == {PENDING: 1, FAILED: 1, DELIVERED: 0}
    sent = tinlaodong("alerts", "send", *data)
    assert sent.returncode == 0, sent.stderr
    assert status_counts(store.engine) == {PENDING: 0, FAILED: 1, DELIVERED: 1}
    assert webhook.keys()[rows[0]["idempotency_key"]] == 3  # 2 refused, then accepted


def test_digest_sends_one_message_per_period(tmp_path: Path, webhook: Webhook) -> None:
    store = open_store(tmp_path)
    fill(store, rules_text(webhook.url, extra="    digest: hourly\n"), 3)
    assert sender(store).run().messages == 0  # the hour is not over
    later = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=1)
    report = sender(store, clock=lambda: later).run()
    assert (report.messages, report.delivered) == (1, 3)
    (digest,) = webhook.received
    assert digest["kind"] == "digest" and len(digest["items"]) == 3
    assert {i["idempotency_key"] for i in digest["items"]} == {a.key for a in alerts(store)}
    assert "3 new stories" in digest["title"]
    assert sender(store, clock=lambda: later).run().messages == 0


def test_a_site_health_alert_once_per_streak(tmp_path: Path, webhook: Webhook) -> None:
    store = open_store(tmp_path)
    rules = parse_rules(
        f"rules:\n  - id: down\n    health: unhealthy\n    notify: [{webhook.url}]\n"
    )

    def crawl(at: datetime, healthy: bool) -> None:
        health = Health(healthy, None if healthy else "the listing yields no links")
        store.record_crawl([CrawlRecord("qn", at, at, 1, 0, 0, 0, False, health=health)])

    crawl(NOW, True)
    assert queue_health_alerts(store, rules.health_rules) == 0
    crawl(NOW + timedelta(hours=3), False)
    crawl(NOW + timedelta(hours=6), False)
    assert queue_health_alerts(store, rules.health_rules) == 1
    assert queue_health_alerts(store, rules.health_rules) == 0  # the same streak
    sender(store).run()
    (message,) = webhook.received
    assert message["kind"] == "unhealthy" and message["site"]["id"] == "qn"
    assert "no links" in message["message"]
    crawl(NOW + timedelta(hours=9), True)
    crawl(NOW + timedelta(hours=12), False)
    assert queue_health_alerts(store, rules.health_rules) == 1  # a new streak


def test_silent_site_alert(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    rules = parse_rules(
        "rules:\n  - id: quiet\n    health: {silent_days: 3}\n    notify: [json://h/]\n"
    )
    start = datetime.now(UTC) - timedelta(days=5)
    store.record_crawl([CrawlRecord("qn", start, start, 1, 0, 0, 0, False)])
    store.record_crawl(
        [CrawlRecord("qn", start + timedelta(days=4), start + timedelta(days=4), 1, 0, 0, 0, False)]
    )
    assert queue_health_alerts(store, rules.health_rules) == 1
    (alert,) = alerts(store)
    assert alert.kind == "silent" and alert.details and alert.details["site_id"] == "qn"


def test_alerts_test_lists_matches_without_sending(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    for n in range(2):
        store.add_article("qn", f"https://qn.example/{n}", article(body(n), f"Thi đua {n}"))
    store.add_article(
        "cm", "https://cm.example/x", article("Cà Mau tổ chức hội thao " * 5, "Hội thao")
    )
    rules = tmp_path / "watch.yaml"
    rules.write_text(rules_text("json://127.0.0.1:9/hook"), encoding="utf-8")
    tested = tinlaodong("alerts", "test", str(rules), "--json", "--data-dir", str(tmp_path))
    assert tested.returncode == 0, tested.stderr
    (row,) = [json.loads(line) for line in tested.stdout.splitlines()]
    assert sorted(s["title"] for s in row["stories"]) == ["Thi đua 0", "Thi đua 1"]
    assert alerts(store) == []


# -- kill -9 -----------------------------------------------------------------------------------


def run_sender(data_dir: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aggregator.cli.main",
            "alerts",
            "send",
            "--data-dir",
            str(data_dir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )


def test_killing_the_sender_loses_nothing_and_repeats_only_with_the_same_key(
    tmp_path: Path, webhook: Webhook, mailbox: Mailbox
) -> None:
    store = open_store(tmp_path)
    fill(store, rules_text(webhook.url, mailbox.url), 16)
    keys = Counter(a.key for a in alerts(store))
    # A slow receiver: it has the message (and counts it) a while before it answers, so a
    # kill can fall between its acceptance and the sender's record of it.
    webhook.delay = 0.15
    rng = random.Random(5)
    kills = 0
    deadline = time.monotonic() + 45
    while status_counts(store.engine)[PENDING] and kills < 15 and time.monotonic() < deadline:
        seen = len(webhook.received) + len(mailbox.messages)
        process = run_sender(tmp_path)
        wanted = seen + rng.randint(1, 3)
        while process.poll() is None and len(webhook.received) + len(mailbox.messages) < wanted:
            time.sleep(0.005)
        time.sleep(rng.choice([0.0, 0.02, 0.05, 0.1, 0.2]))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=30)
    assert kills >= 10
    final = run_sender(tmp_path)
    assert final.wait(timeout=60) == 0
    assert status_counts(store.engine) == {PENDING: 0, FAILED: 0, DELIVERED: 16}
    # Nothing missing; repeats carry an alert's key (so a receiver drops them), at most one
    # per kill (one message is in flight at a time).
    for received in (webhook.keys(), mailbox.keys()):
        assert set(received) == set(keys)
    repeats = sum(n - 1 for n in webhook.keys().values()) + sum(
        n - 1 for n in mailbox.keys().values()
    )
    assert repeats <= kills
    print(
        f"kill -9: {kills} kills, {len(webhook.received)} webhook posts, "
        f"{len(mailbox.messages)} mails for 16 alerts, {repeats} repeats"
    )


def test_thousands_of_rules_each_match_their_own_stories(tmp_path: Path) -> None:
    """A rules file of thousands of rules (well under the size cap) is read once a story for
    all of them: it was read once a rule, and a crawl stopped for a minute a story. Each rule
    still matches exactly what it would alone."""
    lines = ["rules:"]
    for n in range(3000):
        query = f"a{n}" if n % 3 else f'"thi đua" a{n} -"{n} ngày"'
        lines.append(f"  - {{id: r{n}, query: '{query}', notify: ['json://127.0.0.1:9/x']}}")
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    many = Matcher(load_rules(rules_file))
    story = StoryFacts("Phát động thi đua a3 a4", "Mục tiêu a6 và a9; a12 trong 12 ngày.", ("x",))
    matched = [rule.id for rule in many.matching(story)]
    assert matched == ["r3", "r4", "r6", "r9"]  # a12 is left out by its own "12 ngày"
    for rule in many.rules[:40]:  # and each agrees with a matcher of that rule alone
        assert (rule in Matcher([rule]).matching(story)) == (rule.id in matched)
