# scoregate — run `make help` for the targets.
GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
# The race detector needs cgo; use it when a C compiler is around.
RACE        := $(shell command -v gcc >/dev/null 2>&1 && echo -race)
# A local PostgreSQL with trust authentication, as on the project's machines.
LOCAL_PG    := postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
FUZZTIME    ?= 30s
# Flags of cmd/loadtest, e.g. LOADTEST_FLAGS='-rounds 3 -duration 20s'; -h lists them.
LOADTEST_FLAGS ?=
# Flags of cmd/benchbatch, e.g. BENCH_BATCH_FLAGS='-runs 5 -cases csv'; -h lists them.
BENCH_BATCH_FLAGS ?=

.PHONY: help run build test test-pg lint bench bench-batch loadtest fuzz clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-8s %s\n", $$1, $$2}'

run: ## run the gateway with the zero-setup defaults (SQLite and blobs in ./data)
	$(GO) run ./cmd/scoregate

build: ## build the static binary into ./bin/scoregate
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/scoregate ./cmd/scoregate

test: ## run every test: SQLite always, Postgres when one can be reached or started
	@CGO_ENABLED=0 $(GO) build ./...
	@url="$$SCOREGATE_TEST_DATABASE_URL"; skipped=""; \
	if [ -z "$$url" ] && command -v psql >/dev/null 2>&1 && psql "$(LOCAL_PG)" -Atqc 'select 1' >/dev/null 2>&1; then \
		url="$(LOCAL_PG)"; echo "make test: using the PostgreSQL on 127.0.0.1:5432"; \
	fi; \
	if [ -z "$$url" ]; then \
		if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then \
			echo "make test: starting a throw-away PostgreSQL cluster with initdb"; \
		else skipped=1; fi; \
	fi; \
	warn() { [ -z "$$skipped" ] || printf '%s\n' \
		"################################################################" \
		"## make test: NO POSTGRES FOUND: the Postgres suites are SKIPPED." \
		"## Set SCOREGATE_TEST_DATABASE_URL or install PostgreSQL to run them." \
		"################################################################"; }; \
	warn; SCOREGATE_TEST_DATABASE_URL="$$url" $(GO) test $(RACE) -count=1 ./...; rc=$$?; warn; exit $$rc

test-pg: ## run every test with Postgres required (a skipped Postgres suite fails)
	SCOREGATE_TEST_DATABASE_URL="$${SCOREGATE_TEST_DATABASE_URL:-$(LOCAL_PG)}" SCOREGATE_REQUIRE_POSTGRES=1 \
		$(GO) test $(RACE) -count=1 ./...

lint: ## gofmt, go vet and staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

bench: ## run the benchmarks
	$(GO) test -run '^$$' -bench . -benchmem ./...

bench-batch: ## measure batch jobs end to end: rows/s, peak memory and cores per case (BENCH_BATCH_FLAGS)
	$(GO) run ./cmd/benchbatch $(BENCH_BATCH_FLAGS)

loadtest: ## measure the gateway's req/s and p50/p99 beside a bare Fiber handler (LOADTEST_FLAGS)
	$(GO) run ./cmd/loadtest $(LOADTEST_FLAGS)

fuzz: ## run each fuzz target for FUZZTIME (default 30s)
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "fuzz $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s $$pkg || exit 1; \
		done; \
	done

clean: ## remove build output (not ./data)
	rm -rf bin
