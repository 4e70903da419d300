# collector/live.mk: the live venue feeds' sources (owned by the venue work).
LIVE_SRC	:= collector/live.c collector/ws.c collector/https.c \
		   collector/venue.c collector/venue_coinbase.c \
		   collector/venue_kraken.c collector/venue_binance.c \
		   collector/venue_bybit.c collector/venue_okx.c
LIVE_LIBS	:= -levent_openssl -levent -lssl -lcrypto -lwslay -lz
SHELL_SCRIPTS	+= $(wildcard tests/t-venue-*.sh tests/mock/*.sh \
		   bench/part-venues.sh)

# bench/venues: the adapters without the network, so it links the
# collector's objects (all but main.o) and the live libraries.
VENUES_BENCH_OBJ	:= $(LIVE_SRC:%.c=$(BUILD)/obj/%.o) \
			   $(BUILD)/obj/collector/emit.o \
			   $(BUILD)/obj/collector/book.o

$(BUILD)/bench/venues: bench/venues.c $(VENUES_BENCH_OBJ) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Icollector $(ALL_CFLAGS) $< $(VENUES_BENCH_OBJ) \
		-o $@ $(ALL_LDFLAGS) $(COMMON_LIB) $(LIVE_LIBS) -ljansson -lm

