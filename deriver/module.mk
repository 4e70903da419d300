# deriver/: the derived streams (quotes, top-N books, bars, cross-venue
# best prices) from one ring into another.
DERIVER_SRC	:= deriver/main.c deriver/derive.c
DERIVER_OBJ	:= $(DERIVER_SRC:%.c=$(BUILD)/obj/%.o)

$(BUILD)/deriver: $(DERIVER_OBJ) $(COMMON_LIB)
	$(CC) $(ALL_CFLAGS) $(DERIVER_OBJ) -o $@ $(ALL_LDFLAGS) \
		$(COMMON_LIB) -ljansson

PROGRAMS	+= $(BUILD)/deriver

# tests/unit/test_derive: the derived streams' engine alone.
$(BUILD)/tests/test_derive: tests/unit/test_derive.c \
		$(BUILD)/obj/deriver/derive.o $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Ideriver $(ALL_CFLAGS) $< \
		$(BUILD)/obj/deriver/derive.o -o $@ $(ALL_LDFLAGS) \
		$(COMMON_LIB) -lcmocka -ljansson
