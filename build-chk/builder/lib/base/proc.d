build-chk/builder/lib/base/proc.o: builder/lib/base/proc.c \
 builder/lib/base/hydra.h builder/lib/base/proc.h builder/lib/base/util.h
builder/lib/base/hydra.h:
builder/lib/base/proc.h:
builder/lib/base/util.h:
