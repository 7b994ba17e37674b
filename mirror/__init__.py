"""The offline mirror: realistic static copies of the sites tinlaodong crawls, served on loopback.

``mirror.build.build_mirror`` renders the sites, ``mirror.server.MirrorServer`` serves them and
writes a site registry for them, ``mirror.expected`` says what a crawl should find there, and
``python -m mirror`` does all of it by hand.
"""
