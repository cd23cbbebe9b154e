# runnc: the front door. `make` builds everything into build/.
BUILD   ?= build
GO      ?= go
PREFIX  ?= /usr/local
TENDER_PREFIX ?= /opt/runnc/bin
# runnc starts three times per container (create, start, delete), so its
# start-up counts: linked statically (no loader, about 0.5 ms), with Go's
# own resolver and user lookup (no NSS) and without urfave/cli's man-page
# generator, whose Markdown tables cost every start 0.3 ms.
GOFLAGS_BUILD := -trimpath -tags netgo,osusergo,urfave_cli_no_docs \
	-ldflags "-s -w -linkmode external -extldflags -static -X main.gitCommit=$(shell git rev-parse --short HEAD 2>/dev/null)"

.PHONY: all build runnc tender init guests install uninstall demo test test-vm setup bench baseline fuzz fuzz-go clean

all: build

build: runnc tender init guests

# The C parts bring their own rules; they only ever write below $(BUILD).
include nabla-lib/tender/tender.mk
include nabla-lib/init/init.mk
include nabla-lib/guest/guest.mk

runnc:
	@mkdir -p $(BUILD)
	$(GO) build $(GOFLAGS_BUILD) -o $(BUILD)/runnc ./runnc
	$(GO) build $(GOFLAGS_BUILD) -o $(BUILD)/runnc-image ./runnc-image

install: build
	install -D -m 0755 $(BUILD)/runnc $(PREFIX)/bin/runnc
	install -D -m 0755 $(BUILD)/runnc-image $(PREFIX)/bin/runnc-image
	install -D -m 0755 $(BUILD)/nabla-run $(TENDER_PREFIX)/nabla-run
	install -D -m 0755 $(BUILD)/runnc-init $(TENDER_PREFIX)/runnc-init

# Removes what install put, and the tender's directory and its parent
# (/opt/runnc/bin, /opt/runnc) if that leaves them empty; never state, disk
# images or the image store (/run/runnc, /var/lib/runnc), which belong to
# containers that may still exist.
uninstall:
	rm -f $(PREFIX)/bin/runnc $(PREFIX)/bin/runnc-image $(TENDER_PREFIX)/nabla-run $(TENDER_PREFIX)/runnc-init
	-rmdir $(TENDER_PREFIX) $(patsubst %/,%,$(dir $(TENDER_PREFIX))) 2>/dev/null

# Installs what building and testing need on a fresh Debian machine.
setup:
	./scripts/setup.sh

demo:
	./scripts/setup.sh demo
	$(MAKE) build
	./scripts/demo.sh

# Every test needs root (netns, tap, cgroups) and the built binaries. The
# VM suite runs after the others: its QEMU takes both cores for minutes,
# and the timing-sensitive tests should not share them with it.
test: setup build
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 40m $$($(GO) list ./... | grep -v '/tests/vm$$')
	$(GO) test -count=1 -timeout 30m ./tests/vm

# Only the VM suite (tests/vm): a Debian 12 machine, systemd as PID 1 and
# pure cgroup v2, booted under QEMU with Debian's kernel; its root is made
# once below $(BUILD)/vm (scripts/vm-root.sh).
test-vm: setup build
	$(GO) test -count=1 -timeout 30m -v ./tests/vm

# SOLO5_SPT=PATH adds Solo5's own solo5-spt to the boot row (built by hand:
# this project builds none of Solo5). The OCI-level bench writes BENCHMARKS.md; the engine-level rows (docker
# run, ctr, podman, a CRI pod to its first HTTP answer) are Go benchmarks
# beside the tests that own those daemons, printed after it.
# The lifecycle rows also time the runnc of commit BASELINE, built below
# $(BUILD)/baseline, as the "runnc-before" column: the commit before the
# start-up work (C init, cgroup join, disk cache, static binary). BASELINE=
# leaves it out; QUICK=1 does too.
BASELINE ?= d3582f8
BASELINE_BUILD := $(abspath $(BUILD))/baseline

bench: setup build $(if $(and $(BASELINE),$(if $(QUICK),,y)),baseline)
	$(GO) run ./tests/bench $(if $(QUICK),-quick) $(if $(and $(BASELINE),$(if $(QUICK),,y)),-baseline $(BASELINE_BUILD)) \
		$(if $(SOLO5_SPT),-solo5-spt $(abspath $(SOLO5_SPT)))
	$(GO) test -count=1 -run '^$$' -bench . -benchtime $(if $(QUICK),3x,20x) ./tests/e2e ./tests/clients

baseline:
	rm -rf $(BASELINE_BUILD)-src && mkdir -p $(BASELINE_BUILD)-src
	git archive $(BASELINE) | tar -x -C $(BASELINE_BUILD)-src
	$(MAKE) -C $(BASELINE_BUILD)-src BUILD=$(BASELINE_BUILD) runnc tender guests \
		GOFLAGS_BUILD='-trimpath -ldflags "-s -w -X main.gitCommit=$(BASELINE)"'

fuzz: setup
	$(MAKE) -C . fuzz-tender fuzz-guest fuzz-net fuzz-go FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60)

clean:
	rm -rf $(BUILD)

# Go native fuzz targets, FUZZ_SECONDS each (their seeds run in make test).
GO_FUZZ := ./libcontainer:FuzzNewConfig ./libcontainer:FuzzValidateID ./llcli:FuzzParseSignal ./nabla-lib/nabla:FuzzConfigRoundTrip ./nabla-lib/solo5elf:FuzzParse
fuzz-go: guests
	@set -e; for t in $(GO_FUZZ); do \
		echo "fuzz-go: $${t#*:} for $(FUZZ_SECONDS)s"; \
		$(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZ_SECONDS)s $${t%%:*}; \
	done
