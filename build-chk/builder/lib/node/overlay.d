build-chk/builder/lib/node/overlay.o: builder/lib/node/overlay.c \
 builder/lib/base/hydra.h builder/lib/base/tree.h builder/lib/base/util.h \
 builder/lib/node/overlay.h
builder/lib/base/hydra.h:
builder/lib/base/tree.h:
builder/lib/base/util.h:
builder/lib/node/overlay.h:
