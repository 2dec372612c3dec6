build-chk/builder/lib/format/hwdb.o: builder/lib/format/hwdb.c \
 builder/lib/format/hwdb.h builder/lib/base/hydra.h \
 builder/lib/base/ini.h builder/lib/base/util.h
builder/lib/format/hwdb.h:
builder/lib/base/hydra.h:
builder/lib/base/ini.h:
builder/lib/base/util.h:
