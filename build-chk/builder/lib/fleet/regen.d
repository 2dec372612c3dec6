build-chk/builder/lib/fleet/regen.o: builder/lib/fleet/regen.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/fleet/regen.h builder/lib/medium/clone.h \
 builder/lib/format/layout.h builder/lib/node/crypt.h \
 builder/lib/fleet/replica.h builder/lib/fleet/restic.h \
 builder/lib/format/hwdb.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/fleet/regen.h:
builder/lib/medium/clone.h:
builder/lib/format/layout.h:
builder/lib/node/crypt.h:
builder/lib/fleet/replica.h:
builder/lib/fleet/restic.h:
builder/lib/format/hwdb.h:
