# bgplens -- one non-recursive Makefile.
#
#   make            build every binary into bin/
#   make test       build and run the whole suite (unit, integration, fuzz smoke)
#   make asan       build and run the suite under ASan + UBSan
#   make tsan       the threaded parts (looking glass under ingest, streams,
#                   webhooks) under ThreadSanitizer
#   make fuzz       build the libFuzzer targets into build-fuzz/
#   make bench      run the benchmarks (figures and ratios against reference tools)
#   make deps       install the Debian packages the project needs
#
# Sources are found by directory: every .c under collector/ mrt/ bmp/ lg/
# goes into libbgplens.a except the main_*.c files, each of which is a
# program in bin/.  Unit tests are tests/unit/test_*.c, one program each.

CC		?= cc
BUILD		?= build
BIN		?= bin
PKGS		:= jansson libmicrohttpd libmaxminddb zlib yaml-0.1 libcurl libcrypto
PKG_CFLAGS	:= $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS	:= $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lbz2 -lpthread -lm
CMOCKA_LIBS	:= $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

WARN		:= -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
		   -Wmissing-prototypes -Wno-unused-parameter
OPT		?= -O2 -g
CFLAGS		?=
EXTRA_CFLAGS	?=
EXTRA_LDFLAGS	?=
ALL_CFLAGS	:= -std=c11 -D_GNU_SOURCE $(WARN) $(OPT) -Iinclude $(PKG_CFLAGS) \
		   $(CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS_ALL	:= $(EXTRA_LDFLAGS) $(LDFLAGS)

MODULE_DIRS	:= collector mrt bmp lg
ALL_SRCS	:= $(wildcard $(addsuffix /*.c,$(MODULE_DIRS)))
MAIN_SRCS	:= $(filter %/main_bgplens.c %/main_bgplensd.c,$(ALL_SRCS))
LIB_SRCS	:= $(filter-out $(MAIN_SRCS),$(ALL_SRCS))
LIB_OBJS	:= $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS))
LIB		:= $(BUILD)/libbgplens.a
PROGS		:= $(patsubst main_%,$(BIN)/%,$(basename $(notdir $(MAIN_SRCS))))

TEST_SRCS	:= $(wildcard tests/unit/test_*.c)
TEST_BINS	:= $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRCS))

FUZZ_SRCS	:= $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BUILD	:= build-fuzz
FUZZ_BINS	:= $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRCS))
FUZZ_LIB_OBJS	:= $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(LIB_SRCS))
FUZZ_CFLAGS	:= -std=c11 -D_GNU_SOURCE -g -O1 -Iinclude $(PKG_CFLAGS) \
		   -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
FUZZ_SECONDS	?= 8

.PHONY: all test unit integration fuzz fuzz-smoke asan tsan bench deps clean

all: $(LIB) $(PROGS)

$(BUILD)/%.o: %.c $(wildcard include/*.h lg/*.h)
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@rm -f $@
	@ar rcs $@ $^

$(BIN)/%: $(BUILD)/collector/main_%.o $(LIB)
	@mkdir -p $(BIN)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(PKG_LIBS) $(LDFLAGS_ALL)

$(BUILD)/tests/%: tests/unit/%.c $(LIB) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -Wno-format-truncation -o $@ $< $(LIB) $(CMOCKA_LIBS) \
		$(PKG_LIBS) $(LDFLAGS_ALL)

# The suite: unit tests, integration tests, then a short fuzz pass.
# tests/run.sh prints a closing "N passed, N failed, N skipped" line.
test: all $(TEST_BINS)
	@BUILD=$(BUILD) BIN=$(BIN) FUZZ=$(if $(NOFUZZ),0,1) FUZZ_SECONDS=$(FUZZ_SECONDS) \
		sh tests/run.sh

unit: $(TEST_BINS)
	@BUILD=$(BUILD) BIN=$(BIN) ONLY=unit sh tests/run.sh

integration: all
	@BUILD=$(BUILD) BIN=$(BIN) ONLY=integration sh tests/run.sh

asan:
	$(MAKE) BUILD=build-asan BIN=build-asan/bin NOFUZZ=1 \
		OPT="-O1 -g -fno-omit-frame-pointer" \
		EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" test

# ThreadSanitizer where threads meet: HTTP readers against the ingest
# writer, the stream hub, the alert I/O and webhook senders.
TSAN_TESTS	?= lg_concurrency lg_stream detect_webhooks archive_bgpd
tsan:
	$(MAKE) BUILD=build-tsan BIN=build-tsan/bin \
		OPT="-O1 -g -fno-omit-frame-pointer" \
		EXTRA_CFLAGS="-fsanitize=thread" EXTRA_LDFLAGS="-fsanitize=thread" all
	@BUILD=build-tsan BIN=build-tsan/bin ONLY=integration \
		TESTS="$(TSAN_TESTS)" sh tests/run.sh

$(FUZZ_BUILD)/%.o: %.c $(wildcard include/*.h lg/*.h)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_OBJS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB_OBJS) $(PKG_LIBS)

fuzz: $(FUZZ_BINS)

# The fuzz objects are only ever prerequisites of the pattern rule above, so
# make would treat them as intermediate and delete them after each link,
# rebuilding all of them (a minute of clang) on every `make test`.
.SECONDARY: $(FUZZ_LIB_OBJS)

fuzz-smoke: fuzz
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh

bench: all
	@BIN=$(BIN) sh bench/run.sh

deps:
	@sh scripts/deps.sh

clean:
	rm -rf build build-asan build-tsan build-fuzz bin
