# runnc: the front door. `make` builds everything into build/.
BUILD   ?= build
GO      ?= go
PREFIX  ?= /usr/local
TENDER_PREFIX ?= /opt/runnc/bin
# runnc starts three times per container (create, start, delete), so its
# start-up counts: linked statically (no loader, about 0.5 ms), with Go's
# own resolver and user lookup (no NSS) and without urfave/cli's man-page
# generator, whose Markdown tables cost every start 0.3 ms. Its cgo (runc's
# specconv brings C) links musl, as the tender does: glibc's static start
# cost every start of runnc 1.3 ms more (BENCHMARKS.md, the startup group).
# --wrap=mmap hands the Go heap's mappings to internal/firsttouch, which backs
# them with huge pages (4 KiB faults cost a start of runnc 1.9 ms more) and
# maps the writable segment in one call (0.25 ms). Its segments are aligned
# to 2 MiB so that their first 2 MiB of code and of read-only data are whole
# huge pages, onto which internal/firsttouch copies them (0.5 ms); the file
# grows by holes, not by blocks.
GO_CC   ?= musl-gcc
GOFLAGS_BUILD := -trimpath -tags netgo,osusergo,urfave_cli_no_docs \
	-ldflags "-s -w -linkmode external -extldflags '-static -Wl,--wrap=mmap -Wl,-z,max-page-size=0x200000' -X main.gitCommit=$(shell git rev-parse --short HEAD 2>/dev/null)"

.PHONY: all build runnc go-like-runnc examples tender init guests install uninstall demo test test-vm unit setup bench fuzz fuzz-go clean

all: build

build: runnc tender init guests examples

# The C parts bring their own rules; they only ever write below $(BUILD).
include nabla-lib/tender/tender.mk
include nabla-lib/init/init.mk
include nabla-lib/guest/guest.mk

# go build as runnc is linked. The bench builds its floor programs with it
# too (make go-like-runnc PKG=./dir OUT=file), so that they stay linked as
# runnc is.
GO_BUILD_LIKE_RUNNC = CC=$(GO_CC) $(GO) build $(GOFLAGS_BUILD)

runnc:
	@mkdir -p $(BUILD)
	$(GO_BUILD_LIKE_RUNNC) -o $(BUILD)/runnc ./runnc
	$(GO_BUILD_LIKE_RUNNC) -o $(BUILD)/runnc-image ./runnc-image

go-like-runnc:
	$(GO_BUILD_LIKE_RUNNC) -o $(OUT) $(PKG)

# The library's embedding example; tests/runtime runs it.
examples:
	$(GO) build -o $(BUILD)/examples/embed ./examples/embed

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

# Installs what building and testing need on a fresh Debian machine; quiet
# and quick when all is there.
setup:
	@./scripts/setup.sh

demo:
	./scripts/setup.sh demo
	$(MAKE) build
	./scripts/demo.sh

# The pure packages' tests, in seconds, without root or a build: those of
# their tests that need either skip (RUNNC_UNIT) and run in make test.
UNIT_PKGS := ./internal/... ./libcontainer/... ./llif/... ./llcli/... ./nabla-lib/...
unit:
	RUNNC_UNIT=1 $(GO) test -count=1 $(UNIT_PKGS)

# Everything, as root (netns, tap, cgroups), on the built binaries. The VM
# suite runs after the others: its QEMU takes both cores for minutes, and
# the timing-sensitive tests should not share them with it.
test: setup build
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 40m $$($(GO) list ./... | grep -v '/tests/vm$$')
	$(GO) test -count=1 -timeout 30m ./tests/vm

# Only the VM suite (tests/vm): a Debian 12 machine, systemd as PID 1 and
# pure cgroup v2, booted under QEMU with Debian's kernel; its root is made
# once below $(BUILD)/vm (scripts/vm-root.sh).
test-vm: setup build
	$(GO) test -count=1 -timeout 30m -v ./tests/vm

# Benchmarks: see tests/bench/bench.sh for QUICK=1, SOLO5_SPT=PATH and
# BASELINE=COMMIT.
bench: setup build
	BUILD=$(BUILD) GO=$(GO) ./tests/bench/bench.sh

fuzz: setup
	$(MAKE) -C . fuzz-tender fuzz-guest fuzz-net fuzz-go FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60)

clean:
	rm -rf $(BUILD)

# Go native fuzz targets, FUZZ_SECONDS each (their seeds run in make test).
GO_FUZZ := ./libcontainer:FuzzNewConfig ./libcontainer:FuzzValidateID ./libcontainer:FuzzParseProcStat ./llcli:FuzzParseSignal ./nabla-lib/nabla:FuzzConfigRoundTrip ./nabla-lib/solo5elf:FuzzParse ./nabla-lib/image:FuzzApply ./internal/sha256:FuzzMatchesCryptoSHA256
fuzz-go: guests
	@set -e; for t in $(GO_FUZZ); do \
		echo "fuzz-go: $${t#*:} for $(FUZZ_SECONDS)s"; \
		$(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZ_SECONDS)s $${t%%:*}; \
	done
