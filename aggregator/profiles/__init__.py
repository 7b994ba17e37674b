"""Page objects per CMS family: what each knows about its article and listing pages.

Public surface: :func:`get_profile`, :func:`detect_profile`, :class:`Profile`,
:class:`PageData`, :class:`ArticlePage`, :class:`ListingPage`.
"""

from aggregator.profiles.base import ArticlePage, ListingPage, Profile
from aggregator.profiles.pagedata import PageData
from aggregator.profiles.registry import PROFILES, detect_profile, get_profile

__all__ = [
    "PROFILES",
    "ArticlePage",
    "ListingPage",
    "PageData",
    "Profile",
    "detect_profile",
    "get_profile",
]
