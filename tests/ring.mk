# tests/ring.mk: helper programs for the multi-process ring tests
# (tests/t-ring-*.sh); built before `make check` runs them.

RINGTOOL	:= $(BUILD)/tests/ringtool

$(RINGTOOL): tests/ringtool.c $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $< -o $@ $(ALL_LDFLAGS) \
		$(COMMON_LIB) -ljansson

check: $(RINGTOOL)
unit: $(RINGTOOL)
