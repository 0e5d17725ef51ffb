# cohort - see README.md. `make help` lists the targets.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/cohort
SYSTEMDDIR ?= $(PREFIX)/lib/systemd/system
DESTDIR ?=
BUILD   ?= build

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
           -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wvla
# WERROR=1 (set by `make check`) turns every warning into an error.
ifeq ($(WERROR),1)
WARN    += -Werror
endif

# Recursive (=) so that flags are read after scripts/bootstrap installed them.
PKGS         = libpq libsodium zlib expat
PKG_CFLAGS   = $(shell pkg-config --cflags $(PKGS) 2>/dev/null || echo -I/usr/include/postgresql)
PKG_LIBS     = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lpq -lsodium -lz -lexpat)
LIBCSV_LIBS ?= -lcsv
INIH_LIBS   ?= -linih
GLPK_LIBS   ?= -lglpk
CMOCKA_LIBS ?= -lcmocka
LIBS         = $(LIBCSV_LIBS) $(INIH_LIBS) $(GLPK_LIBS) $(PKG_LIBS) -lm -lpthread

ALL_CFLAGS   = $(WARN) $(CFLAGS) $(PKG_CFLAGS) $(EXTRA_CFLAGS)

STAGES   = core connectors transform anonymise cohorts forecast export app
SRCS     = $(sort $(wildcard $(addsuffix /*.c,$(STAGES))))
LIB_SRCS = $(filter-out app/main.c,$(SRCS))
LIB_OBJS = $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_SRCS  = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS  = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRCS = $(sort $(wildcard tests/bench/bench_*.c))
BENCH_BINS = $(BENCH_SRCS:tests/bench/%.c=$(BUILD)/bench/%)
FUZZ_SRCS  = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAY_BINS = $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz-replay/%)

SANITIZE = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

.PHONY: all check soak test bench demo docs asan ubsan fuzz install uninstall \
        clean help bootstrap unit-bins

all: $(BUILD)/cohort

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libcohort.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/cohort: $(BUILD)/obj/app/main.o $(BUILD)/libcohort.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDFLAGS) $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libcohort.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -I. -o $@ $< $(BUILD)/libcohort.a $(LDFLAGS) $(CMOCKA_LIBS) $(LIBS)

$(BUILD)/bench/%: tests/bench/%.c $(BUILD)/libcohort.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -I. -o $@ $< $(BUILD)/libcohort.a $(LDFLAGS) $(LIBS)

unit-bins: $(UNIT_BINS) $(BUILD)/tools/attack $(FUZZ_REPLAY_BINS)

# Each fuzz target with tests/fuzz/replay.c instead of libFuzzer, against
# this build's library: make check replays the corpus and a few seconds of
# mutations (tests/cli/fuzz.sh); make soak and CI fuzz with libFuzzer.
$(BUILD)/fuzz-replay/%: tests/fuzz/%.c tests/fuzz/replay.c $(BUILD)/libcohort.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -I. -o $@ $< tests/fuzz/replay.c $(BUILD)/libcohort.a $(LDFLAGS) $(LIBS)

# The attacker of the published tables (tests/cli/attack.sh): GLPK and libc
# only, no code of cohort's own, so it reads the tables as a reader would.
$(BUILD)/tools/attack: tests/attack/attack.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LDFLAGS) $(GLPK_LIBS) -lm

bootstrap:
	@scripts/bootstrap build

# make check: installs what tests need, builds with -Werror and ASan+UBSan
# into build/check, runs every test, ends with "N passed, N failed". The
# long checks (fuzzing 60 s a target, 50 kills, valgrind, TSan, the full
# fault sweeps) run only with CI=true or through make soak; make check runs
# a short version of each (README, Testing).
NPROC := $(shell nproc 2>/dev/null || echo 1)
check:
	@scripts/bootstrap test
	@$(MAKE) --no-print-directory -j$(NPROC) BUILD=build/check WERROR=1 \
	    CFLAGS="-O1 -g $(SANITIZE)" LDFLAGS="$(SANITIZE)" \
	    EXTRA_CFLAGS="-DCOHORT_TESTING" test

# make soak: make check with the long checks, as CI runs it.
soak:
	@COHORT_SOAK=1 $(MAKE) --no-print-directory check

# make test: runs the tests against $(BUILD) (no bootstrap, no sanitizers).
test: $(BUILD)/cohort unit-bins
	@scripts/run-tests $(BUILD)

asan:
	@$(MAKE) --no-print-directory BUILD=build/asan WERROR=1 \
	    CFLAGS="-O1 -g -fsanitize=address -fno-omit-frame-pointer" \
	    LDFLAGS="-fsanitize=address" EXTRA_CFLAGS="-DCOHORT_TESTING" test

ubsan:
	@$(MAKE) --no-print-directory BUILD=build/ubsan WERROR=1 \
	    CFLAGS="-O1 -g -fsanitize=undefined -fno-sanitize-recover=undefined" \
	    LDFLAGS="-fsanitize=undefined" EXTRA_CFLAGS="-DCOHORT_TESTING" test

# make fuzz: every tests/fuzz/fuzz_*.c under libFuzzer + ASan/UBSan for
# FUZZ_SECONDS each (clang).
FUZZ_SECONDS ?= 30
fuzz:
	@scripts/bootstrap fuzz
	@scripts/run-fuzz $(FUZZ_SECONDS)

# make bench: synthetic job of a stated size; prints rows/s, MB/s, peak memory.
bench:
	@scripts/bootstrap build
	@$(MAKE) --no-print-directory BUILD=build/bench CFLAGS="-O2 -g -DNDEBUG" all
	@$(MAKE) --no-print-directory BUILD=build/bench CFLAGS="-O2 -g -DNDEBUG" bench-bins
	@scripts/bench build/bench

bench-bins: $(BENCH_BINS)

# make demo: synthetic extracts -> the demo job -> tables and report.
demo:
	@scripts/bootstrap build
	@$(MAKE) --no-print-directory all
	@scripts/demo $(BUILD)/cohort

# make docs: the screenshots under docs/ -- report.html at 1280 and 375 px
# and `cohort rules --format html` -- from the demo job (fixed seed and
# reference date) run in $(BUILD)/docs, taken by headless Chromium
# (scripts/bootstrap test) through tests/cli/pagecheck.py, which also
# checks each page as tests/cli/report.sh does.
DOCS_PY ?= $(shell [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)
docs: $(BUILD)/cohort
	@rm -rf $(BUILD)/docs && mkdir -p $(BUILD)/docs/demo
	@ln -s "$(CURDIR)/config" $(BUILD)/docs/config
	@cd $(BUILD)/docs && "$(CURDIR)/$(BUILD)/cohort" keygen demo/demo.key >/dev/null && \
	    "$(CURDIR)/$(BUILD)/cohort" synth demo/extracts --seed 1 --people 20000 >/dev/null && \
	    "$(CURDIR)/$(BUILD)/cohort" run config/demo.conf --quiet && \
	    "$(CURDIR)/$(BUILD)/cohort" rules config/demo.conf --format html > rules.html
	$(DOCS_PY) tests/cli/pagecheck.py $(BUILD)/docs/demo/out/latest/report.html \
	    --height 1250 --screenshot docs/report-desktop.png \
	    --phone-height 1400 --phone-screenshot docs/report-phone.png
	$(DOCS_PY) tests/cli/pagecheck.py $(BUILD)/docs/rules.html \
	    --height 1100 --screenshot docs/rules.png
	@ls -l docs/*.png

# make install: the binary, the manual pages, the example job, the shipped
# lookups and ptable, and the systemd unit and timer (not enabled).
# make uninstall removes exactly these files, and the folders of
# DATADIR it made once they are empty.
# The shipped code lists (config/lookups/*.csv with the header code,value)
# are also compiled in (transform/codelist_data.c); installed, a job can
# name them as files too.
CODELISTS = cin_category_of_abuse.csv cin_primary_need.csv \
            cin_reason_for_closure.csv cin_referral_source.csv \
            cld_ethnicity.csv cld_service_type.csv dfe_ethnicity.csv \
            hclic_duty_type.csv hclic_ta_type.csv \
            school_census_sen_provision.csv ssda903_category_of_need.csv \
            ssda903_legal_status.csv ssda903_legal_status_group.csv \
            ssda903_placement_provider.csv ssda903_placement_type.csv \
            ssda903_reason_episode_ceased.csv \
            ssda903_reason_place_change.csv ssda903_rne.csv
INSTALLED = $(BINDIR)/cohort $(MANDIR)/man1/cohort.1 \
            $(MANDIR)/man5/cohort.conf.5 $(DATADIR)/examples/job.conf \
            $(DATADIR)/lookups/postcodes.csv $(DATADIR)/lookups/nicknames.csv \
            $(addprefix $(DATADIR)/lookups/,$(CODELISTS)) \
            $(DATADIR)/lookups/codelists.txt \
            $(DATADIR)/lookups/name_variants.csv \
            $(DATADIR)/ptables/ptable_default.csv \
            $(SYSTEMDDIR)/cohort.service $(SYSTEMDDIR)/cohort.timer

install: $(BUILD)/cohort
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DATADIR)/examples \
	    $(DESTDIR)$(DATADIR)/lookups $(DESTDIR)$(DATADIR)/ptables \
	    $(DESTDIR)$(SYSTEMDDIR)
	install -m 0755 $(BUILD)/cohort $(DESTDIR)$(BINDIR)/cohort
	install -m 0644 man/cohort.1 $(DESTDIR)$(MANDIR)/man1/cohort.1
	install -m 0644 man/cohort.conf.5 $(DESTDIR)$(MANDIR)/man5/cohort.conf.5
	sed 's|@DATADIR@|$(DATADIR)|g' config/example.conf.in > $(DESTDIR)$(DATADIR)/examples/job.conf
	chmod 0644 $(DESTDIR)$(DATADIR)/examples/job.conf
	install -m 0644 config/lookups/postcodes.csv config/lookups/nicknames.csv \
	    $(addprefix config/lookups/,$(CODELISTS)) config/lookups/codelists.txt \
	    config/lookups/name_variants.csv \
	    $(DESTDIR)$(DATADIR)/lookups/
	install -m 0644 config/ptable_default.csv $(DESTDIR)$(DATADIR)/ptables/
	sed 's|@BINDIR@|$(BINDIR)|g' config/systemd/cohort.service.in > $(DESTDIR)$(SYSTEMDDIR)/cohort.service
	chmod 0644 $(DESTDIR)$(SYSTEMDDIR)/cohort.service
	install -m 0644 config/systemd/cohort.timer $(DESTDIR)$(SYSTEMDDIR)/cohort.timer

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(DATADIR)/examples $(DESTDIR)$(DATADIR)/lookups \
	    $(DESTDIR)$(DATADIR)/ptables $(DESTDIR)$(DATADIR) 2>/dev/null

clean:
	rm -rf build demo

help:
	@echo "cohort make targets:"
	@echo "  all        build $(BUILD)/cohort (default)"
	@echo "  demo       install build deps, build, make synthetic extracts, run the demo job"
	@echo "  docs       screenshots of the report and the rules under docs/ (headless Chromium)"
	@echo "  check      install test deps, build with -Werror + ASan/UBSan, run every test"
	@echo "             (short fuzzing, kills and fault sweeps; no valgrind or TSan: see soak)"
	@echo "  soak       check plus the long checks, as CI runs it (CI=true make check):"
	@echo "             libFuzzer 60 s a target, 50 kills, valgrind, TSan, full fault sweeps"
	@echo "  test       run every test against the current build"
	@echo "  bench      synthetic benchmark: rows/s, MB/s, CPU, peak memory, issue 22 targets"
	@echo "  asan       tests under AddressSanitizer only"
	@echo "  ubsan      tests under UndefinedBehaviorSanitizer only"
	@echo "  fuzz       libFuzzer targets for FUZZ_SECONDS each (default 30)"
	@echo "  install    install the binary, manual pages, example job, lookups, ptable and"
	@echo "             systemd unit and timer under DESTDIR/PREFIX (PREFIX=$(PREFIX))"
	@echo "  uninstall  remove exactly what install installed"
	@echo "  clean      remove build/ and demo/"
	@echo "  help       this list"

-include $(LIB_OBJS:.o=.d) $(BUILD)/obj/app/main.d
