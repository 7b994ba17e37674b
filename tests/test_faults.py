"""Faults are told by exception type (and the driver's error code), never by message text."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.exceptions import DownloadFailedError, DownloadTimeoutError, IgnoreRequest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert
from sqlalchemy.exc import IntegrityError, OperationalError
from twisted.internet.error import ConnectionDone, ConnectionLost
from twisted.python.failure import Failure
from twisted.web.client import ResponseFailed, ResponseNeverReceived

from aggregator.exceptions import RedirectLoop
from aggregator.faults import fetch_fault, lost_race


def raised_from(error: Exception, cause: Exception) -> Exception:
    try:
        raise error from cause
    except Exception as exc:  # noqa: BLE001 - the point is to keep what was raised
        return exc


def test_a_connection_closed_before_an_answer_is_a_reset() -> None:
    # What Scrapy lets through when the server hangs up before answering.
    assert fetch_fault(ResponseNeverReceived([Failure(ConnectionDone())])) == "connection_reset"


def test_a_connection_lost_midway_is_a_reset_through_scrapys_wrapper() -> None:
    lost = ResponseFailed([Failure(ConnectionLost())])
    assert fetch_fault(raised_from(DownloadFailedError(str(lost)), lost)) == "connection_reset"


def test_a_message_naming_a_connection_fault_is_not_one() -> None:
    assert fetch_fault(DownloadFailedError("ConnectionLost ConnectionDone")) == "fetch_failed"


def test_the_fault_of_the_exception_itself_comes_first() -> None:
    timeout = raised_from(DownloadTimeoutError("took too long"), ConnectionLost())
    assert fetch_fault(timeout) == "timeout"


def test_our_refusals_are_named_by_the_type_they_are_raised_from() -> None:
    loop = raised_from(IgnoreRequest("a -> b -> a"), RedirectLoop("a -> b -> a"))
    assert fetch_fault(loop) == "redirect_loop"
    assert fetch_fault(IgnoreRequest("redirect loop: a -> b -> a")) == "refused"


def test_scrapys_own_refusals_are_named_by_their_reason() -> None:
    # Scrapy's RobotsTxtMiddleware raises a bare IgnoreRequest: its reason is all there is.
    assert fetch_fault(IgnoreRequest("Forbidden by robots.txt")) == "robots_disallowed"


def integrity_error(insert_twice: bool) -> IntegrityError:
    engine = create_engine("sqlite://")
    table = Table(
        "t", MetaData(), Column("id", Integer, primary_key=True), Column("v", String, unique=True)
    )
    table.metadata.create_all(engine)
    rows = [{"id": 1, "v": "a"}, {"id": 2, "v": "a" if insert_twice else None}]
    try:
        with engine.begin() as conn:
            for row in rows:
                conn.execute(insert(table), row)
            conn.exec_driver_sql("INSERT INTO t (id, v) VALUES (1, 'b')")
    except IntegrityError as exc:
        return exc
    finally:
        engine.dispose()
    pytest.fail("no IntegrityError")


def test_a_unique_key_taken_by_another_writer_is_a_lost_race() -> None:
    assert lost_race(integrity_error(insert_twice=True))  # the unique value
    assert lost_race(integrity_error(insert_twice=False))  # the primary key


def test_a_database_busy_with_another_writer_is_a_lost_race(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'busy.sqlite3'}"
    holder = create_engine(url)
    waiter = create_engine(url, connect_args={"timeout": 0})
    try:
        with holder.begin() as held:
            held.exec_driver_sql("CREATE TABLE t (v TEXT)")
            held.exec_driver_sql("INSERT INTO t VALUES ('a')")  # holds the write lock
            with pytest.raises(OperationalError) as busy, waiter.begin() as conn:
                conn.exec_driver_sql("CREATE TABLE u (v TEXT)")
    finally:
        holder.dispose()
        waiter.dispose()
    assert lost_race(busy.value)


def test_other_errors_are_not_races() -> None:
    assert not lost_race(ValueError("UNIQUE constraint failed: database is locked"))
    assert not lost_race(None)
