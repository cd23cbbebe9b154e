# nabla-run, the tender, and its fuzz targets. Included by the top Makefile;
# writes only below $(BUILD).
BUILD        ?= build
FUZZ_SECONDS ?= 60
TENDER_DIR   := nabla-lib/tender
TENDER_SRCS  := $(addprefix $(TENDER_DIR)/,main.c args.c solo5.c core.c module_net.c \
                module_block.c filter.c elf.c vdso.c verdict.c)
TENDER_HDRS  := $(addprefix $(TENDER_DIR)/,tender.h filter.h elf_loader.h fail.h solo5.h) \
                nabla-lib/abi/solo5_spt.h
# The tender links musl, statically, as a PIE: no loader to trust, and
# beside glibc's static start, relocations and data, musl's leave a resident
# container some 36 KiB less private memory and boot it 0.9 ms sooner
# (BENCHMARKS.md, the boot and memory groups). As a PIE it lives far above
# the guest's fixed low addresses. Debian's musl-gcc cannot link
# -static-pie (its specs always start from Scrt1.o), so gcc is driven
# directly: musl's headers, then the kernel's UAPI headers (linux/, asm/)
# through a directory of links to them only, so that no glibc header can
# slip in; musl's rcrt1.o is the static PIE's start. musl has no
# _FORTIFY_SOURCE: the parsers' bounds are checked by hand and fuzzed under
# ASan and UBSan (fuzz-tender, below). The gcc queries are expanded when a
# recipe runs, after make setup has installed gcc on a fresh machine.
TENDER_CC     ?= gcc
MUSL_LIB      ?= /usr/lib/x86_64-linux-musl
MUSL_INCLUDE  ?= /usr/include/x86_64-linux-musl
TENDER_UAPI   := $(BUILD)/tender-uapi
TENDER_CFLAGS  = -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE \
                 -fstack-protector-strong -fstack-clash-protection -fPIE \
                 -nostdinc -isystem $(MUSL_INCLUDE) \
                 -isystem $(shell $(TENDER_CC) -print-file-name=include) \
                 -isystem $(TENDER_UAPI) -Inabla-lib/abi
TENDER_LDFLAGS := -static-pie -nostdlib -Wl,-z,relro,-z,now -Wl,-z,noexecstack
TENDER_START   = $(MUSL_LIB)/rcrt1.o $(MUSL_LIB)/crti.o \
                 $(shell $(TENDER_CC) -print-file-name=crtbeginS.o)
TENDER_END     = -L$(MUSL_LIB) -lc $(shell $(TENDER_CC) -print-libgcc-file-name) \
                 $(shell $(TENDER_CC) -print-file-name=crtendS.o) $(MUSL_LIB)/crtn.o

.PHONY: tender fuzz-tender

tender: $(BUILD)/nabla-run

$(BUILD)/nabla-run: $(TENDER_SRCS) $(TENDER_HDRS) $(TENDER_DIR)/tender.mk | $(TENDER_UAPI)
	@mkdir -p $(@D)
	$(TENDER_CC) $(TENDER_CFLAGS) $(TENDER_LDFLAGS) -o $@ $(TENDER_START) $(TENDER_SRCS) \
		$(TENDER_END)

# The kernel's UAPI headers, as Debian's linux-libc-dev installs them.
$(TENDER_UAPI):
	@mkdir -p $@
	ln -sfn /usr/include/linux $@/linux
	ln -sfn /usr/include/asm-generic $@/asm-generic
	ln -sfn /usr/include/$(shell $(TENDER_CC) -print-multiarch)/asm $@/asm

# libFuzzer targets: the ELF checker, the notes and manifest parser and the
# argument parser, the pure functions that see untrusted input. Seeds and regressions live in
# tests/tender/testdata/fuzz/<name>; new corpus entries go below $(BUILD).
FUZZ_CC      ?= clang
FUZZ_CFLAGS  := -std=gnu11 -g -O1 -Wall -Wextra -Werror -D_GNU_SOURCE -Inabla-lib/abi \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
TENDER_FUZZ  := elf solo5 args
TENDER_SEEDS := tests/tender/testdata/fuzz

$(BUILD)/fuzz/fuzz_elf: $(TENDER_DIR)/fuzz_elf.c $(TENDER_DIR)/elf.c $(TENDER_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(TENDER_DIR)/fuzz_elf.c $(TENDER_DIR)/elf.c

$(BUILD)/fuzz/fuzz_solo5: $(TENDER_DIR)/fuzz_solo5.c $(TENDER_DIR)/solo5.c $(TENDER_DIR)/elf.c \
		$(TENDER_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(TENDER_DIR)/fuzz_solo5.c $(TENDER_DIR)/solo5.c \
		$(TENDER_DIR)/elf.c

$(BUILD)/fuzz/fuzz_args: $(TENDER_DIR)/fuzz_args.c $(TENDER_DIR)/args.c $(TENDER_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(TENDER_DIR)/fuzz_args.c $(TENDER_DIR)/args.c

# The notes parser's seeds are the SDK's guests, built from source: ELF
# files whose notes declare zero, one and two devices.
fuzz-tender: $(addprefix $(BUILD)/fuzz/fuzz_,$(TENDER_FUZZ)) guests
	@set -e; for t in $(TENDER_FUZZ); do \
		seeds=$(TENDER_SEEDS)/$$t; \
		if [ $$t = solo5 ]; then seeds=$(BUILD)/guests; fi; \
		mkdir -p $(BUILD)/fuzz/corpus/$$t $(BUILD)/fuzz/artifacts/$$t; \
		echo "fuzz-tender: $$t for $(FUZZ_SECONDS)s"; \
		$(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/fuzz/artifacts/$$t/ \
			$(BUILD)/fuzz/corpus/$$t $$seeds; \
	done
