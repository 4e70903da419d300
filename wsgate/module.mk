# wsgate/: the WebSocket fan-out gateway (Redis pub/sub -> browsers).
WSGATE_SRC	:= wsgate/main.c wsgate/http.c wsgate/client.c wsgate/hub.c
WSGATE_OBJ	:= $(WSGATE_SRC:%.c=$(BUILD)/obj/%.o)
PROGRAMS	+= $(BUILD)/wsgate
MAN1		+= man/wsgate.1

$(BUILD)/wsgate: $(WSGATE_OBJ) $(COMMON_LIB)
	$(CC) $(ALL_CFLAGS) $(WSGATE_OBJ) -o $@ $(ALL_LDFLAGS) $(COMMON_LIB) \
		-levent -lhiredis -lwslay -ljansson -lcrypto
