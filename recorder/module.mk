# recorder/: records a ring into history files; `recorder cat` reads them.
RECORDER_SRC	:= recorder/recorder.c recorder/cat.c
RECORDER_OBJ	:= $(RECORDER_SRC:%.c=$(BUILD)/obj/%.o)

$(BUILD)/recorder: $(RECORDER_OBJ) $(HISTORY_OBJ) $(COMMON_LIB)
	$(CC) $(ALL_CFLAGS) $(RECORDER_OBJ) $(HISTORY_OBJ) -o $@ \
		$(ALL_LDFLAGS) $(COMMON_LIB) -ljansson -lzstd -lz -pthread

PROGRAMS	+= $(BUILD)/recorder
