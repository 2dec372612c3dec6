build-chk/builder/cli/cmd_burn.o: builder/cli/cmd_burn.c \
 builder/lib/base/util.h builder/cli/cli.h builder/cli/confirm.h \
 builder/lib/medium/burn.h builder/lib/base/hydra.h \
 builder/lib/medium/safety.h builder/cli/progress.h \
 builder/cli/trustopt.h
builder/lib/base/util.h:
builder/cli/cli.h:
builder/cli/confirm.h:
builder/lib/medium/burn.h:
builder/lib/base/hydra.h:
builder/lib/medium/safety.h:
builder/cli/progress.h:
builder/cli/trustopt.h:
