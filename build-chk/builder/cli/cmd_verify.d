build-chk/builder/cli/cmd_verify.o: builder/cli/cmd_verify.c \
 builder/lib/base/util.h builder/cli/cli.h builder/lib/format/layout.h \
 builder/lib/medium/clone.h builder/lib/base/hydra.h \
 builder/lib/node/crypt.h builder/lib/medium/medium.h \
 builder/lib/format/manifest.h builder/cli/progress.h \
 builder/cli/trustopt.h
builder/lib/base/util.h:
builder/cli/cli.h:
builder/lib/format/layout.h:
builder/lib/medium/clone.h:
builder/lib/base/hydra.h:
builder/lib/node/crypt.h:
builder/lib/medium/medium.h:
builder/lib/format/manifest.h:
builder/cli/progress.h:
builder/cli/trustopt.h:
