build-chk/builder/lib/fleet/replica.o: builder/lib/fleet/replica.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/fleet/replica.h builder/lib/fleet/restic.h \
 builder/lib/format/hwdb.h builder/lib/format/layout.h \
 builder/lib/node/crypt.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/fleet/replica.h:
builder/lib/fleet/restic.h:
builder/lib/format/hwdb.h:
builder/lib/format/layout.h:
builder/lib/node/crypt.h:
