build-chk/builder/cli/cmd_hw.o: builder/cli/cmd_hw.c \
 builder/lib/base/hydra.h builder/lib/base/util.h builder/cli/cli.h \
 builder/lib/fleet/inventory.h builder/lib/format/hwdb.h \
 builder/lib/format/layout.h builder/lib/node/probe.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/cli/cli.h:
builder/lib/fleet/inventory.h:
builder/lib/format/hwdb.h:
builder/lib/format/layout.h:
builder/lib/node/probe.h:
