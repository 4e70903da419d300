# supervisor/: tickpipe(8), the POSIX sh supervisor, and `make run`.
# The script is copied to $(BUILD)/tickpipe so that it sits next to the
# programs it starts (it looks for them in its own directory first).

SHELL_SCRIPTS	+= supervisor/tickpipe tests/supervisor/sv.sh \
		   $(wildcard tests/t-supervisor-*.sh)
PROGRAMS	+= $(BUILD)/tickpipe
# what `make run` needs at run time, beyond what `make` needs
RUN_PKGS	:= redis-server redis-tools coreutils procps s6

$(BUILD)/tickpipe: supervisor/tickpipe
	@mkdir -p $(@D)
	install -m 755 $< $@

# make run: build, install what is missing, run the whole pipeline in the
# foreground (Ctrl-C stops it); tickpipe prints where to look once up.
# It runs with supervisor/run.conf (three simulated venues);
# TICKPIPE_CONF=FILE runs with that config instead.
run: programs
	@sh tools/deps.sh $(RUN_PKGS)
	@TICKPIPE_BIN=$(abspath $(BUILD)) $(BUILD)/tickpipe \
		-c $(abspath $(or $(TICKPIPE_CONF),supervisor/run.conf)) run

install: install-supervisor
install-supervisor:
	install -d $(DESTDIR)$(pkgdatadir)
	install -m 644 supervisor/tickpipe.conf.example $(DESTDIR)$(pkgdatadir)/

uninstall: uninstall-supervisor
uninstall-supervisor:
	rm -f $(DESTDIR)$(pkgdatadir)/tickpipe.conf.example

.PHONY: install-supervisor uninstall-supervisor

# tickpipe-logrelay: between each log fifo and its s6-log (tickpipe(8) LOGS)
LOGRELAY_OBJ	:= $(BUILD)/obj/supervisor/logrelay.o

$(BUILD)/tickpipe-logrelay: $(LOGRELAY_OBJ)
	$(CC) $(ALL_CFLAGS) $(LOGRELAY_OBJ) -o $@ $(ALL_LDFLAGS)

PROGRAMS	+= $(BUILD)/tickpipe-logrelay
