"""The web app: a page to browse the stories, saved searches as feeds, health and metrics."""

from feeds.web.app import WebApp
from feeds.web.server import WebServer

__all__ = ["WebApp", "WebServer"]
