# shakedown — build, test, demo, install, bench. Dependencies are Debian
# packages found with pkg-config; `make deps` installs what is missing.

VERSION   := 0.1.0
PREFIX    ?= /usr/local
DESTDIR   ?=
CC        ?= cc
PKGS      := libcurl libpq hiredis libnl-route-3.0 yaml-0.1 jansson libmicrohttpd
DEB_BUILD := gcc make pkg-config libcurl4-openssl-dev libpq-dev libhiredis-dev \
             libnl-3-dev libnl-route-3-dev libyaml-dev libjansson-dev \
             libmicrohttpd-dev libcmocka-dev
DEB_RUN   := redis-server redis-tools postgresql curl mandoc iproute2 procps python3

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

OPT     ?= -O2 -g
SAN     ?=
# -Wno-format-truncation: error messages are cut to fixed buffers on purpose.
# CFLAGS/LDFLAGS given on the command line add to these, never replace them.
ALL_CFLAGS = $(OPT) $(SAN) -std=c11 -Wall -Wextra -Werror -Wno-format-truncation \
           -DSD_VERSION='"$(VERSION)"' $(PKG_CFLAGS) -MMD -MP $(CFLAGS)
ALL_LDFLAGS = $(SAN) $(LDFLAGS)
LDLIBS  += $(PKG_LIBS) -lpthread -lm

BUILD   ?= build
LIB_SRC := $(wildcard lib/*.c drills/*.c reports/*.c sandbox/*.c)
CMD_SRC := $(wildcard cmd/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CMD_OBJ := $(CMD_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
MANS    := $(wildcard man/*.1 man/*.5)

.PHONY: all deps test unit integration asan demo install uninstall clean lint man-lint bench

all: $(BUILD)/shakedown

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libshakedown.a: $(LIB_OBJ)
	ar rcs $@ $^

$(BUILD)/shakedown: $(CMD_OBJ) $(BUILD)/libshakedown.a
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(CMD_OBJ) $(BUILD)/libshakedown.a $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libshakedown.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libshakedown.a $(LDLIBS) $(CMOCKA_LIBS)

# Install missing Debian packages when root; otherwise say what to run.
deps:
	@missing=""; for p in $(DEB_BUILD) $(DEB_RUN); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "deps: all present"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "deps: installing$$missing"; \
	  (apt-get install -y -q $$missing || (apt-get update -q && apt-get install -y -q $$missing)) >/dev/null 2>&1 \
	    || { echo "deps: apt-get install failed:$$missing" >&2; exit 1; }; \
	  echo "deps: done"; \
	else echo "deps: run as root: apt-get install$$missing" >&2; exit 1; fi

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

integration: $(BUILD)/shakedown
	@SHAKEDOWN=$(abspath $(BUILD)/shakedown) bash tests/integration/run.sh

test: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN)
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory man-lint
	@$(MAKE) --no-print-directory integration

# The whole suite again under AddressSanitizer + UBSan, in its own build dir.
asan: deps
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  $(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" unit integration

man-lint:
	@if command -v mandoc >/dev/null; then mandoc -T lint -W warning $(MANS) && echo "man: mandoc -T lint clean"; \
	else echo "man: mandoc not installed" >&2; exit 1; fi

bench: deps all
	@for p in nginx-light wrk time; do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || \
	  { [ "$$(id -u)" = 0 ] && apt-get install -y -q $$p >/dev/null 2>&1 || { echo "bench: install $$p" >&2; exit 1; }; }; done
	@bash tests/bench/run.sh $(abspath $(BUILD)/shakedown)

demo: deps all
	@bash tests/demo.sh $(abspath $(BUILD)/shakedown)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/shakedown/scenarios
	install -m 755 $(BUILD)/shakedown $(DESTDIR)$(PREFIX)/bin/shakedown
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(PREFIX)/share/man/man1/
	$(if $(wildcard man/*.5),install -m 644 $(wildcard man/*.5) $(DESTDIR)$(PREFIX)/share/man/man5/)
	$(if $(wildcard scenarios/*.yaml),install -m 644 $(wildcard scenarios/*.yaml) $(DESTDIR)$(PREFIX)/share/shakedown/scenarios/)

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/shakedown
	rm -rf $(DESTDIR)$(PREFIX)/share/shakedown

clean:
	rm -rf build build-asan

-include $(LIB_OBJ:.o=.d) $(CMD_OBJ:.o=.d)
