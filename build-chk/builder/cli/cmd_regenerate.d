build-chk/builder/cli/cmd_regenerate.o: builder/cli/cmd_regenerate.c \
 builder/lib/base/hydra.h builder/lib/base/util.h builder/cli/cli.h \
 builder/lib/fleet/netboot.h builder/lib/fleet/netinstall.h \
 builder/lib/format/hwdb.h builder/lib/fleet/pxe.h \
 builder/lib/format/manifest.h builder/cli/progress.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/cli/cli.h:
builder/lib/fleet/netboot.h:
builder/lib/fleet/netinstall.h:
builder/lib/format/hwdb.h:
builder/lib/fleet/pxe.h:
builder/lib/format/manifest.h:
builder/cli/progress.h:
