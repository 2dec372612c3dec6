build-chk/builder/cli/main.o: builder/cli/main.c builder/lib/base/hydra.h \
 builder/lib/base/util.h builder/cli/cli.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/cli/cli.h:
