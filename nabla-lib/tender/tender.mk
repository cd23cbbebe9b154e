# nabla-run, the tender, and its fuzz targets. Included by the top Makefile;
# writes only below $(BUILD).
BUILD        ?= build
FUZZ_SECONDS ?= 60
TENDER_DIR   := nabla-lib/tender
TENDER_SRCS  := $(addprefix $(TENDER_DIR)/,main.c args.c solo5.c core.c module_net.c \
                module_block.c filter.c elf.c vdso.c verdict.c)
TENDER_HDRS  := $(addprefix $(TENDER_DIR)/,tender.h filter.h elf_loader.h fail.h solo5.h) \
                nabla-lib/abi/solo5_spt.h
TENDER_CC    ?= gcc
# -static-pie: no loader to trust, ~20% faster to start than a dynamic PIE,
# and as a PIE it lives far above the guest's fixed low addresses.
TENDER_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE \
                 -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fstack-clash-protection \
                 -fPIE -Inabla-lib/abi
TENDER_LDFLAGS := -static-pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack

.PHONY: tender fuzz-tender

tender: $(BUILD)/nabla-run

$(BUILD)/nabla-run: $(TENDER_SRCS) $(TENDER_HDRS) $(TENDER_DIR)/tender.mk
	@mkdir -p $(@D)
	$(TENDER_CC) $(TENDER_CFLAGS) $(TENDER_LDFLAGS) -o $@ $(TENDER_SRCS)

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
