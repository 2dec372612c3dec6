build-chk/builder/lib/fleet/netinstall.o: builder/lib/fleet/netinstall.c \
 /usr/include/blkid/blkid.h builder/lib/base/http.h \
 builder/lib/base/hydra.h builder/lib/base/sysfs.h \
 builder/lib/base/util.h builder/lib/fleet/netinstall.h \
 builder/lib/format/hwdb.h builder/lib/fleet/replica.h \
 builder/lib/fleet/restic.h builder/lib/node/probe.h
/usr/include/blkid/blkid.h:
builder/lib/base/http.h:
builder/lib/base/hydra.h:
builder/lib/base/sysfs.h:
builder/lib/base/util.h:
builder/lib/fleet/netinstall.h:
builder/lib/format/hwdb.h:
builder/lib/fleet/replica.h:
builder/lib/fleet/restic.h:
builder/lib/node/probe.h:
