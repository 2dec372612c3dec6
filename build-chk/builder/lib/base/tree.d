build-chk/builder/lib/base/tree.o: builder/lib/base/tree.c \
 builder/lib/base/hydra.h builder/lib/base/tree.h builder/lib/base/util.h
builder/lib/base/hydra.h:
builder/lib/base/tree.h:
builder/lib/base/util.h:
