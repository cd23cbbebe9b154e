# The guest TCP/IP stack and the network sample unikernels; included by
# guest.mk, which links GUEST_NET_SRCS into every app in GUEST_NET_APPS.
GUEST_NET_SRCS += $(wildcard $(GUEST_DIR)/net/*.c)
GUEST_NET_APPS += httpd echo

# libFuzzer on the stack: frames in, through every protocol and timer
# (net/fuzz/fuzz_net.c). Seeds and regressions: tests/guestnet/testdata/fuzz.
NET_FUZZ_SEEDS := tests/guestnet/testdata/fuzz

$(BUILD)/fuzz/fuzz_net: $(GUEST_DIR)/net/fuzz/fuzz_net.c $(wildcard $(GUEST_DIR)/net/*.c) \
		$(GUEST_DIR)/net/netpriv.h $(GUEST_DIR)/include/nabla_net.h $(GUEST_DIR)/include/nabla.h
	@mkdir -p $(@D)
	$(GUEST_FUZZ_CC) -std=gnu11 -g -O1 -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-I$(GUEST_DIR)/include -Inabla-lib/abi -o $@ $(GUEST_DIR)/net/fuzz/fuzz_net.c $(wildcard $(GUEST_DIR)/net/*.c)

.PHONY: fuzz-net
fuzz-net: $(BUILD)/fuzz/fuzz_net
	mkdir -p $(BUILD)/fuzz/corpus/net $(BUILD)/fuzz/artifacts/net
	$(BUILD)/fuzz/fuzz_net -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
		-artifact_prefix=$(BUILD)/fuzz/artifacts/net/ $(BUILD)/fuzz/corpus/net $(NET_FUZZ_SEEDS)
