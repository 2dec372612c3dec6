build-chk/builder/lib/base/util.o: builder/lib/base/util.c \
 builder/lib/base/hydra.h builder/lib/base/util.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
