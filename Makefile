# jury — common tasks. `make test` is what CI runs.
GO      ?= go
SHARED  ?= ../shared/data/gpts-are-gpts
WEIGHTS := pipeline/offline/exposure/weights.json.gz
# JURY is the binary `make build` writes, kept out of the source tree's
# folders (git ignores it).
JURY    ?= .build/jury

.PHONY: test vet fmt build bench golden cassettes fixtures-check model eval clean

## test: vet, gofmt check and the race-enabled test suite
test: vet
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) test -race -count=1 ./...

vet:
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

build:
	$(GO) build -o $(JURY) ./cmd/jury

## bench: the batch against a rate-limited fake server (three runs, a
## storm, resume, rebuilt from cache), the catalog at a high limit and
## through the Batch API (CPU per call, list prices), synthetic catalogs
## of 923 and 10,000 occupations (peak RSS), the catalog offline; then
## `jury run` on a synthetic 500 MB task file (fails above 200 MB RSS),
## then the Go benchmarks (speed and memory targets live here, not in
## unit tests)
bench: build
	$(GO) run ./cmd/jury-bench -bin $(JURY) -tasks $(SHARED)/onet_tasks.tsv
	$(GO) run ./cmd/jury-inputbench -bin $(JURY) -size 500 -max-rss 200
	$(GO) test -run '^$$' -bench . -benchmem ./...

## golden: regenerate fixtures/golden by replaying fixtures/cassettes;
## review the diff before committing
golden:
	$(GO) test ./pipeline -run TestFixtures -update

## cassettes: re-record fixtures/cassettes (offline juror behind an
## in-process OpenAI endpoint), then the goldens
cassettes:
	$(GO) test ./pipeline -run TestFixtures -record -update

## fixtures-check: replay every fixture with the network closed and diff
## against the goldens (any move fails), then diff a fresh offline run
## (moves beyond 5 points fail); prints a markdown diff on failure
fixtures-check: build
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	for f in fixtures/occupations/*.json; do \
	  OPENAI_API_KEY=replay OPENAI_BASE_URL=http://127.0.0.1:9/v1 $(JURY) run "$$f" --model jury-offline --replay fixtures/cassettes --out $$tmp/replay >/dev/null || exit 1; \
	  $(JURY) run "$$f" --offline --out $$tmp/offline >/dev/null 2>&1 || exit 1; \
	done; \
	echo "replayed fixtures vs goldens:"; $(JURY) diff --format markdown --tolerance 0 fixtures/golden $$tmp/replay || exit 1; \
	echo "fresh offline run vs goldens:"; $(JURY) diff --format markdown fixtures/golden $$tmp/offline

## model: train (and calibrate) the offline juror's weights from the
## shared labels; byte-reproducible, so `git diff` shows a real change
model:
	$(GO) run ./cmd/jury-model train -labels $(SHARED)/labels_train.tsv -out $(WEIGHTS)

## eval: grouped 5-fold cross-validation of the offline juror vs GPT-4:
## accuracy, kappa, occupation beta (task mean and core-weighted) and the
## out-of-fold headline bias against the human labels
eval:
	$(GO) run ./cmd/jury-model cv -labels $(SHARED)/labels_train.tsv -folds 5

clean:
	rm -rf .build out
