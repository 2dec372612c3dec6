build-chk/builder/cli/cmd_run.o: builder/cli/cmd_run.c \
 builder/lib/base/hydra.h builder/lib/base/util.h builder/cli/cli.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/cli/cli.h:
