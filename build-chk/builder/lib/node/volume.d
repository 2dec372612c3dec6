build-chk/builder/lib/node/volume.o: builder/lib/node/volume.c \
 builder/lib/base/hydra.h builder/lib/base/sysfs.h \
 builder/lib/base/util.h builder/lib/format/layout.h \
 builder/lib/node/crypt.h builder/lib/node/volume.h
builder/lib/base/hydra.h:
builder/lib/base/sysfs.h:
builder/lib/base/util.h:
builder/lib/format/layout.h:
builder/lib/node/crypt.h:
builder/lib/node/volume.h:
