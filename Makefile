# lyncposter: `make poster` builds the poster, `make test` runs the suite.
# Each target bootstraps what it needs: the system tools (apt-get when missing)
# and a virtual environment in .venv with lyncposter installed editable.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= workloads
OUT ?= output

# command=Debian package, for tools/ensure-system-packages
RUNTIME_PACKAGES := dot=graphviz /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf=fonts-dejavu-core
TEST_PACKAGES := $(RUNTIME_PACKAGES) pdftotext=poppler-utils pdftoppm=poppler-utils zbarimg=zbar-tools chromium=chromium \
  soffice=libreoffice-draw \
  named-checkzone=bind9-utils openssl=openssl nft=nftables iptables-restore=iptables

.PHONY: poster panels html tiles docs editable test bench lint golden clean system system-test system-bench

SIZE ?= arch-e

poster: $(STAMP) system
	$(BIN)/lyncposter build --data $(DATA) --out $(OUT) --size $(SIZE)
	$(BIN)/lyncposter panels --data $(DATA) --out $(OUT)/panels

html: $(STAMP) system
	$(BIN)/lyncposter html --data $(DATA) --out $(OUT)

tiles: poster
	$(BIN)/lyncposter tile --data $(DATA) --out $(OUT) --paper letter
	$(BIN)/lyncposter tile --data $(DATA) --out $(OUT) --paper a4

# Every panel and the whole sheet as Visio and draw.io drawings, in output/editable/.
editable: $(STAMP) system
	$(BIN)/lyncposter export --data $(DATA) --out $(OUT)/editable --format vsdx
	$(BIN)/lyncposter export --data $(DATA) --out $(OUT)/editable --format drawio

# The data's reference pages in docs/: sources, unconfirmed facts, omissions.
docs: $(STAMP)
	$(BIN)/lyncposter docs --data $(DATA) --out docs

panels: $(STAMP) system
	$(BIN)/lyncposter panels --data $(DATA) --out $(OUT)/panels

# A full build against Graphviz alone on the same panels, in one run.
bench: $(STAMP) system-bench
	$(BIN)/python tools/bench.py --data $(DATA)

# --dist loadfile: each test file runs on one worker from start to end, so a module's browser
# (and the thread it keeps) is gone before another file's tests run there; the tests that fork
# need a worker with no other thread, as lyncposter forks only then.
test: $(STAMP) system-test
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

lint: $(STAMP)
	$(BIN)/python -m mypy

# Refresh the golden DOT and geometry files after a deliberate change; review the diff.
golden: $(STAMP) system
	LYNCPOSTER_ACCEPT=1 $(BIN)/python -m pytest -q tests/test_golden.py

system:
	@tools/ensure-system-packages $(RUNTIME_PACKAGES)

system-bench:
	@tools/ensure-system-packages $(RUNTIME_PACKAGES) chromium=chromium

system-test:
	@tools/ensure-system-packages $(TEST_PACKAGES)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "lyncposter needs Python 3.11 or newer (found $$($(PYTHON) --version 2>&1))" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  rm -rf $(VENV); tools/ensure-system-packages ensurepip-missing=python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

clean:
	rm -rf $(OUT)/panels $(OUT)/editable $(OUT)/*.pdf $(OUT)/*.svg $(OUT)/*.png $(OUT)/*.html
