# bench/: `make bench` prints one table of side-by-side measurements.
BENCH_SRC	:= $(sort $(wildcard bench/*.c))
BENCH_BIN	:= $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%) $(BUILD)/bench/jsonsimd
SHELL_SCRIPTS	+= bench/run.sh $(wildcard bench/part-*.sh)

$(BUILD)/bench/%: bench/%.c $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $< -o $@ $(ALL_LDFLAGS) \
		$(COMMON_LIB) -ljansson -lpthread

bench: deps-bench programs $(BENCH_BIN)
	@BIN=$(abspath $(BUILD)) sh bench/run.sh

# iceoryx's C binding (Debian's libiceoryx-binding-c-dev, BENCH_PKGS)
IOX_INC		:= $(firstword $(wildcard /usr/include/iceoryx/v*))
$(BUILD)/bench/ioxbench: bench/ioxbench.c $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -I$(IOX_INC) $(ALL_CFLAGS) $< -o $@ \
		$(ALL_LDFLAGS) $(COMMON_LIB) -liceoryx_binding_c -lpthread

# the peers' Debian packages (BENCH_PKGS), installed when missing
.PHONY: deps-bench
deps-bench: .EXTRA_PREREQS :=
deps-bench: deps-check
	@sh tools/deps.sh $(BENCH_PKGS)
$(BENCH_BIN): | deps-bench

# the Redis delivery subscribers (bench/part-rdeliv.sh) read with hiredis
$(BUILD)/bench/rdeliv: bench/rdeliv.c $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $< -o $@ $(ALL_LDFLAGS) -lhiredis

# simdjson's check beside the scanner's (bench/part-tardis.sh): C++,
# simdjson being C++ (Debian's libsimdjson-dev, BENCH_PKGS)
$(BUILD)/bench/jsonsimd: bench/jsonsimd.cc $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CXX) -std=c++17 $(OPT) -Wall -Wextra $(ALL_CPPFLAGS) $< -o $@ \
		$(ALL_LDFLAGS) $(COMMON_LIB) -lsimdjson
