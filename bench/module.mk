# bench/: `make bench` prints one table of side-by-side measurements.
BENCH_SRC	:= $(sort $(wildcard bench/*.c))
BENCH_BIN	:= $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
SHELL_SCRIPTS	+= bench/run.sh $(wildcard bench/part-*.sh)

$(BUILD)/bench/%: bench/%.c $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $< -o $@ $(ALL_LDFLAGS) \
		$(COMMON_LIB) -ljansson -lpthread

bench: programs $(BENCH_BIN)
	@BIN=$(abspath $(BUILD)) sh bench/run.sh
