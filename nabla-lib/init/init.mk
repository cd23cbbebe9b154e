# runnc-init, the container's first process until start. Included by the
# top Makefile after tender.mk, whose C library (musl, a static PIE) and
# hardening flags it shares.
INIT_DIR := nabla-lib/init

.PHONY: init

init: $(BUILD)/runnc-init

$(BUILD)/runnc-init: $(INIT_DIR)/runnc-init.c $(INIT_DIR)/init.mk | $(TENDER_UAPI)
	@mkdir -p $(@D)
	$(TENDER_CC) $(TENDER_CFLAGS) $(TENDER_LDFLAGS) -o $@ $(TENDER_START) $< $(TENDER_END)
