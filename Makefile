# nsrun: plain GNU Make. `make` builds build/nsrun (static by default);
# `make check` installs what the tests need, builds, runs unit then
# integration tests; `make demo` runs a busybox container; `make bench`
# compares nsrun with crun and runc.

CC       ?= cc
STATIC   ?= 1
PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    := build
PYTHON   := /usr/bin/python3
# `make check SANITIZE=1`: ASan and UBSan, in a build directory of their own
# (the sanitizers' runtimes need dynamic linking). `make check NO_OPENAT2=1`:
# safe lookups by nsrun's own walk instead of openat2(2) (util/resolve.h),
# so that the path older kernels take stays tested. They combine.
SANITIZE ?= 0
NO_OPENAT2 ?= 0

VERSION  := 0.1.0
COMMIT   := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)

# -std=c11 rather than gnu11 keeps the old `linux` macro out; GNU extensions
# (attributes, statement expressions) are still there, with _GNU_SOURCE.
CFLAGS   ?= -O2 -g
WARNINGS := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral \
            -Wmissing-prototypes -Wstrict-prototypes -Wvla
# -iquote: "linux/seccomp.h" is ours, <linux/seccomp.h> the kernel's.
CPPFLAGS += -iquote src -D_GNU_SOURCE -DNSRUN_VERSION='"$(VERSION)"' -DNSRUN_COMMIT='"$(COMMIT)"'
ALL_CFLAGS := -std=c11 $(WARNINGS) $(CFLAGS) -MMD -MP
LIBS     := -ljansson -lseccomp

ifeq ($(SANITIZE),1)
BUILD    := build/sanitize
STATIC   := 0
SAN      := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
ALL_CFLAGS += $(SAN)
LDFLAGS  += $(SAN)
# A sanitizer report fails the command (and so the test) at once. No leak
# check: leaks at the exit of a short-lived command are not bugs, and
# LeakSanitizer's exit-time check (ptrace) hangs in processes that have
# entered a container's namespaces.
export ASAN_OPTIONS := detect_leaks=0:abort_on_error=0:exitcode=86
export UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1:exitcode=86
endif

ifeq ($(NO_OPENAT2),1)
BUILD    := $(BUILD)/no-openat2
CPPFLAGS += -DNSRUN_NO_OPENAT2
endif

ifeq ($(STATIC),1)
LDFLAGS  += -static
endif

# The binary the tests run (tests/*/conftest.py read it).
export NSRUN_BINARY := $(abspath $(BUILD)/nsrun)

SRCS      := $(sort $(wildcard src/*/*.c))
MAIN_SRC  := src/cli/main.c
LIB_OBJS  := $(patsubst %.c,$(BUILD)/%.o,$(filter-out $(MAIN_SRC),$(SRCS)))
MAIN_OBJ  := $(BUILD)/src/cli/main.o
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

.PHONY: all deps check check-engines check-vm unit integration demo bench man install clean format fuzz

all: $(BUILD)/nsrun

# `make V=1` shows the commands.
Q := $(if $(V),,@)

$(BUILD)/nsrun: $(MAIN_OBJ) $(BUILD)/libnsrun.a
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/libnsrun.a: $(LIB_OBJS)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libnsrun.a
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) -iquote tests/unit $(ALL_CFLAGS) -o $@ $< $(BUILD)/libnsrun.a $(LIBS)

deps:
	@scripts/deps.sh build test

unit: $(UNIT_BINS)
	prove -f $(UNIT_BINS)

integration: $(BUILD)/nsrun
	$(PYTHON) -m pytest -q tests/integration

check: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) integration

# podman, docker and containerd running containers through nsrun (and runc);
# the CRI tests need crictl ($$CRICTL or on PATH; see docs/engines.md).
check-engines:
	@scripts/deps.sh build test engines
	$(MAKE) all
	$(PYTHON) -m pytest -q tests/engines

# The tests that need systemd as PID 1 and pure cgroup v2 (tests/vm/): a
# Debian 12 guest under QEMU, its image cached in /var/cache/nsrun-vm. The
# guest runs the static build (a SANITIZE=1 build is not static).
check-vm:
	@scripts/deps.sh build vm
	$(MAKE) all
	tests/vm/run.sh

demo:
	@scripts/deps.sh build demo
	$(MAKE) all
	scripts/demo.sh

bench:
	@scripts/deps.sh build bench
	$(MAKE) all
	bench/run.sh

# libFuzzer targets (fuzz/): nsrun's sources built again with clang and the
# fuzzer's instrumentation in build/fuzz; each target runs FUZZ_SECONDS from
# the seeds in fuzz/seeds (written by fuzz/seeds.py from the tests' configs)
# and what earlier runs found (build/fuzz/corpus).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := spec seccomp mount_options paths
FUZZ_DIR     := build/fuzz
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
FUZZ_OBJS    := $(patsubst %.c,$(FUZZ_DIR)/%.o,$(filter-out $(MAIN_SRC),$(SRCS)))
FUZZ_BINS    := $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_TARGETS))

$(FUZZ_OBJS): $(FUZZ_DIR)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CLANG   $<"
	$(Q)clang $(CPPFLAGS) -std=c11 $(WARNINGS) $(FUZZ_FLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_DIR)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_OBJS)
	@echo "  FUZZER  $@"
	$(Q)clang $(CPPFLAGS) -std=c11 $(WARNINGS) -g -O1 -fsanitize=fuzzer,address,undefined \
		-o $@ $^ $(LIBS)

fuzz:
	@scripts/deps.sh build fuzz
	$(MAKE) $(FUZZ_BINS)
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/corpus/$$t && \
		echo "fuzz_$$t: $(FUZZ_SECONDS) s" && \
		$(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_DIR)/crash-$$t- $(FUZZ_DIR)/corpus/$$t fuzz/seeds/$$t \
			2>$(FUZZ_DIR)/fuzz_$$t.log || { tail -40 $(FUZZ_DIR)/fuzz_$$t.log; exit 1; }; \
		grep -E "DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss" \
			$(FUZZ_DIR)/fuzz_$$t.log; \
	done

# The pages are written from nsrun's --help (a test checks they are current).
man: $(BUILD)/nsrun
	$(PYTHON) scripts/man.py $(BUILD)/nsrun docs/man

install: $(BUILD)/nsrun
	install -D -m 0755 $(BUILD)/nsrun $(DESTDIR)$(PREFIX)/bin/nsrun
	install -d $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0644 docs/man/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -D -m 0644 docs/completions/nsrun.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/nsrun

format:
	clang-format -i $(SRCS) $(wildcard src/*/*.h) $(wildcard tests/unit/*.[ch])

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
