# Saima build. `make run` and `make test` do every set-up step on a fresh Debian 12 (README).
# Release objects go to $(BUILD)/rel, sanitizer objects (used by every test) to $(BUILD)/asan.

BUILD    ?= build
DB       ?= saima.db
CC       ?= cc
PKGS      = sqlite3 jansson libutf8proc libmicrohttpd libsodium
PKGCFLAGS = $(shell pkg-config --cflags $(PKGS))
PKGLIBS   = $(shell pkg-config --libs $(PKGS)) -lcsv -lm -lpthread

WARN      = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wvla
BASEFLAGS = -std=c11 -D_GNU_SOURCE -Isrc $(WARN) $(PKGCFLAGS) -MMD -MP
RELFLAGS  = $(BASEFLAGS) -O2 -g
ASANFLAGS = $(BASEFLAGS) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all

LIB_SRC  = $(wildcard src/util/*.c src/engine/*.c src/store/*.c src/io/*.c src/app/*.c src/model/*.c src/http/*.c)
CLI_SRC  = $(wildcard src/cli/*.c)
# The program: main() and the dispatch table, composing the CLI and the server (never in tests).
MAIN_SRC = $(wildcard src/saima/*.c)
TEST_SRC = $(wildcard tests/test_*.c)

REL_LIB  = $(LIB_SRC:%.c=$(BUILD)/rel/%.o)
REL_CLI  = $(CLI_SRC:%.c=$(BUILD)/rel/%.o) $(MAIN_SRC:%.c=$(BUILD)/rel/%.o)
ASAN_LIB = $(LIB_SRC:%.c=$(BUILD)/asan/%.o)
ASAN_CLI = $(CLI_SRC:%.c=$(BUILD)/asan/%.o) $(MAIN_SRC:%.c=$(BUILD)/asan/%.o)
TESTS    = $(TEST_SRC:tests/%.c=$(BUILD)/asan/tests/%)

.PHONY: all deps build web run test check e2e lint bench clean demo
all: build

deps:
	@sh deps/install.sh

build: deps
	@$(MAKE) --no-print-directory $(BUILD)/saima web

# The browser parts come from the npm registry at the versions package-lock.json pins; ECharts
# is copied beside the dashboard so the server serves it locally (never committed).
NPM_STAMP = node_modules/.package-lock.json
$(NPM_STAMP): package.json package-lock.json
	@echo "NPM     ci"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

web/vendor/echarts.min.js: $(NPM_STAMP)
	@mkdir -p $(@D)
	@cp node_modules/echarts/dist/echarts.min.js $@

web: web/vendor/echarts.min.js

# Objects are kept (not intermediate) so rebuilds stay incremental.
.SECONDARY:

$(BUILD)/rel/%.o: %.c
	@mkdir -p $(@D)
	@echo "CC      $<"
	@$(CC) $(RELFLAGS) -c $< -o $@

$(BUILD)/asan/%.o: %.c
	@mkdir -p $(@D)
	@echo "CC asan $<"
	@$(CC) $(ASANFLAGS) -c $< -o $@

$(BUILD)/saima: $(REL_LIB) $(REL_CLI)
	@echo "LD      $@"
	@$(CC) $(RELFLAGS) -o $@ $^ $(PKGLIBS)

$(BUILD)/asan/saima: $(ASAN_LIB) $(ASAN_CLI)
	@echo "LD asan $@"
	@$(CC) $(ASANFLAGS) -o $@ $^ $(PKGLIBS)

$(BUILD)/asan/tests/%: $(BUILD)/asan/tests/%.o $(BUILD)/asan/tests/support.o $(ASAN_LIB)
	@echo "LD asan $@"
	@$(CC) $(ASANFLAGS) -o $@ $^ $(PKGLIBS) -lcmocka

# The main job: the dashboard on the demo city at http://127.0.0.1:$(PORT)/ (Ctrl+C stops it).
PORT ?= 8080
run: build
	@[ -f "$(DB)" ] || $(BUILD)/saima --db "$(DB)" demo
	@$(BUILD)/saima --db "$(DB)" user list
	@echo "演示账号密码 / demo passwords: saima-<登录名 login>-2026 (e.g. admin / saima-admin-2026)"
	@exec $(BUILD)/saima --db "$(DB)" serve --port $(PORT)

test: deps
	@$(MAKE) --no-print-directory check

check: $(BUILD)/asan/saima $(TESTS) web
	@SAIMA_BIN=$(BUILD)/asan/saima sh tests/run.sh $(TESTS) tests/golden/readme.sh
	@$(MAKE) --no-print-directory e2e
	@$(MAKE) --no-print-directory lint

# Browser tests: playwright-core drives Debian's chromium against a real server on the demo.
e2e: $(BUILD)/asan/saima web
	@SAIMA_BIN=$(BUILD)/asan/saima sh tests/e2e/run.sh

lint:
	@cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --inline-suppr --std=c11 -Isrc --suppress=missingIncludeSystem src tests
	@echo "cppcheck: no warnings"

$(BUILD)/bench_incremental: $(BUILD)/rel/bench/incremental.o $(REL_LIB)
	@echo "LD      $@"
	@$(CC) $(RELFLAGS) -o $@ $^ $(PKGLIBS)

$(BUILD)/bench_panel: $(BUILD)/rel/bench/panel.o $(REL_LIB)
	@echo "LD      $@"
	@$(CC) $(RELFLAGS) -o $@ $^ $(PKGLIBS)

bench: build
	@sh deps/install.sh deps/debian-bench.txt
	@$(MAKE) --no-print-directory $(BUILD)/bench_incremental $(BUILD)/bench_panel
	@sh bench/run.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
