# hydra: plain make with pkg-config.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/lib/hydra
DESTDIR ?=
CC ?= cc
PKG_CONFIG ?= pkg-config

PKGS := libarchive blkid libparted libcryptsetup libcrypto json-c
# hydra-init's besides: libacl, for the objects it takes from libarchive.a (below).
INIT_ONLY_PKGS := libacl
PKG_DEBS := libarchive-dev libblkid-dev libparted-dev libcryptsetup-dev libssl-dev libjson-c-dev \
	libacl1-dev
MISSING := $(strip $(foreach p,$(PKGS) $(INIT_ONLY_PKGS),$(if $(shell $(PKG_CONFIG) --exists $(p) && echo y),,$(p))))
ifneq ($(MISSING),)
$(error missing libraries: $(MISSING) (Debian: apt-get install $(PKG_DEBS)))
endif
# The compiler prints the bare name back when it finds no such file.
LIBARCHIVE_A := $(shell $(CC) -print-file-name=libarchive.a)
ifeq ($(LIBARCHIVE_A),libarchive.a)
$(error missing libarchive.a, for hydra-init (Debian: apt-get install libarchive-dev))
endif

WARNINGS := -Wall -Wextra -Wmissing-prototypes -Wstrict-prototypes -Wvla -Wwrite-strings
ifeq ($(CI),true)
WARNINGS += -Werror
endif
CFLAGS ?= -O2 -g
ifneq ($(SANITIZE),)
CFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=$(SANITIZE)
endif
ALL_CFLAGS := -std=gnu11 $(WARNINGS) $(CFLAGS) -Ibuilder/lib \
	-DHYDRA_LIBEXECDIR='"$(LIBEXECDIR)"' $(shell $(PKG_CONFIG) --cflags $(PKGS))
LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS))

# B=build-asan SANITIZE=address,undefined keeps a sanitized build beside the plain one.
B ?= build
# The library in layers, each a folder built as its own archive. A program
# links the archives it uses, listed from the top layer down, so a symbol
# that a lower layer takes from a higher one is a link error
# (tests/unit/check-layers says which may use which).
LAYERS := build fleet medium node format base
INIT_LAYERS := node format base
layer_src = $(sort $(wildcard builder/lib/$(1)/*.c))
layer_lib = $(B)/libhydra-$(1).a
ALL_LIBS := $(foreach l,$(LAYERS),$(call layer_lib,$(l)))
INIT_LIBS := $(foreach l,$(INIT_LAYERS),$(call layer_lib,$(l)))
LIB_SRC := $(foreach l,$(LAYERS),$(call layer_src,$(l)))
CLI_SRC := $(sort $(wildcard builder/cli/*.c))
INIT_SRC := $(sort $(wildcard builder/init/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o)
INIT_OBJ := $(INIT_SRC:%.c=$(B)/%.o)
TEST_OBJ := $(TEST_SRC:tests/unit/%.c=$(B)/tests/unit/%.o)
TESTS := $(TEST_SRC:tests/unit/%.c=$(B)/tests/%)
# The commands without main(), as an archive, so that a unit test can link
# them and walk their option tables (tests/unit/test_cli.c).
CLI_MAIN := $(B)/builder/cli/main.o
CLI_LIB := $(B)/libhydra-cli.a

all: $(B)/hydra $(B)/hydra-init

# Header dependencies come from the compiler (-MMD -MP), one .d file an object.
$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(INIT_OBJ:.o=.d) $(TEST_OBJ:.o=.d)

define layer_rule
$(call layer_lib,$(1)): $(patsubst %.c,$(B)/%.o,$(call layer_src,$(1)))
	@mkdir -p $(B)
	rm -f $$@
	$(AR) rcs $$@ $$^
endef
$(foreach l,$(LAYERS),$(eval $(call layer_rule,$(l))))

$(CLI_LIB): $(filter-out $(CLI_MAIN),$(CLI_OBJ))
	@mkdir -p $(B)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/hydra: $(CLI_MAIN) $(CLI_LIB) $(ALL_LIBS)
	$(CC) $(LDFLAGS) -o $@ $(CLI_MAIN) $(CLI_LIB) $(ALL_LIBS) $(LIBS)

# hydra-init is PID 1 of the initramfs: the node's layers only, no libparted.
# libarchive is linked from its static archive, so that hydra-init takes only
# the objects it calls: the tar reader and the disk writer. The shared
# library carries every format it knows, and its xar reader brings libxml2,
# libstdc++ and ICU's data, 35 of the initramfs's 63 MiB. The disk writer
# needs libacl; --as-needed keeps only the libraries something calls.
INIT_PKGS := blkid libcryptsetup libcrypto json-c $(INIT_ONLY_PKGS)
$(B)/hydra-init: $(INIT_OBJ) $(INIT_LIBS)
	$(CC) $(LDFLAGS) -o $@ $(INIT_OBJ) $(INIT_LIBS) -Wl,--as-needed $(LIBARCHIVE_A) \
		$(shell $(PKG_CONFIG) --libs $(INIT_PKGS))

# A test takes from the cli archive only what it names (test_cli: the commands' tables).
$(B)/tests/%: $(B)/tests/unit/%.o $(CLI_LIB) $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(CLI_LIB) $(ALL_LIBS) $(LIBS)

$(B)/tests/unit/%.o: ALL_CFLAGS += -Ibuilder -DHYDRA_SRCDIR='"$(CURDIR)"' -DHYDRA_BUILDDIR='"$(CURDIR)/$(B)"'

unit-tests: $(TESTS)

# Unit tests: no root, no VM, under a minute.
check-unit: all unit-tests
	@B=$(B) tests/run-tests --unit

# Everything: unit tests, then the image builds and the VM tests.
check: all unit-tests
	@B=$(B) tests/run-tests --all

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR)
	install -m 0755 $(B)/hydra $(DESTDIR)$(BINDIR)/hydra
	install -m 0755 $(B)/hydra-init $(DESTDIR)$(LIBEXECDIR)/hydra-init

clean:
	rm -rf $(B)

# Fuzzing (tests/fuzz/README.md): a libFuzzer harness tests/fuzz/fuzz_NAME.c
# for each parser of outside input, built with clang into build-fuzz/ (the
# library too, with the fuzzer's coverage and ASan and UBSan, so the plain
# build is untouched), each run for FUZZ_SECONDS on a copy of
# tests/fuzz/corpus/NAME/. A crash fails the target; its input is kept in
# build-fuzz/crashes/NAME/.
FUZZ_B := build-fuzz
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
# What the harnesses call: the archives from medium down (sign and trust are in medium).
FUZZ_LIBS := $(foreach l,medium node format base,$(call layer_lib,$(l)))

fuzz:
	$(MAKE) B=$(FUZZ_B) CC=$(FUZZ_CC) SANITIZE=fuzzer-no-link,address,undefined fuzz-run

fuzz-build:
	$(MAKE) B=$(FUZZ_B) CC=$(FUZZ_CC) SANITIZE=fuzzer-no-link,address,undefined fuzz-harnesses

# These three run inside the make above, with B=build-fuzz and clang.
fuzz-harnesses: $(FUZZ_NAMES:%=$(B)/fuzz/%)

fuzz-run: $(FUZZ_NAMES:%=fuzz-run-%)

fuzz-run-%: $(B)/fuzz/%
	@tests/fuzz/run $* $(B) $(FUZZ_SECONDS)

# --as-needed: a harness loads only the libraries it calls. libparted's
# constructor trips ASan's strchr check at load (tests/run-tests turns that
# check off); no harness needs libparted, so strchr stays checked here.
$(B)/fuzz/%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer,address,undefined -Itests/fuzz -o $@ $< \
		$(FUZZ_LIBS) -Wl,--as-needed $(LIBS)

clean-fuzz:
	rm -rf $(FUZZ_B)

.PHONY: all unit-tests check-unit check install clean fuzz fuzz-build fuzz-harnesses fuzz-run \
	clean-fuzz
.SECONDARY:
