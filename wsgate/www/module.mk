# wsgate/www/: the live dashboard that wsgate serves (`wsgate --www DIR`).
# Plain HTML/JS/CSS plus one npm charting library (uPlot), installed by
# `npm ci` from the committed lockfile into $(BUILD)/www-npm (not into the
# source tree), then copied with our files into $(BUILD)/www.  After one
# build the dashboard needs no network: no CDN, every file is local.

WWW_SRC		:= wsgate/www/index.html wsgate/www/app.js wsgate/www/style.css
WWW_NPM		:= $(BUILD)/www-npm
WWW_LIB		:= $(WWW_NPM)/node_modules/uplot/dist
WWW_STAMP	+= $(BUILD)/www/.stamp
WWW_FILES	:= index.html app.js style.css uPlot.iife.min.js uPlot.min.css \
		   uPlot.LICENSE
NPM		?= npm
NPM_FLAGS	?= --prefer-offline --no-audit --no-fund --loglevel=error

# npm ci wipes and refills node_modules; only rerun when the lockfile moves
$(WWW_NPM)/.stamp: wsgate/www/package.json wsgate/www/package-lock.json
	@mkdir -p $(@D)
	cp wsgate/www/package.json wsgate/www/package-lock.json $(@D)/
	cd $(@D) && $(NPM) ci $(NPM_FLAGS)
	@touch $@

$(BUILD)/www/.stamp: $(WWW_SRC) $(WWW_NPM)/.stamp
	@mkdir -p $(@D)
	cp $(WWW_SRC) $(@D)/
	cp $(WWW_LIB)/uPlot.iife.min.js $(WWW_LIB)/uPlot.min.css $(@D)/
	cp $(WWW_NPM)/node_modules/uplot/LICENSE $(@D)/uPlot.LICENSE
	@touch $@

www: $(BUILD)/www/.stamp

programs: $(WWW_STAMP)

install: install-www
install-www: $(BUILD)/www/.stamp
	install -d $(DESTDIR)$(pkgdatadir)/www
	install -m 644 $(addprefix $(BUILD)/www/,$(WWW_FILES)) \
		$(DESTDIR)$(pkgdatadir)/www/

uninstall: uninstall-www
uninstall-www:
	rm -f $(addprefix $(DESTDIR)$(pkgdatadir)/www/,$(WWW_FILES))
	-rmdir $(DESTDIR)$(pkgdatadir)/www 2>/dev/null

.PHONY: install-www uninstall-www
