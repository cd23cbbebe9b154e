# runnc: the front door. `make` builds everything into build/.
BUILD   ?= build
GO      ?= go
PREFIX  ?= /usr/local
TENDER_PREFIX ?= /opt/runnc/bin
GOFLAGS_BUILD := -trimpath -ldflags "-s -w -X main.gitCommit=$(shell git rev-parse --short HEAD 2>/dev/null)"

.PHONY: all build runnc tender init guests install demo test setup bench fuzz fuzz-go clean

all: build

build: runnc tender init guests

# The C parts bring their own rules; they only ever write below $(BUILD).
include nabla-lib/tender/tender.mk
include nabla-lib/init/init.mk
include nabla-lib/guest/guest.mk

runnc:
	@mkdir -p $(BUILD)
	$(GO) build $(GOFLAGS_BUILD) -o $(BUILD)/runnc ./runnc

install: build
	install -D -m 0755 $(BUILD)/runnc $(PREFIX)/bin/runnc
	install -D -m 0755 $(BUILD)/nabla-run $(TENDER_PREFIX)/nabla-run
	install -D -m 0755 $(BUILD)/runnc-init $(TENDER_PREFIX)/runnc-init

# Installs what building and testing need on a fresh Debian machine.
setup:
	./scripts/setup.sh

demo:
	./scripts/setup.sh demo
	$(MAKE) build
	./scripts/demo.sh

# Every test needs root (netns, tap, cgroups) and the built binaries.
test: setup build
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 40m ./...

# The OCI-level bench writes BENCHMARKS.md; the engine-level rows (docker
# run, ctr, podman, a CRI pod to its first HTTP answer) are Go benchmarks
# beside the tests that own those daemons, printed after it.
bench: setup build
	$(GO) run ./tests/bench $(if $(QUICK),-quick)
	$(GO) test -count=1 -run '^$$' -bench . -benchtime $(if $(QUICK),3x,20x) ./tests/e2e ./tests/clients

fuzz: setup
	$(MAKE) -C . fuzz-tender fuzz-guest fuzz-net fuzz-go FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60)

clean:
	rm -rf $(BUILD)

# Go native fuzz targets, FUZZ_SECONDS each (their seeds run in make test).
GO_FUZZ := ./libcontainer:FuzzNewConfig ./libcontainer:FuzzValidateID ./llcli:FuzzParseSignal ./nabla-lib/nabla:FuzzConfigRoundTrip
fuzz-go: guests
	@set -e; for t in $(GO_FUZZ); do \
		echo "fuzz-go: $${t#*:} for $(FUZZ_SECONDS)s"; \
		$(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZ_SECONDS)s $${t%%:*}; \
	done
