build-chk/builder/lib/fleet/pxe.o: builder/lib/fleet/pxe.c \
 builder/lib/base/util.h builder/lib/fleet/pxe.h \
 builder/lib/format/manifest.h builder/lib/format/hwdb.h \
 builder/lib/format/layout.h
builder/lib/base/util.h:
builder/lib/fleet/pxe.h:
builder/lib/format/manifest.h:
builder/lib/format/hwdb.h:
builder/lib/format/layout.h:
