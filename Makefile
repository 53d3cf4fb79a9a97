# bq: one library (libbq.a) and one binary per cmd/bq-*.c.
# Modules, binaries and unit tests are found by pattern, so adding a file
# needs no edit here.
#
#   make                      release build into build/
#   make check                every test; last line "N passed, N failed"
#   make SANITIZE=address,undefined check   same suite under ASan+UBSan (build-san/)
#   make VALGRIND=1 check     same suite with every bq binary under valgrind
#   make sigv4-suite SUITE=DIR   run the SigV4 vector driver on DIR
#   make install PREFIX=/usr/local DESTDIR=
#   make demo                 the tour on the embedded local AWS
#   make bench                side-by-side benchmarks (not part of check)

CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=
VERSION := 0.1.0

PKGS    := libcurl openssl jansson expat zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# Debian 12's libjq ships no .pc file.
JQ_LIBS    := $(shell pkg-config --libs libjq 2>/dev/null || echo -ljq -lonig)

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter -Wformat=2 -Wvla
CSTD    := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
OPT     ?= -O2 -g

ifdef SANITIZE
B       := build-san
SANFLAGS := -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT     := -O1 -g
else
B       := build
SANFLAGS :=
endif

CFLAGS_ALL  = $(CSTD) $(WARN) $(OPT) $(SANFLAGS) -DBQ_VERSION='"$(VERSION)"' \
              -Ilib $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL  = $(PKG_LIBS) $(JQ_LIBS) -lm -lpthread $(LDLIBS)
LDFLAGS_ALL = $(SANFLAGS) $(LDFLAGS)

LIB_SRC  := $(sort $(wildcard lib/*.c))
LIB_OBJ  := $(LIB_SRC:lib/%.c=$(B)/lib/%.o)
CMD_SRC  := $(sort $(wildcard cmd/bq-*.c))
BINS     := $(CMD_SRC:cmd/%.c=$(B)/bin/%)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNITS    := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
# Helper programs that shell and Python tests drive (not tests themselves).
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
TOOLS    := $(TOOL_SRC:tests/tools/%.c=$(B)/tools/%)
MANS     := $(sort $(wildcard man/*.1 man/*.7))

.PHONY: all check unit sigv4-suite install uninstall clean demo bench fuzz deps
all: $(B)/libbq.a $(BINS)

$(B)/lib/%.o: lib/%.c $(wildcard lib/*.h) | $(B)/lib
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

# The price table is data; it is compiled into the library so a binary needs
# no installed data file.
lib/prices_data.c: lib/prices.tsv lib/prices_embed.sh
	sh lib/prices_embed.sh lib/prices.tsv > $@.tmp && mv $@.tmp $@

$(B)/libbq.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/bin/%: cmd/%.c $(B)/libbq.a $(wildcard lib/*.h) | $(B)/bin
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(B)/libbq.a $(LDLIBS_ALL)

$(B)/tests/%: tests/unit/%.c tests/unit/t.h $(B)/libbq.a | $(B)/tests
	$(CC) $(CFLAGS_ALL) -Itests/unit $(LDFLAGS_ALL) -o $@ $< $(B)/libbq.a $(LDLIBS_ALL)

$(B)/tools/%: tests/tools/%.c $(B)/libbq.a $(wildcard lib/*.h) | $(B)/tools
	$(CC) $(CFLAGS_ALL) -Itests/unit $(LDFLAGS_ALL) -o $@ $< $(B)/libbq.a $(LDLIBS_ALL)

$(B)/lib $(B)/bin $(B)/tests $(B)/tools:
	mkdir -p $@

unit: $(UNITS) $(TOOLS)

check: all $(UNITS) $(TOOLS)
	@BQ_BUILD=$(abspath $(B)) BQ_VALGRIND=$(VALGRIND) bash tests/run

sigv4-suite: $(B)/tests/test_sigv4_suite
	@$(B)/tests/test_sigv4_suite $(SUITE)

deps:
	sh .ci/deps.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/man/man7
	for b in $(BINS); do install -m 755 $$b $(DESTDIR)$(PREFIX)/bin/; done
	for m in $(filter %.1,$(MANS)); do install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man1/; done
	for m in $(filter %.7,$(MANS)); do install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man7/; done

uninstall:
	for b in $(BINS); do rm -f $(DESTDIR)$(PREFIX)/bin/$$(basename $$b); done

demo: all
	@BQ_BUILD=$(abspath $(B)) bash tests/demo.sh

bench: all
	@BQ_BUILD=$(abspath $(B)) bash bench/run

# libFuzzer targets (clang): tests/fuzz/fuzz_<name>.c with seed corpora in
# tests/fuzz/corpus/<name>/.  `make fuzz` runs each for FUZZ_SECONDS;
# `make fuzz-smoke` runs each briefly from its seeds (what CI does).
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS   = $(CSTD) $(WARN) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
                -DBQ_VERSION='"$(VERSION)"' -DBQ_FUZZING -Ilib $(PKG_CFLAGS)
FUZZ_SRC     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZERS      := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
FUZZ_LIB_OBJ := $(LIB_SRC:lib/%.c=build-fuzz/lib/%.o)

build-fuzz/lib/%.o: lib/%.c $(wildcard lib/*.h) | build-fuzz/lib
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<
build-fuzz/libbq.a: $(FUZZ_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^
build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c build-fuzz/libbq.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< build-fuzz/libbq.a $(LDLIBS_ALL)
build-fuzz/lib:
	mkdir -p $@

.PHONY: fuzz-build fuzz-smoke
fuzz-build: $(FUZZERS)
fuzz: $(FUZZERS)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run $(FUZZERS)
fuzz-smoke: $(FUZZERS)
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-5} bash tests/fuzz/run $(FUZZERS)

clean:
	rm -rf build build-san build-fuzz
