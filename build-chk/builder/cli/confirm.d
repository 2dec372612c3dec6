build-chk/builder/cli/confirm.o: builder/cli/confirm.c \
 builder/lib/base/hydra.h builder/cli/confirm.h
builder/lib/base/hydra.h:
builder/cli/confirm.h:
