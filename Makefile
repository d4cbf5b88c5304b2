# The README's test command. CI (.ci/run) calls `make test` too.
GO ?= go

.PHONY: test vet build bench fuzz

test: vet
	$(GO) test -race -count=1 -timeout 45m ./...
	$(MAKE) fuzz

# One import parser per `go test -fuzz` run; FUZZTIME each (about a minute in all).
# A count, not a duration: Go 1.26's fuzz coordinator can report a bare
# "context deadline exceeded" when a duration runs out on a busy machine
# (golang/go#75804, fixed in Go 1.27); a count has no deadline to race.
FUZZTIME ?= 100000x
FUZZ_TARGETS = ./forecasting:FuzzReadHistoryCSV ./scheduling/erlang:FuzzReadForecast \
	./scheduling/roster:FuzzReadAgents ./server/service:FuzzReadInteractionsCSV \
	./intraday:FuzzConnectEvent ./scheduling/calendar:FuzzReadShiftsCSV
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		$(GO) test $${t%%:*} -run '^$$' -fuzz "^$${t##*:}$$" -fuzztime $(FUZZTIME); done

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

build:
	$(GO) build -o bin/peakwise ./cmd/peakwise

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
