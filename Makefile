# Callbox: set-up, run, test. `make run` and `make test` each install what they need
# on a fresh Debian 12 machine (as root); a second run rebuilds nothing unchanged.

SHELL := /bin/bash
PYTHON_SYS := /usr/bin/python3
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := $(VENV)/.stamps
PJSUA2_CACHE ?= /var/cache/callbox/pjsua2
export PJSUA2_CACHE

# Debian packages: the pjproject build, the Python build, the SIP edge, the
# real peers the tests talk to, and espeak-ng (speech for the DTMF talk-off test
# and spoken prompts). Prompts: the recorded sets per language, sox (with MP3,
# Ogg Vorbis and FLAC) to convert uploads, tzdata for time conditions. chromium:
# the web panel's browser test (driven by Playwright; no browser is downloaded).
APT_PACKAGES := \
	build-essential pkg-config curl ca-certificates xz-utils \
	python3 python3-venv python3-dev libsystemd-dev \
	swig libssl-dev libopus-dev uuid-dev libgsm1-dev libspeex-dev libspeexdsp-dev libsrtp2-dev \
	sqlite3 sip-tester iproute2 systemd \
	kamailio kamailio-sqlite-modules kamailio-tls-modules asterisk-moh-opsound-wav \
	espeak-ng \
	asterisk-core-sounds-en-wav asterisk-core-sounds-fr-wav asterisk-core-sounds-es-wav \
	asterisk-core-sounds-it-wav asterisk-core-sounds-ru-wav \
	sox libsox-fmt-base libsox-fmt-mp3 tzdata \
	chromium openssl

PYTEST_ARGS ?=

.PHONY: all setup run test lint bench clean distclean pjsua2

all: setup

setup: $(STAMPS)/deps $(STAMPS)/pjsua2

# Installs only what is missing, so a second run does not touch apt. It runs
# before the venv exists: python3-venv is one of the packages.
$(STAMPS)/apt: Makefile
	@mkdir -p $(STAMPS)
	@missing=$$(dpkg-query -W -f='$${db:Status-Status} $${Package}\n' $(APT_PACKAGES) 2>/dev/null \
	    | awk '$$1=="installed"{print $$2}' | sort | comm -13 - <(tr ' ' '\n' <<<"$(APT_PACKAGES)" | grep . | sort)); \
	if [ -n "$$missing" ]; then \
	    echo "installing Debian packages:" $$missing; \
	    [ "$$(id -u)" = 0 ] || { echo "run as root to install Debian packages" >&2; exit 1; }; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@touch $@

$(PY): | $(STAMPS)/apt
	$(PYTHON_SYS) -m venv $(VENV)

$(STAMPS)/pip: $(PY)
	$(PY) -m pip install -q --upgrade pip setuptools wheel
	@touch $@

# The appliance build of pjsua2: compiled once per source and recipe, cached
# outside the tree (PJSUA2_CACHE), then installed into the venv.
$(STAMPS)/pjsua2: $(STAMPS)/pip image_build/pjsua2/build.sh image_build/pjsua2/config_site.h
	wheel=$$(image_build/pjsua2/build.sh $(abspath $(PY))) && [ -f "$$wheel" ] && \
	    $(PY) -m pip install -q --force-reinstall --no-deps "$$wheel"
	@touch $@

pjsua2: $(STAMPS)/pjsua2

$(STAMPS)/deps: $(STAMPS)/pip pyproject.toml
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

# Exit status 75: the box asked to be started again (a restore, a factory reset, or a reboot
# where no reboot command is configured), as systemd's Restart=always does on the appliance.
run: setup
	@while :; do $(VENV)/bin/callbox run $(RUN_ARGS); status=$$?; \
	    [ $$status = 75 ] || exit $$status; echo "callbox: starting again (exit status 75)"; done

lint: $(STAMPS)/deps
	$(VENV)/bin/ruff check firmware board pbx webui tests hil_tests .ci
	$(VENV)/bin/ruff format --check firmware board pbx webui tests hil_tests .ci
	$(VENV)/bin/lint-imports --no-cache
	$(PY) .ci/size_budget.py firmware board pbx webui

test: setup lint
	$(PY) -m pytest $(PYTEST_ARGS)

# Figures, not pass/fail: written to bench-results.json (BENCH_ARGS="--calls 1200 --rate 40").
bench: setup
	$(PY) -m tests.bench --out bench-results.json $(BENCH_ARGS)

clean:
	rm -rf data .pytest_cache .ruff_cache bench-results.json
	find . -name __pycache__ -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
