"""The known profiles, by name, and how a page's profile is chosen."""

from __future__ import annotations

from aggregator.exceptions import ConfigError
from aggregator.profiles import (
    baodansinh,
    generic,
    liferay,
    liferay7,
    sharepoint,
    websphere,
    wordpress,
)
from aggregator.profiles.base import Profile
from aggregator.profiles.pagedata import PageData

# Tried in this order when recognising markup. Liferay 7 pages also carry 6.2's portlet ids,
# so liferay7 (which needs /o/ resources) goes before liferay; generic recognises everything,
# so it is last.
PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        baodansinh.PROFILE,
        liferay7.PROFILE,
        liferay.PROFILE,
        websphere.PROFILE,
        sharepoint.PROFILE,
        wordpress.PROFILE,
        generic.PROFILE,
    )
}
GENERIC = generic.PROFILE


def get_profile(name: str) -> Profile:
    """The profile called ``name``; ConfigError naming the known ones otherwise."""
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise ConfigError(f"unknown profile {name!r} (known: {known})") from None


def detect_profile(page: PageData, hint: str | None = None) -> Profile:
    """The profile for a page: ``hint`` if given, else the first recognising its markup.

    ``hint`` comes from the site registry entry of the page's host or from ``--profile``; a
    hint is trusted over markup. The page's URL plays no part: matching hosts is the site
    registry's job.
    """
    if hint:
        return get_profile(hint)
    for profile in PROFILES.values():
        if profile is not GENERIC and profile.recognise(page):
            return profile
    return GENERIC
