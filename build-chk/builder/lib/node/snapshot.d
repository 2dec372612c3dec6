build-chk/builder/lib/node/snapshot.o: builder/lib/node/snapshot.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/format/hwdb.h builder/lib/node/datacopy.h \
 builder/lib/node/overlay.h builder/lib/node/snapshot.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/format/hwdb.h:
builder/lib/node/datacopy.h:
builder/lib/node/overlay.h:
builder/lib/node/snapshot.h:
