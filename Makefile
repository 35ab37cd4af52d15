# nullsight: `make demo` sets everything up on a fresh machine and writes results/demo/report.html;
# `make test` runs the test suite (what CI runs).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
NS := $(VENV)/bin/nullsight
DEMO_MODELS := nullsight:mlp torchvision:alexnet torchvision:resnet50 timm:deit_tiny_patch16_224 torchvision:lraspp_mobilenet_v3_large

.PHONY: demo test install data table2 bench readme clean fixtures atlas experiments-stego experiments-collisions reproduce reproduce-quick

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[attacks,test,docs]"
	touch $@

install: $(VENV)/.installed

data: install
	$(NS) data fetch mnist fashion-mnist

DEMO_MLP := results/demo/mlp-mnist.safetensors

demo: install data
	$(NS) audit $(DEMO_MODELS) --seed 0 --quiet --format json --out results/demo/audit.json
	$(NS) train --data mnist --epochs 5 --lr 3e-3 --seed 0 --quiet --out $(DEMO_MLP) --results results/demo/train-mnist.json > /dev/null
	$(NS) stego eval $(DEMO_MLP) --n 2000 --out results/demo/stego-mnist.json > /dev/null
	$(NS) stego sees $(DEMO_MLP) --data mnist --out results/demo/sees-mnist.json > /dev/null
	$(NS) stego conv --out results/demo/conv-null.json > /dev/null
	$(NS) collide $(DEMO_MLP) --data mnist --n 4 --beta 0.5 --quiet --format json --out results/demo/collide-mlp.json
	$(NS) collide timm:deit_tiny_patch16_224 --data foolbox-imagenet --n 2 --beta 0.05 --quiet --format json --out results/demo/collide-deit-tiny.json
	$(NS) collide torchvision:resnet50 --data foolbox-imagenet --n 1 --beta 0.05 --quiet --format json --out results/demo/collide-resnet50.json
	$(NS) collide torchvision:ssdlite320_mobilenet_v3_large --data foolbox-imagenet --n 1 --resize --input-size 3,640,640 --beta 0.05 --quiet --format json --out results/demo/collide-ssdlite.json
	$(NS) collide-fig5 $(DEMO_MLP) --data mnist --n 1 --limit 64 -q -o results/demo/fig5-mlp.json
	$(NS) detect $(DEMO_MLP) --data mnist --n 1000 -o results/demo/detect-mlp.json
	$(NS) purify $(DEMO_MLP) --data mnist --n 100 -o results/demo/purify-mlp.json
	$(NS) train nullsight:patch-vit --data mnist --epochs 1 --lr 3e-3 --no-rescale --normalization dataset --seed 0 -q --out results/demo/patch-vit-mnist.safetensors --results results/demo/train-patch-vit.json
	$(NS) collide results/demo/patch-vit-mnist.safetensors --data mnist --n 4 --beta 0.5 --quiet --format json --out results/demo/collide-patch-vit.json
	$(NS) sampling kernels -o results/demo/sampling-kernels.json
	$(NS) geometry analyze $(DEMO_MLP) --data mnist --n-train 2000 --n-test 200 --n-pixel 20 --n-pixel-train 500 --n-table 3 -q -o results/demo/geometry-mlp.json
	$(NS) masks compute $(DEMO_MLP) --data mnist --n 8 --attacks pgd --masks-dir results/demo/masks -q -o results/demo/masks-mlp.json > /dev/null
	$(NS) report results/demo --out results/demo/report.html --title "nullsight demo"
	@echo "open results/demo/report.html"

test: install
	$(PY) -m pytest; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$rc

table2: install
	$(NS) audit --table2 --seed 0 --quiet --format markdown

bench: install
	$(PY) benchmarks/audit.py
	$(PY) benchmarks/stego.py --model $(MODELS)/mlp-mnist-seed0.safetensors
	$(PY) benchmarks/collide.py --n 8

MODELS := $(HOME)/.cache/nullsight/models
COLLIDE := $(NS) collide
experiments-collisions: install data
	$(NS) train nullsight:patch-vit --data mnist --epochs 5 --lr 3e-3 --no-rescale --normalization dataset --seed 0 -q --results results/train/patch-vit-mnist.json
	$(COLLIDE) $(MODELS)/patch-vit-mnist-seed0.safetensors --data mnist --n 10 --beta 0.5 -f json -o results/collisions/patch-vit-mnist.json -q --save-images results/collisions
	$(COLLIDE) timm:deit_tiny_patch16_224 --data foolbox-imagenet --n 4 --beta 0.05 -f json -o results/collisions/deit-tiny.json -q --save-images results/collisions
	$(COLLIDE) timm:deit_tiny_patch16_224 --data foolbox-imagenet --n 2 --beta 0.3 --box -f json -o results/collisions/deit-tiny-box.json -q
	$(COLLIDE) timm:deit_tiny_patch16_224 --data foolbox-imagenet --n 2 --beta 0.3 --per-patch --region 0,0,112,224 -f json -o results/collisions/deit-tiny-per-patch.json -q --save-images results/collisions/per-patch
	$(COLLIDE) timm:deit_tiny_patch16_224 --data foolbox-imagenet --n 2 --beta 0.3 --per-patch --patch-betas examples/patch-betas-ramp14.csv -f json -o results/collisions/deit-tiny-patch-betas.json -q --save-images results/collisions/patch-betas
	for a in pgd fgsm bim deepfool fmn; do $(COLLIDE) timm:deit_tiny_patch16_224 --data foolbox-imagenet --n 4 --beta 0.004 --attack $$a:0.0157 --steps 10 -f json -o results/collisions/deit-tiny-eq6-$$a.json -q || exit 1; done
	$(COLLIDE)-fig5 timm:deit_tiny_patch16_224 --data foolbox-imagenet --n 1 -o results/collisions/deit-tiny-fig5.json -q
	$(COLLIDE) torchvision:vit_b_16 --data foolbox-imagenet --n 2 --beta 0.05 -f json -o results/collisions/vit-b-16.json -q
	$(COLLIDE) torchvision:alexnet --data foolbox-imagenet --n 2 --beta 0.05 -f json -o results/collisions/alexnet.json -q
	$(COLLIDE) torchvision:resnet50 --data foolbox-imagenet --n 2 --beta 0.05 -f json -o results/collisions/resnet50.json -q --save-images results/collisions
	$(COLLIDE) torchvision:lraspp_mobilenet_v3_large --data foolbox-imagenet --n 2 --beta 0.05 -f json -o results/collisions/lraspp-mobilenet-v3.json -q
	$(COLLIDE) $(MODELS)/mlp-mnist-seed0.safetensors --data mnist --n 10 --beta 0.5 -f json -o results/collisions/mlp-mnist.json -q --save-images results/collisions
	$(COLLIDE) $(MODELS)/mlp-mnist-seed0.safetensors --data mnist --n 10 --beta 0.5 --box -f json -o results/collisions/mlp-mnist-box.json -q
	$(COLLIDE)-sweep $(MODELS)/mlp-mnist-seed0.safetensors --data mnist --n 100 --results-dir results/collisions -q
	$(COLLIDE)-sweep timm:deit_tiny_patch16_224 --data foolbox-imagenet --n 20 --results-dir results/collisions -q
	$(COLLIDE)-sweep torchvision:vit_b_16 --data foolbox-imagenet --n 2 --results-dir results/collisions -q
	$(COLLIDE) timm:deit_tiny_patch16_224 --data foolbox-imagenet --n 2 --beta 0.05 --interpret -f json -o results/collisions/deit-tiny-interpret.json -q
	$(COLLIDE) torchvision:ssdlite320_mobilenet_v3_large --data foolbox-imagenet --n 4 --resize --input-size 3,640,640 --beta 0.05 -f json -o results/collisions/ssdlite320-detection.json -q --save-images results/collisions
	$(COLLIDE) torchvision:fasterrcnn_resnet50_fpn --data foolbox-imagenet --n 1 --resize --input-size 3,1200,1200 --beta 0.05 -f json -o results/collisions/fasterrcnn-resnet50-detection.json -q
	$(COLLIDE) torchvision:fasterrcnn_resnet50_fpn --data foolbox-imagenet --n 1 --beta 0.05 -f json -o results/collisions/fasterrcnn-resnet50-upsampled.json -q

experiments-stego: install data
	$(NS) train --data mnist --epochs 60 --lr 3e-3 --seed 0 -q --results results/stego/train-mnist.json > /dev/null
	$(NS) train --data fashion-mnist --epochs 60 --lr 3e-3 --seed 0 -q --results results/stego/train-fashion-mnist.json > /dev/null
	$(NS) train --data mnist --epochs 400 --lr 3e-3 --seed 0 -q --out $(MODELS)/mlp-mnist-e400-seed0.safetensors --results results/stego/train-mnist-e400.json > /dev/null
	$(NS) train --data mnist --epochs 2000 --lr 3e-3 --seed 0 -q --out $(MODELS)/mlp-mnist-e2000-seed0.safetensors --results results/stego/train-mnist-e2000.json > /dev/null
	$(NS) train --data fashion-mnist --epochs 1000 --lr 3e-3 --seed 0 -q --out $(MODELS)/mlp-fashion-mnist-e1000-seed0.safetensors --results results/stego/train-fashion-mnist-e1000.json > /dev/null
	$(NS) stego eval $(MODELS)/mlp-mnist-e2000-seed0.safetensors --cover-data mnist --hidden-data mnist --protocol paper -o results/stego/eval-paper-mnist-e2000.json > /dev/null
	$(NS) stego eval $(MODELS)/mlp-mnist-e2000-seed0.safetensors --cover-data mnist --hidden-data mnist -o results/stego/eval-mnist-mnist-e2000.json > /dev/null
	$(NS) stego eval $(MODELS)/mlp-mnist-seed0.safetensors --cover-data mnist --hidden-data mnist -o results/stego/eval-mnist-mnist.json > /dev/null
	$(NS) stego eval $(MODELS)/mlp-mnist-seed0.safetensors --cover-data fashion-mnist --hidden-data mnist -o results/stego/eval-fashion-cover-mnist.json > /dev/null
	$(NS) stego eval $(MODELS)/mlp-fashion-mnist-seed0.safetensors --cover-data fashion-mnist --hidden-data fashion-mnist -o results/stego/eval-fashion-fashion.json > /dev/null
	$(NS) stego eval $(MODELS)/mlp-fashion-mnist-seed0.safetensors --cover-data mnist --hidden-data fashion-mnist -o results/stego/eval-mnist-cover-fashion.json > /dev/null
	$(NS) stego sees $(MODELS)/mlp-mnist-seed0.safetensors --data mnist -o results/stego/sees-mnist.json > /dev/null
	$(NS) stego conv --kernel 3 --size 28 --max-filters 6 -o results/stego/conv-valid-3x3.json > /dev/null
	$(NS) stego conv --kernel 3 --size 28 --max-filters 2 --padding same -o results/stego/conv-same-3x3.json > /dev/null
	$(NS) stego fig1 -o results/stego/fig1.json > /dev/null
	$(NS) train --data mnist --epochs 4 --lr 3e-3 --seed 0 -q --out $(MODELS)/mlp-mnist-adam-e4-seed0.safetensors > /dev/null
	$(NS) train --data mnist --epochs 4 --optimizer sgd --lr 0.05 --seed 1 -q --out $(MODELS)/mlp-mnist-sgd-e4-seed1.safetensors > /dev/null
	$(NS) stego fig11 $(MODELS)/mlp-mnist-adam-e4-seed0.safetensors $(MODELS)/mlp-mnist-sgd-e4-seed1.safetensors --data mnist --n 1000 -o results/stego/fig11.json > /dev/null
	$(NS) stego eval $(MODELS)/mlp-mnist-seed0.safetensors --cover-data mnist --hidden-data mnist --protocol paper -o results/stego/eval-paper-mnist-mnist.json > /dev/null
	$(PY) benchmarks/stego_protocol.py --model $(MODELS)/mlp-mnist-seed0.safetensors
	$(NS) train nullsight:cnn-stego --data mnist --epochs 8 --lr 3e-3 --seed 0 -q --out $(MODELS)/cnn-stego-mnist-seed0.safetensors --results results/stego/train-cnn-stego-mnist.json > /dev/null
	$(NS) stego eval $(MODELS)/cnn-stego-mnist-seed0.safetensors --cover-data mnist --hidden-data mnist -o results/stego/eval-cnn-stego-mnist-mnist.json > /dev/null
	$(NS) stego hide $(MODELS)/cnn-stego-mnist-seed0.safetensors --cover fashion-mnist:0 --hidden mnist:1 --image-out results/stego/cnn-stego-fashion0-mnist1.png -o results/stego/hide-cnn-stego.json > /dev/null
	$(NS) stego reveal $(MODELS)/cnn-stego-mnist-seed0.safetensors results/stego/cnn-stego-fashion0-mnist1.npy -o results/stego/reveal-cnn-stego.json > /dev/null
	$(NS) collide $(MODELS)/cnn-stego-mnist-seed0.safetensors --data mnist --n 4 --beta 0.5 --interpret -f json -o results/collisions/cnn-stego-mnist-interpret.json -q

# Every seed's recipe (nullsight reproduce): stages cached by the hash of their inputs, training skipped where the
# committed checkpoints/ exist (REPRODUCE_FLAGS=--train retrains them), one claims table per seed in results/SEED/.
SEEDS ?= all
reproduce: install data
	OMP_NUM_THREADS=1 $(NS) reproduce $(SEEDS) $(REPRODUCE_FLAGS)

reproduce-quick: install data
	$(NS) reproduce $(SEEDS) --quick

# The null-space atlas of every timm and torchvision architecture (Ray local; ATLAS_FLAGS="--address HEAD:6379" for a
# cluster): resumable from results/atlas/.atlas.sqlite, then results/atlas/atlas.json, atlas.parquet and atlas.html.
atlas: install
	$(NS) atlas run --seed 0 -q $(ATLAS_FLAGS)
	$(NS) atlas export --seed 0

# One small real result of every kind, for tests/test_results.py (round trip and report section of each kind).
fixtures: install
	NS=$(NS) bash tools/result_fixtures.sh

readme: install
	$(PY) tools/readme_tables.py

clean:
	rm -rf results/demo build dist src/*.egg-info

# seed 003 (Fourier masks) on the ResNet-20s of `nullsight train nullsight:resnet20` (CPU-sized: 128 test images,
# 500 Adam steps per mask, the paper's minimum; the paper uses the whole CIFAR-10 test set). lambda 0.01 as in the
# authors' released mask_train.py: the paper's 0.5 leaves almost no mask entry on 32x32 images (measured by
# experiments-masks-lambda: results/masks/*-lambda-*.json). MNIST's PGD budgets are larger: 8/255 barely moves it.
MASKS_DATA ?= fashion-mnist mnist
MASKS_N ?= 128
MASKS_STEPS ?= 500
MASKS_ATTACKS_fashion-mnist = fmn,deepfool,pgd:1/255,pgd:3/255,pgd:8/255
MASKS_ATTACKS_mnist = fmn,deepfool,pgd:8/255,pgd:16/255,pgd:32/255,pgd:64/255
MASKS_PGD_fashion-mnist = pgd:8/255
MASKS_PGD_mnist = pgd:32/255
.PHONY: experiments-masks experiments-masks-lambda
experiments-masks: install data
	for d in $(MASKS_DATA); do m=$(MODELS)/resnet20-$$d-seed0.safetensors; \
	  case $$d in mnist) attacks=$(MASKS_ATTACKS_mnist); pgd=$(MASKS_PGD_mnist);; \
	    *) attacks=$(MASKS_ATTACKS_fashion-mnist); pgd=$(MASKS_PGD_fashion-mnist);; esac; \
	  rm -rf results/masks/$$d; \
	  $(NS) masks compute $$m --data $$d --n $(MASKS_N) --attacks $$attacks --lambda 0.01 --min-steps $(MASKS_STEPS) --max-steps $(MASKS_STEPS) --masks-dir results/masks/$$d -q -o results/masks/$$d-masks.json > /dev/null || exit 1; \
	  $(NS) masks correlate results/masks/$$d/*.safetensors --permutations 100 --draws 5 -o results/masks/$$d-correlation.json > /dev/null || exit 1; \
	  $(NS) masks class $$m --data $$d --train-per-class 100 --test-n 1000 --steps $(MASKS_STEPS) --masks-out results/masks/$$d-class-masks.safetensors -q -o results/masks/$$d-class.json > /dev/null || exit 1; \
	  $(NS) masks robust $$m --data $$d --attacks fmn,$$pgd,deepfool --train-per-class 50 --test-n 300 --steps $(MASKS_STEPS) --adaptive $$pgd -q -o results/masks/$$d-robust.json > /dev/null || exit 1; \
	done

experiments-masks-lambda: install data
	for l in 0.5 0.1 0.01 0.001; do \
	  $(NS) masks compute $(MODELS)/resnet20-fashion-mnist-seed0.safetensors --data fashion-mnist --n 16 --attacks deepfool --lambda $$l --min-steps $(MASKS_STEPS) --max-steps $(MASKS_STEPS) --masks-dir /tmp/nullsight-masks-lambda-$$l -q -o results/masks/fashion-mnist-lambda-$$l.json > /dev/null || exit 1; \
	done

# seed 004 (NULA) on Fashion-MNIST at 32x32x3, CPU-sized: width 0.125, 2 epochs (full width where a GPU is lent:
# NULA_ARCH=nullsight:nula NULA_EPOCHS=30). Base, robust (--augment resolution), and the two ablations (robust).
NULA_ARCH ?= nullsight:nula-w0.125
NULA_EPOCHS ?= 2
NULA_DATA ?= fashion-mnist
NULA_CKPT = $(MODELS)/$(subst nullsight:,,$(NULA_ARCH))
NULA_TRAIN = $(NS) train --data $(NULA_DATA) --epochs $(NULA_EPOCHS) --batch-size 128 --lr 2e-3 --no-rescale --seed 0 -q
NULA_EVAL = $(NS) sampling eval --data $(NULA_DATA) --n-worst 200 -q
.PHONY: experiments-nula
experiments-nula: install data
	$(NULA_TRAIN) --arch $(NULA_ARCH) --augment none --out $(NULA_CKPT)-base-$(NULA_DATA)-seed0.safetensors --results results/nula/train-base.json > /dev/null
	$(NULA_TRAIN) --arch $(NULA_ARCH) --augment resolution --out $(NULA_CKPT)-robust-$(NULA_DATA)-seed0.safetensors --results results/nula/train-robust.json > /dev/null
	$(NULA_TRAIN) --arch $(NULA_ARCH)-strided --augment resolution --out $(NULA_CKPT)-robust-strided-$(NULA_DATA)-seed0.safetensors --results results/nula/train-robust-strided.json > /dev/null
	$(NULA_TRAIN) --arch $(NULA_ARCH)-nose --augment resolution --out $(NULA_CKPT)-robust-nose-$(NULA_DATA)-seed0.safetensors --results results/nula/train-robust-nose.json > /dev/null
	for m in base robust robust-strided robust-nose; do \
	  $(NULA_EVAL) $(NULA_CKPT)-$$m-$(NULA_DATA)-seed0.safetensors --label $$m -o results/nula/eval-$$m.json || exit 1; done
	$(NS) sampling kernels $(NULA_CKPT)-base-$(NULA_DATA)-seed0.safetensors --size 32 --larger 224 --larger 1024 -o results/nula/kernels.json
	for m in base robust; do \
	  $(NS) sampling eval $(NULA_CKPT)-$$m-$(NULA_DATA)-seed0.safetensors --data $(NULA_DATA) --n-worst 0 -q --label $$m --perturbation clean --perturbation blur-decimate-2 --perturbation blurpool-2 --perturbation checkerboard-0.1 --perturbation checkerboard-0.2 --perturbation checkerboard-0.3 -o results/nula/extra-$$m.json || exit 1; done

# issue #10 section 2: every layer type, hf: models, streaming audits of sharded checkpoints
.PHONY: experiments-reach
experiments-reach: install
	$(PY) -m pip install --quiet -e ".[hf]"
	PYTHONPATH=. $(NS) audit examples.tabular_mlp:build examples.conv1d_net:build examples.lstm_encoder:build --seed 0 -q -f json -o results/reach/examples-audit.json
	$(PY) examples/hf_tiny.py /tmp/nullsight-hf-tiny > /dev/null
	$(NS) audit hf:/tmp/nullsight-hf-tiny/gpt2 --weights default --seed 0 -q -f json -o results/reach/hf-tiny-gpt2.json
	$(NS) audit hf:/tmp/nullsight-hf-tiny/gpt2 --stream --seed 0 -q -f json -o results/reach/hf-tiny-gpt2-stream.json
	OMP_NUM_THREADS=1 $(PY) benchmarks/audit_streaming.py

# Seed 002, feature-space geometry of the last hidden layer (ResNet-20 trained by `nullsight train`); sized for 2 CPU cores.
.PHONY: experiments-geometry
GEOM := $(NS) geometry
GEOM_FASHION := $(MODELS)/resnet20-fashion-mnist-seed0.safetensors
GEOM_MNIST := $(MODELS)/resnet20-mnist-seed0.safetensors
experiments-geometry: install data
	$(GEOM) analyze $(GEOM_FASHION) --data fashion-mnist --n-train 10000 --n-test 2000 --n-pixel 100 -q -o results/geometry/analyze-fashion-mnist.json
	$(GEOM) detect $(GEOM_FASHION) --data fashion-mnist --n 200 --steps 20 -o results/geometry/detect-fashion-mnist.json
	$(GEOM) inverse $(GEOM_FASHION) --data fashion-mnist -o results/geometry/inverse-fashion-mnist.json
	$(GEOM) analyze $(GEOM_MNIST) --data mnist --n-train 10000 --n-test 2000 --n-pixel 100 -q -o results/geometry/analyze-mnist.json
	$(GEOM) detect $(GEOM_MNIST) --data mnist --n 200 --steps 20 -o results/geometry/detect-mnist.json
	$(GEOM) inverse $(GEOM_MNIST) --data mnist -o results/geometry/inverse-mnist.json
	$(PY) benchmarks/geometry.py --model $(GEOM_FASHION) --data fashion-mnist --n-osqp 0
	$(PY) benchmarks/geometry.py --model $(GEOM_FASHION) --data fashion-mnist --n-train 10000 --n-test 1000 --n-osqp 3 --out results/bench-geometry-osqp.json

# issue 22: mutation testing of the numerical cores with mutmut 3 (not part of `make test`: minutes per core).
# Each core is mutated in its own scratch copy (build/mutate/<core>/) with the tests that cover it; the score, every
# surviving mutant and the command go to results/mutation.json.  `make mutate MUTATE="linalg operators"` runs a subset;
# `$(PY) tools/mutation_report.py list` names the cores.
MUTATE ?=
MUTATE_JOBS ?= 1
.PHONY: mutate
mutate: install
	$(PY) -m pip install --quiet -e ".[mutate]"
	nice -n 19 $(PY) tools/mutation_report.py run $(MUTATE) --max-children $(MUTATE_JOBS)
