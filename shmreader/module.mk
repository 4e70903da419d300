# shmreader/: reads a ring, prints JSONL, raw records or a table.
SHMREADER_SRC	:= shmreader/shmreader.c
SHMREADER_OBJ	:= $(SHMREADER_SRC:%.c=$(BUILD)/obj/%.o)

$(BUILD)/shmreader: $(SHMREADER_OBJ) $(COMMON_LIB)
	$(CC) $(ALL_CFLAGS) $(SHMREADER_OBJ) -o $@ $(ALL_LDFLAGS) \
		$(COMMON_LIB) -ljansson

PROGRAMS	+= $(BUILD)/shmreader
