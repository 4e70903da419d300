# collector/live.mk: the live venue feeds' sources (owned by the venue work).
LIVE_SRC	:= collector/live.c collector/ws.c collector/https.c \
		   collector/venue.c collector/venue_coinbase.c \
		   collector/venue_kraken.c collector/venue_binance.c \
		   collector/venue_bybit.c collector/venue_okx.c
LIVE_LIBS	:= -levent_openssl -levent -lssl -lcrypto -lwslay -lz
SHELL_SCRIPTS	+= $(wildcard tests/t-venue-*.sh tests/mock/*.sh \
		   bench/part-venues.sh)
