build-chk/builder/lib/fleet/inventory.o: builder/lib/fleet/inventory.c \
 builder/lib/base/util.h builder/lib/fleet/inventory.h \
 builder/lib/format/hwdb.h
builder/lib/base/util.h:
builder/lib/fleet/inventory.h:
builder/lib/format/hwdb.h:
