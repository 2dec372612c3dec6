build-chk/builder/cli/cmd_keygen.o: builder/cli/cmd_keygen.c \
 builder/lib/base/hydra.h builder/lib/base/util.h builder/cli/cli.h \
 builder/lib/medium/sign.h builder/lib/format/signature.h \
 builder/lib/format/layout.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/cli/cli.h:
builder/lib/medium/sign.h:
builder/lib/format/signature.h:
builder/lib/format/layout.h:
