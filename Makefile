# Every target installs what it needs into .venv first (python3 -m venv + pip).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo run test lint typecheck fuzz bench bench-fields bench-topics bench-quick bench-real bench-tools bench-scale bench-memory clean

$(STAMP): pyproject.toml
	@# Debian's Chromium drives the web page's browser tests (playwright cannot download one).
	@command -v chromium >/dev/null 2>&1 || { if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; else echo "note: apt-get install -y chromium for the browser tests"; fi; }
	@# newsboat, a real feed reader, reads the feeds in tests/test_newsboat.py.
	@command -v newsboat >/dev/null 2>&1 || { if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq newsboat || { apt-get update -qq && apt-get install -y -qq newsboat; } || true; else echo "note: apt-get install -y newsboat for the feed reader tests"; fi; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## demo: serve the offline mirror, crawl it, write the feeds, serve them until Ctrl-C
demo: install
	$(BIN)/tinlaodong demo

## run: the main job against the real sites of the registry
run: install
	$(BIN)/tinlaodong crawl

## test: lint (ruff, import layers), type-check and the whole test suite, on TEST_PROCESSES
## processes (pytest-xdist: most tests wait on subprocesses and sockets, so a second process
## shortens the run even on two cores; TEST_PROCESSES=0 runs it in this one)
TEST_PROCESSES ?= 2
test: install lint typecheck
	$(BIN)/pytest -q -n $(TEST_PROCESSES)

## lint: ruff, and the layers of docs/architecture.md (import-linter contracts in pyproject.toml)
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

## fuzz: the property tests with thousands of examples each (the default run uses a few dozen)
fuzz: install
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q tests/test_fuzz.py tests/test_fuzz_query.py

## bench: extraction speed and quality against bare trafilatura, the fields of real pages
## (bench-fields), topic precision and recall on hand-labelled stories (bench-topics), then the crawl benchmark on 60 generated sites x 170 articles (10,200 article
## pages of 30-120 KB; bench/crawl_bench.py), against bare trafilatura, a download-only Scrapy
## crawl and news-please (own venv), with the re-crawls and feed serving (wrk); then the crawl on
## the real pages of ../shared/corpus (bench-real); about 40 minutes.
## bench-quick: 6 sites x 50 articles
BENCH_NEWSPLEASE := bench/.venv-newsplease/bin/python
bench: install bench-tools
	$(BIN)/python bench/extract_bench.py
	$(BIN)/python bench/fields_bench.py
	$(BIN)/python bench/topics_bench.py
	$(BIN)/python bench/crawl_bench.py --sites 60 --articles 170
	$(BIN)/python bench/real_pages_bench.py

## bench-real: the crawl on the real pages of ../shared/corpus (vn-dev, hanoi-portal-2022,
## fundus-eval), 10 copies of each with a paragraph of body text changed, found through
## sitemaps, against bare trafilatura on the same files, two cores and one
## (bench/real_pages_bench.py, about 7 minutes; BENCH_REAL_ARGS=--quick: 3 copies, 2-4 minutes;
## BENCH_REAL_ARGS="--variants 1 --skip one-core --corpus vn-dev": under a minute)
BENCH_REAL_ARGS ?=
bench-real: install
	$(BIN)/python bench/real_pages_bench.py $(BENCH_REAL_ARGS)

## bench-fields: headline, date, time, author, lead, body start/end and captions on the hand-labelled
## real pages (../shared/corpus; bench/corpus), tinlaodong against bare trafilatura, per CMS family
bench-fields: install
	$(BIN)/python bench/fields_bench.py

## bench-topics: topic tags against the hand labels of bench/corpus/topics-labels.json (mirror,
## hand-written and real pages): precision and recall per topic and overall, dev and held out;
## then the third-party stories of topics-found.json, when TOPICS_FOUND (or the default folder) holds them
bench-topics: install
	$(BIN)/python bench/topics_bench.py

bench-quick: install bench-tools
	$(BIN)/python bench/crawl_bench.py --quick

## bench-tools: wrk (Debian) for the serving figures, news-please in its own venv to compare with
bench-tools:
	@command -v wrk >/dev/null 2>&1 || { if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq wrk || { apt-get update -qq && apt-get install -y -qq wrk; }; else echo "note: apt-get install -y wrk for the serving figures"; fi; }
	@test -x $(BENCH_NEWSPLEASE) || { $(PYTHON) -m venv bench/.venv-newsplease && bench/.venv-newsplease/bin/pip install --quiet news-please || echo "note: news-please did not install; the benchmark says so"; }

## bench-scale: store+dedup cost per article and search latency at 10k, 100k and 1M stored
## stories (SQLite; bench/scale_bench.py --quick: 10k and 30k; --postgres: PostgreSQL too)
bench-scale: install
	$(BIN)/python bench/scale_bench.py

## bench-memory: peak memory of a crawl of 10,200 article pages (bench/memory_bench.py)
bench-memory: install
	$(BIN)/python bench/memory_bench.py

clean:
	rm -rf $(VENV) var
