"""The content-management systems a site's evidence can show, and the profile each implies.

The one place that says which profile follows from a CMS. A registry entry's ``evidence`` names
a CMS where public material or a ``sites check`` showed one; its ``profile`` must agree.

Liferay's generations share their URL shapes: ``/documents/<n>/...``, ``/web/guest`` and
``/c/document_library/`` exist in 6.2 and in 7 alike, so ``liferay`` (the family, generation not
seen) implies no one profile: the entry may name either, or none and let detection choose per
page (it tells them apart by the ``/o/`` resources only Liferay 7 serves). Naming the wrong one
would be worse than none, since a registry's profile is trusted over the page's markup.
``/-/view_content/<id>-<slug>.html`` is the department portals' 6.2 asset-publisher URL (the
``liferay`` profile's article URL), and a page's markup seen by ``sites check`` tells the
generation: those are ``liferay6`` and ``liferay7``.
"""

from __future__ import annotations

# cms -> the profile it implies (None: no single one).
CMS_PROFILE: dict[str, str | None] = {
    "liferay": None,
    "liferay6": "liferay",
    "liferay7": "liferay7",
    "websphere": "websphere",
    "sharepoint": "sharepoint",
    "wordpress": "wordpress",
    "other": None,
}
CMS_NAMES = tuple(CMS_PROFILE)
CMS_LABELS = {
    "liferay": "Liferay",
    "liferay6": "Liferay 6.2",
    "liferay7": "Liferay 7",
    "websphere": "WebSphere Portal",
    "sharepoint": "SharePoint",
    "wordpress": "WordPress",
    "other": "another CMS",
}
# Profiles written for one site, not a CMS family: any "other" CMS may be read by one.
SITE_PROFILES = frozenset({"baodansinh"})
_FAMILY: dict[str, frozenset[str | None]] = {
    "liferay": frozenset({None, "liferay", "liferay7"}),
    "other": frozenset({None, *SITE_PROFILES}),
}
# A 6.2 article URL of the department portals, where the evidence shows one.
LIFERAY6_PATH = "/-/view_content/"


def profile_for(cms: str) -> str | None:
    """The profile a site of ``cms`` is read with; None where the CMS does not say which."""
    return CMS_PROFILE[cms]


def profiles_allowed(cms: str) -> frozenset[str | None]:
    """The profiles (None: none named) an entry whose evidence shows ``cms`` may have."""
    return _FAMILY.get(cms, frozenset({CMS_PROFILE[cms]}))


def cms_of_profile(profile: str) -> str:
    """The CMS a page recognised by ``profile`` (detection's choice) runs on."""
    if profile == "liferay":
        return "liferay6"
    return profile if profile in CMS_PROFILE else "other"
