# rstscope: build, check, demo, captures, bench, install.
#
#   make                 build ./rstscope and ./rstscope-demo
#   make check           install missing Debian packages (as root), build, run every test
#   make SAN=1 check     the same with AddressSanitizer + UndefinedBehaviorSanitizer
#   sudo make demo       the server-close story, tracer and demo together (SCENARIO=name)
#   make bench           throughput and memory against tcpdump and a bare libpcap loop,
#                        and what recording calls (eBPF, strace) costs the traced program
#   make fuzz            libFuzzer: decoder, send-log line, the whole pipeline (FUZZ_SECONDS)
#
# Sources are found by wildcard: tracer/*.c (main.c is the program, the rest a
# library), demo/*.c (likewise), tests/test_*.c (one cmocka program each) and
# tests/check_*.sh (script tests run by `make check`, in name order).

CC         ?= cc
PKG_CONFIG ?= pkg-config
PREFIX     ?= /usr/local
DESTDIR    ?=
SCENARIO   ?= server-close
CORPUS     ?= ../shared/corpus

PKGS      := libpcap jansson libbpf
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null || echo -lpcap -ljansson -lbpf)
CMOCKA_CFLAGS := $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

WARN   := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers
CSTD   := -std=c11 -D_GNU_SOURCE
OPT    ?= -O2
ifeq ($(SAN),1)
BUILD  := build-san
OPT    := -O1
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
BIN    := $(BUILD)
else
BUILD  := build
SANFLAGS :=
BIN    := .
endif
CFLAGS_ALL  = $(CSTD) $(OPT) -g -pthread $(WARN) $(SANFLAGS) -Iinclude -Itracer -Idemo -I$(BUILD) $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL = -pthread $(SANFLAGS) $(LDFLAGS)

TRACER_SRCS := $(filter-out %.bpf.c,$(wildcard tracer/*.c))
TRACER_LIB  := $(filter-out tracer/main.c,$(TRACER_SRCS))
DEMO_SRCS   := $(wildcard demo/*.c)
DEMO_LIB    := $(filter-out demo/main.c,$(DEMO_SRCS))
TEST_SRCS   := $(wildcard tests/test_*.c)
TOOL_SRCS   := $(wildcard tests/tools/*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
TESTS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
TOOLS := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRCS))

RSTSCOPE      := $(BIN)/rstscope
RSTSCOPE_DEMO := $(BIN)/rstscope-demo

# Keep the test objects make would otherwise delete as intermediates.
.SECONDARY:

.PHONY: all check unit scripts deps golden-update bench bench-strace demo captures install uninstall clean fuzz tools
all: $(RSTSCOPE) $(RSTSCOPE_DEMO)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

# The kernel recorder: vmlinux.h from the running kernel's BTF (CO-RE: the
# object loads on other kernels too), the BPF object, and its skeleton.
# All three are build outputs, never committed.
CLANG       ?= clang
LLVM_STRIP  ?= llvm-strip
BPFTOOL     ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
BPF_ARCH    := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
$(BUILD)/vmlinux.h:
	@mkdir -p $(dir $@)
	@test -r $(VMLINUX_BTF) || { echo "make: $(VMLINUX_BTF) is missing: the kernel recorder needs a kernel with BTF (set VMLINUX_BTF=FILE)" >&2; exit 1; }
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@
$(BUILD)/record.bpf.o: tracer/record.bpf.c tracer/record.h $(BUILD)/vmlinux.h
	$(CLANG) -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -I$(BUILD) -Itracer -c $< -o $@
	$(LLVM_STRIP) -g $@
$(BUILD)/record.skel.h: $(BUILD)/record.bpf.o
	$(BPFTOOL) gen skeleton $< name record_bpf > $@.tmp && mv $@.tmp $@
$(BUILD)/tracer/recorder.o: $(BUILD)/record.skel.h

$(BUILD)/libtracer.a: $(call obj,$(TRACER_LIB))
	@rm -f $@; ar rcs $@ $^
$(BUILD)/libdemo.a: $(call obj,$(DEMO_LIB))
	@rm -f $@; ar rcs $@ $^

$(RSTSCOPE): $(call obj,tracer/main.c) $(BUILD)/libtracer.a $(BUILD)/libdemo.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)
$(RSTSCOPE_DEMO): $(call obj,demo/main.c) $(BUILD)/libdemo.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^

$(BUILD)/tests/test_%: $(call obj,tests/test_%.c) $(BUILD)/libtracer.a $(BUILD)/libdemo.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS) $(CMOCKA_LIBS)
$(BUILD)/tests/test_%.o: tests/test_%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CMOCKA_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/libtracer.a $(BUILD)/libdemo.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)
tools: $(TOOLS)

# Environment handed to every script test and tool script.
SCRIPT_ENV = RSTSCOPE=$(abspath $(RSTSCOPE)) RSTSCOPE_DEMO=$(abspath $(RSTSCOPE_DEMO)) \
             BUILD=$(abspath $(BUILD)) TOOLS=$(abspath $(BUILD)/tools) SAN=$(SAN) \
             CORPUS=$(abspath $(CORPUS))

check: deps all $(TESTS) $(TOOLS)
	@$(SCRIPT_ENV) sh tests/run-checks.sh $(TESTS)

unit: all $(TESTS)
	@$(SCRIPT_ENV) sh tests/run-checks.sh --unit-only $(TESTS)

deps:
	@sh tests/deps.sh

golden-update: all $(TOOLS)
	@$(SCRIPT_ENV) GOLDEN_UPDATE=1 sh tests/check_golden.sh
	@$(SCRIPT_ENV) GOLDEN_UPDATE=1 sh tests/check_svg.sh

bench: deps all $(TOOLS)
	@$(SCRIPT_ENV) sh tests/bench/run.sh
	@$(SCRIPT_ENV) sh tests/bench/calls.sh
	@$(SCRIPT_ENV) sh tests/bench/strace.sh

bench-strace: all $(TOOLS)
	@$(SCRIPT_ENV) sh tests/bench/strace.sh

# Under sudo, the build runs as the sudo caller (tests/as-caller.sh), so
# that no root-owned file is left in the tree; only the capture runs as root.
demo: deps
	@sh tests/as-caller.sh $(MAKE) --no-print-directory all
	@$(SCRIPT_ENV) sh tests/demo.sh $(SCENARIO)

captures: deps
	@sh tests/as-caller.sh $(MAKE) --no-print-directory all
	@$(SCRIPT_ENV) sh tests/record-captures.sh && echo "captures: re-recorded; now run make golden-update and read git diff tests/golden"

fuzz: all
	@$(SCRIPT_ENV) sh tests/fuzz/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 rstscope rstscope-demo $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/rstscope.1 man/rstscope-demo.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/rstscope-sendlog.5 $(DESTDIR)$(PREFIX)/share/man/man5/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/rstscope $(DESTDIR)$(PREFIX)/bin/rstscope-demo
	rm -f $(DESTDIR)$(PREFIX)/share/man/man1/rstscope.1 $(DESTDIR)$(PREFIX)/share/man/man1/rstscope-demo.1
	rm -f $(DESTDIR)$(PREFIX)/share/man/man5/rstscope-sendlog.5

clean:
	rm -rf build build-san rstscope rstscope-demo

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
