build-chk/builder/cli/options.o: builder/cli/options.c \
 builder/lib/base/hydra.h builder/cli/cli.h
builder/lib/base/hydra.h:
builder/cli/cli.h:
