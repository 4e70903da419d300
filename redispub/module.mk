# redispub/: JSONL on stdin to Redis pub/sub (redispub(1)), plus the
# hiredis helpers its tests and benchmark use.
REDISPUB_SRC	:= redispub/main.c redispub/input.c redispub/ringin.c \
		   redispub/route.c \
		   redispub/outbox.c redispub/batch.c \
		   redispub/resp.c redispub/conn.c redispub/stats.c \
		   redispub/shard.c
REDISPUB_SRC	+= redispub/proof.c redispub/lease.c
REDISPUB_OBJ	:= $(REDISPUB_SRC:%.c=$(BUILD)/obj/%.o)
PROGRAMS	+= $(BUILD)/redispub

$(BUILD)/redispub: $(REDISPUB_OBJ) $(COMMON_LIB)
	$(CC) $(ALL_CFLAGS) $(REDISPUB_OBJ) -o $@ $(ALL_LDFLAGS) \
		$(COMMON_LIB) -lhiredis -ljansson

# test helpers: a hiredis subscriber and a JSONL generator
RP_TOOLS	:= $(BUILD)/tests/rp-sub $(BUILD)/tests/rp-gen

$(BUILD)/tests/rp-sub: tests/redispub/rp-sub.c $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $< -o $@ $(ALL_LDFLAGS) \
		$(COMMON_LIB) -lhiredis

$(BUILD)/tests/rp-gen: tests/redispub/rp-gen.c $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $< -o $@ $(ALL_LDFLAGS) \
		$(COMMON_LIB)

check bench: $(RP_TOOLS)
SHELL_SCRIPTS	+= $(wildcard tests/t-redispub-*.sh bench/part-redis.sh)

# tests/unit/test_resp, test_outbox: the parts alone (the generic unit
# rule links only common).
$(BUILD)/tests/test_resp: tests/unit/test_resp.c $(BUILD)/obj/redispub/resp.o
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Iredispub $(ALL_CFLAGS) $< \
		$(BUILD)/obj/redispub/resp.o -o $@ $(ALL_LDFLAGS) \
		-lcmocka -lhiredis

$(BUILD)/tests/test_outbox: tests/unit/test_outbox.c \
		$(BUILD)/obj/redispub/outbox.o
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Iredispub $(ALL_CFLAGS) $< \
		$(BUILD)/obj/redispub/outbox.o -o $@ $(ALL_LDFLAGS) -lcmocka

# tests/unit/test_batch: the batch encoding with the parts it drives
TEST_BATCH_OBJ	:= $(addprefix $(BUILD)/obj/redispub/, batch.o outbox.o \
		   route.o resp.o)
$(BUILD)/tests/test_batch: tests/unit/test_batch.c $(TEST_BATCH_OBJ) \
		$(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Iredispub $(ALL_CFLAGS) $< $(TEST_BATCH_OBJ) \
		-o $@ $(ALL_LDFLAGS) $(COMMON_LIB) -lcmocka -lhiredis
