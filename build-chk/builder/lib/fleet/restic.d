build-chk/builder/lib/fleet/restic.o: builder/lib/fleet/restic.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/fleet/restic.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/fleet/restic.h:
