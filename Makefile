# VoiceGate — the two commands are `make run` and `make test`; both install what they need.
SHELL := /bin/bash
SWIFT ?= swift
# Debian packages the project needs to build, run, test, benchmark and evaluate.
APT_PACKAGES := pkg-config libopus-dev libespeak-ng-dev espeak-ng sox libsqlite3-dev \
                libspandsp-dev libasound2-dev alsa-utils python3 python3-venv sip-tester \
                baresip-core chromium chromium-driver
RELEASE_BIN := .build/release/voicegate
CORPUS_SEED_TUNE ?= 1001
CORPUS_SEED_REPORT ?= 1002
SHARED ?= ../shared
VENV := var/venv

.PHONY: setup build release run demo test bench bench-load eval train-keywords eval-keywords clean

## setup: install every Debian package the project needs (idempotent, quiet).
setup:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "setup: installing$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release

## run: the SIP gateway on its embedded defaults (UDP 127.0.0.1:5060, Config/, Prompts/, var/).
run: release
	$(RELEASE_BIN) check-config
	$(RELEASE_BIN) serve

## demo: one whole call offline through `voicegate simulate`, with a readable timeline.
demo: release
	@bash scripts/run-demo.sh $(RELEASE_BIN)

## test: everything the project checks, from a fresh clone.
test: setup
	$(SWIFT) build --build-tests
	VOICEGATE_REQUIRE_BROWSER=1 $(SWIFT) test --skip-build --skip RecordsKillUnderLoadTests
	# The kill -9 load test runs alone: its sipp load and its timing need the cores to itself.
	$(SWIFT) test --skip-build --filter RecordsKillUnderLoadTests

## bench: speed of the front end against the C anchors, then the SIP/RTP load (see BENCHMARKS.md).
bench: release $(VENV)/.ok
	bash bench/run-bench.sh $(RELEASE_BIN)
	bash bench/run-load.sh $(RELEASE_BIN)

## bench-load: only the SIP/RTP load on loopback (sipp 100 calls/s, concurrent RTP calls, latency).
bench-load: release
	bash bench/run-load.sh $(RELEASE_BIN)

## eval: accuracy on the labelled corpus (tune seed $(CORPUS_SEED_TUNE), report seed $(CORPUS_SEED_REPORT)).
eval: release $(VENV)/.ok
	bash eval/run-eval.sh $(RELEASE_BIN) $(SHARED) $(CORPUS_SEED_REPORT)
	bash eval/run-kws-eval.sh $(RELEASE_BIN) $(SHARED) $(CORPUS_SEED_REPORT)

## train-keywords: espeak-ng training speech and the keyword models (Models/keywords-en.json, keywords-zh.json; KWS_LANGUAGES=zh for one).
train-keywords: setup
	bash scripts/keywords/train-keywords.sh

## eval-keywords: keyword spotting accuracy, VoiceGate and PocketSphinx, on the report seed.
eval-keywords: release $(VENV)/.ok
	bash eval/run-kws-eval.sh $(RELEASE_BIN) $(SHARED) $(CORPUS_SEED_REPORT)

$(VENV)/.ok: eval/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -r eval/requirements.txt
	touch $@

clean:
	rm -rf .build var/cache
