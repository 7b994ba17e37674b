"""What ``sites check`` saw, as a report file, and that report applied to a registry file.

The report (JSON, or YAML for a ``.yaml``/``.yml`` name) holds the day of the check and one
:class:`~aggregator.app.sitecheck.CheckResult` per site. Applied, a site that answered (2xx,
directly or after redirects) gets a confirming evidence item ``sites check <day>: answered
...`` (replacing an older one of a check), ``confirmed: true`` and the profile its markup was
recognised by; one permanently redirected on its own host (http to https, a new home path)
starts where the redirects ended. A site whose redirects were all permanent and ended on
another host moved: its start URLs go to the new host (old host kept in ``notes``), or, where
another entry already has that host (a department redirecting to the home-affairs department
that took it over), it becomes ``status: moved`` with ``moved_to``. A dead or refused site is
left as it is: one failed look proves nothing. Only the changed entries' lines are rewritten
(:mod:`aggregator.registry_edit`). A result is not applied when it is for another URL than the
entry's start URL, ends (reachable or redirected) at an address the check refuses, off
``.gov.vn``, at no http(s) URL or one with userinfo, is a redirect with a dead or missing end,
ends on a URL the same report sees redirecting away (a chain: applied once that move is), or
would break the registry's rules (:mod:`aggregator.registry_rules`); the rest of the report
still is. Applies take turns on a lock of the registry's directory.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import yaml

from aggregator import registry_rules, yamlfile
from aggregator.app.sitecheck import OUTCOMES, CheckResult
from aggregator.cms import CMS_LABELS, CMS_NAMES
from aggregator.exceptions import ConfigError
from aggregator.hosts import classify
from aggregator.registry import CHECK_WHERE, Registry, Site, load_registry, parse_registry
from aggregator.registry_edit import update_entries
from aggregator.urls import site_host


@dataclass(frozen=True)
class Report:
    checked: str  # the day of the check, YYYY-MM-DD (UTC)
    results: tuple[dict[str, Any], ...]
    source: str = "the check"  # the report file, named in a result's refusal


def write_report(path: Path, results: Iterable[CheckResult], checked: str) -> None:
    data = {"checked": checked, "sites": [r.to_dict() for r in results]}
    if _is_yaml(path):
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    else:
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    _write(path, text)


def read_report(path: Path) -> Report:
    try:
        text = yamlfile.read_text(path)
        data = yamlfile.safe_load(text, path) if _is_yaml(path) else json.loads(text)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such report file") from None
    except yaml.YAMLError as exc:
        where, problem = yamlfile.error_place(exc, path)
        raise ConfigError(f"{where}: not a sites check report: {problem}") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"{path}: not a sites check report: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: not a sites check report (no 'sites' list of results)")
    rows = data.get("sites")
    if not isinstance(rows, list) or not all(isinstance(r, dict) and "id" in r for r in rows):
        raise ConfigError(f"{path}: not a sites check report (no 'sites' list of results)")
    for number, row in enumerate(rows, start=1):
        if "url" not in row or "outcome" not in row:
            raise ConfigError(f"{path}: site #{number}: not a check's result (no url or outcome)")
        if any(isinstance(v, str) and ("\n" in v or "\r" in v) for v in row.values()):
            raise ConfigError(f"{path}: site #{number}: a value with a line break")
        _known_names(row, f"{path}: site #{number}")
        _known_values(row, f"{path}: site #{number}")
    checked = str(data.get("checked"))
    if not _DAY_RE.match(checked) or not _is_day(checked):
        raise ConfigError(f"{path}: 'checked' is not a day (YYYY-MM-DD): {checked!r}")
    return Report(checked, tuple(rows), str(path))


def _known_values(row: dict[str, Any], where: str) -> None:
    """An outcome no check gives, or a status that is no HTTP status, is a report written by
    hand or damaged: the whole report is refused, not guessed at."""
    if row["outcome"] not in OUTCOMES:
        known = ", ".join(OUTCOMES)
        raise ConfigError(f"{where}: outcome {row['outcome']!r} is not one of {known}")
    for key in ("status", "final_status"):
        value = row.get(key)
        if value is not None and (type(value) is not int or not 100 <= value <= 599):
            raise ConfigError(f"{where}: {key} {value!r} is not an HTTP status")


def _known_names(row: dict[str, Any], where: str) -> None:
    """The report's own error for a CMS or profile no check gives, not the registry's."""
    cms, profile = row.get("cms"), row.get("profile")
    if cms is not None and cms not in CMS_NAMES:
        raise ConfigError(f"{where}: cms {cms!r} is not one of {', '.join(CMS_NAMES)}")
    if profile is not None:
        from aggregator.profiles import get_profile  # lxml and trafilatura: only when needed

        try:
            get_profile(str(profile))
        except Exception as exc:  # ConfigError naming the known profiles
            raise ConfigError(f"{where}: {exc}") from None


_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _is_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Applied:
    site_id: str
    changed: bool
    text: str  # what was done, in a few words


def apply_report(registry_path: Path, report: Report) -> list[Applied]:
    """Rewrite the registry file with what the report saw; per site, what was done. Two
    applies at once on one registry take turns: each reads what the other wrote."""
    with _registry_lock(registry_path):
        return _apply_locked(registry_path, report)


@contextmanager
def _registry_lock(registry_path: Path) -> Iterator[None]:
    """An exclusive lock on the registry's directory: the file itself is replaced by each
    write (a lock on it would be on the old file), and a lock file would litter the
    directory."""
    directory = registry_path.resolve().parent
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError as exc:
        raise ConfigError(f"{registry_path}: cannot lock its directory: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # and with it the lock


def _apply_locked(registry_path: Path, report: Report) -> list[Applied]:
    registry = load_registry(registry_path)  # one line for a file that is not a registry
    text = yamlfile.read_text(registry_path)
    changes: dict[str, dict[str, Any]] = {}
    done = []
    # The registry as the results so far leave it: each result is judged against the moves
    # the ones before it made.
    state = {site.id: site for site in registry.sites}
    known = set(state)
    moving = _moving(report)
    for row in report.results:
        site_id = str(row["id"])
        if site_id not in state:
            done.append(Applied(site_id, False, f"not in {registry_path}, skipped"))
            continue
        site = state[site_id]
        refused = _refusal(site, row, report.source)
        if refused:
            done.append(Applied(site_id, False, refused))
            continue
        away = _into_moving(row, moving)
        if away:
            done.append(Applied(site_id, False, (
                f"not applied: redirected to {away}, which the same report sees redirected "
                "away; check again once that move is applied")))
            continue
        change, line = _change(site, row, report.checked, Registry(tuple(state.values())))
        if change:
            broken = registry_rules.broken(site, change, state)
            if broken:
                done.append(Applied(site_id, False, f"not applied: {broken}"))
                continue
            state[site_id] = registry_rules.changed(site, change)
            changes[site_id] = change
        done.append(Applied(site_id, bool(change), line))
    if report.results and all(str(row["id"]) not in known for row in report.results):
        raise ConfigError(f"none of the report's sites is in {registry_path}: nothing changed")
    if changes:
        new_text = update_entries(text, changes, str(registry_path))
        parse_registry(yamlfile.safe_load(new_text, registry_path), registry_path)  # still valid
        _write(registry_path, new_text)
    return done


def _moving(report: Report) -> dict[str, str]:
    """The report's URLs that redirect permanently elsewhere, by the id of their result. A
    result ending on one of them waits for a later check: the outcome does not depend on the
    results' order, nor on whether the other move was applied by an earlier run."""
    found: dict[str, tuple[str, str]] = {}
    for row in report.results:
        url, final = str(row.get("url")), row.get("final_url")
        if (
            row.get("outcome") == "redirected"
            and row.get("permanent")
            and final
            and registry_rules.canonical_url(str(final)) != registry_rules.canonical_url(url)
        ):
            found[str(row["id"])] = (url, str(final))
    # One that ends on another redirecting URL is not a move of its own here: in a chain only
    # the last link moves; in a loop (each to the other) the registry's rules judge.
    return {
        site_id: url
        for site_id, (url, final) in found.items()
        if not any(
            other != site_id and registry_rules.under(final, start)
            for other, (start, _) in found.items()
        )
    }


def _into_moving(row: dict[str, Any], moving: Mapping[str, str]) -> str:
    """The URL of another result that ``row``'s permanent redirect ends under, or ""."""
    final = row.get("final_url")
    if row.get("outcome") != "redirected" or not row.get("permanent") or not final:
        return ""
    for site_id, url in moving.items():
        if site_id != str(row["id"]) and registry_rules.under(str(final), url):
            return url
    return ""


def _refusal(site: Site, row: dict[str, Any], source: str) -> str:
    """Why the result may not be applied to ``site`` at all, or "": a result for another URL
    (a stale report, or one of another registry); one whose end (a reachable page's or a
    redirect's) is an address the check itself refuses, off .gov.vn for a .gov.vn department,
    not an http(s) URL, or missing or dead for a redirect (a hand-made report can say
    anything)."""
    url = str(row.get("url"))
    if url != site.start_urls[0]:
        return f"skipped: the report is for {url}, not its start URL {site.start_urls[0]}"
    outcome = row.get("outcome")
    if outcome not in ("reachable", "redirected"):
        return ""
    final = row.get("final_url") or (url if outcome == "reachable" else None)
    if outcome == "redirected":
        if not final:
            return f"refused: {source}: a redirect with no final_url; nothing changed"
        end = row.get("final_status")
        if type(end) is not int or not 200 <= end < 300:
            return f"unchanged (the redirect to {final} ended in {end}: dead)"
    final = str(final)
    parts = urlsplit(final)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"refused: {source}: final_url {final!r} is not an http(s) URL"
    if parts.username is not None or parts.password is not None:
        return f"refused: {source}: final_url {final!r} holds a user name or password"
    ended = "redirected" if outcome == "redirected" else "answered"
    host = classify(parts.hostname)
    if host.refused and not site.allow_private_network:
        return (
            f"refused: {ended} to {final}, {host.name} is {host.refused} "
            "(the entry has no allow_private_network)"
        )
    if _gov(url) and not _gov(final):
        return f"not applied: {ended} off .gov.vn to {final}; start URL kept, unconfirmed"
    return ""


def _gov(url: str) -> bool:
    return (urlsplit(url).hostname or "").lower().rstrip(".").endswith(".gov.vn")


def _change(
    site: Site, row: dict[str, Any], checked: str, registry: Registry
) -> tuple[dict[str, Any], str]:
    outcome = row.get("outcome")
    if outcome not in ("reachable", "redirected"):
        return {}, f"unchanged ({outcome}: {row.get('reason') or 'no answer'})"
    url = str(row["url"])
    final = registry_rules.canonical_url(str(row.get("final_url") or url))
    # Whether the redirects left the host, judged here: a report's word, or a spelling of the
    # same host (a trailing dot, punycode), is not another host.
    left_host = registry_rules.host_key(final) != registry_rules.host_key(url)
    cms, profile = row.get("cms"), row.get("profile")
    if outcome == "reachable":
        shows = f"answered {row.get('status')} at {url}"
    else:
        kind = "permanent" if row.get("permanent") else "temporary"
        shows = f"answered {row.get('status')} ({kind}) -> {final}, {row.get('final_status')}"
    if outcome == "redirected" and left_host and not row.get("permanent"):
        # A temporary detour: the markup seen is the other host's, not this site's.
        cms = profile = None
        shows += ", on another host: its CMS is not this site's"
    else:
        shows += f", {CMS_LABELS.get(str(cms), str(cms))} markers" if cms else ", no CMS recognised"
    item = {
        "where": f"{CHECK_WHERE}{checked}",
        "shows": shows,
        "strength": "confirms",
        "host": site_host(final),
    }
    if cms:
        item["cms"] = cms
    kept = [e.to_dict() for e in site.evidence if not e.where.startswith(CHECK_WHERE)]
    change: dict[str, Any] = {"evidence": [*kept, item], "confirmed": True}
    done = ["confirmed"]
    if profile and profile != site.profile:
        change["profile"] = profile
        done.append(f"profile {profile}")
    if outcome == "redirected" and row.get("permanent") and left_host and site.status == "moved":
        # Already moved: where it now sends people is where it moved to; its own start URL
        # stays (it is what the redirect is seen from).
        holder = registry_rules.holder(final, registry.sites, site.id)
        if holder is None:
            return {}, f"not applied: moved, and now redirected to {final}, which no entry holds"
        change["moved_to"] = final
        done.append(f"moved to {final} ({holder.id}'s host)")
    elif outcome == "redirected" and row.get("permanent") and left_host:
        done.append(_moved(site, url, final, checked, registry, change))
    elif outcome == "redirected" and row.get("permanent") and final != url:
        # Same host, for good: http to https, / to /vi/trang-chu. The crawl starts there.
        change["start_urls"] = [final if u == url else u for u in site.start_urls]
        done.append(f"start URL {final}")
    now = site.to_dict()
    if all(now.get(key) == value for key, value in change.items()):
        return {}, "unchanged (the registry already says what the report saw)"
    return change, ", ".join(done)


def _moved(
    site: Site, url: str, final: str, checked: str, registry: Registry, change: dict[str, Any]
) -> str:
    old, new = site_host(url), site_host(final)
    holder = registry_rules.holder(final, registry.sites, site.id)
    if holder is not None:
        change["status"] = "moved"
        change["moved_to"] = final
        return f"moved to {final} ({holder.id}'s host)"
    change["start_urls"] = [
        final if u == url else _on_host(u, old, final) for u in site.start_urls
    ]
    note = f"host {old} replaced by {new}: a permanent redirect seen by sites check {checked}"
    change["notes"] = f"{site.notes}; {note}" if site.notes else note
    change["url_source"] = f"sites check {checked}: {url} redirects permanently to {final}"
    return f"host {old} -> {new}"


def _on_host(url: str, old: str, final: str) -> str:
    """``url`` moved to ``final``'s scheme and host if it was on ``old``."""
    if site_host(url) != old:
        return url
    parts, target = urlsplit(url), urlsplit(final)
    return urlunsplit((target.scheme, target.netloc, parts.path, parts.query, parts.fragment))


def _is_yaml(path: Path) -> bool:
    return path.suffix.lower() in (".yaml", ".yml")


def _write(path: Path, text: str) -> None:
    """Written whole or not at all: a registry half written is no registry."""
    path = path.resolve()  # a registry kept through a symlink: the file behind it, link kept
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        if path.exists():
            os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))  # not mkstemp's 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
