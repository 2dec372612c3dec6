# hydra: plain make with pkg-config.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/lib/hydra
DESTDIR ?=
CC ?= cc
PKG_CONFIG ?= pkg-config

PKGS := libarchive blkid libparted libcryptsetup libcrypto json-c
PKG_DEBS := libarchive-dev libblkid-dev libparted-dev libcryptsetup-dev libssl-dev libjson-c-dev
MISSING := $(strip $(foreach p,$(PKGS),$(if $(shell $(PKG_CONFIG) --exists $(p) && echo y),,$(p))))
ifneq ($(MISSING),)
$(error missing libraries: $(MISSING) (Debian: apt-get install $(PKG_DEBS)))
endif

WARNINGS := -Wall -Wextra -Wmissing-prototypes -Wstrict-prototypes -Wvla -Wwrite-strings
ifeq ($(CI),true)
WARNINGS += -Werror
endif
CFLAGS ?= -O2 -g
ifneq ($(SANITIZE),)
CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
LDFLAGS += -fsanitize=$(SANITIZE)
endif
ALL_CFLAGS := -std=gnu11 $(WARNINGS) $(CFLAGS) -Ibuilder/lib \
	-DHYDRA_LIBEXECDIR='"$(LIBEXECDIR)"' $(shell $(PKG_CONFIG) --cflags $(PKGS))
LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS))

B := build
LIB_SRC := $(sort $(wildcard builder/lib/*.c))
CLI_SRC := $(sort $(wildcard builder/cli/*.c))
INIT_SRC := $(sort $(wildcard builder/init/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o)
INIT_OBJ := $(INIT_SRC:%.c=$(B)/%.o)
TESTS := $(TEST_SRC:tests/unit/%.c=$(B)/tests/%)

all: $(B)/hydra $(B)/hydra-init

$(B)/%.o: %.c $(wildcard builder/lib/*.h builder/cli/*.h builder/init/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libhydra.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/hydra: $(CLI_OBJ) $(B)/libhydra.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(B)/libhydra.a $(LIBS)

$(B)/hydra-init: $(INIT_OBJ) $(B)/libhydra.a
	$(CC) $(LDFLAGS) -o $@ $(INIT_OBJ) $(B)/libhydra.a $(LIBS)

$(B)/tests/%: $(B)/tests/unit/%.o $(B)/libhydra.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(B)/libhydra.a $(LIBS)

$(B)/tests/unit/%.o: ALL_CFLAGS += -DHYDRA_SRCDIR='"$(CURDIR)"'

unit-tests: $(TESTS)

# Unit tests: no root, no VM, under a minute.
check-unit: all unit-tests
	@tests/run-tests --unit

# Everything: unit tests, then the image builds and the VM tests.
check: all unit-tests
	@tests/run-tests --all

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR)
	install -m 0755 $(B)/hydra $(DESTDIR)$(BINDIR)/hydra
	install -m 0755 $(B)/hydra-init $(DESTDIR)$(LIBEXECDIR)/hydra-init

clean:
	rm -rf $(B)

.PHONY: all unit-tests check-unit check install clean
.SECONDARY:
