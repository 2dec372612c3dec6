build-chk/builder/cli/cmd_clone.o: builder/cli/cmd_clone.c \
 builder/lib/base/util.h builder/cli/cli.h builder/cli/confirm.h \
 builder/lib/format/hwdb.h builder/lib/format/layout.h \
 builder/lib/medium/clone.h builder/lib/base/hydra.h \
 builder/lib/node/crypt.h builder/lib/fleet/regen.h \
 builder/lib/fleet/replica.h builder/lib/fleet/restic.h \
 builder/lib/node/volume.h builder/cli/passphrase.h \
 builder/cli/progress.h builder/cli/trustopt.h
builder/lib/base/util.h:
builder/cli/cli.h:
builder/cli/confirm.h:
builder/lib/format/hwdb.h:
builder/lib/format/layout.h:
builder/lib/medium/clone.h:
builder/lib/base/hydra.h:
builder/lib/node/crypt.h:
builder/lib/fleet/regen.h:
builder/lib/fleet/replica.h:
builder/lib/fleet/restic.h:
builder/lib/node/volume.h:
builder/cli/passphrase.h:
builder/cli/progress.h:
builder/cli/trustopt.h:
