# collector/live.mk: the live venue feeds' sources (owned by the venue work).
LIVE_SRC	:= collector/live.c
LIVE_LIBS	:=
