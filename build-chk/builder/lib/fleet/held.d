build-chk/builder/lib/fleet/held.o: builder/lib/fleet/held.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/fleet/replica.h builder/lib/fleet/restic.h \
 builder/lib/format/hwdb.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/fleet/replica.h:
builder/lib/fleet/restic.h:
builder/lib/format/hwdb.h:
