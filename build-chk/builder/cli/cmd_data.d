build-chk/builder/cli/cmd_data.o: builder/cli/cmd_data.c \
 builder/lib/base/util.h builder/cli/cli.h builder/cli/confirm.h \
 builder/lib/format/cmdline.h builder/lib/format/layout.h \
 builder/lib/format/manifest.h builder/lib/medium/datapart.h \
 builder/lib/node/crypt.h builder/lib/node/snapshot.h \
 builder/lib/base/hydra.h builder/lib/node/volume.h \
 builder/cli/passphrase.h builder/cli/replica.h builder/cli/progress.h
builder/lib/base/util.h:
builder/cli/cli.h:
builder/cli/confirm.h:
builder/lib/format/cmdline.h:
builder/lib/format/layout.h:
builder/lib/format/manifest.h:
builder/lib/medium/datapart.h:
builder/lib/node/crypt.h:
builder/lib/node/snapshot.h:
builder/lib/base/hydra.h:
builder/lib/node/volume.h:
builder/cli/passphrase.h:
builder/cli/replica.h:
builder/cli/progress.h:
