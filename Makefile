# kdelta: run `make demo` to see it work, `make test` to check it.
GO      ?= go
BIN     := bin/kdelta
DEMODIR ?= kdelta-demo

.PHONY: build demo test race fuzz lint bench bench-kernel faults clean

build:
	$(GO) build -o $(BIN) ./cmd/kdelta

# Builds the synthetic RDMA world in $(DEMODIR), syncs it and prints what was stored.
demo: build
	./$(BIN) demo $(DEMODIR)

# The store's tests and the team-store tests run against SQLite and, when
# PostgreSQL is installed, against a real server: the one named by
# $$KDELTA_TEST_POSTGRES (.ci/run starts one for the whole run), else one
# each test binary starts in a temporary directory.
test: lint
	$(GO) test ./...

# Every test under the race detector: about 8 minutes on 2 cores, so not
# part of make test; .ci/run runs it after make test.
race:
	$(GO) test -race ./...

# Every fuzz target for FUZZTIME (default 3s) each; .ci/run runs it too.
# FUZZTIME=5m make fuzz for a longer sweep.
fuzz:
	FUZZTIME=$(or $(FUZZTIME),3s) .ci/fuzz

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# Builds the bench world (100,000+ upstream commits), times kdelta against the
# git CLI on it in one run, and rewrites BENCHMARKS.md. Takes several minutes;
# run it on an otherwise idle machine.
bench: build
	$(GO) build -o bin/kdelta-bench ./cmd/kdelta-bench
	./bin/kdelta-bench -kdelta $(BIN) -out BENCHMARKS.md

# Builds the kernel-size world (a million upstream commits, a RHEL-like distro
# of 100,000; issue 14), times kdelta against the git CLI on it in one run and
# rewrites only the kernel section of BENCHMARKS.md. The world takes minutes
# and a few GiB of disk (kernel-mini: 6 s, 130 MiB); run it on an otherwise
# idle machine.
# KERNEL_SIZE=kernel-mini tries the pipeline at 1/20 of the size.
KERNEL_SIZE ?= kernel
bench-kernel: build
	$(GO) build -o bin/kdelta-bench ./cmd/kdelta-bench
	./bin/kdelta-bench -kernel -size $(KERNEL_SIZE) -kdelta $(BIN) -out BENCHMARKS.md

# The fault sweep (issue 18): kill -9 and SIGINT at fixed points of a sync
# of the demo world, each resumed and its store compared with an
# uninterrupted run's; two syncs at once, two projects sharing mirrors,
# readers and an import during a sync. Prints a table and rewrites
# RELIABILITY.md. A few minutes; not part of make test.
faults: build
	$(GO) build -o bin/kdelta-faults ./cmd/kdelta-faults
	./bin/kdelta-faults -kdelta $(BIN) -out RELIABILITY.md

clean:
	rm -rf bin $(DEMODIR)
