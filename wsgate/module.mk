# wsgate/: the WebSocket fan-out gateway (Redis pub/sub -> browsers).
# layers, top to bottom (wsgate/wsgate.h draws them)
WSGATE_SRC	:= wsgate/main.c wsgate/client.c wsgate/http.c wsgate/hub.c \
		   wsgate/httphead.c wsgate/upgrade.c wsgate/metrics.c \
		   wsgate/frame.c wsgate/glob.c wsgate/conflate.c \
		   wsgate/shard.c wsgate/evredis.c \
		   wsgate/evsentinel.c wsgate/evturn.c wsgate/evname.c
WSGATE_OBJ	:= $(WSGATE_SRC:%.c=$(BUILD)/obj/%.o)
PROGRAMS	+= $(BUILD)/wsgate
MAN1		+= man/wsgate.1

# without --www, wsgate serves the installed dashboard if it is there
$(WSGATE_OBJ): private ALL_CPPFLAGS += \
	-DWSGATE_WWW_DEFAULT="\"$(pkgdatadir)/www\""
$(BUILD)/obj/wsgate/main.o: wsgate/module.mk

$(BUILD)/wsgate: $(WSGATE_OBJ) $(COMMON_LIB)
	$(CC) $(ALL_CFLAGS) $(WSGATE_OBJ) -o $@ $(ALL_LDFLAGS) $(COMMON_LIB) \
		-levent -lhiredis -ljansson -lcrypto

# the glob matcher alone, for tests/t-wsgate-glob.sh
$(BUILD)/tests/wsgate-glob: tests/wsgate/globcheck.c $(BUILD)/obj/wsgate/glob.o
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Iwsgate $(ALL_CFLAGS) $< \
		$(BUILD)/obj/wsgate/glob.o -o $@ $(ALL_LDFLAGS)

programs: $(BUILD)/tests/wsgate-glob

# tests/unit/test_conflate: the conflator alone, with the frames it makes
TEST_CONFLATE_OBJ := $(addprefix $(BUILD)/obj/wsgate/, conflate.o frame.o)
$(BUILD)/tests/test_conflate: tests/unit/test_conflate.c $(TEST_CONFLATE_OBJ) \
		$(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Iwsgate $(ALL_CFLAGS) $< $(TEST_CONFLATE_OBJ) \
		-o $@ $(ALL_LDFLAGS) $(COMMON_LIB) -lcmocka -levent -ljansson

# tests/unit/test_evredis: the Redis connection alone, on a socket of the
# test's own
TEST_EVREDIS_OBJ := $(addprefix $(BUILD)/obj/wsgate/, evredis.o evname.o)
$(BUILD)/tests/test_evredis: tests/unit/test_evredis.c $(TEST_EVREDIS_OBJ) \
		$(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Iwsgate $(ALL_CFLAGS) $< $(TEST_EVREDIS_OBJ) \
		-o $@ $(ALL_LDFLAGS) $(COMMON_LIB) -lcmocka -levent -lhiredis

# wsgate with the relative default "www-default", for
# tests/t-wsgate-www-default.sh (run from a directory with or without it)
WSGATE_WT_OBJ	:= $(BUILD)/obj/wsgate/main-wwwtest.o \
		   $(filter-out $(BUILD)/obj/wsgate/main.o,$(WSGATE_OBJ))

$(BUILD)/obj/wsgate/main-wwwtest.o: wsgate/main.c | $(BUILD)/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -DWSGATE_WWW_DEFAULT='"www-default"' \
		$(ALL_CFLAGS) -c $< -o $@

$(BUILD)/tests/wsgate-wwwtest: $(WSGATE_WT_OBJ) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(WSGATE_WT_OBJ) -o $@ $(ALL_LDFLAGS) \
		$(COMMON_LIB) -levent -lhiredis -ljansson -lcrypto

programs: $(BUILD)/tests/wsgate-wwwtest
