# wsgate/: the WebSocket fan-out gateway (Redis pub/sub -> browsers).
WSGATE_SRC	:= wsgate/main.c wsgate/http.c wsgate/client.c wsgate/hub.c \
		   wsgate/glob.c
WSGATE_OBJ	:= $(WSGATE_SRC:%.c=$(BUILD)/obj/%.o)
PROGRAMS	+= $(BUILD)/wsgate
MAN1		+= man/wsgate.1

$(BUILD)/wsgate: $(WSGATE_OBJ) $(COMMON_LIB)
	$(CC) $(ALL_CFLAGS) $(WSGATE_OBJ) -o $@ $(ALL_LDFLAGS) $(COMMON_LIB) \
		-levent -lhiredis -lwslay -ljansson -lcrypto

# the glob matcher alone, for tests/t-wsgate-glob.sh
$(BUILD)/tests/wsgate-glob: tests/wsgate/globcheck.c $(BUILD)/obj/wsgate/glob.o
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Iwsgate $(ALL_CFLAGS) $< \
		$(BUILD)/obj/wsgate/glob.o -o $@ $(ALL_LDFLAGS)

programs: $(BUILD)/tests/wsgate-glob
