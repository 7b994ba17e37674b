"""The sites of the mirror: who they pretend to be and which CMS family renders them."""

from __future__ import annotations

from dataclasses import dataclass

from mirror.templates.common import SiteChrome
from mirror.urls import (
    BAODANSINH_LISTING,
    LIFERAY7_LISTING,
    LIFERAY_LISTING,
    SHAREPOINT_LISTING,
    WEBSPHERE_LISTING,
    WORDPRESS_LISTING,
)


@dataclass(frozen=True)
class SiteSpec:
    id: str
    profile: str | None  # the CMS profile that reads it ("liferay", "websphere", ...), or None
    start_paths: tuple[str, ...]
    chrome: SiteChrome
    # Liferay editors differ: some put captions in an italic paragraph, some in a table.
    table_captions: bool = False


SPECS: tuple[SiteSpec, ...] = (
    SiteSpec(
        id="mirror-quangtri",
        profile="liferay",
        start_paths=(LIFERAY_LISTING,),
        chrome=SiteChrome(
            name="Sở LĐ-TB&XH tỉnh Quảng Trị",
            province="Quảng Trị",
            address="Số 20 Hùng Vương, thành phố Đông Hà, tỉnh Quảng Trị",
            phone="0233 3852 549",
            email="sldtbxh@quangtri.gov.vn",
        ),
    ),
    SiteSpec(
        id="mirror-bacgiang",
        profile="liferay",
        start_paths=(LIFERAY_LISTING,),
        chrome=SiteChrome(
            name="Sở LĐ-TB&XH tỉnh Bắc Giang",
            province="Bắc Giang",
            address="Số 52 Nguyễn Văn Cừ, thành phố Bắc Giang, tỉnh Bắc Giang",
            phone="0204 3854 441",
            email="sldtbxh@bacgiang.gov.vn",
            visitors_online=5,
            visitors_today=231,
            visitors_total="1.204.385",
        ),
        table_captions=True,
    ),
    SiteSpec(
        id="mirror-baodansinh",
        profile="baodansinh",
        start_paths=(BAODANSINH_LISTING,),
        chrome=SiteChrome(
            name="Báo Dân sinh",
            province="Toàn quốc",
            address="51 Hàng Bồ, quận Hoàn Kiếm, Hà Nội",
            phone="024 3933 2358",
            email="baodansinh@baodansinh.vn",
        ),
    ),
    SiteSpec(
        id="mirror-generic",
        profile=None,
        start_paths=("/",),
        chrome=SiteChrome(
            name="Sở Nội vụ tỉnh Lai Châu",
            province="Lai Châu",
            address="Khu hành chính - chính trị tỉnh, phường Đông Phong, thành phố Lai Châu",
            phone="0213 3876 528",
            email="snv@laichau.gov.vn",
        ),
    ),
    SiteSpec(
        id="mirror-liferay7",
        profile="liferay7",
        start_paths=(LIFERAY7_LISTING,),
        chrome=SiteChrome(
            name="Sở Nội vụ thành phố Hà Nội",
            province="Hà Nội",
            address="Số 18B Lê Thánh Tông, phường Phan Chu Trinh, quận Hoàn Kiếm, Hà Nội",
            phone="024 3825 3587",
            email="sonoivu@hanoi.gov.vn",
            visitors_online=14,
            visitors_today=1268,
            visitors_total="8.915.402",
        ),
    ),
    SiteSpec(
        id="mirror-websphere",
        profile="websphere",
        start_paths=(WEBSPHERE_LISTING,),
        chrome=SiteChrome(
            name="Sở Lao động - Thương binh và Xã hội tỉnh Cà Mau",
            province="Cà Mau",
            address="Số 77 Phan Ngọc Hiển, phường 5, thành phố Cà Mau, tỉnh Cà Mau",
            phone="0290 3831 237",
            email="sldtbxh@camau.gov.vn",
            visitors_online=3,
            visitors_today=142,
            visitors_total="2.306.118",
        ),
    ),
    SiteSpec(
        id="mirror-sharepoint",
        profile="sharepoint",
        start_paths=(SHAREPOINT_LISTING,),
        chrome=SiteChrome(
            name="Sở Lao động - Thương binh và Xã hội tỉnh Đồng Tháp",
            province="Đồng Tháp",
            address="Số 08 Võ Trường Toản, phường 1, thành phố Cao Lãnh, tỉnh Đồng Tháp",
            phone="0277 3851 214",
            email="sldtbxh@dongthap.gov.vn",
            visitors_online=6,
            visitors_today=318,
            visitors_total="1.587.230",
        ),
    ),
    SiteSpec(
        id="mirror-wordpress",
        profile="wordpress",
        start_paths=(WORDPRESS_LISTING,),
        chrome=SiteChrome(
            name="Tạp chí Lao động và Xã hội",
            province="Toàn quốc",
            address="Số 2 Đinh Lễ, quận Hoàn Kiếm, Hà Nội",
            phone="024 3734 2638",
            email="toasoan@laodongxahoi.vn",
        ),
    ),
)


def spec_for(site_id: str) -> SiteSpec:
    for spec in SPECS:
        if spec.id == site_id:
            return spec
    raise KeyError(f"no mirror site {site_id!r}")
