build-chk/builder/cli/replica.o: builder/cli/replica.c \
 builder/lib/base/util.h builder/cli/cli.h builder/lib/fleet/replica.h \
 builder/lib/base/hydra.h builder/lib/fleet/restic.h \
 builder/lib/format/hwdb.h builder/lib/format/layout.h \
 builder/lib/node/crypt.h builder/lib/node/volume.h \
 builder/cli/passphrase.h builder/cli/replica.h builder/cli/progress.h
builder/lib/base/util.h:
builder/cli/cli.h:
builder/lib/fleet/replica.h:
builder/lib/base/hydra.h:
builder/lib/fleet/restic.h:
builder/lib/format/hwdb.h:
builder/lib/format/layout.h:
builder/lib/node/crypt.h:
builder/lib/node/volume.h:
builder/cli/passphrase.h:
builder/cli/replica.h:
builder/cli/progress.h:
