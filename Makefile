# The README's test command. CI (.ci/run) calls `make test` too.
GO ?= go

.PHONY: test vet build bench

test: vet
	$(GO) test -race -count=1 -timeout 45m ./...

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

build:
	$(GO) build -o bin/peakwise ./cmd/peakwise

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
