# tests/: cmocka unit tests, shell tests of the real programs, fuzzers.

UNIT_SRC	:= $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN	:= $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TEST_SCRIPTS	:= $(sort $(wildcard tests/t-*.sh))
SHELL_SCRIPTS	+= tests/run.sh tools/deps.sh tests/chaos/pipeline.sh \
		   $(wildcard tests/t-chaos-*.sh)
BASH_SCRIPTS	+= .ci/run

$(BUILD)/tests/%: tests/unit/%.c $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $< -o $@ $(ALL_LDFLAGS) \
		$(COMMON_LIB) -lcmocka -ljansson -lcrypto $(UNIT_LIBS)

# common/cluster.c reads CLUSTER SLOTS replies with hiredis
$(BUILD)/tests/test_cluster: UNIT_LIBS = -lhiredis

unit: $(UNIT_BIN)

# the clients of tests/t-chaos-pipeline.sh (and t-redispub-redis-restart)
CHAOS_SUB	:= $(BUILD)/tests/chaos-sub

$(CHAOS_SUB): tests/chaos/chaos-sub.c $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $< -o $@ $(ALL_LDFLAGS) $(COMMON_LIB)

# an LD_PRELOAD library that fails fsync(2) (tests/faults/fsyncfail.c):
# built without the sanitizers, which a preloaded library cannot carry
FSYNCFAIL	:= $(BUILD)/tests/fsyncfail.so

$(FSYNCFAIL): tests/faults/fsyncfail.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -Wall -Wextra -shared -fPIC $< -o $@ -ldl

# TESTS=... runs a subset: make check TESTS='tests/t-ring-*.sh'
TESTS ?= $(UNIT_BIN) $(TEST_SCRIPTS) tests/fuzz/run-brief.sh

check: deps-check programs $(UNIT_BIN) $(CHAOS_SUB) $(FSYNCFAIL) lint-man lint-sh \
    fuzz-build
	@BIN=$(abspath $(BUILD)) sh tests/run.sh $(TESTS)

# --- libFuzzer (clang) ---
FUZZ_TARGETS	:= fuzz_jsonl fuzz_dec fuzz_json fuzz_httphead fuzz_wshandshake \
		   fuzz_wsclient fuzz_histpack fuzz_wshead fuzz_venue \
		   fuzz_conflate fuzz_redispub
FUZZ_BIN	:= $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
FUZZ_FLAGS	:= -std=c11 -g -O1 -D_GNU_SOURCE -Icommon \
		   -fsanitize=fuzzer,address,undefined \
		   -fno-sanitize-recover=undefined
# the fuzzers are not built with the C flags (they have no $(FLAGS_STAMP)):
# their own stamp, changed only when FUZZ_FLAGS do, rebuilds them then
FUZZ_STAMP	:= $(BUILD)/fuzz/.flags
ifneq ($(strip $(FUZZ_FLAGS)),$(strip $(file <$(FUZZ_STAMP))))
$(FUZZ_STAMP): FORCE
endif
$(FUZZ_STAMP):
	@mkdir -p $(@D)
	@printf '%s\n' '$(subst ','\'',$(FUZZ_FLAGS))' >$@
$(FUZZ_BIN): $(FUZZ_STAMP)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(COMMON_SRC) $(wildcard common/*.h)
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) $< $(COMMON_SRC) -o $@ -ljansson -lcrypto

# history blocks' packing: common/history.c needs zstd and zlib
$(BUILD)/fuzz/fuzz_histpack: tests/fuzz/fuzz_histpack.c common/history.c \
    $(COMMON_SRC) $(wildcard common/*.h)
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) $< common/history.c $(COMMON_SRC) -o $@ -ljansson \
	    -lcrypto -lzstd -lz

# wsgate's HTTP head parser, and the server side of its WebSocket handshake
$(BUILD)/fuzz/fuzz_httphead: tests/fuzz/fuzz_httphead.c wsgate/httphead.c \
    wsgate/httphead.h
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) -Iwsgate $< wsgate/httphead.c -o $@

$(BUILD)/fuzz/fuzz_wshandshake: tests/fuzz/fuzz_wshandshake.c \
    wsgate/httphead.c wsgate/httphead.h wsgate/upgrade.c wsgate/upgrade.h \
    common/wskey.c common/wskey.h common/util.c common/util.h
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) -Iwsgate $< wsgate/httphead.c wsgate/upgrade.c \
		common/wskey.c common/util.c -o $@ -lcrypto -lm

# client frame headers: wsgate/frame.c needs jansson (frame_json), not
# libevent
$(BUILD)/fuzz/fuzz_wshead: tests/fuzz/fuzz_wshead.c wsgate/frame.c \
    wsgate/frame.h $(COMMON_SRC) $(wildcard common/*.h)
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) -Iwsgate $< wsgate/frame.c $(COMMON_SRC) -o $@ \
		-ljansson -lcrypto

# the collector's venue adapters, fed without the network as
# bench/venues feeds them: the live sources, emit.c and book.c
FUZZ_VENUE_SRC	:= $(LIVE_SRC) collector/emit.c collector/book.c
$(BUILD)/fuzz/fuzz_venue: tests/fuzz/fuzz_venue.c tests/fuzz/lines.h \
    $(FUZZ_VENUE_SRC) $(COMMON_SRC) $(wildcard common/*.h collector/*.h)
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) -Icollector $< $(FUZZ_VENUE_SRC) $(COMMON_SRC) \
		-o $@ $(LIVE_LIBS) -ljansson -lcrypto -lm

# wsgate's conflator, with the frames it makes
$(BUILD)/fuzz/fuzz_conflate: tests/fuzz/fuzz_conflate.c tests/fuzz/lines.h \
    wsgate/conflate.c wsgate/frame.c $(wildcard wsgate/*.h) $(COMMON_SRC) \
    $(wildcard common/*.h)
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) -Iwsgate $< wsgate/conflate.c wsgate/frame.c \
		$(COMMON_SRC) -o $@ -levent -ljansson -lcrypto

# redispub's routing and batch encoding, as tests/unit/test_batch
FUZZ_REDISPUB_SRC := $(addprefix redispub/, batch.c outbox.c route.c resp.c) \
		     common/cluster.c common/sentinel.c
$(BUILD)/fuzz/fuzz_redispub: tests/fuzz/fuzz_redispub.c tests/fuzz/lines.h \
    $(FUZZ_REDISPUB_SRC) \
    $(wildcard redispub/*.h) $(COMMON_SRC) $(wildcard common/*.h)
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) -Iredispub $< $(FUZZ_REDISPUB_SRC) $(COMMON_SRC) \
		-o $@ -lhiredis -ljansson -lcrypto

fuzz-build: $(FUZZ_BIN)

fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do \
		echo "fuzz: $$f for $${FUZZ_SECONDS:-60} s"; \
		mkdir -p $(BUILD)/fuzz/corpus-$$(basename $$f) \
		    $(BUILD)/fuzz/artifacts; \
		FUZZ_RING_DIR=$(BUILD)/fuzz \
		$$f -max_total_time=$${FUZZ_SECONDS:-60} -max_len=4096 \
		    -close_fd_mask=2 \
		    -artifact_prefix=$(BUILD)/fuzz/artifacts/$$(basename $$f)- \
		    $(BUILD)/fuzz/corpus-$$(basename $$f) tests/fuzz/seed || exit 1; \
	done

include tests/ring.mk
