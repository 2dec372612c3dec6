build-chk/builder/lib/node/probe.o: builder/lib/node/probe.c \
 builder/lib/node/probe.h builder/lib/format/hwdb.h \
 builder/lib/base/hydra.h builder/lib/base/sysfs.h \
 builder/lib/base/util.h
builder/lib/node/probe.h:
builder/lib/format/hwdb.h:
builder/lib/base/hydra.h:
builder/lib/base/sysfs.h:
builder/lib/base/util.h:
