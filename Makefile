# jury — common tasks. `make test` is what CI runs.
GO      ?= go
SHARED  ?= ../shared/data/gpts-are-gpts
WEIGHTS := pipeline/exposure/weights.json.gz

.PHONY: test vet fmt build bench golden model eval clean

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
	$(GO) build -o bin/jury ./cmd/jury

## bench: the benchmarks (speed and memory targets live here, not in tests)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## golden: regenerate the golden reports; review the diff before committing
golden:
	$(GO) test ./pipeline -run TestGoldenReport -update

## model: train the offline juror's weights from the shared labels
model:
	$(GO) run ./cmd/jury-model train -labels $(SHARED)/labels_train.tsv -out $(WEIGHTS)

## eval: grouped 5-fold cross-validation of the offline juror vs GPT-4
eval:
	$(GO) run ./cmd/jury-model cv -labels $(SHARED)/labels_train.tsv -folds 5

clean:
	rm -rf bin out
