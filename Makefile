# tickpipe: one non-recursive GNU Makefile.  Each program's object list and
# link line live in its folder's module.mk, included below; everything is
# built under $(BUILD) (build/ by default, build-san/ for the sanitizer run).

prefix		?= /usr/local
exec_prefix	?= $(prefix)
bindir		?= $(exec_prefix)/bin
datadir		?= $(prefix)/share
mandir		?= $(datadir)/man
pkgdatadir	?= $(datadir)/tickpipe
DESTDIR		?=

CC		?= gcc
BUILD		?= build
WARN		:= -Wall -Wextra -Wpedantic
OPT		?= -O2 -g
# user CFLAGS are appended, never replaced
ALL_CFLAGS	= -std=c11 $(OPT) $(WARN) $(EXTRA_CFLAGS) $(CFLAGS)
ALL_CPPFLAGS	= -D_GNU_SOURCE -Icommon -MMD -MP $(CPPFLAGS)
ALL_LDFLAGS	= $(EXTRA_LDFLAGS) $(LDFLAGS)

SAN_FLAGS	:= -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=undefined
ifeq ($(SAN),1)
BUILD		:= build-san
EXTRA_CFLAGS	+= $(SAN_FLAGS)
EXTRA_LDFLAGS	+= $(SAN_FLAGS)
OPT		:= -O1 -g
endif

# -Werror for every object `make check` builds, whenever it was built.
# $(FLAGS_STAMP) holds the flags the tree was compiled with, and every
# target depends on it (.EXTRA_PREREQS, GNU make 4.3), so new flags
# (CFLAGS, OPT, -Werror) rebuild everything.  A tree once built for
# `make check` keeps -Werror for plain `make` too, so that alternating
# the two does not rebuild everything each time; `make clean` ends that.
FLAGS_STAMP	:= $(BUILD)/.cflags
ifneq ($(filter check,$(MAKECMDGOALS))$(filter -Werror,$(file <$(FLAGS_STAMP))),)
EXTRA_CFLAGS	+= -Werror
endif
FLAGS_NOW	= $(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS)
.EXTRA_PREREQS	:= $(FLAGS_STAMP)

# Debian packages: to build (the dashboard with npm, see wsgate/www/),
# and to run the tests and `make run`.  PKG@CMD: only if CMD is missing.
BUILD_PKGS	:= gcc make pkg-config libevent-dev libhiredis-dev \
		   libjansson-dev libwslay-dev libssl-dev libcmocka-dev \
		   zlib1g-dev nodejs@node npm@npm
BUILD_PKGS	+= libzstd-dev
CHECK_PKGS	:= redis-server redis-tools python3 python3-websockets \
		   python3-prometheus-client \
		   clang libclang-rt-14-dev mandoc groff-base shellcheck \
		   openssl procps psmisc chromium iproute2 s6 \
		   redis-sentinel faketime
# `make bench` only: the peers it measures tickpipe beside (bench/part-*.sh)
BENCH_PKGS	:= iceoryx libiceoryx-binding-c-dev nginx-light \
		   libnginx-mod-nchan g++ libsimdjson-dev
BUILD_HDRS	:= /usr/include/event2/event.h /usr/include/hiredis/hiredis.h \
		   /usr/include/jansson.h /usr/include/wslay/wslay.h \
		   /usr/include/openssl/sha.h /usr/include/cmocka.h \
		   /usr/include/event2/bufferevent_ssl.h /usr/include/zlib.h
BUILD_HDRS	+= /usr/include/zstd.h
BUILD_TOOLS	:= node npm
CHECK_TOOLS	:= redis-server redis-cli clang mandoc shellcheck openssl \
		   s6-log chromium

missing_hdrs	= $(strip $(foreach h,$(BUILD_HDRS),$(if $(wildcard $(h)),,$(h))))
missing_cmds	= $(strip $(foreach t,$(1),$(if $(shell command -v $(t) 2>/dev/null),,$(t))))
missing_build	= $(strip $(missing_hdrs) $(call missing_cmds,$(BUILD_TOOLS)))
missing_check	= $(call missing_cmds,$(CHECK_TOOLS))

all: programs

# the stamp changes only when the flags do
ifneq ($(strip $(FLAGS_NOW)),$(strip $(file <$(FLAGS_STAMP))))
$(FLAGS_STAMP): FORCE
endif
$(FLAGS_STAMP):
	@mkdir -p $(@D)
	@printf '%s\n' '$(subst ','\'',$(FLAGS_NOW))' >$@
$(FLAGS_STAMP) FORCE clean deps deps-build deps-check lint-man lint-sh \
	$(BUILD)/.deps-ok: .EXTRA_PREREQS :=
FORCE:

.PHONY: all programs check check-san unit bench fuzz run install uninstall \
	clean deps deps-build deps-check lint-man lint-sh www FORCE

# deps: install every Debian package the project needs (as root), or
# print the command.  `make` and `make check` call the parts they need
# only when something is missing.
deps:
	@sh tools/deps.sh $(BUILD_PKGS) $(CHECK_PKGS)
	@sh tools/deps.sh $(BENCH_PKGS)

deps-build:
	@$(if $(missing_build),echo "missing: $(missing_build)"; sh tools/deps.sh $(BUILD_PKGS),:)

deps-check: deps-build
	@$(if $(missing_check),echo "missing: $(missing_check)"; sh tools/deps.sh $(CHECK_PKGS),:)
	@/usr/bin/python3 -c 'import websockets' 2>/dev/null || sh tools/deps.sh python3-websockets

PROGRAMS :=
MAN1 :=
CLEAN :=

# --- common/: one static library ---
COMMON_SRC	:= common/dec.c common/record.c common/ring.c common/jsonl.c \
		   common/util.c common/redisurl.c common/json.c \
		   common/backoff.c common/ratelog.c common/secret.c \
		   common/wskey.c common/recfilter.c \
		   common/lathist.c common/ringlines.c
COMMON_OBJ	:= $(COMMON_SRC:%.c=$(BUILD)/obj/%.o)
# in the library but not in the fuzz targets' sources: it needs hiredis
COMMON_OBJ	+= $(BUILD)/obj/common/sentinel.o $(BUILD)/obj/common/cluster.o
COMMON_LIB	:= $(BUILD)/libtpcommon.a

$(COMMON_LIB): $(COMMON_OBJ)
	$(AR) rcs $@ $^

# common/history.c (recorder(1) FILE FORMAT) needs -lzstd -lz: only the
# programs that read or write history link it
HISTORY_OBJ	:= $(BUILD)/obj/common/history.o

# objects live under $(BUILD)/obj/ so that $(BUILD)/NAME can be a binary
$(BUILD)/obj/%.o: %.c | $(BUILD)/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/.deps-ok:
	@$(MAKE) --no-print-directory deps-build
	@mkdir -p $(@D) && touch $@

include collector/module.mk
include shmreader/module.mk
include recorder/module.mk
include deriver/module.mk
-include redispub/module.mk
-include wsgate/module.mk
-include wsgate/www/module.mk
-include supervisor/module.mk
include tests/module.mk
include bench/module.mk

programs: $(PROGRAMS)

# not built with the C flags: the dashboard (npm) and the fuzzers (clang)
$(WWW_NPM)/.stamp $(WWW_STAMP) $(FUZZ_BIN) $(FUZZ_STAMP): .EXTRA_PREREQS :=
# npm is one of the packages `make` installs
$(WWW_NPM)/.stamp: | $(BUILD)/.deps-ok

# --- man pages ---
MAN_ALL := $(wildcard man/*.[1-9])

lint-man:
	@for m in $(MAN_ALL); do \
		out=$$(mandoc -Tlint -W warning $$m 2>&1); \
		if [ -n "$$out" ]; then echo "$$out"; exit 1; fi; \
		out=$$(groff -mdoc -ww -z $$m 2>&1); \
		if [ -n "$$out" ]; then echo "$$m: $$out"; exit 1; fi; \
	done; echo "man pages: $(words $(MAN_ALL)) lint-clean"

# tests are linted for warnings; the programs' scripts for everything
lint-sh:
	@shellcheck -s sh $(SHELL_SCRIPTS) && shellcheck $(BASH_SCRIPTS) && \
		shellcheck -s sh -S warning tests/lib.sh $(TEST_SCRIPTS) \
		$(wildcard tests/*/*.sh) && echo "shell scripts: lint-clean"

install: programs
	install -d $(DESTDIR)$(bindir) $(DESTDIR)$(mandir)/man1 \
		$(DESTDIR)$(mandir)/man5 $(DESTDIR)$(mandir)/man7 \
		$(DESTDIR)$(mandir)/man8
	install -m 755 $(PROGRAMS) $(DESTDIR)$(bindir)/
	for m in $(MAN_ALL); do \
		s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(mandir)/man$$s/; \
	done

uninstall:
	for p in $(notdir $(PROGRAMS)); do rm -f $(DESTDIR)$(bindir)/$$p; done
	for m in $(notdir $(MAN_ALL)); do \
		s=$${m##*.}; rm -f $(DESTDIR)$(mandir)/man$$s/$$m; \
	done

clean:
	rm -rf build build-san $(CLEAN)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
