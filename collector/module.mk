# collector/: the ring writer and its feeds.
include collector/live.mk

COLLECTOR_SRC	:= collector/main.c collector/emit.c collector/book.c \
		   collector/sim.c collector/feed_jsonl.c collector/replay.c \
		   $(LIVE_SRC)
COLLECTOR_OBJ	:= $(COLLECTOR_SRC:%.c=$(BUILD)/obj/%.o)

$(BUILD)/collector: $(COLLECTOR_OBJ) $(COMMON_LIB)
	$(CC) $(ALL_CFLAGS) $(COLLECTOR_OBJ) -o $@ $(ALL_LDFLAGS) \
		$(COMMON_LIB) $(LIVE_LIBS) -ljansson -lm

PROGRAMS	+= $(BUILD)/collector
