# Carnet — plain Makefile. `make` builds build/carnet; `make demo` serves the
# demo school; `make check` runs every test; `make asan` builds with
# AddressSanitizer and UndefinedBehaviorSanitizer; `make bench` measures.

CC      ?= gcc
PKGS    := libmicrohttpd sqlite3 libsodium jansson libical libcmark libmagic libcurl libpq libxml-2.0 libzip
WARN    := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
           -Wpointer-arith -Wcast-qual -Wsign-compare -Wformat=2 -Wno-format-nonliteral -Wno-missing-field-initializers
CSTD    := -std=c11 -D_GNU_SOURCE
OPT     ?= -O2 -g
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

SRC      := $(sort $(wildcard src/core/*.c src/store/*.c src/policy/*.c src/calendar/*.c src/grades/*.c src/modules/*/*.c src/import/*.c src/demo/*.c))
GEN      := build/gen/assets_static.c build/gen/assets_sql.c build/gen/assets_sql_sqlite.c build/gen/assets_sql_postgresql.c build/gen/assets_locale.c \
            build/gen/assets_data.c
OBJ      := $(SRC:%.c=build/obj/%.o) $(GEN:build/gen/%.c=build/obj/gen/%.o)
ASAN_OBJ := $(SRC:%.c=build/asan/obj/%.o) $(GEN:build/gen/%.c=build/asan/obj/gen/%.o)
LIB_OBJ      := $(filter-out build/obj/src/core/main.o,$(OBJ))
ASAN_LIB_OBJ := $(filter-out build/asan/obj/src/core/main.o,$(ASAN_OBJ))
UNIT     := $(sort $(wildcard tests/unit/test_*.c))

.PHONY: all deps asan demo check unit bench clean fmtcheck fuzz
all: deps build/carnet

deps:
	@tools/install-deps.sh build

build/tools/%: tools/%.c
	@mkdir -p $(@D)
	$(CC) $(CSTD) -O2 -Wall -Wextra -Werror -o $@ $<

# The escaping-printf check: refuses non-literal formats, unknown conversions,
# argument-count mismatches and unjustified raw output.
build/.fmtcheck: build/tools/fmtcheck $(SRC) $(wildcard src/*/*.h src/modules/*/*.h)
	@echo "FMTCHECK src"
	@build/tools/fmtcheck $(SRC)
	@touch $@
fmtcheck: build/.fmtcheck

build/gen/assets_static.c: build/tools/embed $(wildcard static/*)
	@mkdir -p $(@D)
	build/tools/embed $@ assets_static $(wildcard static/*)
build/gen/assets_sql.c: build/tools/embed $(wildcard sql/*.sql)
	@mkdir -p $(@D)
	build/tools/embed $@ assets_sql $(wildcard sql/*.sql)
build/gen/assets_sql_sqlite.c: build/tools/embed $(wildcard sql/sqlite/*.sql)
	@mkdir -p $(@D)
	build/tools/embed $@ assets_sql_sqlite $(wildcard sql/sqlite/*.sql)
build/gen/assets_sql_postgresql.c: build/tools/embed $(wildcard sql/postgresql/*.sql)
	@mkdir -p $(@D)
	build/tools/embed $@ assets_sql_postgresql $(wildcard sql/postgresql/*.sql)
build/gen/assets_data.c: build/tools/embed $(wildcard data/*)
	@mkdir -p $(@D)
	build/tools/embed $@ assets_data $(wildcard data/*)
build/gen/assets_locale.c: build/tools/embed $(wildcard locale/*.cat)
	@mkdir -p $(@D)
	build/tools/embed $@ assets_locale $(wildcard locale/*.cat)

build/obj/%.o: %.c | build/.fmtcheck deps
	@mkdir -p $(@D)
	@echo "CC $<"
	@$(CC) $(CSTD) $(WARN) $(OPT) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<
build/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(OPT) -c -o $@ $<
build/asan/obj/%.o: %.c | build/.fmtcheck deps
	@mkdir -p $(@D)
	@echo "CC (asan) $<"
	@$(CC) $(CSTD) $(WARN) -O1 -g $(SAN) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<
build/asan/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(CSTD) -O1 -c -o $@ $<

build/carnet: $(OBJ)
	@echo "LINK $@"
	@$(CC) -o $@ $(OBJ) $(PKG_LIBS)
build/asan/carnet: $(ASAN_OBJ)
	@echo "LINK $@"
	@$(CC) $(SAN) -o $@ $(ASAN_OBJ) $(PKG_LIBS)

asan: deps build/asan/carnet

# Unit tests (cmocka), plain and sanitized.
build/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(LIB_OBJ)
	@mkdir -p $(@D)
	@echo "LINK $@"
	@$(CC) $(CSTD) $(WARN) $(OPT) $(PKG_CFLAGS) -Isrc -o $@ $< $(LIB_OBJ) $(PKG_LIBS) -lcmocka
build/asan/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(ASAN_LIB_OBJ)
	@mkdir -p $(@D)
	@echo "LINK (asan) $@"
	@$(CC) $(CSTD) $(WARN) -O1 -g $(SAN) $(PKG_CFLAGS) -Isrc -o $@ $< $(ASAN_LIB_OBJ) $(PKG_LIBS) -lcmocka
UNIT_BIN      := $(UNIT:tests/unit/%.c=build/tests/%)
ASAN_UNIT_BIN := $(UNIT:tests/unit/%.c=build/asan/tests/%)

# The demo school lives in 2025-2026: its clock starts on Tuesday 18 November 2025, 08:00,
# the instant `carnet demo` uses without --now (DEMO_NOW, src/demo/demo.h: defined there once).
DEMO_NOW ?= $(shell sed -n 's/^\#define DEMO_NOW "\(.*\)".*/\1/p' src/demo/demo.h)
demo: deps build/carnet
	@rm -f build/demo.db build/demo.db-wal build/demo.db-shm
	@build/carnet demo --db build/demo.db --now $(DEMO_NOW)
	@echo
	@echo "Carnet demo: http://127.0.0.1:8080   (Ctrl-C to stop)"
	@echo "Logins (password carnet-demo): eleve.demo  parent.demo  prof.demo  cpe.demo  direction.demo  admin.demo"
	@echo "The demo's clock starts on $(DEMO_NOW) (Paris time). Another instant: make demo DEMO_NOW=2026-03-10T21:00"
	@echo
	build/carnet serve --db build/demo.db --port 8080 --now $(DEMO_NOW)

check:
	@tools/install-deps.sh check
	@$(MAKE) --no-print-directory build/carnet build/asan/carnet $(UNIT_BIN) $(ASAN_UNIT_BIN)
	@tests/run.sh

bench:
	@tools/install-deps.sh bench
	@$(MAKE) --no-print-directory build/carnet
	@bench/run.sh

# Fuzzers (libFuzzer, clang): every parser of outside input, FUZZ_SECONDS each.
FUZZ_SECONDS ?= 30
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined $(CSTD) -Isrc
fuzz: build/gen/assets_sql.c build/gen/assets_sql_sqlite.c build/gen/assets_sql_postgresql.c
	@tools/install-deps.sh fuzz
	@mkdir -p build/fuzz
	clang $(FUZZ_FLAGS) -o build/fuzz/fuzz_form tests/fuzz/fuzz_form.c src/core/form.c src/core/arena.c src/core/text.c \
	    $$(pkg-config --cflags --libs jansson)
	clang $(FUZZ_FLAGS) -o build/fuzz/fuzz_utf8 tests/fuzz/fuzz_utf8.c src/core/text.c
	clang $(FUZZ_FLAGS) -o build/fuzz/fuzz_clock tests/fuzz/fuzz_clock.c src/core/clock.c $$(pkg-config --cflags --libs libical)
	clang $(FUZZ_FLAGS) -o build/fuzz/fuzz_calendar tests/fuzz/fuzz_calendar.c src/calendar/calendar.c src/store/store.c \
	    src/store/store_sqlite.c src/store/store_search.c src/store/store_search_sqlite.c src/store/store_pg.c src/store/store_search_pg.c \
	    src/store/migrate.c src/core/log.c \
	    src/core/clock.c src/core/arena.c src/core/assets.c src/core/text.c \
	    build/gen/assets_sql.c build/gen/assets_sql_sqlite.c build/gen/assets_sql_postgresql.c \
	    $$(pkg-config --cflags --libs sqlite3 libpq libical)
	clang $(FUZZ_FLAGS) -o build/fuzz/fuzz_grades tests/fuzz/fuzz_grades.c src/grades/average.c -lm
	clang $(FUZZ_FLAGS) -o build/fuzz/fuzz_search tests/fuzz/fuzz_search.c src/store/store.c src/store/store_sqlite.c \
	    src/store/store_search.c src/store/store_search_sqlite.c src/store/store_pg.c src/store/store_search_pg.c src/store/migrate.c \
	    src/core/log.c src/core/clock.c src/core/arena.c \
	    src/core/assets.c src/core/text.c build/gen/assets_sql.c build/gen/assets_sql_sqlite.c build/gen/assets_sql_postgresql.c \
	    $$(pkg-config --cflags --libs sqlite3 libpq libical)
	clang $(FUZZ_FLAGS) -o build/fuzz/fuzz_zip tests/fuzz/fuzz_zip.c src/modules/files/zipdir.c
	clang $(FUZZ_FLAGS) -o build/fuzz/fuzz_aaf tests/fuzz/fuzz_aaf.c src/import/aaf.c src/import/xml.c \
	    src/import/record.c src/core/arena.c src/core/text.c $$(pkg-config --cflags --libs libxml-2.0 libsodium)
	clang $(FUZZ_FLAGS) -o build/fuzz/fuzz_csv tests/fuzz/fuzz_csv.c src/import/csv.c src/core/text.c
	@for f in form utf8 clock calendar grades search zip aaf csv; do \
	    mkdir -p build/fuzz/corpus-$$f && cp tests/fuzz/corpus/$$f/* build/fuzz/corpus-$$f/ 2>/dev/null; \
	    echo "fuzz_$$f: $(FUZZ_SECONDS) s"; \
	    build/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=build/fuzz/crash-$$f- \
	        build/fuzz/corpus-$$f > build/fuzz/$$f.log 2>&1 || { tail -40 build/fuzz/$$f.log; exit 1; }; \
	    tail -1 build/fuzz/$$f.log; \
	done

clean:
	rm -rf build

-include $(OBJ:.o=.d) $(ASAN_OBJ:.o=.d)
