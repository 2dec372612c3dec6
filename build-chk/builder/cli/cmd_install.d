build-chk/builder/cli/cmd_install.o: builder/cli/cmd_install.c \
 builder/lib/base/util.h builder/cli/cli.h builder/lib/fleet/netinstall.h \
 builder/lib/format/hwdb.h builder/lib/format/layout.h \
 builder/lib/medium/clone.h builder/lib/base/hydra.h \
 builder/lib/node/crypt.h builder/lib/node/volume.h \
 builder/cli/passphrase.h builder/cli/progress.h builder/cli/replica.h
builder/lib/base/util.h:
builder/cli/cli.h:
builder/lib/fleet/netinstall.h:
builder/lib/format/hwdb.h:
builder/lib/format/layout.h:
builder/lib/medium/clone.h:
builder/lib/base/hydra.h:
builder/lib/node/crypt.h:
builder/lib/node/volume.h:
builder/cli/passphrase.h:
builder/cli/progress.h:
builder/cli/replica.h:
