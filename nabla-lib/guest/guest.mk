# The guest SDK and the sample unikernels. Included by the top Makefile;
# writes only below $(BUILD).
#
#   guests       $(BUILD)/guests/NAME.nabla for every NAME in GUEST_APPS,
#                $(BUILD)/bench-guests/NAME.nabla for every NAME in
#                GUEST_BENCH_APPS, and config-dump (the tests of runnc's
#                CONFIG builder need it)
#   fuzz-guest   libFuzzer on the CONFIG parser and the ISO reader,
#                $(FUZZ_SECONDS)s each
#   config-dump  $(BUILD)/fuzz/config-dump: the CONFIG parser as a host tool
#   print-guest-flags  the compiler and linker flags of a guest, but for its
#                linker script, for tests that build guests of their own
#
# An app NAME is apps/NAME.c linked with the SDK, plus the sources listed in
# GUEST_SRCS_NAME; apps in GUEST_NET_APPS also get GUEST_NET_SRCS (the
# TCP/IP stack). The network part adds itself in net/net.mk, e.g.
#   GUEST_NET_SRCS += $(wildcard nabla-lib/guest/net/*.c)
#   GUEST_NET_APPS += httpd echo
BUILD        ?= build
FUZZ_SECONDS ?= 60
GUEST_DIR    := nabla-lib/guest
GUEST_OBJ    := $(BUILD)/guest
GUEST_CC     ?= gcc

GUEST_APPS     := hello escape cat sdktest disk storage
# Guests only the bench runs, kept out of $(BUILD)/guests, every file of
# which the image, engine and VM tests import: large is 8 MiB.
GUEST_BENCH_APPS := large
GUEST_NET_APPS :=
GUEST_NET_SRCS :=
-include $(GUEST_DIR)/net/net.mk
GUEST_APPS += $(GUEST_NET_APPS)

GUEST_SDK_SRCS := $(addprefix $(GUEST_DIR)/sdk/,boot.c console.c clock.c \
                  poll.c net.c disk.c json.c config.c iso.c malloc.c string.c)

# A freestanding guest: no PIE, no stack protector (the guest would read the
# tender's canary through %fs), no red zone, and
# -fno-tree-loop-distribute-patterns, or gcc turns memset's own loop into a
# call to memset.
GUEST_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -MMD -MP \
                -ffreestanding -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
                -fcf-protection=none -mno-red-zone -fno-plt -fstack-clash-protection \
                -fno-tree-loop-distribute-patterns \
                -I$(GUEST_DIR)/include -Inabla-lib/abi
GUEST_LDFLAGS := -static -no-pie -nostdlib \
                 -Wl,--build-id=none -Wl,-z,noexecstack -Wl,-z,max-page-size=4096
# nabla.ld places every section a guest may have: any other is an error.
GUEST_LDSCRIPT := -Wl,-T,$(GUEST_DIR)/sdk/nabla.ld -Wl,--orphan-handling=error

GUEST_START := $(GUEST_OBJ)/sdk/start.o
GUEST_LIB   := $(GUEST_OBJ)/libnabla.a
guest_objs   = $(patsubst $(GUEST_DIR)/%.c,$(GUEST_OBJ)/%.o,$(1))

.PHONY: guests fuzz-guest config-dump print-guest-flags

guests: $(addprefix $(BUILD)/guests/,$(addsuffix .nabla,$(GUEST_APPS))) \
	$(addprefix $(BUILD)/bench-guests/,$(addsuffix .nabla,$(GUEST_BENCH_APPS))) \
	$(BUILD)/fuzz/config-dump

$(GUEST_OBJ)/%.o: $(GUEST_DIR)/%.c $(GUEST_DIR)/guest.mk
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -c -o $@ $<

$(GUEST_OBJ)/%.o: $(GUEST_DIR)/%.S $(GUEST_DIR)/guest.mk
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -c -o $@ $<

$(GUEST_LIB): $(call guest_objs,$(GUEST_SDK_SRCS))
	@rm -f $@
	ar rcs $@ $^

# One link rule per app, into the directory $(2): apps/NAME.o, its extra
# objects, the SDK.
define guest_app
$(BUILD)/$(2)/$(1).nabla: $(GUEST_START) $(GUEST_OBJ)/apps/$(1).o \
		$(call guest_objs,$(GUEST_SRCS_$(1)) $(if $(filter $(1),$(GUEST_NET_APPS)),$(GUEST_NET_SRCS))) \
		$(GUEST_LIB) $(GUEST_DIR)/sdk/nabla.ld
	@mkdir -p $$(@D)
	$(GUEST_CC) $(GUEST_LDFLAGS) $(GUEST_LDSCRIPT) -o $$@ $$(filter %.o %.a,$$^) -lgcc
endef
$(foreach app,$(GUEST_APPS),$(eval $(call guest_app,$(app),guests)))
$(foreach app,$(GUEST_BENCH_APPS),$(eval $(call guest_app,$(app),bench-guests)))

# Relative paths are to the top directory; no dependency files.
print-guest-flags:
	@echo $(filter-out -MMD -MP,$(GUEST_CFLAGS)) $(GUEST_LDFLAGS)

-include $(wildcard $(GUEST_OBJ)/*/*.d)

# Host builds of the CONFIG parser: the very files the guests use, with the
# C library's mem*/str* (NABLA_HOST).
GUEST_HOST_SRCS  := $(GUEST_DIR)/sdk/json.c $(GUEST_DIR)/sdk/config.c
GUEST_HOST_HDRS  := $(addprefix $(GUEST_DIR)/sdk/,json.h config.h libc.h)
GUEST_FUZZ_CC    ?= clang
GUEST_FUZZ_FLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -DNABLA_HOST \
                    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
GUEST_FUZZ_SEEDS := tests/guest/testdata/fuzz

config-dump: $(BUILD)/fuzz/config-dump

$(BUILD)/fuzz/config-dump: $(GUEST_DIR)/host/config_dump.c $(GUEST_HOST_SRCS) $(GUEST_HOST_HDRS)
	@mkdir -p $(@D)
	$(GUEST_CC) -std=gnu11 -O2 -Wall -Wextra -Werror -DNABLA_HOST -o $@ \
		$(GUEST_DIR)/host/config_dump.c $(GUEST_HOST_SRCS)

$(BUILD)/fuzz/fuzz_config: $(GUEST_DIR)/host/fuzz_config.c $(GUEST_HOST_SRCS) $(GUEST_HOST_HDRS)
	@mkdir -p $(@D)
	$(GUEST_FUZZ_CC) $(GUEST_FUZZ_FLAGS) -o $@ $(GUEST_DIR)/host/fuzz_config.c $(GUEST_HOST_SRCS)

# The ISO reader fuzzes with the SDK's own headers; iso.c is included by
# its harness (see fuzz_iso.c), config.c gives it nb_config_file.
$(BUILD)/fuzz/fuzz_iso: $(GUEST_DIR)/host/fuzz_iso.c $(GUEST_DIR)/sdk/iso.c $(GUEST_HOST_SRCS) \
		$(GUEST_HOST_HDRS) $(GUEST_DIR)/sdk/sdk.h $(GUEST_DIR)/include/nabla.h
	@mkdir -p $(@D)
	$(GUEST_FUZZ_CC) $(GUEST_FUZZ_FLAGS) -I$(GUEST_DIR)/include -Inabla-lib/abi -o $@ \
		$(GUEST_DIR)/host/fuzz_iso.c $(GUEST_HOST_SRCS)

# Each target's seeds and regressions: tests/guest/testdata/fuzz/<name>.
fuzz-guest: $(BUILD)/fuzz/fuzz_config $(BUILD)/fuzz/fuzz_iso
	@set -e; for t in config iso; do \
		mkdir -p $(BUILD)/fuzz/corpus/$$t $(BUILD)/fuzz/artifacts/$$t; \
		echo "fuzz-guest: $$t for $(FUZZ_SECONDS)s"; \
		$(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-dict=$(GUEST_DIR)/host/$$t.dict \
			-artifact_prefix=$(BUILD)/fuzz/artifacts/$$t/ \
			$(BUILD)/fuzz/corpus/$$t $(GUEST_FUZZ_SEEDS)/$$t; \
	done
