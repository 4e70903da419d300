# collector/: the ring writer and its feeds.
include collector/live.mk

COLLECTOR_SRC	:= collector/main.c collector/emit.c collector/book.c \
		   collector/sim.c collector/feed_jsonl.c collector/replay.c \
		   $(LIVE_SRC)
COLLECTOR_OBJ	:= $(COLLECTOR_SRC:%.c=$(BUILD)/obj/%.o)

$(BUILD)/collector: $(COLLECTOR_OBJ) $(HISTORY_OBJ) $(COMMON_LIB)
	$(CC) $(ALL_CFLAGS) $(COLLECTOR_OBJ) $(HISTORY_OBJ) -o $@ $(ALL_LDFLAGS) \
		$(COMMON_LIB) $(LIVE_LIBS) -ljansson -lm -lzstd -lz

PROGRAMS	+= $(BUILD)/collector

# tests/unit/test_book: the order book alone.
$(BUILD)/tests/test_book: tests/unit/test_book.c $(BUILD)/obj/collector/book.o \
		$(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Icollector $(ALL_CFLAGS) $< \
		$(BUILD)/obj/collector/book.o -o $@ $(ALL_LDFLAGS) \
		$(COMMON_LIB) -lcmocka
