# nullsight: `make demo` sets everything up on a fresh machine and writes results/demo/report.html;
# `make test` runs the test suite (what CI runs).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
NS := $(VENV)/bin/nullsight
DEMO_MODELS := nullsight:mlp torchvision:alexnet torchvision:resnet50 timm:deit_tiny_patch16_224 torchvision:lraspp_mobilenet_v3_large

.PHONY: demo test install data table2 bench readme clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[attacks,test]"
	touch $@

install: $(VENV)/.installed

data: install
	$(NS) data fetch mnist fashion-mnist

demo: install data
	$(NS) audit $(DEMO_MODELS) --seed 0 --quiet --format json --out results/demo/audit.json
	$(NS) report results/demo/audit.json --out results/demo/report.html --title "nullsight demo"
	@echo "open results/demo/report.html"

test: install
	$(PY) -m pytest; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$rc

table2: install
	$(NS) audit --table2 --seed 0 --quiet --format markdown

bench: install
	$(PY) benchmarks/audit.py

readme: install
	$(PY) tools/readme_tables.py

clean:
	rm -rf results/demo build dist src/*.egg-info
