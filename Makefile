# shakedown — build, test, demo, install, bench. Dependencies are Debian
# packages found with pkg-config; `make deps` installs what is missing.

# The version has one home: debian/changelog's first line.
LP := (
RP := )
VERSION   := $(subst $(LP),,$(subst $(RP),,$(word 2,$(shell head -n 1 debian/changelog))))
PREFIX    ?= /usr/local
DESTDIR   ?=
CC        ?= cc
PKGS      := libcurl libpq hiredis libnl-route-3.0 yaml-0.1 jansson libmicrohttpd \
             openssl
DEB_BUILD := gcc make pkg-config libcurl4-openssl-dev libpq-dev libhiredis-dev libssl-dev \
             libnl-3-dev libnl-route-3-dev libyaml-dev libjansson-dev \
             libmicrohttpd-dev libcmocka-dev libhttp-parser-dev
DEB_RUN   := redis-server redis-tools postgresql curl mandoc iproute2 procps python3 \
             strace
# only for the tests: the reports' charts are opened in a real browser, the
# examples' YAML is parsed, alerts go through a real Prometheus and
# Alertmanager (the sandbox's --monitoring), and the drills run against a
# Django stack (django-health-check, gunicorn) and a Patroni cluster (etcd,
# HAProxy) built from Debian's packages
DEB_TEST  := chromium python3-yaml prometheus prometheus-alertmanager nginx-light \
             openssl clang \
             python3-django python3-django-health-check python3-django-redis \
             python3-django-prometheus python3-psycopg2 gunicorn \
             patroni etcd-server haproxy
# make deb and its test: debhelper builds it, lintian checks it, the test
# installs it into a Debian made by debootstrap
DEB_PKG   := debhelper dpkg-dev lintian debootstrap

# Deferred (=, not :=): on a bare machine `make demo` installs the packages
# first, and pkg-config must be asked after that, not when this file is read.
# The targets that start with `deps` run the build in a make of their own.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

OPT     ?= -O2 -g
SAN     ?=
# -Wno-format-truncation (gcc's): error messages are cut to fixed buffers on
# purpose. CFLAGS/LDFLAGS given on the command line add to these, never
# replace them.
NO_TRUNC = $(if $(findstring clang,$(CC)),,-Wno-format-truncation)
ALL_CFLAGS = $(OPT) $(SAN) -std=c11 -Wall -Wextra -Werror $(NO_TRUNC) \
           -DSD_VERSION='"$(VERSION)"' -DSD_DATADIR='"$(PREFIX)/share/shakedown"' \
           $(PKG_CFLAGS) -MMD -MP $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN) $(LDFLAGS)
# http-parser (the load engine's response parser, wrk's) ships no .pc file
LDLIBS  += $(PKG_LIBS) -lhttp_parser -lpthread -lm

BUILD   ?= build
# One spelling of the build folder, relative when it is inside the tree: the
# objects' .d files name their targets as the compiler saw them, and a
# `make -C DIR BUILD=/abs/DIR/build` (as the tests run `make install`) would
# otherwise write targets make, called with BUILD=build, never matches —
# every header change then silently left old objects behind.
override BUILD := $(patsubst $(CURDIR)/%,%,$(abspath $(BUILD)))
LIB_SRC := $(wildcard lib/*/*.c drills/*.c reports/*.c sandbox/*.c)
CMD_SRC := $(wildcard cmd/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CMD_OBJ := $(CMD_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
MANS    := $(wildcard man/*.1 man/*.5 man/*.7)

.PHONY: all deps deps-build test unit integration asan test-landed demo install uninstall clean lint \
	man-lint layers clang-check bench pkgcheck chaos fuzz fuzz-corpus deb deb-test

all: $(BUILD)/shakedown

pkgcheck:
	@pkg-config --exists $(PKGS) || { echo "build: missing libraries:" \
	  "$$(for p in $(PKGS); do pkg-config --exists $$p || printf ' %s' $$p; done);" \
	  "run 'make deps' (as root) first" >&2; exit 1; }
	@test -f /usr/include/http_parser.h || { echo "build: missing http_parser.h" \
	  "(libhttp-parser-dev): run 'make deps' (as root) first" >&2; exit 1; }

# the alert rules are built into the sandbox (.incbin)
$(BUILD)/sandbox/sandbox_mon.o: monitoring/shakedown.rules.yml

$(BUILD)/%.o: %.c | pkgcheck
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

# built afresh: a member of a deleted source must not linger
$(BUILD)/libshakedown.a: $(LIB_OBJ)
	@rm -f $@
	@ar rcs $@ $^

$(BUILD)/shakedown: $(CMD_OBJ) $(BUILD)/libshakedown.a
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(CMD_OBJ) $(BUILD)/libshakedown.a $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libshakedown.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libshakedown.a $(LDLIBS) $(CMOCKA_LIBS)

# Install missing Debian packages when root; otherwise say what to run.
# deps-build: what building and running shakedown needs; deps: the tests'
# too (a browser, Node for the second service).
define install_debs
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "deps: all present"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "deps: installing$$missing"; \
	  (apt-get install -y -q $$missing || (apt-get update -q && apt-get install -y -q $$missing)) >/dev/null 2>&1 \
	    || { echo "deps: apt-get install failed:$$missing" >&2; exit 1; }; \
	  echo "deps: done"; \
	else echo "deps: run as root: apt-get install$$missing" >&2; exit 1; fi
endef

deps-build:
	$(call install_debs,$(DEB_BUILD) $(DEB_RUN))

deps:
	$(call install_debs,$(DEB_BUILD) $(DEB_RUN) $(DEB_TEST))
	@# the second, independent service the tests drill (Node/Express)
	@if ! command -v npm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -q nodejs npm >/dev/null 2>&1 || \
	    { echo "deps: apt-get install nodejs npm failed" >&2; exit 1; }; \
	  else echo "deps: run as root: apt-get install nodejs npm" >&2; exit 1; fi; fi
	@if [ ! -d tests/nodeapp/node_modules ] || [ tests/nodeapp/package-lock.json -nt tests/nodeapp/node_modules ]; then \
	  echo "deps: npm ci (tests/nodeapp)"; \
	  npm ci --prefix tests/nodeapp --no-audit --no-fund --loglevel=error >/dev/null || \
	    { echo "deps: npm ci in tests/nodeapp failed" >&2; exit 1; }; touch tests/nodeapp/node_modules; fi

unit: $(UNIT_BIN) $(BUILD)/shakedown
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; \
	  SHAKEDOWN=$(abspath $(BUILD)/shakedown) $$t; done

integration: $(BUILD)/shakedown
	@SHAKEDOWN=$(abspath $(BUILD)/shakedown) bash tests/integration/run.sh

test: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN)
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory man-lint
	@$(MAKE) --no-print-directory layers
	@$(MAKE) --no-print-directory clang-check
	@$(MAKE) --no-print-directory fuzz-corpus
	@$(MAKE) --no-print-directory integration

# The whole suite again under AddressSanitizer + UBSan, in its own build dir.
# A small quarantine: health-load judges the drilled target's RSS trend, and
# ASan's default 256 MiB of quarantined frees would look like a leak.
asan: deps
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:quarantine_size_mb=1 \
	  UBSAN_OPTIONS=print_stacktrace=1 \
	  $(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	  unit fuzz-corpus integration

# The layers only point down, no circle, no file over 800 lines, no
# function over 80 (tests/tools/layers.py; README, Architecture).
layers: all
	@python3 tests/tools/layers.py . $(BUILD) --check

man-lint:
	@if command -v mandoc >/dev/null; then mandoc -T lint -W warning $(MANS) && echo "man: mandoc -T lint clean"; \
	else echo "man: mandoc not installed" >&2; exit 1; fi

bench: deps
	@$(MAKE) --no-print-directory all
	@for p in nginx-light wrk nghttp2-client time; do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || \
	  { [ "$$(id -u)" = 0 ] && apt-get install -y -q $$p >/dev/null 2>&1 || { echo "bench: install $$p" >&2; exit 1; }; }; done
	@bash tests/bench/run.sh $(abspath $(BUILD)/shakedown)

demo: deps
	@$(MAKE) --no-print-directory all
	@bash tests/demo.sh $(abspath $(BUILD)/shakedown)

# The kill tests at full size: SIGKILL, SIGTERM and SIGINT at random moments
# over whole runs of every shipped drill (t_98, 240 trials) and inside every
# fault kind (t_97, 20 rounds); make test runs a sample of each.
chaos: deps
	@$(MAKE) --no-print-directory all
	@SD_TEST_ONLY=t_9[78] SD_KILL_TRIALS=$${SD_KILL_TRIALS:-240} \
	  SD_CHAOS_ROUNDS=$${SD_CHAOS_ROUNDS:-20} \
	  SHAKEDOWN=$(abspath $(BUILD)/shakedown) bash tests/integration/run.sh

# Every deliberately silent fault (t_78: a stop that stops nothing, a pidfile
# beside the server, a proxy nobody uses, a filter nothing matches...) 20
# times: INVALID in 20 of 20, never a false "confirmed"; make test runs each
# once.
test-landed: deps
	@$(MAKE) --no-print-directory all
	@SD_TEST_ONLY=t_78 SD_LANDED_REPEAT=$${SD_LANDED_REPEAT:-20} \
	  SHAKEDOWN=$(abspath $(BUILD)/shakedown) bash tests/integration/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7 \
	  $(DESTDIR)$(PREFIX)/share/shakedown/scenarios \
	  $(DESTDIR)$(PREFIX)/share/shakedown/monitoring
	install -m 755 $(BUILD)/shakedown $(DESTDIR)$(PREFIX)/bin/shakedown
	install -m 644 monitoring/shakedown.rules.yml $(DESTDIR)$(PREFIX)/share/shakedown/monitoring/
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(PREFIX)/share/man/man1/
	$(if $(wildcard man/*.5),install -m 644 $(wildcard man/*.5) $(DESTDIR)$(PREFIX)/share/man/man5/)
	$(if $(wildcard man/*.7),install -m 644 $(wildcard man/*.7) $(DESTDIR)$(PREFIX)/share/man/man7/)
	$(if $(wildcard scenarios/*.yaml),install -m 644 $(wildcard scenarios/*.yaml) $(DESTDIR)$(PREFIX)/share/shakedown/scenarios/)
	install -d $(DESTDIR)$(PREFIX)/share/doc/shakedown/examples
	install -m 644 README.md $(DESTDIR)$(PREFIX)/share/doc/shakedown/
	install -m 644 $(wildcard examples/*) $(DESTDIR)$(PREFIX)/share/doc/shakedown/examples/
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 completion/shakedown.bash \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/shakedown

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/shakedown
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/man/man1/,$(notdir $(wildcard man/*.1)))
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/man/man5/,$(notdir $(wildcard man/*.5)))
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/man/man7/,$(notdir $(wildcard man/*.7)))
	rm -rf $(DESTDIR)$(PREFIX)/share/shakedown $(DESTDIR)$(PREFIX)/share/doc/shakedown
	rm -f $(DESTDIR)$(PREFIX)/share/bash-completion/completions/shakedown

# The Debian package (debian/): built by debhelper from a copy of the sources
# (what git tracks, else the tree without builds), source and binary, into
# $(BUILD)/deb; lintian must report no error and no warning on either.
DEB_DIR := $(BUILD)/deb
DEB_ARCH = $(shell dpkg --print-architecture)
deb:
	$(call install_debs,$(DEB_BUILD) $(DEB_PKG))
	@rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/shakedown-$(VERSION)
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
	  git ls-files -z --cached --others --exclude-standard | \
	    tar --null --ignore-failed-read -T - -cf - 2>/dev/null; \
	else tar --exclude='./build*' --exclude=./.git --exclude=./.shakedown \
	  --exclude=node_modules -cf - .; fi | tar -xf - -C $(DEB_DIR)/shakedown-$(VERSION)
	@echo "deb: dpkg-buildpackage (log: $(DEB_DIR)/build.log)"
	@cd $(DEB_DIR)/shakedown-$(VERSION) && dpkg-buildpackage -us -uc >../build.log 2>&1 || \
	  { tail -n 30 ../build.log >&2; exit 1; }
	@cd $(DEB_DIR) && lintian --fail-on error,warning --display-level '>=warning' \
	  $$([ "$$(id -u)" = 0 ] && echo --allow-root) \
	  shakedown_$(VERSION).dsc shakedown_$(VERSION)_$(DEB_ARCH).deb && \
	  echo "deb: lintian clean: $(DEB_DIR)/shakedown_$(VERSION).dsc $(DEB_DIR)/shakedown_$(VERSION)_$(DEB_ARCH).deb"

# The package used as it will be: installed into a fresh Debian
# (debootstrap), a drill run with it, purged (tests/package/run.sh).
deb-test: deb
	@bash tests/package/run.sh $(abspath $(DEB_DIR)/shakedown_$(VERSION)_$(DEB_ARCH).deb)

# Fuzzing (clang's libFuzzer with ASan and UBSan) of every parser of outside
# input; each target runs FUZZ_SECONDS (7 targets: 17.5 minutes in all).
# Inputs that crashed are kept under build-fuzz/crashes; add them to
# tests/fuzz/corpus so `make test` replays them ever after.
FUZZ_TARGETS := scenario journal match url result proxyctl pidfile mon tls
FUZZ_SECONDS ?= 150
FUZZ_BUILD := build-fuzz

$(BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/driver.c $(BUILD)/libshakedown.a
	@mkdir -p $(dir $@)
	@$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

fuzz-corpus: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/replay_%)
	@set -e; for t in $(FUZZ_TARGETS); do printf '== fuzz corpus %-9s ' $$t; \
	  $(BUILD)/fuzz/replay_$$t tests/fuzz/corpus/$$t/*; done

fuzz: deps
	@for p in clang libclang-rt-14-dev; do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || \
	  { [ "$$(id -u)" = 0 ] && apt-get install -y -q $$p >/dev/null 2>&1 || { echo "fuzz: install $$p" >&2; exit 1; }; }; done
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang OPT="-O1 -g" \
	  SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" \
	  $(FUZZ_BUILD)/libshakedown.a
	@set -e; mkdir -p $(FUZZ_BUILD)/crashes; for t in $(FUZZ_TARGETS); do \
	  clang $(OPT) -g -std=c11 -Wall -Wextra -Werror $(PKG_CFLAGS) \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -o $(FUZZ_BUILD)/fuzz_$$t tests/fuzz/fuzz_$$t.c $(FUZZ_BUILD)/libshakedown.a $(LDLIBS); \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t; cp tests/fuzz/corpus/$$t/* $(FUZZ_BUILD)/corpus/$$t/; \
	  echo "== fuzz $$t for $(FUZZ_SECONDS)s"; \
	  ASAN_OPTIONS=detect_leaks=1 $(FUZZ_BUILD)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
	    -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_BUILD)/crashes/$$t- $(FUZZ_BUILD)/corpus/$$t \
	    2>&1 | grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)' ; \
	  test -z "$$(ls $(FUZZ_BUILD)/crashes/$$t-* 2>/dev/null)" || { echo "fuzz $$t: crash kept in $(FUZZ_BUILD)/crashes" >&2; exit 1; }; \
	done; echo "fuzz: no crash in $(words $(FUZZ_TARGETS)) targets"

# The sources as clang reads them (make fuzz builds with it): gcc alone let
# an _Atomic comparison through that clang refuses, and `make fuzz` broke
# unseen. -fsyntax-only: every warning, no objects; a few seconds.
CLANG_SRC = $(LIB_SRC) $(CMD_SRC) $(UNIT_SRC) $(wildcard tests/fuzz/*.c)
clang-check: | pkgcheck
	@command -v clang >/dev/null || { echo "clang-check: clang missing: run 'make deps'" >&2; exit 1; }
	@printf '%s\n' $(CLANG_SRC) | xargs -P "$$(nproc)" -n 8 clang -fsyntax-only -std=c11 \
	  -Wall -Wextra -Werror -DSD_VERSION='"$(VERSION)"' -DSD_DATADIR='"$(PREFIX)/share/shakedown"' \
	  $(PKG_CFLAGS) $(CPPFLAGS) && echo "clang-check: $(words $(CLANG_SRC)) files clean under clang -Wall -Wextra -Werror"

clean:
	rm -rf build build-asan build-fuzz

# --version is compiled in: a new changelog entry rebuilds it
$(BUILD)/cmd/main.o: debian/changelog

-include $(LIB_OBJ:.o=.d) $(CMD_OBJ:.o=.d)
